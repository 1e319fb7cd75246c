/**
 * The audit writer: the one path by which lexgate writes audit rows in
 * group commit. Every audited decision moves the tenant's chain head, so one
 * transaction per decision caps throughput at one commit (one WAL flush) per
 * decision; the writer writes what is waiting at a moment together
 * (overlapping batches when the pipelined connection lets it):
 * - `append` (most evaluations): one audit row, checked when queued, so none
 *   can fail alone; a batch's rows are one multi-row statement;
 * - `appendFiling` (an evaluation that files an approval request): its row,
 *   plus what the participant (`AuditParticipant`, approvals) files; a
 *   batch's filings are one statement of the participant's, and their audit
 *   rows join the audit statement.
 * On an external PostgreSQL a batch of appends alone is one statement per
 * tenant with no transaction around it (`AuditService.appendUnlocked`), and
 * so is a batch of filings the participant can predict (`filePredicted`);
 * otherwise the batch runs in a plain driver transaction. On the embedded
 * database it runs in the ORM's transaction (it has one connection).
 *
 * Chain invariants (the audit module's, here in one place; `AuditService`
 * holds the SQL that keeps them):
 * 1. A row and the change it records commit together or not at all: a caller
 *    is answered after the commit that holds its row, and a batch that fails
 *    answers every caller in it with the failure (none of it was kept). A
 *    filing and its APPROVAL_REQUESTED row are in the same statement or the
 *    same transaction.
 * 2. No fork: every write of rows moves the tenant's chain head in the same
 *    statement, on the condition that the head is where the rows were
 *    chained from, checked on the head's latest version (in the SET, not the
 *    WHERE), so a statement that waited on another writer's row lock sees
 *    that writer's head. (tenant_id, seq) is unique as a second defence.
 * 3. A write chains first onto the head this process last saw (a guess);
 *    when that misses, inside a transaction it locks and reads the head
 *    (`SELECT ... FOR UPDATE`) and later appends in that transaction
 *    continue from it; outside one it reads the head again and retries, and
 *    after a few misses the rows are written in a locked transaction.
 * 4. A statement without a transaction around it (`appendUnlocked`,
 *    `appendGuarded`) commits by itself, all or nothing. A guarded statement
 *    (a participant's work before the rows) fails whole with SQLSTATE LG001
 *    when the head moved or the prediction was wrong, and the batch is redone
 *    in a transaction; an error whose outcome is unknown (a broken
 *    connection) is answered as a failure and never written again.
 * 5. One bad filing fails alone: a batch whose transaction fails and holds
 *    filings is redone one filing per transaction, its appends together.
 * 6. Pipelined batches run in the order sent; one sent after a failed one
 *    fails too (its head is wrong) and is redone in a transaction.
 * 7. Rows are never updated or deleted (a trigger refuses it);
 *    `AuditService.verifyChain` recomputes every hash and names the first row
 *    that does not match.
 */
import type { AuditParticipant, ParticipantPrediction } from './audit-participant';
import { isExpectationFailure, type AuditAppendInput, type AuditRecord, type AuditService, type PreparedAppend, type StatementRunner } from './audit.service';
import type { Database } from '../../db/orm';
import { dollarParams, sqlTxOfEm, sqlTxOfRaw, type SqlTx } from '../../db/sql-tx';
import { refusedByServer } from '../../db/statement-pipeline';

