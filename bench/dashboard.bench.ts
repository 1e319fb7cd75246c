/**
 * The governance dashboard (`GET /v1/control/dashboard`) and per-agent
 * violations at a large audit log: p50/p95 of the one-statement queries for
 * each window (24h, 7d, 30d), on a real PostgreSQL (started here from the
 * system binaries, or BENCH_DATABASE_URL) and on the embedded PGlite.
 *
 * Seeding: rows are generated in this process with a valid hash chain (each
 * row hashed with the same function the audit service uses, seq 1..N, the
 * chain head updated at the end, so `verify-chain` passes), spread uniformly
 * over the 30 days before "now", and inserted in batches of 5,000 through one
 * `insert ... select from jsonb_to_recordset($1)` statement per batch. Then
 * `vacuum analyze`, as autovacuum would do on a live system. The audit insert
 * trigger keeps the hourly rollups during the load, as it does in production;
 * the actions still held at the end are written to the approval queue.
 *
 * Mix (deterministic PRNG): 55 % agent actions (82 % allowed, 10 % blocked, 8 %
 * held), 30 % dependency evaluations (75 % allowed, 20 % denied with a
 * registry / vulnerability / license violation, 5 % held), 5 % human decisions
 * on held actions, 10 % other rows (approval requests, policy changes, CVE
 * alerts); 50 agents; 12 policy names.
 *
 *   npm run bench:dashboard [-- --rows 1000000] [-- --runs 15] [-- --only postgres|embedded]
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openDatabase, type Database } from '../server/database';
import { AuditService } from '../server/modules/audit/audit.service';
import { GENESIS_HASH, hashAuditRow, type HashedAuditContent } from '../server/modules/audit/audit-hash';
import { GovernanceDashboardService, DASHBOARD_WINDOWS } from '../server/modules/governance/governance-dashboard.service';
import { TenantService } from '../server/modules/tenants/tenant.service';
import { ManualClock } from '../server/shared/clock';
import { startPostgres, type PgServer } from '../test/support/postgres-server';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ROWS = Number(arg('--rows', '1000000'));
const RUNS = Number(arg('--runs', '15'));
const only = arg('--only', 'all');
const TENANT = 'default';
const NOW = new Date('2026-06-30T12:00:00.000Z');
const SPAN = 30 * 24 * 3_600_000;
const BATCH = 5000;

/** mulberry32: a small deterministic PRNG, so every run seeds the same log. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENTS = Array.from({ length: 50 }, (_, i) => `agent-${i}`);
const ACTIONS = ['github.merge_pr', 'http.transfer_funds', 'slack.post', 'crm.update_contact', 'db.migrate', 'email.send', 'shell.run'];
const ACTION_POLICIES: [string, string, string][] = [
  ['pii_protection', 'critical', 'block'],
  ['pii_protection', 'high', 'require_approval'],
  ['pii_protection', 'medium', 'block'],
  ['FinancialSafetyPolicy', 'high', 'require_approval'],
  ['DataExfiltrationPolicy', 'critical', 'block'],
  ['prod-safety', 'critical', 'block'],
  ['k8s', 'high', 'require_approval'],
];
const DEP_POLICIES: [string, string, string][] = [
  ['registry.banned', 'high', 'registry'],
  ['registry.deprecated', 'medium', 'registry'],
  ['registry.version_constraint', 'medium', 'registry'],
  ['vulnerability.cvss_threshold', 'critical', 'cve'],
  ['license.hard_ban', 'high', 'license'],
  ['license.review', 'medium', 'license'],
  ['license.not_approved', 'medium', 'license'],
  ['license.unknown', 'low', 'license'],
];

type Content = Omit<HashedAuditContent, 'seq' | 'id' | 'tenantId' | 'ts'>;

function blank(kind: string, action: string): Content {
  return {
    kind,
    action,
    project: null,
    requester: 'anonymous',
    agentModel: null,
    agentVersion: null,
    agentId: null,
    ecosystem: null,
    package: null,
    normalizedName: null,
    version: null,
    resolvedVersion: null,
    verdict: null,
    status: null,
    denialCategory: '',
    reason: null,
    license: null,
    cveIds: [],
    maxCvss: null,
    registryStatus: null,
    triggeredPolicy: null,
    severity: null,
    riskScore: null,
    violations: [],
    details: {},
  };
}

interface Held {
  id: string;
  seq: number;
  ts: Date;
  action: string;
  agent: string;
}

function generate(rand: () => number, seq: number, ts: Date, pending: Held[]): Content {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const r = rand();
  const agent = pick(AGENTS);
  if (r < 0.55) {
    const c = blank('ACTION_EVALUATION', pick(ACTIONS));
    const actionId = `act_${seq.toString(16).padStart(24, '0')}`;
    c.agentId = agent;
    const s = rand();
    if (s < 0.82) {
      c.status = 'allowed';
      c.reason = 'No policy objected.';
      c.riskScore = 0;
    } else {
      const [policy, severity, outcome] = s < 0.92 ? pick(ACTION_POLICIES.filter((p) => p[2] === 'block')) : pick(ACTION_POLICIES.filter((p) => p[2] !== 'block'));
      c.status = outcome === 'block' ? 'blocked' : 'pending_review';
      c.triggeredPolicy = policy;
      c.severity = severity;
      c.reason = `${policy} matched`;
      c.riskScore = severity === 'critical' ? 0.9 : severity === 'high' ? 0.7 : 0.4;
      c.violations = [{ policy, rule: 0, severity, on_violation: outcome, message: `${policy} matched` }];
      if (c.status === 'pending_review') pending.push({ id: actionId, seq, ts, action: c.action, agent });
    }
    c.details = { action_id: actionId, event: `action_${c.status}`, params: { n: seq } };
    return c;
  }
  if (r < 0.85) {
    const c = blank('DEPENDENCY_EVALUATION', 'dependency.add');
    const n = Math.floor(rand() * 5000);
    c.agentId = agent;
    c.agentModel = agent;
    c.project = `project-${Math.floor(rand() * 20)}`;
    c.ecosystem = rand() < 0.5 ? 'pypi' : 'npm';
    c.package = `pkg${n}`;
    c.normalizedName = `pkg${n}`;
    c.version = '1.0.0';
    const s = rand();
    if (s < 0.75) {
      c.verdict = 'ALLOWED';
      c.status = 'executed';
      c.reason = 'Allowed by the registry.';
      c.riskScore = 0;
    } else if (s < 0.95) {
      const [policy, severity, category] = pick(DEP_POLICIES);
      c.verdict = 'DENIED';
      c.status = 'blocked';
      c.denialCategory = category;
      c.triggeredPolicy = policy;
      c.severity = severity;
      c.reason = `Denied by ${policy}.`;
      c.riskScore = 0.8;
      c.violations = [{ policy, severity, message: c.reason }];
    } else {
      c.verdict = 'PROVISIONALLY_ALLOWED';
      c.status = 'pending_review';
      c.triggeredPolicy = 'license.unknown';
      c.severity = 'low';
      c.reason = 'License unknown; approval requested.';
      c.riskScore = 0.3;
    }
    return c;
  }
  if (r < 0.9 && pending.length > 0) {
    const id = pending.splice(Math.floor(rand() * pending.length), 1)[0].id;
    const decision = rand() < 0.85 ? 'approved' : 'denied';
    const c = blank('ACTION_DECISION', pick(ACTIONS));
    c.agentId = agent;
    c.status = decision;
    c.reason = `${decision} by a reviewer`;
    c.details = { action_id: id, approval_id: id, event: `action_${decision}`, decision, approver_id: 'reviewer' };
    return c;
  }
  const kind = pick(['APPROVAL_REQUESTED', 'POLICY_CHANGE', 'CVE_ALERT']);
  const c = blank(kind, kind === 'POLICY_CHANGE' ? 'policy.updated' : kind === 'CVE_ALERT' ? 'dependency.cve_alert' : 'dependency.request_approval');
  c.status = kind === 'APPROVAL_REQUESTED' ? 'pending_review' : null;
  c.reason = 'noise';
  return c;
}

const COLS: [string, string][] = [
  ['id', 'uuid'],
  ['tenant_id', 'varchar'],
  ['seq', 'bigint'],
  ['ts', 'timestamptz'],
  ['kind', 'varchar'],
  ['action', 'varchar'],
  ['project', 'varchar'],
  ['requester', 'varchar'],
  ['agent_model', 'varchar'],
  ['agent_version', 'varchar'],
  ['agent_id', 'varchar'],
  ['ecosystem', 'varchar'],
  ['package', 'varchar'],
  ['normalized_name', 'varchar'],
  ['version', 'varchar'],
  ['resolved_version', 'varchar'],
  ['verdict', 'varchar'],
  ['status', 'varchar'],
  ['denial_category', 'varchar'],
  ['reason', 'text'],
  ['license', 'varchar'],
  ['max_cvss', 'float8'],
  ['registry_status', 'varchar'],
  ['triggered_policy', 'varchar'],
  ['severity', 'varchar'],
  ['risk_score', 'float8'],
  ['violations', 'jsonb'],
  ['details', 'jsonb'],
  ['prev_hash', 'varchar'],
  ['hash', 'varchar'],
];
const INSERT_SQL = `insert into audit_log (${COLS.map((c) => c[0]).join(', ')})
  select ${COLS.map((c) => c[0]).join(', ')} from jsonb_to_recordset(?::jsonb) as r(${COLS.map(([n, t]) => `${n} ${t}`).join(', ')})`;

async function seed(db: Database): Promise<{ seconds: number }> {
  const started = performance.now();
  const rand = prng(42);
  const pending: Held[] = [];
  let prev = GENESIS_HASH;
  const em = db.em();
  // Bulk load: secondary indexes are dropped and rebuilt once afterwards (much faster than maintaining them per batch).
  const indexes = await em.execute<{ indexname: string; indexdef: string }[]>(
    `select indexname, indexdef from pg_indexes where tablename = 'audit_log' and indexname not in ('audit_log_pkey', 'audit_log_tenant_seq_unique')`,
  );
  for (const ix of indexes) await em.execute(`drop index "${ix.indexname}"`, [], 'run');
  for (let from = 1; from <= ROWS; from += BATCH) {
    const batch: Record<string, unknown>[] = [];
    for (let seq = from; seq < Math.min(from + BATCH, ROWS + 1); seq++) {
      const ts = new Date(NOW.getTime() - SPAN + Math.floor(((seq - 1) / ROWS) * SPAN));
      const full: HashedAuditContent = { id: randomUUID(), tenantId: TENANT, seq, ts, ...generate(rand, seq, ts, pending) };
      const hash = hashAuditRow(prev, full);
      batch.push({
        id: full.id,
        tenant_id: TENANT,
        seq,
        ts: ts.toISOString(),
        kind: full.kind,
        action: full.action,
        project: full.project,
        requester: full.requester,
        agent_model: full.agentModel,
        agent_version: full.agentVersion,
        agent_id: full.agentId,
        ecosystem: full.ecosystem,
        package: full.package,
        normalized_name: full.normalizedName,
        version: full.version,
        resolved_version: full.resolvedVersion,
        verdict: full.verdict,
        status: full.status,
        denial_category: full.denialCategory,
        reason: full.reason,
        license: full.license,
        max_cvss: full.maxCvss,
        registry_status: full.registryStatus,
        triggered_policy: full.triggeredPolicy,
        severity: full.severity,
        risk_score: full.riskScore,
        violations: full.violations,
        details: full.details,
        prev_hash: prev,
        hash,
      });
      prev = hash;
    }
    await em.execute(INSERT_SQL, [JSON.stringify(batch)], 'run');
    if ((from - 1) % 100_000 === 0) process.stdout.write(`  seeded ${from - 1 + batch.length} rows\n`);
  }
  // The approval queue: the actions still held at the end (the dashboard's gauge reads it).
  for (let i = 0; i < pending.length; i += BATCH) {
    const rows = pending.slice(i, i + BATCH).map((h) => ({
      id: h.id,
      tenant_id: TENANT,
      agent_id: h.agent,
      action: h.action,
      params: {},
      status: 'pending_review',
      decision: {},
      message: 'held',
      requester: 'anonymous',
      submitted_at: h.ts.toISOString(),
      audit_seq: h.seq,
    }));
    await em.execute(
      `insert into agent_action (id, tenant_id, agent_id, action, params, status, decision, message, requester, submitted_at, audit_seq)
       select id, tenant_id, agent_id, action, params, status, decision, message, requester, submitted_at, audit_seq
       from jsonb_to_recordset(?::jsonb) as r(id varchar, tenant_id varchar, agent_id varchar, action varchar, params jsonb, status varchar,
         decision jsonb, message text, requester varchar, submitted_at timestamptz, audit_seq bigint)`,
      [JSON.stringify(rows)],
      'run',
    );
  }
  const loaded = performance.now();
  for (const ix of indexes) await em.execute(ix.indexdef, [], 'run');
  console.log(`  rows in ${((loaded - started) / 1000).toFixed(1)} s, ${indexes.length} indexes rebuilt in ${((performance.now() - loaded) / 1000).toFixed(1)} s`);
  await em.execute(`update audit_chain_head set seq = ?, hash = ? where tenant_id = ?`, [ROWS, prev, TENANT], 'run');
  await em.execute('vacuum analyze audit_log', [], 'run');
  return { seconds: (performance.now() - started) / 1000 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function measure(label: string, db: Database): Promise<string[]> {
  const clock = new ManualClock(NOW);
  const audit = new AuditService(clock);
  const tenants = new TenantService(db, audit, clock);
  const dash = new GovernanceDashboardService(tenants, clock);
  const lines: string[] = [];
  const time = async (fn: (em: EntityManager) => Promise<unknown>) => {
    for (let i = 0; i < 2; i++) await fn(db.em());
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await fn(db.em());
      ms.push(performance.now() - t0);
    }
    return ms;
  };
  for (const window of DASHBOARD_WINDOWS) {
    let evaluations = 0;
    const ms = await time(async (em) => {
      const d = await dash.dashboard(em, TENANT, { window });
      evaluations = d.totals.evaluations;
    });
    lines.push(`| ${label} | dashboard ${window} | ${ROWS.toLocaleString('en')} | ${evaluations.toLocaleString('en')} | ${RUNS} | ${pct(ms, 50).toFixed(1)} | ${pct(ms, 95).toFixed(1)} | ${Math.min(...ms).toFixed(1)} |`);
    console.log(lines.at(-1));
  }
  if (process.argv.includes('--explain')) {
    const { resolveWindow, windowBuckets } = await import('../server/modules/governance/governance-dashboard.service');
    const sql = (await import('../server/modules/governance/governance-dashboard.service')).DASHBOARD_SQL;
    for (const window of DASHBOARD_WINDOWS) {
      const { bucket } = resolveWindow(window, null);
      const { start, end, count, bucketMs } = windowBuckets(NOW, window, bucket);
      const plan = await db.em().execute<Record<string, unknown>[]>(`explain (analyze, buffers) ${sql}`, [start.getTime() / 1000, bucketMs / 1000, TENANT, start, end, TENANT, bucket === 'day' ? 'd' : 'h', start, end, count, TENANT, TENANT]);
      console.log(`--- ${window}\n${plan.map((r) => Object.values(r)[0]).join('\n')}`);
    }
  }
  const vms = await time((em) => dash.agentViolations(em, TENANT, 'agent-7', { limit: 50 }));
  lines.push(`| ${label} | violations (agent, limit 50) | ${ROWS.toLocaleString('en')} | — | ${RUNS} | ${pct(vms, 50).toFixed(1)} | ${pct(vms, 95).toFixed(1)} | ${Math.min(...vms).toFixed(1)} |`);
  console.log(lines.at(-1));
  const v = await audit.verifyChain(db.em(), TENANT, 20_000);
  console.log(`  chain verified: ${v.ok} (${v.checked} rows)`);
  return lines;
}

async function main() {
  const out: string[] = ['| database | query | audit rows | evaluations in window | runs | p50 ms | p95 ms | min ms |', '|---|---|---|---|---|---|---|---|'];
  if (only === 'all' || only === 'postgres') {
    let server: PgServer | null = null;
    const url = process.env.BENCH_DATABASE_URL ?? (server = await startPostgres({ durable: false })).url;
    const db = await openDatabase({ kind: 'postgres', url, poolMax: 4 });
    try {
      await db.migrate();
      console.log(`PostgreSQL: seeding ${ROWS} rows…`);
      const s = await seed(db);
      console.log(`  seeded in ${s.seconds.toFixed(1)} s`);
      out.push(...(await measure('PostgreSQL', db)));
    } finally {
      await db.close();
      server?.stop();
    }
  }
  if (only === 'all' || only === 'embedded') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-dash-'));
    const db = await openDatabase({ kind: 'embedded', dir: path.join(dir, 'pgdata') });
    try {
      await db.migrate();
      console.log(`embedded PGlite: seeding ${ROWS} rows…`);
      const s = await seed(db);
      console.log(`  seeded in ${s.seconds.toFixed(1)} s`);
      out.push(...(await measure('embedded (PGlite)', db)));
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\n${out.join('\n')}`);
}

await main();
