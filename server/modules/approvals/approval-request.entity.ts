/**
 * Dependency approval requests: an agent (or the evaluation itself, for
 * review licenses and unknown licenses under `pending_approval`) asks for a
 * package to be classified. Deduplicated on (tenant, project, ecosystem,
 * normalised name, requester); decided only by people; a decided request is
 * never silently reopened. `history` keeps every status change.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const APPROVAL_STATUSES = ['PENDING_REVIEW', 'APPROVED', 'REJECTED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface ApprovalHistoryEntry {
  at: string;
  /** `PROPOSED`: a person approved and the rule was proposed; the request is APPROVED once the rule is live. */
  status: ApprovalStatus | 'REQUESTED_AGAIN' | 'PROPOSED';
  by: string;
  note: string | null;
}

export const ApprovalRequestSchema = defineEntity({
  name: 'ApprovalRequest',
  tableName: 'approval_request',
  properties: (p) => ({
    id: p.uuid().primary(),
    tenantId: p.string().length(64),
    project: p.string().length(200),
    requester: p.string().length(200),
    ecosystem: p.string().length(32),
    package: p.string().length(300),
    normalizedName: p.string().length(300),
    version: p.string().length(200).nullable(),
    rationale: p.text(),
    status: p.string().length(32).$type<ApprovalStatus>(),
    /** `agent` (POST /approval-requests) or `auto` (filed by an evaluation). */
    source: p.string().length(16),
    agentModel: p.string().length(200).nullable(),
    agentVersion: p.string().length(200).nullable(),
    requestCount: p.integer().default(1),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
    decidedAt: p.datetime().columnType('timestamptz').nullable(),
    decidedBy: p.string().length(200).nullable(),
    decisionReason: p.text().nullable(),
    lastAuditId: p.uuid().nullable(),
    history: p.json<ApprovalHistoryEntry[]>().columnType('jsonb').default('[]'),
  }),
  uniques: [
    {
      name: 'approval_request_dedupe_unique',
      properties: ['tenantId', 'project', 'ecosystem', 'normalizedName', 'requester'],
    },
  ],
  indexes: [
    { name: 'approval_request_tenant_status_idx', properties: ['tenantId', 'status'] },
    { name: 'approval_request_tenant_name_idx', properties: ['tenantId', 'normalizedName'] },
  ],
});

export type ApprovalRequest = InferEntity<typeof ApprovalRequestSchema>;
