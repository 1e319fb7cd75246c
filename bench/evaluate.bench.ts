/**
 * Warm `GET /api/v1/evaluate` throughput and latency at concurrency 1, 16 and
 * 64, on the embedded database and on a real PostgreSQL server (started here
 * from the system binaries with durable settings, or BENCH_DATABASE_URL).
 *
 * The gateway runs as its own process (`server/main.ts serve`), upstreams are
 * the local fakes (after warm-up every answer comes from the cache), and each
 * answer is audited. Load comes from this process over keep-alive HTTP.
 *
 *   npm run bench:evaluate [-- --seconds 10] [-- --only postgres|embedded]
 *     [-- --concurrency 1,16,64] [-- --profile <dir>]
 *
 * `--profile` runs the gateway with `--cpu-prof` into <dir> (summarise the
 * profile with `npx tsx bench/profile-summary.ts <file>`).
 * `--pg-stats` loads pg_stat_statements into the PostgreSQL started here and
 * prints, after each row, the statements that took the most server time
 * (total ms, calls, ms per evaluation).
 * `--pg-setup <sql>` runs SQL on the PostgreSQL target once the gateway has
 * migrated it, before the warm-up: an experiment (e.g. disabling a trigger)
 * measured with the same load, never a change to the product.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pgClient from 'pg';
import { startUpstreamFakes } from '../test/fakes/upstream-fakes';
import { connect, type LeanConnection } from './load-client';
import { startPostgres, type PgServer } from '../test/support/postgres-server';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const seconds = Number(arg('--seconds', '10'));
const only = arg('--only', 'all');
const concurrencies = arg('--concurrency', '1,16,64').split(',').map(Number);
const profileDir = arg('--profile', '');
const pgSetup = arg('--pg-setup', '');
const pgStats = process.argv.includes('--pg-stats');
const main = path.resolve(import.meta.dirname, '../server/main.ts');

const PACKAGES = [
  'package=httpx&version=0.27.0',
  'package=mitpkg&version=1.0.0',
  'package=requests',
  'package=vulnpkg&version=1.0.0',
  'package=gplpkg&version=1.0.0',
  'ecosystem=npm&package=express&version=4.19.2',
  'ecosystem=npm&package=lodash&version=4.17.21',
];

async function startGateway(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const { DATABASE_URL: _d, ...base } = process.env;
  // As `npm start` runs it (package.json): a larger young generation, so fewer scavenges per request.
  const child = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--max-semi-space-size=32', '--import', 'tsx', ...(process.env.BENCH_GATEWAY_IMPORT ? ['--import', process.env.BENCH_GATEWAY_IMPORT] : []), main, 'serve'], {
    env: { ...base, BIND_PORT: '0', LEXGATE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`gateway exited ${c}: ${out}`)));
  });
  return { child, port };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}

/** The machine's CPU tick counters (/proc/stat): total and stolen by the hypervisor. */
function machineTicks(): { total: number; steal: number } | null {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    return { total: cpu.slice(0, 8).reduce((a, b) => a + b, 0), steal: cpu[7] ?? 0 };
  } catch {
    return null;
  }
}

