/**
 * The gateway as an operator runs it: `server/main.ts` in a child process on
 * the embedded database — start, health, a second process refused, graceful
 * stop with a request in flight, restart keeping data; and the CLI commands.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/database';
import { AuditService } from '../server/modules/audit/audit.service';
import { systemClock } from '../server/shared/clock';
import { dbKinds, freshDatabase } from './support/databases';

const MAIN = path.resolve('server/main.ts');
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _omit, ...rest } = process.env;
  return { ...rest, BIND_PORT: '0', LEXGATE_LOG_LEVEL: 'warn', LEXGATE_GRAPHIQL: 'false', ...extra };
}

function start(extra: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), 90_000);
    const check = () => {
      const m = /lexgate listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out, exited });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`server exited with ${code}:\n${out}`), { code, out }));
    });
  });
}

function runCli(args: string[], extra: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: env(extra), encoding: 'utf8', timeout: 90_000 });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('the gateway process on the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-proc-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts, refuses a second process on the same data dir, stops gracefully, and keeps data across restarts', async () => {
    const a = await start({ LEXGATE_DATA_DIR: dataDir });
    const health = await (await fetch(`${a.url}/api/v1/health`)).json();
    expect(health).toMatchObject({ db: 'ok', database: 'embedded', registry_loaded: true, registry_version: '1', auth_enabled: false });
    // Without REGISTRY_PATH the starter registry was written into the data directory and is live.
    expect(fs.readFileSync(path.join(dataDir, 'registry.yml'), 'utf8')).toMatch(/^# lexgate registry \(starter\)/);

    // A second process on the same data directory refuses, naming the holder.
    const second = runCli(['serve'], { LEXGATE_DATA_DIR: dataDir });
    expect(second.status).toBe(3);
    expect(second.stderr).toContain(`in use by process ${a.child.pid}`);

    // A request whose body is still arriving when SIGTERM comes is finished, then the process exits 0.
    const u = new URL(`${a.url}/graphql`);
    const body = JSON.stringify({ query: '{ health { db } }' });
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        a.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text)).toEqual({ data: { health: { db: 'ok' } } });
    expect(await a.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'lexgate.lock'))).toBe(false);

    // Data written while the server is down is there after a restart.
    const db = await openDatabase({ kind: 'embedded', dir: path.join(dataDir, 'pgdata') });
    try {
      await db.em().transactional((tx) =>
        new AuditService(systemClock).append(tx as EntityManager, {
          tenantId: 'default',
          kind: 'SYSTEM',
          action: 'test.restart',
          requester: 'operator',
          reason: 'written between runs',
        }),
      );
    } finally {
      await db.close();
    }
    const b = await start({ LEXGATE_DATA_DIR: dataDir });
    const r = await fetch(`${b.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ auditLog { ... on QueryAuditLogSuccess { data { totalCount edges { node { action reason } } } } } verifyAuditChain { ok checked } }' }),
    });
    const j = await r.json();
    // The starter registry's revision row (stored once, not again on restart) and the row written between runs.
    expect(j.data.auditLog.data.totalCount).toBe(2);
    expect(j.data.auditLog.data.edges[0].node).toEqual({ action: 'test.restart', reason: 'written between runs' });
    expect(j.data.auditLog.data.edges[1].node.action).toBe('registry.revision');
    expect(j.data.verifyAuditChain).toEqual({ ok: true, checked: 2 });
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(0);

    // The CLI verifies and exports the same chain.
    const verify = runCli(['verify-chain'], { LEXGATE_DATA_DIR: dataDir });
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^OK: 2 rows verified/);
    const exported = runCli(['export-audit'], { LEXGATE_DATA_DIR: dataDir });
    expect(exported.status).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ seq: 1, action: 'registry.revision', prevHash: '0'.repeat(64) });
    expect(lines[1]).toMatchObject({ seq: 2, action: 'test.restart', prevHash: lines[0].hash });
  }, 240_000); // five process starts; each takes 10–20 s on a loaded 2-core machine

  it('check-config prints OK/WARN/FAIL rows and fails on bad settings, listing every problem', () => {
    const good = runCli(['check-config'], { LEXGATE_DATA_DIR: dataDir, BIND_HOST: '0.0.0.0' });
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/^OK\s+environment/m);
    expect(good.stdout).toMatch(/^OK\s+database\s+embedded/m);
    expect(good.stdout).toMatch(/^WARN\s+bind address\s+0\.0\.0\.0:\d+ is reachable from other machines/m);
    expect(good.stdout).toMatch(/^WARN\s+OSV_API_URL\s+unset/m);
    expect(good.stdout).toMatch(/^OK\s+registry proposer\s+local_file \(auto-detected\)/m);
    const bad = runCli(['check-config'], { LEXGATE_DATA_DIR: dataDir, BIND_PORT: 'eighty', DATABASE_URL: 'mysql://x', OUTBOUND_TIMEOUT: '-1' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAIL\s+environment\s+BIND_PORT must be a number/);
    expect(bad.stdout).toMatch(/FAIL\s+environment\s+DATABASE_URL must be a postgres/);
    expect(bad.stdout).toMatch(/FAIL\s+environment\s+OUTBOUND_TIMEOUT must be >= 0.05/);
    const serve = runCli(['serve'], { LEXGATE_DATA_DIR: dataDir, BIND_PORT: 'eighty', AUTH_ENABLED: 'maybe' });
    expect(serve.status).toBe(2);
    expect(serve.stderr).toContain('BIND_PORT must be a number');
    expect(serve.stderr).toContain('AUTH_ENABLED must be true or false');
  });
});

describe.runIf(dbKinds().includes('postgres'))('the gateway process on an external PostgreSQL', () => {
  it('runs migrations at start and serves health from DATABASE_URL', async () => {
    const tdb = await freshDatabase('postgres');
    // Only the URL is needed: the child processes bring their own connections.
    await tdb.db.close();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-proc-pg-'));
    try {
      const migrate = runCli(['migrate'], { DATABASE_URL: tdb.url!, LEXGATE_DATA_DIR: dataDir });
      expect(migrate.status).toBe(0);
      expect(migrate.stdout).toContain('database is up to date');
      const s = await start({ DATABASE_URL: tdb.url!, LEXGATE_DATA_DIR: dataDir });
      const h = await (await fetch(`${s.url}/api/v1/health`)).json();
      expect(h).toMatchObject({ db: 'ok', database: 'postgres' });
      // Two gateways on one PostgreSQL are fine: no data-dir lock applies.
      const s2 = await start({ DATABASE_URL: tdb.url!, LEXGATE_DATA_DIR: dataDir });
      expect((await fetch(`${s2.url}/readyz`)).status).toBe(200);
      s.child.kill('SIGTERM');
      s2.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
      expect(await s2.exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await tdb.drop();
    }
  });
});
