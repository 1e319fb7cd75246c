/**
 * The audit log: one append-only, hash-chained row per decision of either half
 * (dependency evaluations and agent actions), per CVE alert, per human decision
 * and per registry/policy change. Rows are never updated; the chain (prev_hash,
 * hash, per-tenant seq) makes any later edit detectable.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: (p) => ({
    id: p.uuid().primary(),
    tenantId: p.string().length(64),
    seq: p.bigint('number'),
    ts: p.datetime().columnType('timestamptz'),
    kind: p.string().length(48),
    action: p.string().length(200),
    project: p.string().length(200).nullable(),
    requester: p.string().length(200),
    agentModel: p.string().length(200).nullable(),
    agentVersion: p.string().length(200).nullable(),
    agentId: p.string().length(200).nullable(),
    ecosystem: p.string().length(32).nullable(),
    package: p.string().length(300).nullable(),
    normalizedName: p.string().length(300).nullable(),
    version: p.string().length(200).nullable(),
    resolvedVersion: p.string().length(200).nullable(),
    verdict: p.string().length(32).nullable(),
    status: p.string().length(32).nullable(),
    denialCategory: p.string().length(32).default(''),
    reason: p.text().nullable(),
    license: p.string().length(500).nullable(),
    cveIds: p.array().columnType('text[]').default('{}'),
    maxCvss: p.double().nullable(),
    registryStatus: p.string().length(32).nullable(),
    triggeredPolicy: p.string().length(200).nullable(),
    severity: p.string().length(16).nullable(),
    riskScore: p.double().nullable(),
    violations: p.json<unknown[]>().columnType('jsonb').default('[]'),
    details: p.json<Record<string, unknown>>().columnType('jsonb').default('{}'),
    prevHash: p.string().length(64),
    hash: p.string().length(64),
  }),
  uniques: [{ name: 'audit_log_tenant_seq_unique', properties: ['tenantId', 'seq'] }],
  indexes: [
    { name: 'audit_log_tenant_ts_idx', properties: ['tenantId', 'ts'] },
    { name: 'audit_log_tenant_project_ts_idx', properties: ['tenantId', 'project', 'ts'] },
    { name: 'audit_log_tenant_category_verdict_idx', properties: ['tenantId', 'denialCategory', 'verdict'] },
    { name: 'audit_log_tenant_agent_idx', properties: ['tenantId', 'agentModel', 'agentVersion'] },
    { name: 'audit_log_tenant_agent_id_ts_idx', properties: ['tenantId', 'agentId', 'ts'] },
    { name: 'audit_log_tenant_package_idx', properties: ['tenantId', 'normalizedName'] },
    { name: 'audit_log_tenant_kind_ts_idx', properties: ['tenantId', 'kind', 'ts'] },
    // Reports (partial, so the append of an ordinary answer does not touch them): the newest denials and
    // alerts of a category, and the CVE activity of a time window.
    {
      name: 'audit_log_denials_ts_idx',
      expression: `create index "audit_log_denials_ts_idx" on "audit_log" ("tenant_id", "denial_category", "ts", "seq") where denial_category <> ''`,
    },
    {
      name: 'audit_log_denials_project_ts_idx',
      expression: `create index "audit_log_denials_project_ts_idx" on "audit_log" ("tenant_id", "project", "denial_category", "ts", "seq") where denial_category <> ''`,
    },
    {
      name: 'audit_log_cve_activity_ts_idx',
      expression: `create index "audit_log_cve_activity_ts_idx" on "audit_log" ("tenant_id", "ts") where kind = 'DEPENDENCY_EVALUATION' and (denial_category = 'cve' or (verdict = 'PROVISIONALLY_ALLOWED' and cardinality(cve_ids) > 0))`,
    },
    // Governance: per-agent violations and an action's trail (migration ..._governance; partial and expression indexes).
    {
      name: 'audit_log_gov_agent_violations_idx',
      expression: `create index "audit_log_gov_agent_violations_idx" on "audit_log" ("tenant_id", "agent_id", "ts") where "violations" <> '[]'::jsonb`,
    },
    {
      name: 'audit_log_gov_action_id_idx',
      expression: `create index "audit_log_gov_action_id_idx" on "audit_log" ("tenant_id", ("details" ->> 'action_id'), "seq") where ("details" ->> 'action_id') is not null`,
    },
  ],
});

export type AuditEntry = InferEntity<typeof AuditEntrySchema>;

/** The head of each tenant's chain: the last sequence number and hash. Row-locked by every append. */
export const AuditChainHeadSchema = defineEntity({
  name: 'AuditChainHead',
  tableName: 'audit_chain_head',
  properties: (p) => ({
    tenantId: p.string().length(64).primary(),
    seq: p.bigint('number'),
    hash: p.string().length(64),
  }),
});

export type AuditChainHead = InferEntity<typeof AuditChainHeadSchema>;
