/**
 * Audit service: the append-only, hash-chained audit log's SQL — rows chained
 * and written onto the tenant's head (inside the caller's transaction, or as
 * one statement on its own), the chain verified, listed and exported. The
 * chain's invariants are documented once, in the audit writer's header
 * (`audit-writer.ts`), the one group-commit path that calls the statement
 * forms; `append`/`appendPrepared` also serve use cases that write their
 * change and its row in a transaction of their own.
 * Do not nest `em.transactional` around appends: a nested transaction has
 * its own context and would not see the head remembered for the outer one.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { asSqlTx, type SqlTx } from '../../db/sql-tx';
import type { Clock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import { GENESIS_HASH, HASHED_FIELDS, hashAuditRow, hashedBody, hashOfBody, type HashedAuditContent } from './audit-hash';

/** Audit event kinds (SCREAMING_SNAKE). */
export const AUDIT_KINDS = [
  'DEPENDENCY_EVALUATION',
  'CVE_ALERT',
  'APPROVAL_REQUESTED',
  'APPROVAL_DECISION',
  'ACTION_EVALUATION',
  'ACTION_DECISION',
  'REGISTRY_CHANGE',
  'POLICY_CHANGE',
  'SYSTEM',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** What a caller appends; the service adds id, time, sequence and hashes. */
export interface AuditAppendInput {
  tenantId: string;
  kind: AuditKind;
  action: string;
  requester: string;
  project?: string | null;
  agentModel?: string | null;
  agentVersion?: string | null;
  agentId?: string | null;
  ecosystem?: string | null;
  package?: string | null;
  normalizedName?: string | null;
  version?: string | null;
  resolvedVersion?: string | null;
  verdict?: string | null;
  status?: string | null;
  denialCategory?: string;
  reason?: string | null;
  license?: string | null;
  cveIds?: string[];
  maxCvss?: number | null;
  registryStatus?: string | null;
  triggeredPolicy?: string | null;
  severity?: string | null;
  riskScore?: number | null;
  violations?: unknown[];
  details?: Record<string, unknown>;
}

/** A stored audit row as the service returns it. */
export interface AuditRecord extends HashedAuditContent {
  prevHash: string;
  hash: string;
}

export interface ChainVerification {
  ok: boolean;
  tenantId: string;
  /** Rows checked (all of them when ok). */
  checked: number;
  /** Hash of the last row (the chain head) when ok. */
  headHash: string;
  firstBroken: { seq: number; id: string | null; reason: string } | null;
}

export interface AuditFilter {
  project?: string | null;
  kind?: AuditKind | null;
  verdict?: string | null;
  status?: string | null;
  agentId?: string | null;
  package?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export interface AuditPage {
  rows: AuditRecord[];
  /** seq of the last row returned, for the next page's `afterSeq`. */
  endSeq: number | null;
  hasNextPage: boolean;
  totalCount: number;
}

const MAX_TEXT = 10_000;

const COLUMNS = `id, tenant_id, seq, ts, kind, action, project, requester, agent_model, agent_version, agent_id,
  ecosystem, package, normalized_name, version, resolved_version, verdict, status, denial_category, reason,
  license, cve_ids, max_cvss, registry_status, triggered_policy, severity, risk_score, violations, details,
  prev_hash, hash`;

type Row = Record<string, unknown>;

const LOCK_HEAD = `select seq, hash from audit_chain_head where tenant_id = ? for update`;

type Head = { seq: number; hash: string };
/** Records chained onto a head, and the JSON payload that writes them (ROWS_FROM_JSON). */
type Chained = { records: AuditRecord[]; payload: string };
/** Attempts of a conditional write on its own before the caller takes the locked path. */
const UNLOCKED_ATTEMPTS = 3;

/** A checked row waiting to be written (no time, sequence or hashes yet). */
export type PreparedAppend = Omit<HashedAuditContent, 'seq' | 'ts'>;

/** How each hashed field is read back out of its row's `hashedBody` array. */
const FIELD_SQL: Partial<Record<(typeof HASHED_FIELDS)[number], (at: string) => string>> = {
  id: (at) => `(f->>${at})::uuid`,
  seq: (at) => `(f->>${at})::bigint`,
  ts: (at) => `(f->>${at})::timestamptz`,
  cveIds: (at) => `array(select jsonb_array_elements_text(f->${at}))`,
  maxCvss: (at) => `(f->>${at})::double precision`,
  riskScore: (at) => `(f->>${at})::double precision`,
  violations: (at) => `f->${at}`,
  details: (at) => `f->${at}`,
};

/**
 * Rows given as one JSON array, one `[prev_hash, hash, body]` per row, where
 * body is the row's `hashedBody` (the text its hash was computed over, so a
 * row is serialised once for both), selected in COLUMNS order.
 */
const ROWS_FROM_JSON = `select ${HASHED_FIELDS.map((field, i) => (FIELD_SQL[field] ?? ((at: string) => `f->>${at}`))(String(i))).join(', ')},
      x.e->>0, x.e->>1
    from jsonb_array_elements(?::jsonb) as x(e), lateral (select x.e->2 as f) as body`;

/**
 * Many rows and the chain head's move in one statement, on the condition that
 * the head is still where the rows were chained from: when it moved (another
 * writer got there first), nothing is written and `moved` is 0. Correct with
 * or without the head's row lock held, so it also runs as a statement of its
 * own (it commits by itself: rows and head together or neither).
 */
const INSERT_ROWS_IF_HEAD = insertRowsIfHead(null);

/**
 * Work a conditional append statement does before its rows (e.g. the upsert
 * of the approval requests the rows record), and the condition its write is
 * also subject to. Such a statement cannot just write nothing when the head
 * moved (its own work is done by then): it fails with SQLSTATE LG001
 * instead, and nothing of it is kept.
 */
export interface StatementGuard {
  /** Names the prepared statement (one per guard shape). */
  name: string;
  /** Common table expressions, without `with`; their `?` parameters come first. */
  ctes: string;
  params: unknown[];
  /** A boolean SQL expression over the CTEs (which may itself fail with LG001). */
  condition: string;
}

/** True for the error of a guarded statement whose expectation failed (it was rolled back whole). */
export function isExpectationFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'LG001';
}

/**
 * The head moves only if it is where the rows were chained from; the check is
 * in the SET, not the WHERE, so that it is made on the head's latest version:
 * a statement that waited for another writer's commit (the row lock) sees
 * that commit's head, not its own snapshot's. Parameters: expected seq and
 * hash, new seq, expected seq and hash, new hash, tenant, new seq and hash,
 * rows (after the guard's).
 */
function insertRowsIfHead(guard: StatementGuard | null): string {
  const at = `h.seq = ? and h.hash = ?${guard ? ` and ${guard.condition}` : ''}`;
  return `with ${guard ? `${guard.ctes},` : ''} head as (
    update audit_chain_head as h set seq = case when ${at} then ? else h.seq end, hash = case when ${at} then ? else h.hash end
    where h.tenant_id = ?
    returning h.seq = ? and h.hash = ? as moved
  ), ins as (
    insert into audit_log (${COLUMNS})
    ${ROWS_FROM_JSON}
    where exists (select 1 from head where moved)
    order by (x.e->2->>2)::bigint
    returning 1
  )
  select ${guard ? `lexgate_expect((select count(*) from head where moved) = 1, 'the audit chain head moved')::int` : '(select count(*) from head where moved)::int'} as moved,
    (select count(*) from ins)::int as written`;
}

/** The chain head without a lock (for a conditional write, which checks it again). */
const READ_HEAD = `select seq, hash from audit_chain_head where tenant_id = ?`;

/** A single statement on its own (it commits by itself), `?` parameters. */
export type StatementRunner = <R = Row>(sql: string, params: unknown[], name?: string) => Promise<R[]>;

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : Number(v);
}

