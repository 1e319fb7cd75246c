/**
 * Opening the database: embedded PGlite in the data directory (guarded by a
 * lock) when no DATABASE_URL is set, otherwise a pooled PostgreSQL connection.
 * Migrations are listed in migrations/index.ts (vitest cannot glob .ts files).
 * The entity schemas are given by the caller (`server/database.ts` passes
 * every module's): this layer holds connections and imports no module.
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver, type EntityManager } from '@mikro-orm/postgresql';
import { PGliteDriver, PGliteKnexDialect } from 'mikro-orm-pglite';
import pg from 'pg';
import { migrationsList } from '../../migrations';
import { StatementPipeline } from './statement-pipeline';
import { lockDataDir, type DataDirLock } from './data-dir-lock';

/**
 * knex-pglite decides "several statements" by splitting the SQL on `;`, after MikroORM has
 * inlined the parameters, so one statement with a `;` inside a value (a rationale, a registry
 * reason) runs through `exec` and answers a list of results instead of one result: `returning`
 * rows then come back wrapped (`[[row]]`). One statement gives one result: unwrap it.
 */
function unwrapSingleResults(): void {
  const proto = PGliteKnexDialect.prototype as unknown as {
    _query(connection: unknown, obj: { response?: unknown }): Promise<{ response?: unknown }>;
    lexgateSingleResult?: boolean;
  };
  if (proto.lexgateSingleResult) return;
  const original = proto._query;
  proto._query = async function (this: unknown, connection, obj) {
    const out = await original.call(this, connection, obj);
    if (Array.isArray(out.response) && out.response.length === 1) out.response = out.response[0];
    return out;
  };
  proto.lexgateSingleResult = true;
}
unwrapSingleResults();

export type DatabaseTarget =
  | { kind: 'embedded'; dir: string }
  /** An in-memory PGlite (tests and tools; nothing is kept). */
  | { kind: 'memory' }
  | { kind: 'postgres'; url: string; poolMax: number };

/** A transaction on a plain driver connection: `$1`-style parameters, rows as the driver returns them. */
export interface RawTransaction {
  /** Run one statement; a `name` makes it a prepared statement, parsed once per connection. */
  query<R = Record<string, unknown>>(sql: string, params: unknown[], name?: string): Promise<R[]>;
}

export interface Database {
  readonly orm: MikroORM;
  readonly kind: 'embedded' | 'memory' | 'postgres';
  /** A fresh EntityManager for one unit of work. */
  em(): EntityManager;
  /** Run pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /**
   * Run `fn` in a transaction on a plain `pg` connection, bypassing the ORM's
   * query building: for the few hot statements (the audit batch). Only on an
   * external PostgreSQL; the embedded database has one connection, which the
   * ORM owns, so there this is null and callers use `em()`.
   */
  readonly rawTransaction: (<T>(fn: (tx: RawTransaction) => Promise<T>) => Promise<T>) | null;
  /**
   * One statement on its own (it commits by itself, all or nothing): a whole
   * write in one round trip. Statements go through one pipelined connection
   * (`StatementPipeline`): each is sent without waiting for the ones before
   * it, and runs after them, in the order sent. Null where `rawTransaction` is.
   */
  readonly rawStatement: RawTransaction['query'] | null;
  /** `SELECT 1` with a time bound. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The entity schemas the ORM maps (every module's, listed in `server/entities.ts`). */
export type EntitySchemas = NonNullable<Options['entities']>;

function baseOptions(entities: EntitySchemas): Partial<Options> {
  return {
    entities,
    discovery: { warnWhenNoEntities: true },
    extensions: [Migrator],
    migrations: {
      migrationsList,
      path: 'migrations',
      pathTs: 'migrations',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      silent: true,
    },
    debug: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ensureDatabase: false,
  };
}

/** Build ORM options for a target (used by the app, the migration tools and tests). */
export function ormOptions(target: DatabaseTarget, entities: EntitySchemas, pglite?: PGlite): Options {
  if (target.kind === 'postgres') {
    return {
      ...baseOptions(entities),
      driver: PostgreSqlDriver,
      clientUrl: target.url,
      pool: { min: 0, max: target.poolMax },
    } as Options;
  }
  if (!pglite) throw new Error('an embedded target needs a PGlite instance');
  return {
    ...baseOptions(entities),
    driver: PGliteDriver,
    dbName: 'postgres',
    driverOptions: { connection: { pglite: () => pglite } },
  } as Options;
}

/** Open the database for a target, mapping `entities`; for `embedded` this takes the data directory's lock first. */
export async function openDatabaseOf(target: DatabaseTarget, entities: EntitySchemas): Promise<Database> {
  let lock: DataDirLock | null = null;
  let pglite: PGlite | undefined;
  if (target.kind === 'embedded') {
    lock = lockDataDir(target.dir.replace(/[/\\]pgdata$/, ''));
    try {
      fs.mkdirSync(target.dir, { recursive: true });
      pglite = await PGlite.create(target.dir);
    } catch (e) {
      lock.release();
      throw e;
    }
  } else if (target.kind === 'memory') {
    pglite = await PGlite.create();
  }
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(target, entities, pglite));
  } catch (e) {
    await pglite?.close().catch(() => undefined);
    lock?.release();
    throw e;
  }
  let closed = false;
  // A small pool of its own for the hot statements; the ORM keeps its pool for the rest.
  const rawPool = target.kind === 'postgres' ? new pg.Pool({ connectionString: target.url, max: 4, idleTimeoutMillis: 30_000 }) : null;
  rawPool?.on('error', () => undefined); // an idle client's error; the next checkout reconnects
  const pipeline = target.kind === 'postgres' ? new StatementPipeline(target.url) : null;
  return {
    orm,
    kind: target.kind,
    em: () => orm.em.fork() as EntityManager,
    rawTransaction: rawPool
      ? async <T>(fn: (tx: RawTransaction) => Promise<T>): Promise<T> => {
          const client = await rawPool.connect();
          let broken: unknown = undefined;
          try {
            await client.query('begin');
            const tx: RawTransaction = {
              async query<R>(sql: string, params: unknown[], name?: string) {
                const res = await client.query(name ? { name, text: sql, values: params } : { text: sql, values: params });
                return res.rows as R[];
              },
            };
            const result = await fn(tx);
            await client.query('commit');
            return result;
          } catch (e) {
            try {
              await client.query('rollback');
            } catch (rollbackError) {
              broken = rollbackError; // the connection is unusable: drop it from the pool
            }
            throw e;
          } finally {
            client.release(broken instanceof Error ? broken : undefined);
          }
        }
      : null,
    rawStatement: pipeline ? (sql, params, name) => pipeline.query(sql, params, name) : null,
    async migrate() {
      const applied = await orm.getMigrator().up();
      return applied.map((m) => m.name);
    },
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        const result = await Promise.race([
          orm.em.fork().getConnection().execute('select 1 as ok'),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
          }),
        ]);
        return Array.isArray(result) && result.length === 1;
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pipeline?.close();
        await rawPool?.end();
        await orm.close(true);
      } finally {
        try {
          await pglite?.close();
        } finally {
          lock?.release();
        }
      }
    },
  };
}
