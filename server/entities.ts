/** Every entity schema, in one list for the ORM and the schema-drift test. */
import { ApprovalRequestSchema } from './modules/approvals/approval-request.entity';
import { AuditChainHeadSchema, AuditEntrySchema } from './modules/audit/audit-entry.entity';
import {
  AuditRollupAgentSchema,
  AuditRollupCvePackageSchema,
  AuditRollupCveSchema,
  AuditRollupVerdictSchema,
  AuditTotalAgentSchema,
  AuditTotalCvePackageSchema,
  AuditTotalCveSchema,
  AuditTotalVerdictSchema,
} from './modules/reports/audit-rollup.entity';
import { RegistryRevisionSchema } from './modules/registry/registry-revision.entity';
import { RescanStatusSchema } from './modules/rescan/rescan-status.entity';
import { TenantSchema } from './modules/tenants/tenant.entity';
import { UpstreamCacheEntrySchema } from './modules/upstream/upstream-cache.entity';
import { ActionPolicySchema } from './modules/governance/action-policy.entity';
import { AgentActionSchema } from './modules/governance/agent-action.entity';
import { GovernanceRollupHourSchema, GovernanceViolationRollupSchema } from './modules/governance/governance-rollup.entity';

export const entities = [
  TenantSchema,
  AuditEntrySchema,
  AuditChainHeadSchema,
  RegistryRevisionSchema,
  ApprovalRequestSchema,
  UpstreamCacheEntrySchema,
  AuditRollupVerdictSchema,
  AuditRollupAgentSchema,
  AuditRollupCvePackageSchema,
  AuditRollupCveSchema,
  AuditTotalVerdictSchema,
  AuditTotalAgentSchema,
  AuditTotalCvePackageSchema,
  AuditTotalCveSchema,
  RescanStatusSchema,
  ActionPolicySchema,
  AgentActionSchema,
  GovernanceRollupHourSchema,
  GovernanceViolationRollupSchema,
];
