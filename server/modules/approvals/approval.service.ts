/**
 * Approval-request service: agents (and evaluations, for review licenses and
 * unknown licenses under `pending_approval`) ask for a package to be
 * classified; people decide.
 *
 * Invariants:
 * - Filing (its deduplication, and its audit rows) is `ApprovalFiling`'s;
 *   `request` files through it inside the caller's transaction.
 * - The agent path never writes into the registry.
 * - People decide: `reject` (REJECTED, with a reason the agent sees when it
 *   asks again) or approve, which proposes the registry rule (history entry
 *   PROPOSED); the request becomes APPROVED when a registry revision makes the
 *   rule live (`settleByRegistry`, run inside the revision's transaction).
 *   Every decision is an APPROVAL_DECISION audit row naming who and why.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../../context';
import type { Database } from '../../db/orm';
import { asSqlTx, type SqlTx } from '../../db/sql-tx';
import type { Clock } from '../../shared/clock';
import { DomainError, NotFoundError, ValidationError } from '../../shared/errors';
import type { AuditService } from '../audit/audit.service';
import type { Ecosystem } from '../evaluation/policy/facts';
import { isEcosystem, normalizeName } from '../evaluation/policy/names';
import type { RegistryDocument, RegistryRule } from '../registry/registry-document';
import type { ApprovalFiling } from './approval-filing';
import { MAX_RATIONALE, toRecord, type ApprovalRequestRecord, type RequestApprovalInput, type RequestApprovalResult, type Row } from './approval-record';
import type { ApprovalHistoryEntry, ApprovalStatus } from './approval-request.entity';

/** Registry statuses that let a package in (a request settled by one is APPROVED). */
const ALLOWING = new Set(['preferred', 'approved', 'version-constrained']);

const ruleIdentity = (r: { ecosystem: Ecosystem; name: string }) => `${r.ecosystem}\u0000${normalizeName(r.ecosystem, r.name)}`;
const ruleShape = (r: RegistryRule) => JSON.stringify([r.status, r.minVersion ?? null, r.maxVersion ?? null, r.replacement ?? null]);

/** Rules of `next` that are new or whose status or bounds changed since `previous`. */
export function changedRules(previous: RegistryDocument | null, next: RegistryDocument): RegistryRule[] {
  const before = new Map((previous?.packages ?? []).map((r) => [ruleIdentity(r), ruleShape(r)]));
  return next.packages.filter((r) => before.get(ruleIdentity(r)) !== ruleShape(r));
}

/** A decision that cannot be made in the request's current state (409). */
export class AlreadyDecidedError extends DomainError {
  constructor(id: string, status: ApprovalStatus) {
    super('conflict', `Approval request ${id} was already decided (${status}); decisions are final.`, 'id', { status });
    this.name = 'AlreadyDecidedError';
  }
}

