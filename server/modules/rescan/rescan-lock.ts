/**
 * One replica per re-scan tick. On PostgreSQL a session-level advisory lock,
 * held on a dedicated pooled connection for the tick (released with it, also
 * when the process dies); the tick's own queries use other connections. The
 * embedded database has one process by construction (the data-directory lock)
 * and one session, in which advisory locks are re-entrant, so there an
 * in-process flag per database does the same job.
 */
import type { Database } from '../../db/orm';

/** Advisory lock key (two int4): 'lexg' and the re-scan's number. */
const LOCK_KEY: [number, number] = [0x6c657867, 7];

const embeddedHeld = new WeakSet<Database>();

interface PgConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}
interface KnexLike {
  client: { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
}

/**
 * Run `fn` holding the re-scan lock; returns `{locked: false}` without running it when another
 * replica (or another scheduler on this database) holds the lock.
 */
export async function withRescanLock<T>(db: Database, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
  if (db.kind !== 'postgres') {
    if (embeddedHeld.has(db)) return { locked: false };
    embeddedHeld.add(db);
    try {
      return { locked: true, value: await fn() };
    } finally {
      embeddedHeld.delete(db);
    }
  }
  const knex = (db.orm.em.getConnection() as unknown as { getKnex(): KnexLike }).getKnex();
  const conn = await knex.client.acquireConnection();
  try {
    const r = await conn.query('select pg_try_advisory_lock($1, $2) as ok', LOCK_KEY);
    if (r.rows[0]?.ok !== true) return { locked: false };
    try {
      return { locked: true, value: await fn() };
    } finally {
      await conn.query('select pg_advisory_unlock($1, $2)', LOCK_KEY);
    }
  } finally {
    await knex.client.releaseConnection(conn);
  }
}
