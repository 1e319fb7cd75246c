/**
 * Submitted agent actions (Novyx `/v1/actions`) and, for those held for review,
 * their approval. The id doubles as the approval id. Status moves only
 * `pending_review` → `approved | denied`, once (decisions are immutable); every
 * submission and decision is also an audit row carrying `action_id`.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const AGENT_ACTION_STATUSES = ['allowed', 'blocked', 'pending_review', 'approved', 'denied'] as const;
export type AgentActionStatus = (typeof AGENT_ACTION_STATUSES)[number];

export const AgentActionSchema = defineEntity({
  name: 'AgentAction',
  tableName: 'agent_action',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    tenantId: p.string().length(64),
    agentId: p.string().length(200).nullable(),
    action: p.string().length(200),
    params: p.json<Record<string, unknown>>().columnType('jsonb'),
    status: p.string().length(32).$type<AgentActionStatus>(),
    /** The decision as answered (`policy_result` plus the policies evaluated). */
    decision: p.json<Record<string, unknown>>().columnType('jsonb'),
    message: p.text(),
    requester: p.string().length(200),
    submittedAt: p.datetime().columnType('timestamptz'),
    /** Audit sequence of the submission: the approval queue's order. */
    auditSeq: p.bigint('number'),
    decidedAt: p.datetime().columnType('timestamptz').nullable(),
    decidedBy: p.string().length(200).nullable(),
    decisionReason: p.text().nullable(),
  }),
  indexes: [
    { name: 'agent_action_tenant_status_seq_idx', properties: ['tenantId', 'status', 'auditSeq'] },
    { name: 'agent_action_tenant_seq_idx', properties: ['tenantId', 'auditSeq'] },
  ],
});

export type AgentAction = InferEntity<typeof AgentActionSchema>;
