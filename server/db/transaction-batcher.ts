/**
 * Group commit for short units of work. Every audited decision takes the
 * tenant's chain-head lock until its transaction commits, so one transaction
 * per decision caps throughput at one commit (one WAL flush) per decision.
 * The batcher runs the units waiting at a moment in ONE transaction, each in
 * its own savepoint: a unit's change and its audit row still commit together
 * or not at all, a failing unit is rolled back alone, and the flush is paid
 * once per batch.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from './orm';

type Work<T> = (em: EntityManager) => Promise<T>;

interface Item {
  work: Work<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class TransactionBatcher {
  private queue: Item[] = [];
  private running = false;

  constructor(
    private readonly db: Database,
    /** Called after a unit is rolled back to its savepoint (caches of the transaction are stale). */
    private readonly onUnitRollback: (em: EntityManager) => void,
    private readonly maxBatch = 128,
  ) {}

  /** Run `work` in a transaction shared with the other units waiting now; resolves after the commit. */
  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work: work as Work<unknown>, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Let the callers of this same turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        try {
          await this.db.em().transactional(async (tx) => {
            const em = tx as EntityManager;
            const single = batch.length === 1;
            for (const item of batch) {
              if (!single) await em.execute('savepoint lexgate_unit', [], 'run');
              try {
                const value = await item.work(em);
                if (!single) await em.execute('release savepoint lexgate_unit', [], 'run');
                outcomes.push({ ok: true, value });
              } catch (error) {
                if (single) throw error;
                await em.execute('rollback to savepoint lexgate_unit', [], 'run');
                this.onUnitRollback(em);
                outcomes.push({ ok: false, error });
              }
            }
          });
        } catch (error) {
          // The commit (or a lone unit) failed: nothing of this batch was kept.
          for (const item of batch) item.reject(error);
          continue;
        }
        batch.forEach((item, i) => {
          const o = outcomes[i];
          if (o.ok) item.resolve(o.value);
          else item.reject(o.error);
        });
      }
    } finally {
      this.running = false;
    }
  }
}
