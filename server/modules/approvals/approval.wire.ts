/** lex-align wire shapes of approval requests. */
import type { ApprovalRequestRecord } from './approval-record';

/** A row of GET /api/v1/reports/approval-requests: lex-align's columns, then ours. */
export function approvalRequestToWire(r: ApprovalRequestRecord) {
  return {
    id: r.id,
    ts: r.updatedAt.toISOString(),
    project: r.project,
    requester: r.requester,
    package: r.package,
    rationale: r.rationale,
    status: r.status,
    last_audit_id: r.lastAuditId,
    agent_model: r.agentModel,
    agent_version: r.agentVersion,
    // --- additive ---
    ecosystem: r.ecosystem,
    normalized_name: r.normalizedName,
    version: r.version,
    source: r.source,
    request_count: r.requestCount,
    created_at: r.createdAt.toISOString(),
    decided_at: r.decidedAt?.toISOString() ?? null,
    decided_by: r.decidedBy,
    decision_reason: r.decisionReason,
  };
}