/** CPU seconds used so far by every process of a PostgreSQL server (postmaster and backends). */
function postgresCpuSeconds(dataDir: string | null): number | null {
  if (!dataDir) return null;
  try {
    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let total = 0;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.split(') ')[1].split(' ');
        const pid = Number(entry);
        if (pid !== postmaster && Number(fields[1]) !== postmaster) continue;
        // utime + stime + children's (exited backends)
        total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
      } catch {
        // the process ended meanwhile
      }
    }
    return total;
  } catch {
    return null;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function get(port: number, q: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/api/v1/evaluate?${q}`, agent, headers: { 'X-LexAlign-Project': 'bench' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

async function load(port: number, concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  let n = 0;
  const connections = await Promise.all(Array.from({ length: concurrency }, () => connect('127.0.0.1', port)));
  const worker = async (conn: LeanConnection) => {
    while (performance.now() < end) {
      const q = PACKAGES[n++ % PACKAGES.length];
      const t0 = performance.now();
      const status = await conn.get(`/api/v1/evaluate?${q}`, { 'X-LexAlign-Project': 'bench' });
      latencies.push(performance.now() - t0);
      if (status !== 200) errors++;
    }
  };
  const t0 = performance.now();
  await Promise.all(connections.map(worker));
  for (const c of connections) c.close();
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { requests: latencies.length, rps: latencies.length / elapsed, p50: pct(50), p99: pct(99), errors };
}

async function auditCount(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ auditLog(first: 1, filter: { kind: DEPENDENCY_EVALUATION }) { ... on QueryAuditLogSuccess { data { totalCount } } } }' }),
  });
  return (await res.json()).data.auditLog.data.totalCount;
}

async function onPg(url: string, sql: string): Promise<pgClient.QueryResult> {
  const client = new pgClient.Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query(sql);
    return Array.isArray(res) ? res[res.length - 1] : res;
  } finally {
    await client.end();
  }
}

const fakes = await startUpstreamFakes();
const upstreamEnv = { OSV_API_URL: fakes.osvQueryUrl, PYPI_API_URL: fakes.pypiApiUrl, NPM_REGISTRY_URL: fakes.npmRegistryUrl };
const rows: string[] = [];
let pg: PgServer | null = null;
let pgDataDir: string | null = null;
try {
  const targets: { name: string; env: () => Promise<Record<string, string>> }[] = [];
  if (only === 'all' || only === 'embedded') targets.push({ name: 'embedded (PGlite)', env: async () => ({}) });
  if (only === 'all' || only === 'postgres') {
    targets.push({
      name: 'PostgreSQL 15 (durable)',
      env: async () => {
        if (process.env.BENCH_DATABASE_URL) return { DATABASE_URL: process.env.BENCH_DATABASE_URL, LEXGATE_DB_POOL_MAX: '32' };
        pg = await startPostgres({ durable: true, settings: pgStats ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : [] });
        pgDataDir = pg.dataDir;
        return { DATABASE_URL: pg.url, LEXGATE_DB_POOL_MAX: '32' };
      },
    });
  }
  for (const target of targets) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-bench-eval-'));
    const { child, port } = await startGateway({ ...upstreamEnv, ...(await target.env()), LEXGATE_DATA_DIR: dataDir });
    try {
      const setupUrl = target.name.startsWith('PostgreSQL') ? (process.env.BENCH_DATABASE_URL ?? (pg as PgServer | null)?.url) : undefined;
      if (pgSetup && setupUrl) {
        await onPg(setupUrl, pgSetup);
      }
      for (const q of PACKAGES) await get(port, q); // warm the caches
      await load(port, 16, 2000); // warm the JIT
      for (const c of concurrencies) {
        if (pgStats && setupUrl) await onPg(setupUrl, 'create extension if not exists pg_stat_statements; select pg_stat_statements_reset()');
        const before = await auditCount(port);
        const cpu0 = { gateway: cpuSeconds(child.pid!), pg: postgresCpuSeconds(pgDataDir), load: process.cpuUsage(), machine: machineTicks() };
        const r = await load(port, c, seconds * 1000);
        const gatewayCpu = cpuSeconds(child.pid!);
        const pgCpu = postgresCpuSeconds(pgDataDir);
        const loadCpu = process.cpuUsage(cpu0.load);
        const machine = machineTicks();
        const steal = cpu0.machine && machine && machine.total > cpu0.machine.total
          ? `${Math.round((100 * (machine.steal - cpu0.machine.steal)) / (machine.total - cpu0.machine.total))}%`
          : 'n/a';
        const audited = (await auditCount(port)) - before;
        const perEval = (a: number | null, b: number | null) => (a === null || b === null ? 'n/a' : (((b - a) * 1000) / r.requests).toFixed(2));
        rows.push(
          `| ${target.name} | ${c} | ${r.requests} | ${Math.round(r.rps)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${audited === r.requests ? 'yes' : `NO (${audited})`} | ${perEval(cpu0.gateway, gatewayCpu)} | ${perEval(cpu0.pg, pgCpu)} | ${((loadCpu.user + loadCpu.system) / 1000 / r.requests).toFixed(2)} | ${steal} |`,
        );
        process.stderr.write(rows[rows.length - 1] + '\n');
        if (pgStats && setupUrl) {
          const top = await onPg(
            setupUrl,
            `select calls, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as q from pg_stat_statements order by total_exec_time desc limit 12`,
          );
          for (const s of top.rows) {
            process.stderr.write(`  ${Number(s.total_exec_time).toFixed(0).padStart(7)} ms ${String(s.calls).padStart(7)} calls ${(Number(s.total_exec_time) / r.requests).toFixed(3)} ms/eval  ${s.q}\n`);
          }
        }
        process.stderr.write(`upstream requests so far: osv ${fakes.count('osv')}, pypi ${fakes.count('pypi')}, npm ${fakes.count('npm')}\n`);
      }
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  agent.destroy();
  await fakes.close();
  (pg as PgServer | null)?.stop();
}
console.log(`Node ${process.version}, ${os.cpus().length} cores, ${seconds} s per row, load generator in a separate process from the gateway\n`);
console.log('| database | concurrency | requests | evaluations/s | p50 ms | p99 ms | errors | every answer audited | gateway CPU ms/eval | PostgreSQL CPU ms/eval | load generator CPU ms/eval | CPU stolen by the host |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
