/**
 * Report latency as the audit log grows, on a real PostgreSQL.
 *
 *   npm run bench:reports -- [--sizes 100000,1000000,5000000] [--iterations 25]
 *
 * Starts a throw-away PostgreSQL (test/support/postgres-server.ts; or uses
 * BENCH_DATABASE_URL, a superuser URL), fills one database with the `seed`
 * generator up to each size in turn, and after each step times every report
 * through the REST shim in-process (`app.fetch`: query, build, JSON), all
 * projects and one project, plus windows with partial-day edges. It also
 * measures what the rollup trigger costs the audit append, on a separate
 * database: single-row appends (the service's path) and 100-row statements,
 * with the trigger enabled and disabled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase, type Database } from '../server/database';
import { seedAuditRows } from '../server/modules/ops/seed';
import { DEFAULT_TENANT_ID } from '../server/modules/tenants/tenant.entity';
import { createServices } from '../server/services';
import { systemClock } from '../server/shared/clock';
import { silentLogger } from '../server/shared/logger';
import { startPostgres, type PgServer } from '../test/support/postgres-server';
import { withDatabase } from '../test/support/global-setup';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const sizes = arg('--sizes', '100000,1000000,5000000').split(',').map(Number);
const iterations = Number(arg('--iterations', '25'));
const log = (s: string) => process.stderr.write(s + '\n');

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function createDb(adminUrl: string, name: string): Promise<Database> {
  const admin = await openDatabase({ kind: 'postgres', url: adminUrl, poolMax: 1 });
  try {
    await admin.orm.em.getConnection().execute(`drop database if exists ${name}`);
    await admin.orm.em.getConnection().execute(`create database ${name}`);
  } finally {
    await admin.close();
  }
  const db = await openDatabase({ kind: 'postgres', url: withDatabase(adminUrl, name), poolMax: 10 });
  await db.migrate();
  return db;
}

async function appendOverhead(adminUrl: string, dataDir: string): Promise<string[]> {
  const db = await createDb(adminUrl, 'lexgate_bench_append');
  const out: string[] = [];
  try {
    const services = createServices({ config: loadConfig({ LEXGATE_DATA_DIR: dataDir, LEXALIGN_CVE_SCAN_INTERVAL_HOURS: '0' }), db, clock: systemClock, logger: silentLogger });
    await services.start();
    await seedAuditRows(db, { rows: 50_000, tenantId: DEFAULT_TENANT_ID }); // a non-empty log and rollups
    const singles = async (n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await db.em().transactional((em) =>
          services.audit.append(em as EntityManager, {
            tenantId: DEFAULT_TENANT_ID,
            kind: 'DEPENDENCY_EVALUATION',
            action: 'dependency.add',
            requester: 'bench',
            project: `p${i % 20}`,
            ecosystem: 'pypi',
            package: `pkg${i % 300}`,
            normalizedName: `pkg${i % 300}`,
            verdict: i % 5 === 0 ? 'DENIED' : 'ALLOWED',
            denialCategory: i % 5 === 0 ? 'cve' : '',
            license: 'MIT',
            cveIds: i % 5 === 0 ? ['CVE-2026-1'] : [],
            maxCvss: i % 5 === 0 ? 9.1 : null,
          }),
        );
      }
      return n / ((performance.now() - t0) / 1000);
    };
    const batches = async (rows: number) => {
      const t0 = performance.now();
      await seedAuditRows(db, { rows, tenantId: DEFAULT_TENANT_ID, batchSize: 100, seed: 7 });
      return rows / ((performance.now() - t0) / 1000);
    };
    for (const enabled of [true, false, true]) {
      await db.em().execute(`alter table audit_log ${enabled ? 'enable' : 'disable'} trigger audit_log_rollup`);
      await singles(300); // warm
      const s = await singles(3000);
      const b = await batches(50_000);
      out.push(`| ${enabled ? 'enabled' : 'disabled'} | ${Math.round(s)} | ${Math.round(b)} |`);
      log(out[out.length - 1]);
    }
    await services.stop();
  } finally {
    await db.close();
  }
  return out;
}

let pg: PgServer | null = null;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-bench-reports-'));
try {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? (pg = await startPostgres()).url;
  const version = await (async () => {
    const a = await openDatabase({ kind: 'postgres', url: adminUrl, poolMax: 1 });
    try {
      const r = await a.orm.em.getConnection().execute<{ v: string }[]>(`select current_setting('server_version') as v`);
      return r[0].v;
    } finally {
      await a.close();
    }
  })();
  log(`PostgreSQL ${version}`);

  const overhead = process.argv.includes('--skip-append') ? [] : await appendOverhead(adminUrl, dataDir);

  const db = await createDb(adminUrl, 'lexgate_bench_reports');
  const config = loadConfig({ LEXGATE_DATA_DIR: dataDir, LEXALIGN_CVE_SCAN_INTERVAL_HOURS: '0' });
  const services = createServices({ config, db, clock: systemClock, logger: silentLogger });
  await services.start();
  const app = createApp(services);
  const now = new Date();
  const since7 = new Date(now.getTime() - 7 * 86_400_000 + 5 * 3_600_000).toISOString();
  const cases: { name: string; path: string }[] = [
    { name: 'legal', path: '/api/v1/reports/legal' },
    { name: 'legal ?project=', path: '/api/v1/reports/legal?project=checkout-service' },
    { name: 'security', path: '/api/v1/reports/security' },
    { name: 'security ?project=', path: '/api/v1/reports/security?project=checkout-service' },
    { name: 'agents', path: '/api/v1/reports/agents' },
    { name: 'agents ?project=', path: '/api/v1/reports/agents?project=checkout-service' },
    { name: 'projects', path: '/api/v1/reports/projects' },
    { name: 'legal, 7-day window with partial-day edges', path: `/api/v1/reports/legal?since=${since7}&until=${encodeURIComponent(now.toISOString())}` },
    { name: 'security, 7-day window with partial-day edges', path: `/api/v1/reports/security?since=${since7}` },
  ];
  const table: string[] = [];
  let seeded = 0;
  for (const size of sizes) {
    const t0 = performance.now();
    await seedAuditRows(db, {
      rows: size - seeded,
      tenantId: DEFAULT_TENANT_ID,
      now,
      seed: 1000 + size,
      onProgress: (d) => {
        if ((d % 500_000) < 5000) log(`  seeded ${seeded + d}`);
      },
    });
    const seedSeconds = (performance.now() - t0) / 1000;
    log(`seeded to ${size} rows: ${(size - seeded).toLocaleString()} rows in ${seedSeconds.toFixed(0)} s (${Math.round((size - seeded) / seedSeconds)} rows/s)`);
    seeded = size;
    await db.em().execute('vacuum analyze');
    const sizeRows = await db.em().execute<{ t: string; n: string; bytes: string }[]>(
      `select relname as t, n_live_tup as n, pg_total_relation_size(relid) as bytes from pg_stat_user_tables
       where relname in ('audit_log', 'audit_rollup_verdict', 'audit_rollup_agent', 'audit_rollup_cve_package', 'audit_rollup_cve') order by relname`,
    );
    log(sizeRows.map((r) => `  ${r.t}: ${r.n} rows, ${(Number(r.bytes) / 1048576).toFixed(1)} MiB`).join('\n'));
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < iterations + 3; i++) {
        const t = performance.now();
        const res = await app.fetch(new Request(`http://bench${c.path}`));
        if (res.status !== 200) throw new Error(`${c.path}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        if (i >= 3) times.push(performance.now() - t);
      }
      const row = `| ${size.toLocaleString('en')} | ${c.name} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`;
      table.push(row);
      log(row);
    }
  }
  const verify = await services.audit.verifyChain(db.em(), DEFAULT_TENANT_ID, 20_000);
  log(`chain: ${verify.ok ? 'OK' : 'BROKEN'} (${verify.checked} rows)`);
  await services.stop();
  await db.close();

  process.stdout.write(`\nPostgreSQL ${version}, ${iterations} timed runs per case after 3 warm-up runs\n\n`);
  process.stdout.write('| audit rows | report | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n' + table.join('\n') + '\n');
  if (overhead.length) {
    process.stdout.write('\n| rollup trigger | single-row appends/s (one transaction each) | rows/s in 100-row statements |\n|---|---|---|\n' + overhead.join('\n') + '\n');
  }
} finally {
  pg?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
