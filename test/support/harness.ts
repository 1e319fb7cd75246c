/**
 * An app in-process on a fresh database, for integration tests: requests go
 * through `app.fetch` (no port needed), or, with `transport: 'node'`, through
 * the node:http server main.ts runs, listening on a loopback port.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../server/app';
import { listen, type RunningServer } from '../../server/http-server';
import { loadConfig, type Config } from '../../server/config';
import type { Database } from '../../server/db/orm';
import type { AtomicWriteHooks } from '../../server/modules/registry/proposers/atomic-write';
import type { Upstreams } from '../../server/modules/upstream/upstream.types';
import { createServices, type Services } from '../../server/services';
import { ManualClock, type Clock } from '../../server/shared/clock';
import { silentLogger } from '../../server/shared/logger';
import { freshDatabase, type DbKind } from './databases';

export interface TestApp {
  app: App;
  services: Services;
  db: Database;
  config: Config;
  clock: Clock;
  /** A request to the app; `path` is relative to the origin. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A GraphQL operation; returns the parsed JSON body. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** The app's data directory (starter registry, work files); removed by close(). */
  dataDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a database (e.g. two apps on one server) instead of a fresh one. */
  database?: Database;
  /** Upstream clients (e.g. pointed at the local fakes). */
  upstreams?: Upstreams;
  /** Hooks into the registry proposers' atomic writes (crash injection). */
  registryWriteHooks?: AtomicWriteHooks;
  /** Use this data directory (kept by close()) instead of a fresh temporary one. */
  dataDir?: string;
  /** 'fetch' (default): `app.fetch` in-process; 'node': the node:http server on a loopback port. */
  transport?: Transport;
}

export type Transport = 'fetch' | 'node';

export const ORIGIN = 'http://lexgate.test';

export async function createTestApp(kind: DbKind, opts: TestAppOptions = {}): Promise<TestApp> {
  const fresh = opts.database ? null : await freshDatabase(kind);
  const db = opts.database ?? fresh!.db;
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-app-'));
  const config = loadConfig({ LEXGATE_DATA_DIR: dataDir, LEXGATE_SITE_DIR: 'site/dist', ...opts.env });
  const clock = opts.clock ?? new ManualClock();
  const services = createServices({ config, db, clock, logger: silentLogger, upstreams: opts.upstreams, registryWriteHooks: opts.registryWriteHooks });
  try {
    await services.start();
  } catch (e) {
    // A start that fails (a test of exactly that) leaves nothing behind either.
    await services.stop().catch(() => undefined);
    await fresh?.drop();
    if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const app = createApp(services);
  let server: RunningServer | null = null;
  let request = (path: string, init?: RequestInit) => app.fetch(new Request(ORIGIN + path, init));
  if (opts.transport === 'node') {
    const running = await listen(app, '127.0.0.1', 0, silentLogger);
    server = running;
    request = (path, init) => fetch(running.url + path, { ...init, redirect: 'manual' });
  }
  return {
    app,
    services,
    db,
    config,
    clock,
    request,
    async graphql(query, variables) {
      const res = await request('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    dataDir,
    async close() {
      await server?.stop(1000);
      await services.stop();
      await fresh?.drop();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
