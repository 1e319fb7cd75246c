/**
 * Integration tests run on embedded PGlite and on a real PostgreSQL server.
 * The real server is TEST_DATABASE_URL when set, else one started here from
 * the system binaries. A migrated template database is made once; each test
 * file clones it. Without a real server the run says so loudly, and under CI
 * it fails instead of silently testing one database kind.
 */
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../server/database';
import { postgresUnavailableReason, startPostgres, type PgServer } from './postgres-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of a real PostgreSQL server, or '' when none could be had. */
    postgresAdminUrl: string;
    /** Name of the migrated template database on that server. */
    postgresTemplate: string;
  }
}

const TEMPLATE = 'lexgate_test_template';

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

let server: PgServer | null = null;

export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL ?? '';
  if (!adminUrl) {
    const why = postgresUnavailableReason();
    if (why) {
      const msg = `\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n` +
        `!! Real PostgreSQL tests are NOT running: ${why}.\n` +
        `!! Set TEST_DATABASE_URL or install PostgreSQL; only PGlite is tested now.\n` +
        `!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n`;
      if (process.env.CI) throw new Error(msg);
      process.stderr.write(msg);
      project.provide('postgresAdminUrl', '');
      project.provide('postgresTemplate', '');
      return;
    }
    server = await startPostgres();
    adminUrl = server.url;
  }
  // A fresh template, migrated once.
  const admin = await openDatabase({ kind: 'postgres', url: adminUrl, poolMax: 1 });
  try {
    const conn = admin.orm.em.getConnection();
    await conn.execute(`drop database if exists ${TEMPLATE}`);
    await conn.execute(`create database ${TEMPLATE}`);
  } finally {
    await admin.close();
  }
  const tpl = await openDatabase({ kind: 'postgres', url: withDatabase(adminUrl, TEMPLATE), poolMax: 1 });
  try {
    await tpl.migrate();
  } finally {
    await tpl.close();
  }
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplate', TEMPLATE);
  return async () => {
    server?.stop();
    server = null;
  };
}