export class ApprovalService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly filing: ApprovalFiling,
    private readonly clock: Clock,
  ) {}

  /**
   * File (or repeat) an approval request inside `tx`'s transaction (an ORM
   * transaction or a batch's SqlTx), with its audit row.
   * @throws ValidationError naming `package` or `rationale`
   */
  async request(tx: EntityManager | SqlTx, input: RequestApprovalInput): Promise<RequestApprovalResult> {
    const sql = asSqlTx(tx);
    const [filed] = await this.filing.fileMany(sql, [input]);
    await this.audit.appendPrepared(sql, [filed.auditRow]);
    return filed.result;
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

  /** One request of a tenant. @throws NotFoundError */
  async get(em: EntityManager, tenantId: string, id: string): Promise<ApprovalRequestRecord> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError(`No approval request ${id}.`, { id });
    const rows = await em.execute<Row[]>(`select * from approval_request where tenant_id = ? and id = ?`, [tenantId, id]);
    if (rows.length === 0) throw new NotFoundError(`No approval request ${id}.`, { id });
    return toRecord(rows[0]);
  }

  /**
   * Reject a pending request with a reason (the agent sees it when it asks again).
   * @throws ValidationError without a reason; NotFoundError; AlreadyDecidedError when decided
   */
  async reject(tenantId: string, id: string, by: string, reason: string): Promise<ApprovalRequestRecord> {
    const why = reason.trim();
    if (why === '') throw new ValidationError('reason is required to reject a request', 'reason');
    if (why.length > MAX_RATIONALE) throw new ValidationError(`reason is longer than ${MAX_RATIONALE} characters`, 'reason');
    return this.db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      const now = this.clock.now();
      const entry: ApprovalHistoryEntry = { at: now.toISOString(), status: 'REJECTED', by, note: why };
      const rows = await em.execute<Row[]>(
        `update approval_request set status = 'REJECTED', decided_at = ?, decided_by = ?, decision_reason = ?, updated_at = ?,
           history = history || ?::jsonb
         where tenant_id = ? and id = ? and status = 'PENDING_REVIEW' returning *`,
        [now, by, why, now, JSON.stringify([entry]), tenantId, id],
      );
      if (rows.length === 0) {
        const current = await this.get(em, tenantId, id);
        throw new AlreadyDecidedError(id, current.status);
      }
      const record = toRecord(rows[0]);
      await this.appendDecision(em, record, by, 'denied', `Approval request for ${record.package} rejected by ${by}: ${why}`, { decision: 'reject' });
      return record;
    });
  }

  /**
   * Record that a person approved a pending request and its rule was proposed (the request
   * stays PENDING_REVIEW until the rule is live).
   * @throws NotFoundError; AlreadyDecidedError when decided
   */
  async recordApproval(
    tenantId: string,
    id: string,
    by: string,
    note: string,
    proposal: { backend: string; status: string; url: string | null; detail: string },
  ): Promise<ApprovalRequestRecord> {
    return this.db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      const now = this.clock.now();
      const entry: ApprovalHistoryEntry = { at: now.toISOString(), status: 'PROPOSED', by, note: `${note} (${proposal.backend}: ${proposal.status}${proposal.url ? ` ${proposal.url}` : ''})` };
      const rows = await em.execute<Row[]>(
        `update approval_request set updated_at = ?, history = history || ?::jsonb
         where tenant_id = ? and id = ? and status = 'PENDING_REVIEW' returning *`,
        [now, JSON.stringify([entry]), tenantId, id],
      );
      if (rows.length === 0) {
        const current = await this.get(em, tenantId, id);
        throw new AlreadyDecidedError(id, current.status);
      }
      const record = toRecord(rows[0]);
      await this.appendDecision(em, record, by, 'approved', `Approval of ${record.package} by ${by}: ${note} Rule proposed through ${proposal.backend} (${proposal.status}).`, {
        decision: 'approve',
        proposal,
      });
      return record;
    });
  }

  /**
   * Settle pending requests by a new registry revision (run inside its transaction): a request
   * for a package whose rule is new or changed becomes APPROVED when the rule lets the package
   * in, REJECTED (with the rule's reason) when it bans or deprecates it.
   */
  async settleByRegistry(
    em: EntityManager,
    change: { tenantId: string; previous: RegistryDocument | null; next: RegistryDocument; revision: number; author: string },
  ): Promise<{ approvedRequests: number; rejectedRequests: number }> {
    let approvedRequests = 0;
    let rejectedRequests = 0;
    const now = this.clock.now();
    for (const rule of changedRules(change.previous, change.next)) {
      const approve = ALLOWING.has(rule.status);
      const status: ApprovalStatus = approve ? 'APPROVED' : 'REJECTED';
      const why = approve
        ? `Registry version ${change.next.version} (revision ${change.revision}) lists ${rule.key} as ${rule.status}.`
        : `Registry version ${change.next.version} (revision ${change.revision}) lists ${rule.key} as ${rule.status}${rule.replacement ? ` (use ${rule.replacement})` : ''}${rule.reason ? `: ${rule.reason}` : '.'}`;
      const entry: ApprovalHistoryEntry = { at: now.toISOString(), status, by: change.author, note: why };
      const rows = await em.execute<Row[]>(
        // An approval goes to the person who approved the request (the latest PROPOSED entry),
        // not to whoever merged or reloaded; otherwise to the revision's author.
        `update approval_request set status = ?, decided_at = ?, decision_reason = ?, updated_at = ?,
           decided_by = case when ? = 'APPROVED' then coalesce(
             (select e.value->>'by' from jsonb_array_elements(history) with ordinality as e(value, n)
               where e.value->>'status' = 'PROPOSED' order by e.n desc limit 1), ?) else ? end,
           history = history || ?::jsonb
         where tenant_id = ? and ecosystem = ? and normalized_name = ? and status = 'PENDING_REVIEW' returning *`,
        [status, now, why, now, status, change.author, change.author, JSON.stringify([entry]), change.tenantId, rule.ecosystem, normalizeName(rule.ecosystem, rule.name)],
      );
      for (const row of rows) {
        const record = toRecord(row);
        await this.appendDecision(em, record, change.author, approve ? 'approved' : 'denied', why, { decision: 'registry', revision: change.revision, rule: { key: rule.key, status: rule.status } });
        if (approve) approvedRequests++;
        else rejectedRequests++;
      }
    }
    return { approvedRequests, rejectedRequests };
  }

  private async appendDecision(
    em: EntityManager,
    record: ApprovalRequestRecord,
    by: string,
    status: 'approved' | 'denied',
    reason: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    const row = await this.audit.append(em, {
      tenantId: record.tenantId,
      kind: 'APPROVAL_DECISION',
      action: 'dependency.approval_decision',
      requester: by,
      project: record.project,
      agentModel: record.agentModel,
      agentVersion: record.agentVersion,
      ecosystem: record.ecosystem,
      package: record.package,
      normalizedName: record.normalizedName,
      version: record.version,
      status,
      reason,
      details: { requestId: record.id, requestStatus: record.status, requestedBy: record.requester, ...details },
    });
    await em.execute(`update approval_request set last_audit_id = ? where id = ?`, [row.id, record.id], 'run');
    record.lastAuditId = row.id;
  }
}
