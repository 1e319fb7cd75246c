/**
 * Group commit for short units of work. Every audited decision takes the
 * tenant's chain-head lock until its transaction commits, so one transaction
 * per decision caps throughput at one commit (one WAL flush) per decision.
 * The batcher runs the units waiting at a moment together:
 * - units of work (`run` for ORM work, `runSql` for plain statements) share a
 *   transaction, each in its own savepoint: a unit's change and its audit row
 *   commit together or not at all, and a failing unit is rolled back alone;
 * - units that only append one audit row (`append`, most evaluations) were
 *   checked when they were queued, so none can fail alone: all of them are
 *   written by one multi-row statement after the units.
 * On an external PostgreSQL the `runSql` units and the appends run on a plain
 * driver transaction (no ORM query building), and `run` units, if any, in an
 * ORM transaction after it; on the embedded database everything shares the
 * ORM's transaction (it has one connection). Every caller is answered after
 * the commit that holds its work.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditAppendInput, AuditRecord, AuditService, PreparedAppend } from '../modules/audit/audit.service';
import type { Database } from './orm';
import { sqlTxOfEm, sqlTxOfRaw, type SqlTx } from './sql-tx';

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

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class TransactionBatcher {
  private ormUnits: OrmUnit[] = [];
  private sqlUnits: SqlUnit[] = [];
  private appends: Append[] = [];
  private running = false;

  constructor(
    private readonly db: Database,
    private readonly audit: Pick<AuditService, 'appendPrepared' | 'forgetTransaction' | 'prepare'>,
    private readonly maxBatch = 256,
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

  private kick(): void {
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the callers of this same turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.ormUnits.length + this.sqlUnits.length + this.appends.length > 0) {
        let room = this.maxBatch;
        const take = <T>(queue: T[]): T[] => {
          const taken = queue.splice(0, room);
          room -= taken.length;
          return taken;
        };
        const ormUnits = take(this.ormUnits);
        const sqlUnits = take(this.sqlUnits);
        const appends = take(this.appends);
        const raw = this.db.rawTransaction;
        if (raw && (sqlUnits.length > 0 || appends.length > 0)) {
          await this.settle([...sqlUnits, ...appends], () =>
            raw((raw) => {
              const tx = sqlTxOfRaw(raw);
              return this.runUnits(tx, sqlUnits.map((u) => () => u.work(tx)), appends);
            }),
          );
          if (ormUnits.length > 0) await this.settle(ormUnits, () => this.inOrmTransaction(ormUnits, [], []));
        } else {
          await this.settle([...ormUnits, ...sqlUnits, ...appends], () => this.inOrmTransaction(ormUnits, sqlUnits, appends));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private inOrmTransaction(ormUnits: OrmUnit[], sqlUnits: SqlUnit[], appends: Append[]): Promise<Outcome[]> {
    return this.db.em().transactional((trx) => {
      const em = trx as EntityManager;
      const tx = sqlTxOfEm(em);
      return this.runUnits(tx, [...ormUnits.map((u) => () => u.work(em)), ...sqlUnits.map((u) => () => u.work(tx))], appends);
    });
  }

  /**
   * Inside one transaction: each unit in a savepoint (none when it is alone),
   * then the appends in one statement. Outcomes in the order of `units`, then
   * the appends. A lone unit's failure fails the transaction.
   */
  private async runUnits(tx: SqlTx, units: (() => Promise<unknown>)[], appends: Append[]): Promise<Outcome[]> {
    const alone = units.length === 1 && appends.length === 0;
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
    if (appends.length > 0) {
      const records = await this.audit.appendPrepared(tx, appends.map((a) => a.row));
      for (const value of records) outcomes.push({ ok: true, value });
    }
    return outcomes;
  }

  /** Run a transaction and answer its callers (all rejected when it fails: nothing of it was kept). */
  private async settle(items: Settle[], transaction: () => Promise<Outcome[]>): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await transaction();
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    items.forEach((item, i) => {
      const o = outcomes[i];
      if (o.ok) item.resolve(o.value as never);
      else item.reject(o.error);
    });
  }
}
