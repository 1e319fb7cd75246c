/**
 * Group commit for short units of work. Every audited decision moves the
 * tenant's chain head, so one transaction per decision caps throughput at one
 * commit (one WAL flush) per decision. The batcher writes what is waiting at
 * a moment together (overlapping batches when the pipelined connection lets it):
 * - `append` (most evaluations): one audit row, checked when queued, so none
 *   can fail alone; a batch's rows are one multi-row statement;
 * - `appendFiling` (an evaluation that files an approval request): its row,
 *   plus the request; a batch's requests are one upsert and their
 *   APPROVAL_REQUESTED rows join the audit statement;
 * - `run` (ORM work) and `runSql` (plain statements): units that share a
 *   transaction, each in its own savepoint, so a failing unit is rolled back
 *   alone.
 * On an external PostgreSQL a batch of appends alone is one statement per
 * tenant with no transaction around it (`AuditService.appendUnlocked`), and
 * so is a batch of filings this process can predict (`filePredicted`);
 * otherwise the statements run in a plain driver transaction, and `run` units
 * in an ORM transaction after it. On the embedded database everything shares
 * the ORM's transaction (it has one connection). Every caller is answered
 * after the commit that holds its work.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditParticipant, ParticipantPrediction } from './audit-participant';
import { isExpectationFailure, type AuditAppendInput, type AuditRecord, type AuditService, type PreparedAppend, type StatementRunner } from './audit.service';
import type { Database } from '../../db/orm';
import { dollarParams, sqlTxOfEm, sqlTxOfRaw, type SqlTx } from '../../db/sql-tx';
import { refusedByServer } from '../../db/statement-pipeline';

interface Settle {
  resolve: (v: never) => void;
  reject: (e: unknown) => void;
}
interface OrmUnit extends Settle {
  work: (em: EntityManager) => Promise<unknown>;
}
interface SqlUnit extends Settle {
  work: (tx: SqlTx) => Promise<unknown>;
}
interface Append extends Settle {
  row: PreparedAppend;
}
interface Filing<F> extends Settle {
  row: PreparedAppend;
  filing: F;
}

/** What `appendFiling` resolves with: the filing's own audit row, and the id of what the participant filed or repeated. */
export interface FiledAppend {
  record: AuditRecord;
  filedId: string;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** `F`: what the participant (`AuditParticipant`) files with an audit row (approval requests). */
export class AuditWriter<F extends { tenantId: string } = never, P extends ParticipantPrediction = ParticipantPrediction> {
  private ormUnits: OrmUnit[] = [];
  private sqlUnits: SqlUnit[] = [];
  private appends: Append[] = [];
  private filings: Filing<F>[] = [];
  private running = false;
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly audit: Pick<AuditService, 'appendPrepared' | 'appendUnlocked' | 'appendGuarded' | 'forgetTransaction' | 'prepare'>,
    private readonly participant: AuditParticipant<F, P>,
    private readonly maxBatch = 256,
    private readonly maxInFlight = 2,
  ) {}