interface Settle {
  resolve: (v: never) => void;
  reject: (e: unknown) => void;
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

/** `F`: what the participant (`AuditParticipant`) files with an audit row (approval requests). */
export class AuditWriter<F extends { tenantId: string } = never, P extends ParticipantPrediction = ParticipantPrediction> {
  private appends: Append[] = [];
  private filings: Filing<F>[] = [];
  private running = false;
  private inFlight = 0;
  private slotWaiters: (() => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly audit: Pick<AuditService, 'appendPrepared' | 'appendUnlocked' | 'appendGuarded' | 'prepare'>,
    private readonly participant: AuditParticipant<F, P>,
    private readonly maxBatch = 256,
    private readonly maxInFlight = 2,
  ) {}

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
    // transaction).
    const slots = this.db.rawStatement ? this.maxInFlight : 1;
    try {
      while (this.filings.length + this.appends.length > 0) {
        while (this.inFlight >= slots) await new Promise<void>((r) => this.slotWaiters.push(r));
        let room = this.maxBatch;
        const take = <T>(queue: T[]): T[] => {
          const taken = queue.splice(0, room);
          room -= taken.length;
          return taken;
        };
        const batch = [take(this.filings), take(this.appends)] as const;
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
        if (slots === 1) await done;
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(filings: Filing<F>[], appends: Append[]): Promise<void> {
    const raw = this.db.rawTransaction;
    const statement = this.db.rawStatement;
    if (raw && statement && filings.length === 0) {
      await this.appendUnlocked(statement, appends, raw);
    } else if (raw && statement && (await this.filePredicted(statement, filings, appends))) {
      // written on the prediction
    } else if (raw) {
      await this.settleOrSplit(filings, appends, (filings, appends) => () => raw((r) => this.write(sqlTxOfRaw(r), filings, appends)));
    } else {
      await this.settleOrSplit(filings, appends, (filings, appends) => () => this.inOrmTransaction(filings, appends));
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
    if (rest.length > 0) await this.settle(rest, () => raw((r) => this.write(sqlTxOfRaw(r), [], rest)));
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

  private inOrmTransaction(filings: Filing<F>[], appends: Append[]): Promise<unknown[]> {
    return this.db.em().transactional((trx) => this.write(sqlTxOfEm(trx), filings, appends));
  }

  /**
   * Settle a batch; if its transaction failed and it held filings (and more
   * than one item), write each filing in a transaction of its own and the
   * appends together, so that one bad filing fails alone.
   */
  private async settleOrSplit(
    filings: Filing<F>[],
    appends: Append[],
    transaction: (filings: Filing<F>[], appends: Append[]) => () => Promise<unknown[]>,
  ): Promise<void> {
    const splittable = filings.length > 0 && filings.length + appends.length > 1;
    if (await this.settle([...filings, ...appends], transaction(filings, appends), !splittable)) return;
    for (const f of filings) await this.settle([f], transaction([f], []));
    if (appends.length > 0) await this.settle(appends, transaction([], appends));
  }

  /**
   * Inside one transaction: the filings in one statement of the
   * participant's, then every audit row (each filing's own row and the
   * participant's row for it, then the appends) in one statement. Values in
   * the order of the filings, then the appends.
   */
  private async write(tx: SqlTx, filings: Filing<F>[], appends: Append[]): Promise<unknown[]> {
    const filed = filings.length > 0 ? await this.participant.fileMany(tx, filings.map((f) => f.filing)) : [];
    const rows = [...filings.flatMap((f, i) => [f.row, filed[i].auditRow]), ...appends.map((a) => a.row)];
    const records = await this.audit.appendPrepared(tx, rows);
    return [
      ...filings.map((_, i) => ({ record: records[2 * i], filedId: filed[i].id }) satisfies FiledAppend),
      ...records.slice(2 * filings.length),
    ];
  }

  /**
   * Run a transaction and answer its callers; true when it committed. When it
   * fails nothing of it was kept: its callers are rejected, unless
   * `rejectOnFailure` is false (the caller retries them).
   */
  private async settle(items: Settle[], transaction: () => Promise<unknown[]>, rejectOnFailure = true): Promise<boolean> {
    let values: unknown[];
    try {
      values = await transaction();
    } catch (error) {
      if (rejectOnFailure) for (const item of items) item.reject(error);
      return false;
    }
    items.forEach((item, i) => item.resolve(values[i] as never));
    return true;
  }
}
