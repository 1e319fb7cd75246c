/**
 * The small SQL surface a unit of work inside a transaction needs: run a
 * statement with `?` parameters, get rows. It hides whether the transaction
 * is the ORM's (an EntityManager) or a plain driver connection's (the
 * group-commit batch on an external PostgreSQL), so the hot services (audit
 * append, approval requests) run on either.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RawTransaction } from './orm';

export type Row = Record<string, unknown>;

export interface SqlTx {
  /** Identifies the transaction (per-transaction caches are keyed by it). */
  readonly key: object;
  /**
   * Run one statement. Parameters are `?` (statements must not contain another
   * `?`); a `name` lets a plain connection prepare it once.
   */
  execute<R = Row>(sql: string, params?: unknown[], name?: string): Promise<R[]>;
}

/** An ORM transaction as a SqlTx. */
export function sqlTxOfEm(em: EntityManager): SqlTx {
  if (!em.isInTransaction()) throw new Error('this work must run inside a transaction');
  return {
    key: em.getTransactionContext() as object,
    execute: <R>(sql: string, params: unknown[] = []) => em.execute<R[]>(sql, params, 'all'),
  };
}

/** A plain driver transaction as a SqlTx. */
export function sqlTxOfRaw(raw: RawTransaction): SqlTx {
  return {
    key: raw,
    execute: <R>(sql: string, params: unknown[] = [], name?: string) => raw.query<R>(dollarParams(sql), params, name),
  };
}

/** Accept either form (services called by both the ORM paths and the batch). */
export function asSqlTx(tx: EntityManager | SqlTx): SqlTx {
  return 'key' in tx && typeof (tx as SqlTx).execute === 'function' && !('getTransactionContext' in tx) ? (tx as SqlTx) : sqlTxOfEm(tx as EntityManager);
}

const dollarCache = new Map<string, string>();
/** `?` placeholders (the ORM's) as `$1, $2, …` (the driver's). */
export function dollarParams(sql: string): string {
  let out = dollarCache.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    if (dollarCache.size < 1000) dollarCache.set(sql, out);
  }
  return out;
}