  /** Run ORM `work` in a transaction shared with the other units waiting now; resolves after the commit. */
  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.ormUnits.push({ work, resolve: resolve as (v: never) => void, reject });
      this.kick();
    });
  }

  /** The same for work that needs only statements (`SqlTx`): it can join the plain driver batch. */
  runSql<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.sqlUnits.push({ work, resolve: resolve as (v: never) => void, reject });
      this.kick();
    });
  }

  /**
   * Append one audit row in the next batch; resolves with the stored record
   * after the commit. A bad row is refused here, before it joins a batch.
   */
  append(input: AuditAppendInput): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      const row = this.audit.prepare(input); // throws into this promise
      this.appends.push({ row, resolve: resolve as (v: never) => void, reject });
      this.kick();
    });
  }

  /**
   * Append one audit row and have the participant file what it calls for
   * (an approval request), in the next batch: the batch's filings are one
   * statement of the participant's, and their audit rows join its audit
   * statement (each right after the row that filed it). A bad row or filing
   * is refused here, alone.
   */
  appendFiling(input: AuditAppendInput, filing: F): Promise<FiledAppend> {
    return new Promise<FiledAppend>((resolve, reject) => {
      const row = this.audit.prepare(input); // throws into this promise
      this.participant.check(filing);
      this.filings.push({ row, filing, resolve: resolve as (v: never) => void, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the callers of this same turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    // Batches of appends and filings overlap when their statements go down the
    // pipelined connection (`Database.rawStatement`): the next is sent while
    // the last still runs, chained onto the head the last will leave and with
    // its requests counted after the last's, and PostgreSQL runs it right
    // after (if the last failed, so does it, and it is redone in a
    // transaction). Batches with units of work run alone.
    const slots = this.db.rawStatement ? this.maxInFlight : 1;
    try {
      while (this.ormUnits.length + this.sqlUnits.length + this.filings.length + this.appends.length > 0) {
        const alone = this.ormUnits.length + this.sqlUnits.length > 0;
        while (this.inFlight >= (alone ? 1 : slots)) await new Promise<void>((r) => this.slotWaiters.push(r));
        let room = this.maxBatch;
        const take = <T>(queue: T[]): T[] => {
          const taken = queue.splice(0, room);
          room -= taken.length;
          return taken;
        };
        const batch = [take(this.ormUnits), take(this.sqlUnits), take(this.filings), take(this.appends)] as const;
        this.inFlight++;
        const done = this.runBatch(...batch)
          .catch((error: unknown) => {
            // Not expected (every path answers its callers), but never leave one waiting.
            for (const item of batch.flat()) item.reject(error);
          })
          .finally(() => {
            this.inFlight--;
            this.slotWaiters.splice(0).forEach((wake) => wake());
          });
        if (slots === 1 || alone) await done;
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(ormUnits: OrmUnit[], sqlUnits: SqlUnit[], filings: Filing<F>[], appends: Append[]): Promise<void> {
    const raw = this.db.rawTransaction;
    const statement = this.db.rawStatement;
    if (raw && statement && sqlUnits.length === 0 && filings.length === 0 && appends.length > 0) {
      await this.appendUnlocked(statement, appends, raw);
      if (ormUnits.length > 0) await this.settle(ormUnits, () => this.inOrmTransaction(ormUnits, [], [], []));
    } else if (raw && statement && sqlUnits.length === 0 && filings.length > 0 && (await this.filePredicted(statement, filings, appends))) {
      if (ormUnits.length > 0) await this.settle(ormUnits, () => this.inOrmTransaction(ormUnits, [], [], []));
    } else if (raw && (sqlUnits.length > 0 || filings.length > 0 || appends.length > 0)) {
      const onRaw = (sqlUnits: SqlUnit[], filings: Filing<F>[], appends: Append[]) => () =>
        raw((raw) => {
          const tx = sqlTxOfRaw(raw);
          return this.runUnits(tx, sqlUnits.map((u) => () => u.work(tx)), filings, appends);
        });
      await this.settleOrSplit(sqlUnits, filings, appends, onRaw);
      if (ormUnits.length > 0) await this.settle(ormUnits, () => this.inOrmTransaction(ormUnits, [], [], []));
    } else if (ormUnits.length > 0) {
      await this.settle([...ormUnits, ...sqlUnits, ...filings, ...appends], () => this.inOrmTransaction(ormUnits, sqlUnits, filings, appends));
    } else {
      await this.settleOrSplit(sqlUnits, filings, appends, (sqlUnits, filings, appends) => () => this.inOrmTransaction([], sqlUnits, filings, appends));
    }
  }

  /**
   * Only appends: each tenant's rows in one statement of its own (one round
   * trip, no BEGIN/COMMIT); rows whose chain head kept moving are written in
   * a transaction that locks it.
   */
  private async appendUnlocked(statement: StatementRunner, appends: Append[], raw: NonNullable<Database['rawTransaction']>): Promise<void> {
    const run: StatementRunner = (sql, params, name) => statement(dollarParams(sql), params, name);
    const { written, failed, leftover } = await this.audit.appendUnlocked(run, appends.map((a) => a.row));
    const rest: Append[] = [];
    for (const a of appends) {
      const record = written.get(a.row);
      if (record) a.resolve(record as never);
      else if (failed.has(a.row)) a.reject(failed.get(a.row));
      else rest.push(a);
    }
    if (rest.length > 0) await this.settle(rest, () => raw((r) => this.runUnits(sqlTxOfRaw(r), [], [], rest)));
  }

  /**
   * Filings (and appends) of one tenant that the participant can predict
   * (approvals: requests this process has seen): written with their audit
   * rows in one statement of its own (no transaction around it). False,
   * having written and answered nothing, when it cannot be predicted or the
   * prediction was wrong (the statement was rolled back whole): the caller
   * writes them in a transaction.
   */
  private async filePredicted(statement: StatementRunner, filings: Filing<F>[], appends: Append[]): Promise<boolean> {
    const tenantId = filings[0].row.tenantId;
    const oneTenant = filings.every((f) => f.row.tenantId === tenantId && f.filing.tenantId === tenantId) && appends.every((a) => a.row.tenantId === tenantId);
    if (!oneTenant) return false;
    let prediction: P | null;
    try {
      prediction = this.participant.predict(filings.map((f) => f.filing));
    } catch {
      return false; // a filing its rows refuse: the transaction path fails it alone
    }
    if (!prediction) return false;
    const rows = [...filings.flatMap((f, i) => [f.row, prediction.filed[i].auditRow]), ...appends.map((a) => a.row)];
    let records: AuditRecord[];
    try {
      records = await this.audit.appendGuarded((sql, params, name) => statement(dollarParams(sql), params, name), rows, prediction.guard);
    } catch (error) {
      this.participant.settle(prediction, false);
      // A wrong prediction, or any error PostgreSQL reports for the statement:
      // it was rolled back whole, so the transaction path (which fails a bad
      // filing alone) redoes the batch.
      if (isExpectationFailure(error) || refusedByServer(error)) return false;
      for (const x of [...filings, ...appends]) x.reject(error); // the outcome is unknown: never written twice
      return true;
    }
    this.participant.settle(prediction, true);
    filings.forEach((f, i) => f.resolve({ record: records[2 * i], filedId: prediction.filed[i].id } satisfies FiledAppend as never));
    appends.forEach((a, i) => a.resolve(records[2 * filings.length + i] as never));
    return true;
  }

  private inOrmTransaction(ormUnits: OrmUnit[], sqlUnits: SqlUnit[], filings: Filing<F>[], appends: Append[]): Promise<Outcome[]> {
    return this.db.em().transactional((trx) => {
      const em = trx as EntityManager;
      const tx = sqlTxOfEm(em);
      return this.runUnits(tx, [...ormUnits.map((u) => () => u.work(em)), ...sqlUnits.map((u) => () => u.work(tx))], filings, appends);
    });
  }

  /**
   * Settle a batch; if its transaction failed and it held only filings and
   * appends (no units, whose work must not run twice), write each filing in a
   * transaction of its own and the appends together, so that one bad request
   * fails alone.
   */
  private async settleOrSplit(
    sqlUnits: SqlUnit[],
    filings: Filing<F>[],
    appends: Append[],
    transaction: (sqlUnits: SqlUnit[], filings: Filing<F>[], appends: Append[]) => () => Promise<Outcome[]>,
  ): Promise<void> {
    const splittable = sqlUnits.length === 0 && filings.length > 0 && filings.length + appends.length > 1;
    if (await this.settle([...sqlUnits, ...filings, ...appends], transaction(sqlUnits, filings, appends), !splittable)) return;
    for (const f of filings) await this.settle([f], transaction([], [f], []));
    if (appends.length > 0) await this.settle(appends, transaction([], [], appends));
  }

  /**
   * Inside one transaction: each unit in a savepoint (none when it is alone),
   * then the filings' requests in one upsert, then every audit row (each
   * filing's own row and its request's, then the appends) in one statement.
   * Outcomes in the order of `units`, then the filings, then the appends. A
   * lone unit's failure fails the transaction.
   */
  private async runUnits(tx: SqlTx, units: (() => Promise<unknown>)[], filings: Filing<F>[], appends: Append[]): Promise<Outcome[]> {
    const alone = units.length === 1 && filings.length === 0 && appends.length === 0;
    const outcomes: Outcome[] = [];
    for (const work of units) {
      if (!alone) await tx.execute('savepoint lexgate_unit', [], 'lexgate_savepoint');
      try {
        const value = await work();
        if (!alone) await tx.execute('release savepoint lexgate_unit', [], 'lexgate_release');
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (alone) throw error;
        await tx.execute('rollback to savepoint lexgate_unit', [], 'lexgate_rollback_to');
        this.audit.forgetTransaction(tx);
        outcomes.push({ ok: false, error });
      }
    }
    if (filings.length + appends.length > 0) {
      const filed = filings.length > 0 ? await this.participant.fileMany(tx, filings.map((f) => f.filing)) : [];
      const rows = [...filings.flatMap((f, i) => [f.row, filed[i].auditRow]), ...appends.map((a) => a.row)];
      const records = await this.audit.appendPrepared(tx, rows);
      filings.forEach((_, i) => outcomes.push({ ok: true, value: { record: records[2 * i], filedId: filed[i].id } satisfies FiledAppend }));
      for (const value of records.slice(2 * filings.length)) outcomes.push({ ok: true, value });
    }
    return outcomes;
  }

  /**
   * Run a transaction and answer its callers; true when it committed. When it
   * fails nothing of it was kept: its callers are rejected, unless
   * `rejectOnFailure` is false (the caller retries them).
   */
  private async settle(items: Settle[], transaction: () => Promise<Outcome[]>, rejectOnFailure = true): Promise<boolean> {
    let outcomes: Outcome[];
    try {
      outcomes = await transaction();
    } catch (error) {
      if (rejectOnFailure) for (const item of items) item.reject(error);
      return false;
    }
    items.forEach((item, i) => {
      const o = outcomes[i];
      if (o.ok) item.resolve(o.value as never);
      else item.reject(o.error);
    });
    return true;
  }
}
