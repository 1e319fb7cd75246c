/**
 * An approval request as the services read it, what filing one takes and
 * answers, and the row parsing shared by the filing (`ApprovalFiling`) and
 * the decisions (`ApprovalService`).
 */
import type { Ecosystem } from '../evaluation/policy/facts';
import type { ApprovalHistoryEntry, ApprovalStatus } from './approval-request.entity';

export interface ApprovalRequestRecord {
  id: string;
  tenantId: string;
  project: string;
  requester: string;
  ecosystem: Ecosystem;
  package: string;
  normalizedName: string;
  version: string | null;
  rationale: string;
  status: ApprovalStatus;
  source: 'agent' | 'auto';
  agentModel: string | null;
  agentVersion: string | null;
  requestCount: number;
  createdAt: Date;
  updatedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionReason: string | null;
  lastAuditId: string | null;
  history: ApprovalHistoryEntry[];
}

export interface RequestApprovalInput {
  tenantId: string;
  project: string;
  requester: string;
  ecosystem: Ecosystem;
  package: string;
  version: string | null;
  rationale: string;
  source: 'agent' | 'auto';
  agentModel: string | null;
  agentVersion: string | null;
}

export interface RequestApprovalResult {
  request: ApprovalRequestRecord;
  /** False when an existing request was found (pending: refreshed; decided: left as decided). */
  created: boolean;
  /** True when the request had already been decided and stays so. */
  alreadyDecided: boolean;
}

export const MAX_RATIONALE = 4000;

/** A request's history takes repeat entries until it has this many entries; status changes always go in. */
export const MAX_HISTORY_REPEATS = 50;

export type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const jsonOf = <T>(v: unknown, fb: T): T => (v === null || v === undefined ? fb : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/** An `approval_request` row (snake_case, driver types) as a record. */
export function toRecord(r: Row): ApprovalRequestRecord {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    project: String(r.project),
    requester: String(r.requester),
    ecosystem: r.ecosystem as Ecosystem,
    package: String(r.package),
    normalizedName: String(r.normalized_name),
    version: (r.version as string | null) ?? null,
    rationale: String(r.rationale),
    status: r.status as ApprovalStatus,
    source: r.source as 'agent' | 'auto',
    agentModel: (r.agent_model as string | null) ?? null,
    agentVersion: (r.agent_version as string | null) ?? null,
    requestCount: Number(r.request_count),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
    decidedAt: date(r.decided_at),
    decidedBy: (r.decided_by as string | null) ?? null,
    decisionReason: (r.decision_reason as string | null) ?? null,
    lastAuditId: (r.last_audit_id as string | null) ?? null,
    history: jsonOf<ApprovalHistoryEntry[]>(r.history, []),
  };
}
