/**
 * The database kinds every integration test runs on, and a fresh, migrated,
 * isolated database of each kind per call.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../server/database';
import { withDatabase } from './global-setup';

export type DbKind = 'pglite' | 'postgres';

/** The kinds available in this run ('postgres' only when a real server is up). */
export function dbKinds(): DbKind[] {
  return inject('postgresAdminUrl') ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase {
  db: Database;
  /** Connection URL (postgres only), e.g. to open a second app on the same database. */
  url: string | null;
  drop(): Promise<void>;
}

/** A fresh database of `kind`, with every migration applied. */
export async function freshDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const db = await openDatabase({ kind: 'memory' });
    await db.migrate();
    return { db, url: null, drop: () => db.close() };
  }
  const adminUrl = inject('postgresAdminUrl');
  const template = inject('postgresTemplate');
  const name = `lexgate_t_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ kind: 'postgres', url: adminUrl, poolMax: 1 });
  try {
    await admin.orm.em.getConnection().execute(`create database ${name} template ${template}`);
  } finally {
    await admin.close();
  }
  const url = withDatabase(adminUrl, name);
  const db = await openDatabase({ kind: 'postgres', url, poolMax: 20 });
  await db.migrate();
  return {
    db,
    url,
    async drop() {
      await db.close();
      const a = await openDatabase({ kind: 'postgres', url: adminUrl, poolMax: 1 });
      try {
        await a.orm.em.getConnection().execute(`drop database if exists ${name} with (force)`);
      } finally {
        await a.close();
      }
    },
  };
}