function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Map a raw row (snake_case, driver types) to an AuditRecord. */
export function rowToRecord(r: Row): AuditRecord {
  const ts = r.ts instanceof Date ? r.ts : new Date(String(r.ts));
  const cve = r.cve_ids;
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    seq: Number(r.seq),
    ts,
    kind: String(r.kind),
    action: String(r.action),
    project: (r.project as string | null) ?? null,
    requester: String(r.requester),
    agentModel: (r.agent_model as string | null) ?? null,
    agentVersion: (r.agent_version as string | null) ?? null,
    agentId: (r.agent_id as string | null) ?? null,
    ecosystem: (r.ecosystem as string | null) ?? null,
    package: (r.package as string | null) ?? null,
    normalizedName: (r.normalized_name as string | null) ?? null,
    version: (r.version as string | null) ?? null,
    resolvedVersion: (r.resolved_version as string | null) ?? null,
    verdict: (r.verdict as string | null) ?? null,
    status: (r.status as string | null) ?? null,
    denialCategory: String(r.denial_category ?? ''),
    reason: (r.reason as string | null) ?? null,
    license: (r.license as string | null) ?? null,
    cveIds: Array.isArray(cve) ? (cve as string[]) : parsePgArray(cve),
    maxCvss: num(r.max_cvss),
    registryStatus: (r.registry_status as string | null) ?? null,
    triggeredPolicy: (r.triggered_policy as string | null) ?? null,
    severity: (r.severity as string | null) ?? null,
    riskScore: num(r.risk_score),
    violations: json<unknown[]>(r.violations, []),
    details: json<Record<string, unknown>>(r.details, {}),
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

/** Parse a PostgreSQL text[] literal (`{a,"b c"}`) when a driver returns it as text. */
function parsePgArray(v: unknown): string[] {
  if (typeof v !== 'string' || v === '{}' || v === '') return [];
  const out: string[] = [];
  const body = v.slice(1, -1);
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '\\') cur += body[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function checkText(field: string, v: string | null | undefined, max = MAX_TEXT): string | null {
  if (v === undefined || v === null) return null;
  if (v.includes('\u0000')) throw new ValidationError(`${field} must not contain NUL characters`, field);
  if (v.length > max) throw new ValidationError(`${field} is longer than ${max} characters`, field);
  return v;
}

function byTenant(prepared: readonly PreparedAppend[]): Map<string, PreparedAppend[]> {
  const byTenant = new Map<string, PreparedAppend[]>();
  for (const p of prepared) {
    const list = byTenant.get(p.tenantId);
    if (list) list.push(p);
    else byTenant.set(p.tenantId, [p]);
  }
  return byTenant;
}

export class AuditService {
  /** Chain heads locked and advanced by the open transactions (keyed by the transaction object). */
  private readonly heads = new WeakMap<object, Map<string, Head>>();
  /**
   * Where this process last saw each tenant's chain head. Only a guess: every
   * write from it is conditional on the head still being there, and a miss
   * falls back to reading (and locking) the real head.
   */
  private readonly lastHeads = new Map<string, Head>();

  constructor(private readonly clock: Clock) {}

  /**
   * Check and complete what a caller wants appended (lengths, NUL bytes), without
   * touching the database: a bad input fails here, for its caller alone, before
   * it can join a batch. Time, sequence and hashes are set when it is written.
   */
  prepare(input: AuditAppendInput): PreparedAppend {
    return {
      id: randomUUID(),
      tenantId: input.tenantId,
      kind: input.kind,
      action: checkText('action', input.action, 200)!,
      project: checkText('project', input.project, 200),
      requester: checkText('requester', input.requester, 200)!,
      agentModel: checkText('agent_model', input.agentModel, 200),
      agentVersion: checkText('agent_version', input.agentVersion, 200),
      agentId: checkText('agent_id', input.agentId, 200),
      ecosystem: checkText('ecosystem', input.ecosystem, 32),
      package: checkText('package', input.package, 300),
      normalizedName: checkText('normalized_name', input.normalizedName, 300),
      version: checkText('version', input.version, 200),
      resolvedVersion: checkText('resolved_version', input.resolvedVersion, 200),
      verdict: input.verdict ?? null,
      status: input.status ?? null,
      denialCategory: input.denialCategory ?? '',
      reason: checkText('reason', input.reason),
      license: checkText('license', input.license, 500),
      cveIds: [...(input.cveIds ?? [])],
      maxCvss: input.maxCvss ?? null,
      registryStatus: input.registryStatus ?? null,
      triggeredPolicy: input.triggeredPolicy ?? null,
      severity: input.severity ?? null,
      riskScore: input.riskScore ?? null,
      violations: input.violations ?? [],
      details: input.details ?? {},
    };
  }

  /**
   * Append one row to the tenant's chain, inside `em`'s current transaction.
   * The caller must be in a transaction (`em.transactional`), or the row lock
   * on the chain head would be released before the row is visible.
   */
  async append(tx: EntityManager | SqlTx, input: AuditAppendInput): Promise<AuditRecord> {
    const [record] = await this.appendPrepared(tx, [this.prepare(input)]);
    return record;
  }

  /**
   * Append prepared rows, in order, inside `em`'s current transaction: one
   * statement per tenant writes all of that tenant's rows and moves its chain
   * head (a group-commit batch costs one round trip, not one per row).
   */
  async appendPrepared(tx: EntityManager | SqlTx, prepared: readonly PreparedAppend[]): Promise<AuditRecord[]> {
    return this.write(asSqlTx(tx), prepared); // asSqlTx refuses an EntityManager outside a transaction
  }

  private async write(tx: SqlTx, prepared: readonly PreparedAppend[]): Promise<AuditRecord[]> {
    const trx = tx.key;
    // The chain head: later appends in the same transaction (a batch) continue
    // from the head remembered here. The first one tries the head this process
    // last saw, with a write conditional on it; if the head moved, it takes
    // the head's row lock and reads it (nobody else can move it then).
    let heads = this.heads.get(trx);
    if (!heads) {
      heads = new Map();
      this.heads.set(trx, heads);
    }
    const out = new Map<PreparedAppend, AuditRecord>();
    for (const [tenantId, items] of byTenant(prepared)) {
      let head = heads.get(tenantId);
      let chained: Chained | null = null;
      if (!head) {
        const guess = this.lastHeads.get(tenantId);
        if (guess) {
          chained = this.chain(guess, items);
          if (!(await this.writeIfHead((sql, params, name) => tx.execute(sql, params, name), guess, chained))) chained = null;
        }
      }
      if (!chained) {
        if (!head) {
          const rows = await tx.execute<Row>(LOCK_HEAD, [tenantId], 'lexgate_audit_lock_head');
          if (rows.length === 0) throw new ValidationError(`unknown tenant "${tenantId}"`, 'tenant');
          head = { seq: Number(rows[0].seq), hash: String(rows[0].hash) };
        }
        chained = this.chain(head, items);
        // Holding the lock, the condition holds unless the head row is gone.
        if (!(await this.writeIfHead((sql, params, name) => tx.execute(sql, params, name), head, chained))) {
          throw new Error(`the audit chain head of tenant "${tenantId}" moved while locked`);
        }
      }
      const { records } = chained;
      const last = records[records.length - 1];
      heads.set(tenantId, { seq: last.seq, hash: last.hash });
      items.forEach((p, i) => out.set(p, records[i]));
    }
    return prepared.map((p) => out.get(p)!);
  }

  /**
   * Append prepared rows outside any transaction: one statement per tenant,
   * each committing by itself (rows and chain head together). A tenant whose
   * head kept moving under the attempts is left over for the caller to write
   * in a transaction; an unknown tenant fails its own rows only.
   */
  async appendUnlocked(run: StatementRunner, prepared: readonly PreparedAppend[]): Promise<{ written: Map<PreparedAppend, AuditRecord>; failed: Map<PreparedAppend, unknown>; leftover: PreparedAppend[] }> {
    const written = new Map<PreparedAppend, AuditRecord>();
    const failed = new Map<PreparedAppend, unknown>();
    const leftover: PreparedAppend[] = [];
    for (const [tenantId, items] of byTenant(prepared)) {
      try {
        let done = false;
        for (let attempt = 0; attempt < UNLOCKED_ATTEMPTS && !done; attempt++) {
          let head = attempt === 0 ? this.lastHeads.get(tenantId) : undefined;
          if (!head) {
            const rows = await run<Row>(READ_HEAD, [tenantId], 'lexgate_audit_read_head');
            if (rows.length === 0) throw new ValidationError(`unknown tenant "${tenantId}"`, 'tenant');
            head = { seq: Number(rows[0].seq), hash: String(rows[0].hash) };
          }
          const chained = this.chain(head, items);
          if (await this.writeIfHead(run, head, chained)) {
            items.forEach((p, i) => written.set(p, chained.records[i]));
            done = true;
          }
        }
        if (!done) leftover.push(...items);
      } catch (err) {
        for (const p of items) failed.set(p, err);
      }
    }
    return { written, failed, leftover };
  }

  /**
   * Append one tenant's prepared rows outside any transaction, in ONE
   * statement that first does `guard`'s work: both are kept, or neither.
   * Chained onto the head this process last saw (read first if none); a
   * moved head or a failed guard fails with LG001 (`isExpectationFailure`):
   * nothing was written, and the caller may take another path.
   */
  async appendGuarded(run: StatementRunner, prepared: readonly PreparedAppend[], guard: StatementGuard): Promise<AuditRecord[]> {
    const tenantId = prepared[0].tenantId;
    if (prepared.some((p) => p.tenantId !== tenantId)) throw new Error('a guarded append writes one tenant');
    let head = this.lastHeads.get(tenantId);
    if (!head) {
      const rows = await run<Row>(READ_HEAD, [tenantId], 'lexgate_audit_read_head');
      if (rows.length === 0) throw new ValidationError(`unknown tenant "${tenantId}"`, 'tenant');
      head = { seq: Number(rows[0].seq), hash: String(rows[0].hash) };
    }
    const chained = this.chain(head, prepared);
    await this.writeIfHead(run, head, chained, guard);
    return chained.records;
  }

  /**
   * Hash `items` onto the chain after `head`: time, sequence and hashes are
   * set on the prepared objects themselves, which become the records (no copy
   * of every field per row; chaining again, after a miss, overwrites them).
   */
  private chain(head: Head, items: readonly PreparedAppend[]): Chained {
    const ts = this.clock.now();
    let { seq, hash: prevHash } = head;
    let payload = '[';
    const records = items.map((p, i) => {
      seq += 1;
      const record = p as AuditRecord;
      record.ts = ts;
      record.seq = seq;
      const body = hashedBody(record);
      const hash = hashOfBody(prevHash, body);
      record.prevHash = prevHash;
      record.hash = hash;
      payload += `${i === 0 ? '' : ','}["${prevHash}","${hash}",${body}]`;
      prevHash = hash;
      return record;
    });
    return { records, payload: payload + ']' };
  }

  /**
   * Write chained records if the tenant's head is still at `from`; true when
   * written. The head they leave is remembered before the write is sent, so a
   * write started meanwhile in this process (another transaction) chains
   * after them: conditional on that, it waits in PostgreSQL for this one's
   * commit and then finds the head where it expected it.
   */
  private async writeIfHead(run: StatementRunner, from: Head, { records, payload }: Chained, guard: StatementGuard | null = null): Promise<boolean> {
    const tenantId = records[0].tenantId;
    const last = records[records.length - 1];
    const next: Head = { seq: last.seq, hash: last.hash };
    this.lastHeads.set(tenantId, next);
    const forget = () => {
      if (this.lastHeads.get(tenantId) === next) this.lastHeads.delete(tenantId);
    };
    let rows: Row[];
    try {
      // The rows travel as one JSON array, so the statement text never changes.
      const params = [from.seq, from.hash, last.seq, from.seq, from.hash, last.hash, tenantId, last.seq, last.hash, payload];
      rows = guard
        ? await run<Row>(insertRowsIfHead(guard), [...guard.params, ...params], `lexgate_audit_insert_guarded_${guard.name}`)
        : await run<Row>(INSERT_ROWS_IF_HEAD, params, 'lexgate_audit_insert_if_head');
    } catch (e) {
      forget(); // the outcome is unknown (or, for a guarded write, nothing was written)
      throw e;
    }
    if (Number(rows[0]?.moved ?? 0) === 0) {
      forget();
      return false;
    }
    return true;
  }

  /**
   * Recompute the tenant's chain from the first row and report the first row
   * whose sequence, link or content hash does not match.
   */
  async verifyChain(em: EntityManager, tenantId: string, batchSize = 2000): Promise<ChainVerification> {
    let expectedPrev = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const rows = await em.execute<Row[]>(
        `select ${COLUMNS} from audit_log where tenant_id = ? and seq >= ? order by seq asc limit ?`,
        [tenantId, expectedSeq, batchSize],
      );
      for (const raw of rows) {
        const r = rowToRecord(raw);
        const broken = (reason: string): ChainVerification => ({
          ok: false,
          tenantId,
          checked,
          headHash: expectedPrev,
          firstBroken: { seq: expectedSeq, id: r.id, reason },
        });
        if (r.seq !== expectedSeq) {
          return {
            ok: false,
            tenantId,
            checked,
            headHash: expectedPrev,
            firstBroken: { seq: expectedSeq, id: null, reason: `row with seq ${expectedSeq} is missing (next is ${r.seq})` },
          };
        }
        if (r.prevHash !== expectedPrev) return broken('prev_hash does not match the previous row\'s hash');
        const recomputed = hashAuditRow(r.prevHash, r);
        if (recomputed !== r.hash) return broken('content does not match its hash (the row was altered)');
        expectedPrev = r.hash;
        expectedSeq += 1;
        checked += 1;
      }
      if (rows.length < batchSize) break;
    }
    const head = await em.execute<Row[]>(`select seq, hash from audit_chain_head where tenant_id = ?`, [tenantId]);
    if (head.length > 0) {
      const headSeq = Number(head[0].seq);
      if (headSeq !== checked) {
        return {
          ok: false,
          tenantId,
          checked,
          headHash: expectedPrev,
          firstBroken: { seq: checked + 1, id: null, reason: `the chain head is at seq ${headSeq} but only ${checked} rows follow on` },
        };
      }
      if (String(head[0].hash) !== expectedPrev) {
        return {
          ok: false,
          tenantId,
          checked,
          headHash: expectedPrev,
          firstBroken: { seq: checked, id: null, reason: 'the chain head hash does not match the last row' },
        };
      }
    }
    return { ok: true, tenantId, checked, headHash: expectedPrev, firstBroken: null };
  }

  /** Newest-first page of a tenant's audit rows, keyset-paginated by seq. */
  async list(em: EntityManager, tenantId: string, filter: AuditFilter, first: number, afterSeq: number | null): Promise<AuditPage> {
    const where: string[] = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      params.push(v);
    };
    if (filter.project) add('project = ?', filter.project);
    if (filter.kind) add('kind = ?', filter.kind);
    if (filter.verdict) add('verdict = ?', filter.verdict);
    if (filter.status) add('status = ?', filter.status);
    if (filter.agentId) add('agent_id = ?', filter.agentId);
    if (filter.package) {
      where.push('(package = ? or normalized_name = ?)');
      params.push(filter.package, filter.package);
    }
    if (filter.since) add('ts >= ?', filter.since);
    if (filter.until) add('ts < ?', filter.until);
    const countRows = await em.execute<Row[]>(`select count(*)::int as n from audit_log where ${where.join(' and ')}`, params);
    const pageWhere = [...where];
    const pageParams = [...params];
    if (afterSeq !== null) {
      pageWhere.push('seq < ?');
      pageParams.push(afterSeq);
    }
    const rows = await em.execute<Row[]>(
      `select ${COLUMNS} from audit_log where ${pageWhere.join(' and ')} order by seq desc limit ?`,
      [...pageParams, first + 1],
    );
    const records = rows.slice(0, first).map(rowToRecord);
    return {
      rows: records,
      endSeq: records.length > 0 ? records[records.length - 1].seq : null,
      hasNextPage: rows.length > first,
      totalCount: Number(countRows[0]?.n ?? 0),
    };
  }

  /** Every row of a tenant's chain in order, for offline verification (JSON lines). */
  async *exportJsonl(em: EntityManager, tenantId: string, batchSize = 2000): AsyncGenerator<string> {
    let fromSeq = 1;
    for (;;) {
      const rows = await em.execute<Row[]>(
        `select ${COLUMNS} from audit_log where tenant_id = ? and seq >= ? order by seq asc limit ?`,
        [tenantId, fromSeq, batchSize],
      );
      for (const raw of rows) {
        const r = rowToRecord(raw);
        yield JSON.stringify({ ...r, ts: r.ts.toISOString() }) + '\n';
        fromSeq = r.seq + 1;
      }
      if (rows.length < batchSize) return;
    }
  }
}
