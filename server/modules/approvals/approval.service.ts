/**
 * Approval-request service: agents (and evaluations, for review licenses and
 * unknown licenses under `pending_approval`) ask for a package to be
 * classified; people decide.
 *
 * Invariants:
 * - Requests are deduplicated on (tenant, project, ecosystem, normalised
 *   name, requester) with one atomic upsert, so concurrent repeats make one row.
 * - A repeat of a PENDING_REVIEW request refreshes its rationale and counts;
 *   a decided request (APPROVED / REJECTED) is never silently reopened: the
 *   repeat is recorded in its history and the decision is returned.
 * - The agent path never writes into the registry.
 * - Every request is an APPROVAL_REQUESTED audit row in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../../context';
import type { Database } from '../../db/orm';
import { asSqlTx, type SqlTx } from '../../db/sql-tx';
import type { Clock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import type { AuditService } from '../audit/audit.service';
import type { Ecosystem } from '../evaluation/policy/facts';
import { isEcosystem, normalizeName, validateName } from '../evaluation/policy/names';
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

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const jsonOf = <T>(v: unknown, fb: T): T => (v === null || v === undefined ? fb : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

function toRecord(r: Row): ApprovalRequestRecord {
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

/** A request's history takes repeat entries until it has this many entries; status changes always go in. */
export const MAX_HISTORY_REPEATS = 50;

export class ApprovalService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * File (or repeat) an approval request inside `tx`'s transaction (an ORM
   * transaction or a batch's SqlTx), with its audit row.
   * @throws ValidationError naming `package` or `rationale`
   */
  async request(tx: EntityManager | SqlTx, input: RequestApprovalInput): Promise<RequestApprovalResult> {
    const sql = asSqlTx(tx);
    const check = validateName(input.ecosystem, input.package);
    if (!check.ok) throw new ValidationError(`package: ${check.error.message}`, 'package');
    const rationale = input.rationale.trim();
    if (rationale === '') throw new ValidationError('rationale must not be empty', 'rationale');
    if (rationale.length > MAX_RATIONALE) throw new ValidationError(`rationale is longer than ${MAX_RATIONALE} characters`, 'rationale');
    const normalizedName = normalizeName(input.ecosystem, input.package);
    const now = this.clock.now();
    const requestedEntry: ApprovalHistoryEntry = { at: now.toISOString(), status: 'PENDING_REVIEW', by: input.requester, note: rationale };
    const repeatEntry: ApprovalHistoryEntry = { at: now.toISOString(), status: 'REQUESTED_AGAIN', by: input.requester, note: rationale };

    // Insert, or refresh a pending request; a decided one only gets the repeat in its history.
    // Repeats are history entries only while the history is short: an agent that
    // asks on every evaluation must not grow the row without bound (request_count
    // and updated_at still count every repeat).
    const rows = await sql.execute<Row>(
      `insert into approval_request as a (id, tenant_id, project, requester, ecosystem, package, normalized_name, version,
         rationale, status, source, agent_model, agent_version, request_count, created_at, updated_at, history)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING_REVIEW', ?, ?, ?, 1, ?, ?, ?::jsonb)
       on conflict (tenant_id, project, ecosystem, normalized_name, requester) do update set
         request_count = a.request_count + 1,
         updated_at = excluded.updated_at,
         history = case when jsonb_array_length(a.history) < ${MAX_HISTORY_REPEATS} then a.history || ?::jsonb else a.history end,
         rationale = case when a.status = 'PENDING_REVIEW' then excluded.rationale else a.rationale end,
         package = case when a.status = 'PENDING_REVIEW' then excluded.package else a.package end,
         version = case when a.status = 'PENDING_REVIEW' then coalesce(excluded.version, a.version) else a.version end,
         agent_model = case when a.status = 'PENDING_REVIEW' then excluded.agent_model else a.agent_model end,
         agent_version = case when a.status = 'PENDING_REVIEW' then excluded.agent_version else a.agent_version end
       returning *, (xmax = 0) as inserted`,
      [
        randomUUID(),
        input.tenantId,
        input.project,
        input.requester,
        input.ecosystem,
        input.package,
        normalizedName,
        input.version,
        rationale,
        input.source,
        input.agentModel,
        input.agentVersion,
        now,
        now,
        JSON.stringify([requestedEntry]),
        JSON.stringify([repeatEntry]),
      ],
      'lexgate_approval_upsert',
    );
    const row = rows[0];
    const created = row.inserted === true || row.inserted === 't';
    const record = toRecord(row);
    const alreadyDecided = record.status !== 'PENDING_REVIEW';
    const auditRow = await this.audit.append(sql, {
      tenantId: input.tenantId,
      kind: 'APPROVAL_REQUESTED',
      action: 'dependency.request_approval',
      requester: input.requester,
      project: input.project,
      agentModel: input.agentModel,
      agentVersion: input.agentVersion,
      ecosystem: input.ecosystem,
      package: input.package,
      normalizedName,
      version: input.version,
      status: record.status === 'PENDING_REVIEW' ? 'pending_review' : record.status === 'APPROVED' ? 'approved' : 'denied',
      reason: alreadyDecided
        ? `Approval for ${input.package} was requested again; it was already ${record.status.toLowerCase()}${record.decisionReason ? ` (${record.decisionReason})` : ''} and stays so.`
        : `Approval requested (${input.source === 'auto' ? 'filed by the evaluation' : 'by the agent'}): ${rationale}`,
      details: { requestId: record.id, source: input.source, created, requestCount: record.requestCount },
    });
    await sql.execute(`update approval_request set last_audit_id = ? where id = ?`, [auditRow.id, record.id], 'lexgate_approval_last_audit');
    record.lastAuditId = auditRow.id;
    return { request: record, created, alreadyDecided };
  }

  /** File a request for a caller in its own transaction (the agent path). */
  async requestForCaller(
    caller: Caller,
    input: { ecosystem: string; package: string; version: string | null; rationale: string; source: 'agent' | 'auto' },
  ): Promise<RequestApprovalResult> {
    const ecosystem = input.ecosystem.trim().toLowerCase();
    if (!isEcosystem(ecosystem)) throw new ValidationError(`ecosystem: must be one of pypi, npm (got "${input.ecosystem}")`, 'ecosystem');
    const version = input.version?.trim() || null;
    return this.db.em().transactional((tx) =>
      this.request(tx as EntityManager, {
        tenantId: caller.tenantId,
        project: caller.project,
        requester: caller.requester,
        agentModel: caller.agentModel,
        agentVersion: caller.agentVersion,
        ecosystem,
        package: input.package.trim(),
        version,
        rationale: input.rationale,
        source: input.source,
      }),
    );
  }

  /** Requests of a tenant, newest first, optionally by project and status. */
  async list(em: EntityManager, tenantId: string, filter: { project?: string | null; status?: ApprovalStatus | null; limit?: number }): Promise<ApprovalRequestRecord[]> {
    const where = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (filter.project) {
      where.push('project = ?');
      params.push(filter.project);
    }
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const rows = await em.execute<Row[]>(
      `select * from approval_request where ${where.join(' and ')} order by updated_at desc, id limit ?`,
      [...params, Math.min(Math.max(filter.limit ?? 500, 1), 5000)],
    );
    return rows.map(toRecord);
  }
}
