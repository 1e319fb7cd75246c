/**
 * PostgreSQL LISTEN for new registry revisions: one pooled connection held for the lifetime of
 * the process, so a replica hears about a revision the moment another one commits it. The
 * revision poll stays on as the backstop (a dropped connection just means polling latency).
 */
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import type { Database } from '../../db/orm';
import type { Logger } from '../../shared/logger';

interface PgNotification {
  channel: string;
  payload?: string;
}

interface PgConnection {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', fn: (msg: PgNotification) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  removeAllListeners(event: string): void;
}

/** Listen on `channel` (a fixed identifier, never user input); `close` gives the connection back. */
export async function listenForRevisions(
  db: Database,
  channel: string,
  onNotify: (payload: string) => void,
  logger: Logger,
): Promise<{ close(): Promise<void> } | null> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
  const knex = (db.orm.em.getConnection() as unknown as AbstractSqlConnection).getKnex();
  let conn: PgConnection;
  try {
    conn = (await knex.client.acquireConnection()) as PgConnection;
  } catch (err) {
    logger.warn('cannot LISTEN for registry revisions; polling only', { err: (err as Error).message });
    return null;
  }
  conn.on('notification', (msg) => {
    if (msg.channel === channel) onNotify(msg.payload ?? '');
  });
  conn.on('error', (err) => logger.warn('registry LISTEN connection failed; polling only', { err: err.message }));
  try {
    await conn.query(`LISTEN ${channel}`);
  } catch (err) {
    logger.warn('LISTEN failed; polling only', { err: (err as Error).message });
    await knex.client.releaseConnection(conn);
    return null;
  }
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      try {
        await conn.query(`UNLISTEN ${channel}`);
      } catch {
        /* the connection may be gone already */
      }
      conn.removeAllListeners('notification');
      await knex.client.releaseConnection(conn);
    },
  };
}
