/**
 * Custom action policies (Novyx `/v1/control/policies`), one row per
 * (tenant, name, scope). `agent_id` is '' for a tenant-wide policy, so the
 * scope is part of the unique key. Upserts bump `version`; deleting disables
 * (soft delete). Built-ins are code, not rows.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { PolicyRule, StepType } from './policy/action-policy';

export const ActionPolicySchema = defineEntity({
  name: 'ActionPolicy',
  tableName: 'action_policy',
  properties: (p) => ({
    id: p.uuid().primary(),
    tenantId: p.string().length(64),
    name: p.string().length(64),
    /** '' = tenant-wide; otherwise the agent the policy is scoped to. */
    agentId: p.string().length(200).default(''),
    description: p.text().nullable(),
    rules: p.json<PolicyRule[]>().columnType('jsonb'),
    stepTypes: p.json<StepType[]>().columnType('jsonb'),
    whitelistedDomains: p.json<string[]>().columnType('jsonb'),
    enabled: p.boolean().default(true),
    version: p.integer().default(1),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
  }),
  uniques: [{ name: 'action_policy_tenant_name_agent_unique', properties: ['tenantId', 'name', 'agentId'] }],
});

export type ActionPolicy = InferEntity<typeof ActionPolicySchema>;
