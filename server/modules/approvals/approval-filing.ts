/**
 * Filing approval requests (the agent path, and evaluations that call for a
 * review): the audit writer's participant (`AuditParticipant`), so a batch of
 * evaluations files its requests with the same commit as its audit rows.
 *
 * Invariants:
 * - Requests are deduplicated on (tenant, project, ecosystem, normalised
 *   name, requester) with one atomic upsert, so concurrent repeats make one row.
 * - A repeat of a PENDING_REVIEW request refreshes its rationale and counts;
 *   a decided request (APPROVED / REJECTED) is never silently reopened: the
 *   repeat is recorded in its history and the decision is returned.
 * - Every request is an APPROVAL_REQUESTED audit row in the same transaction
 *   (or the same single statement, for a batch written on a prediction).
 * - Many requests (a batch) are one upsert, with the outcome each would have
 *   had filed one by one in order (`fileMany`); `predict` writes a batch of
 *   repeats on what this process last wrote of them, checked by the
 *   statement itself.
 */
import { randomUUID } from 'node:crypto';
import type { SqlTx } from '../../db/sql-tx';
import type { Clock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import type { AuditParticipant, ParticipantPrediction, ParticipantWrite } from '../audit/audit-participant';
import type { AuditService, PreparedAppend, StatementGuard } from '../audit/audit.service';
import { normalizeName, validateName } from '../evaluation/policy/names';
import type { ApprovalHistoryEntry } from './approval-request.entity';
import {
  MAX_HISTORY_REPEATS,
  MAX_RATIONALE,
  toRecord,
  type ApprovalRequestRecord,
  type RequestApprovalInput,
  type RequestApprovalResult,
  type Row,
} from './approval-record';

/**
 * Many requests in one upsert: JSON rows (one per request row, see `plan`);
 * a new request takes the whole (capped) history, an existing one takes the
 * batch's entries as repeats while its history is shorter than the cap.
 */
const UPSERT_MANY = `insert into approval_request as a (id, tenant_id, project, requester, ecosystem, package, normalized_name, version,
     rationale, status, source, agent_model, agent_version, request_count, created_at, updated_at, history, last_audit_id)
   select r.id, r.tenant_id, r.project, r.requester, r.ecosystem, r.package, r.normalized_name, r.version,
     r.rationale, 'PENDING_REVIEW', r.source, r.agent_model, r.agent_version, r.n, r.now, r.now, r.history, r.last_audit_id
   from jsonb_to_recordset(?::jsonb) as r(id uuid, tenant_id text, project text, requester text, ecosystem text,
     package text, normalized_name text, version text, rationale text, source text, agent_model text,
     agent_version text, n int, now timestamptz, history jsonb, last_audit_id uuid)
   on conflict (tenant_id, project, ecosystem, normalized_name, requester) do update set
     request_count = a.request_count + excluded.request_count,
     updated_at = excluded.updated_at,
     history = a.history || coalesce((
       select jsonb_agg(h.e order by h.i)
       from jsonb_array_elements(jsonb_set(excluded.history, '{0,status}', '"REQUESTED_AGAIN"')) with ordinality as h(e, i)
       where h.i <= ${MAX_HISTORY_REPEATS} - jsonb_array_length(a.history)), '[]'::jsonb),
     rationale = case when a.status = 'PENDING_REVIEW' then excluded.rationale else a.rationale end,
     package = case when a.status = 'PENDING_REVIEW' then excluded.package else a.package end,
     version = case when a.status = 'PENDING_REVIEW' then coalesce(excluded.version, a.version) else a.version end,
     agent_model = case when a.status = 'PENDING_REVIEW' then excluded.agent_model else a.agent_model end,
     agent_version = case when a.status = 'PENDING_REVIEW' then excluded.agent_version else a.agent_version end,
     last_audit_id = excluded.last_audit_id`;

/** A request row's identity (the upsert's conflict key), as a map key and as JSON. */
const requestKey = (tenantId: string, project: string, ecosystem: string, normalizedName: string, requester: string) =>
  JSON.stringify([tenantId, project, ecosystem, normalizedName, requester]);

/** What this process last wrote of a request: enough to predict the next filing. */
type KnownRequest = Pick<ApprovalRequestRecord, 'id' | 'requestCount' | 'status' | 'decisionReason' | 'normalizedName'>;
const MAX_KNOWN_REQUESTS = 10_000;

/** A predicted filing (`ApprovalFiling.predict`): per input, the request it repeats and its audit row. */
export interface FilingPrediction extends ParticipantPrediction {
  after: Map<string, KnownRequest>;
}

/** One filed request: its outcome and its APPROVAL_REQUESTED audit row, not yet appended. */
export interface FiledRequest extends ParticipantWrite {
  result: RequestApprovalResult;
}

export class ApprovalFiling implements AuditParticipant<RequestApprovalInput, FilingPrediction> {
  /** What this process last wrote of each request (by `requestKey`), for `predict`. */
  private readonly known = new Map<string, KnownRequest>();

  constructor(
    private readonly audit: Pick<AuditService, 'prepare'>,
    private readonly clock: Clock,
  ) {}

  /**
   * Check a request's input without touching the database (a bad one fails
   * here, for its caller alone, before it can join a batch).
   * @throws ValidationError naming `package` or `rationale`
   */
  check(input: RequestApprovalInput): void {
    const check = validateName(input.ecosystem, input.package);
    if (!check.ok) throw new ValidationError(`package: ${check.error.message}`, 'package');
    const rationale = input.rationale.trim();
    if (rationale === '') throw new ValidationError('rationale must not be empty', 'rationale');
    if (rationale.length > MAX_RATIONALE) throw new ValidationError(`rationale is longer than ${MAX_RATIONALE} characters`, 'rationale');
    // The request row's column sizes, as errors that name the field.
    const sized: [string, string | null, number][] = [
      ['package', input.package.trim(), 300],
      ['project', input.project, 200],
      ['version', input.version, 200],
      ['agent_model', input.agentModel, 200],
      ['agent_version', input.agentVersion, 200],
    ];
    for (const [field, value, max] of sized) {
      if (value !== null && value.length > max) throw new ValidationError(`${field} is longer than ${max} characters`, field);
    }
  }

  /**
   * File (or repeat) many requests with ONE statement inside `tx`'s
   * transaction, as if filed one after the other in the given order: repeats
   * of one request (same tenant, project, ecosystem, name and requester) are
   * folded into one upsert. Returns, per input, its outcome and its
   * APPROVAL_REQUESTED audit row, prepared and NOT yet appended: the caller
   * appends them in the same transaction (`last_audit_id` already names them).
   * @throws ValidationError naming `package` or `rationale`
   */
  async fileMany(tx: SqlTx, inputs: readonly RequestApprovalInput[]): Promise<FiledRequest[]> {
    for (const input of inputs) this.check(input);
    const plan = this.plan(inputs);
    const upserted = await tx.execute<Row>(`${UPSERT_MANY} returning *, (xmax = 0) as inserted`, [plan.rowsJson], 'lexgate_approval_upsert_many');
    const byKey = new Map<string, Row>();
    for (const row of upserted) {
      const key = requestKey(String(row.tenant_id), String(row.project), String(row.ecosystem), String(row.normalized_name), String(row.requester));
      byKey.set(key, row);
      this.remember(key, toRecord(row));
    }
    return inputs.map((input, i) => {
      const { key, index, auditId } = plan.place[i];
      const row = byKey.get(key);
      if (!row) throw new Error(`the approval upsert returned no row for ${key}`);
      const n = plan.groups.get(key)!.inputs.length;
      const inserted = row.inserted === true || row.inserted === 't';
      const record: ApprovalRequestRecord = { ...toRecord(row), requestCount: Number(row.request_count) - (n - 1 - index), lastAuditId: auditId };
      const created = inserted && index === 0;
      return { id: record.id, result: { request: record, created, alreadyDecided: record.status !== 'PENDING_REVIEW' }, auditRow: this.requestedRow(input, record, created, auditId) };
    });
  }

  /**
   * The same filing as `fileMany`, predicted from what this process last
   * wrote of each request (null when it has not seen one of them): the
   * APPROVAL_REQUESTED rows, and a guard for `AuditService.appendGuarded`
   * that does the upsert and fails the whole statement (LG001) unless every
   * request turns out exactly as predicted (same id, status and decision, a
   * count moved by exactly this batch). Call `settle` with the outcome.
   */
  predict(inputs: readonly RequestApprovalInput[]): FilingPrediction | null {
    const plan = this.plan(inputs);
    const expected: Row[] = [];
    const after = new Map<string, KnownRequest>();
    for (const [key, group] of plan.groups) {
      const known = this.known.get(key);
      if (!known) return null;
      const count = known.requestCount + group.inputs.length;
      expected.push({ key: JSON.parse(key), id: known.id, request_count: count, status: known.status, decision_reason: known.decisionReason });
      after.set(key, { ...known, requestCount: count });
    }
    const filed = inputs.map((input, i) => {
      const { key, index, auditId } = plan.place[i];
      const known = this.known.get(key)!;
      const view = { ...known, requestCount: known.requestCount + index + 1 };
      return { id: known.id, auditRow: this.requestedRow(input, view, false, auditId) };
    });
    const guard: StatementGuard = {
      name: 'approvals',
      ctes: `up as (${UPSERT_MANY}
         returning tenant_id, project, ecosystem, normalized_name, requester, id, request_count, status, decision_reason, (xmax = 0) as inserted),
       expected as (select e.key, e.id, e.request_count, e.status, e.decision_reason
         from jsonb_to_recordset(?::jsonb) as e(key jsonb, id uuid, request_count int, status text, decision_reason text)),
       verified as (select lexgate_expect(count(*) = (select count(*) from expected) and count(*) = (select count(*) from up),
           'the approval requests changed since this process last wrote them') as ok
         from up join expected e on e.key = jsonb_build_array(up.tenant_id, up.project, up.ecosystem, up.normalized_name, up.requester)
         where up.id = e.id and up.request_count = e.request_count and up.status = e.status
           and up.decision_reason is not distinct from e.decision_reason and not up.inserted)`,
      params: [plan.rowsJson, JSON.stringify(expected)],
      condition: '(select ok from verified)',
    };
    // Counted now, so a batch predicted while this one is in flight counts after it.
    for (const [key, known] of after) this.remember(key, known);
    return { filed, guard, after };
  }

  /** After a predicted filing that was not written: forget its requests (the next filing reads them again). */
  settle(prediction: FilingPrediction, written: boolean): void {
    if (written) return;
    for (const key of prediction.after.keys()) this.known.delete(key);
  }

  private remember(key: string, r: KnownRequest): void {
    if (this.known.size >= MAX_KNOWN_REQUESTS && !this.known.has(key)) this.known.clear();
    this.known.set(key, { id: r.id, requestCount: r.requestCount, status: r.status, decisionReason: r.decisionReason, normalizedName: r.normalizedName });
  }

  /** Group inputs by request row (first-seen order) and build the upsert's JSON rows (key order). */
  private plan(inputs: readonly RequestApprovalInput[]) {
    const at = this.clock.now().toISOString();
    const groups = new Map<string, { inputs: RequestApprovalInput[]; auditIds: string[] }>();
    const place: { key: string; index: number; auditId: string }[] = [];
    for (const input of inputs) {
      const key = requestKey(input.tenantId, input.project, input.ecosystem, normalizeName(input.ecosystem, input.package), input.requester);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { inputs: [], auditIds: [] }));
      const auditId = randomUUID();
      place.push({ key, index: g.inputs.length, auditId });
      g.inputs.push(input);
      g.auditIds.push(auditId);
    }
    // In key order, so overlapping batches lock request rows in one order (no deadlock).
    const ordered = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
    const rows = ordered.map(({ inputs: group, auditIds }) => {
      const first = group[0];
      const last = group[group.length - 1];
      const lastVersion = [...group].reverse().find((i) => i.version !== null)?.version ?? null;
      // As filed one by one: the first is the request, the rest are repeats (history capped).
      const history: ApprovalHistoryEntry[] = group
        .slice(0, MAX_HISTORY_REPEATS)
        .map((i, k) => ({ at, status: k === 0 ? 'PENDING_REVIEW' : 'REQUESTED_AGAIN', by: i.requester, note: i.rationale.trim() }));
      return {
        id: randomUUID(),
        tenant_id: first.tenantId,
        project: first.project,
        requester: first.requester,
        ecosystem: first.ecosystem,
        normalized_name: normalizeName(first.ecosystem, first.package),
        source: first.source,
        // What the last of the group leaves on a pending request.
        package: last.package,
        version: lastVersion,
        rationale: last.rationale.trim(),
        agent_model: last.agentModel,
        agent_version: last.agentVersion,
        n: group.length,
        now: at,
        history,
        last_audit_id: auditIds[auditIds.length - 1],
      };
    });
    return { groups, place, rowsJson: JSON.stringify(rows) };
  }

  /** The APPROVAL_REQUESTED row of one filing, given how its request stands after it. */
  private requestedRow(
    input: RequestApprovalInput,
    r: Pick<ApprovalRequestRecord, 'id' | 'status' | 'decisionReason' | 'normalizedName' | 'requestCount'>,
    created: boolean,
    auditId: string,
  ): PreparedAppend {
    const alreadyDecided = r.status !== 'PENDING_REVIEW';
    return {
      ...this.audit.prepare({
        tenantId: input.tenantId,
        kind: 'APPROVAL_REQUESTED',
        action: 'dependency.request_approval',
        requester: input.requester,
        project: input.project,
        agentModel: input.agentModel,
        agentVersion: input.agentVersion,
        ecosystem: input.ecosystem,
        package: input.package,
        normalizedName: r.normalizedName,
        version: input.version,
        status: r.status === 'PENDING_REVIEW' ? 'pending_review' : r.status === 'APPROVED' ? 'approved' : 'denied',
        reason: alreadyDecided
          ? `Approval for ${input.package} was requested again; it was already ${r.status.toLowerCase()}${r.decisionReason ? ` (${r.decisionReason})` : ''} and stays so.`
          : `Approval requested (${input.source === 'auto' ? 'filed by the evaluation' : 'by the agent'}): ${input.rationale.trim()}`,
        details: { requestId: r.id, source: input.source, created, requestCount: r.requestCount },
      }),
      id: auditId,
    };
  }

}
