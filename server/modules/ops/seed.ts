/**
 * `lexgate seed --rows N`: fill a database with N realistic audit rows for
 * demos and benchmarks — dependency evaluations of every verdict and denial
 * category over two ecosystems, licenses, advisories with CVSS scores,
 * projects, agent identities (and rows without one), a few CVE alerts, spread
 * over 60 days — appended to the tenant's hash chain so `verify-chain` passes.
 *
 * Fast: rows are generated and hashed in batches and inserted with one
 * multi-row INSERT (json_to_recordset of the batch) per batch; each batch is its own
 * transaction holding the chain-head lock, like any append. The rollup trigger
 * aggregates each batch statement. Deterministic for a given `seed`.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '../../db/orm';
import { hashAuditRow, type HashedAuditContent } from '../audit/audit-hash';

export interface SeedOptions {
  rows: number;
  tenantId: string;
  /** Rows per INSERT statement / transaction. */
  batchSize?: number;
  /** Timestamps spread over this many days before `now`. */
  days?: number;
  now?: Date;
  /** PRNG seed (same seed, same rows apart from ids). */
  seed?: number;
  onProgress?: (done: number) => void;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Weighted<T> = readonly (readonly [T, number])[];

function picker<T>(items: Weighted<T>): (r: number) => T {
  const total = items.reduce((n, [, w]) => n + w, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const [, w] of items) cumulative.push((acc += w / total));
  return (r) => {
    for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]) return items[i][0];
    return items[items.length - 1][0];
  };
}

const PROJECTS = [
  'checkout-service', 'payments-api', 'web-frontend', 'mobile-bff', 'data-pipeline', 'ml-training', 'search-indexer',
  'auth-gateway', 'notifications', 'billing-worker', 'admin-console', 'docs-site', 'infra-tools', 'reporting',
  'inventory', 'recommendations', 'chat-widget', 'etl-jobs', 'feature-flags', 'observability', 'cli-tools',
  'sdk-python', 'sdk-js', 'marketing-site',
];
const PROJECT = picker(PROJECTS.map((p, i) => [p, 1 / (i + 1)] as const));

const AGENTS = picker<readonly [string | null, string | null]>([
  [['claude-opus', '4.7'], 30],
  [['claude-sonnet', '4.5'], 25],
  [['claude-sonnet', '4.6'], 10],
  [['gpt-5', '2026-03'], 8],
  [['cursor', '1.2'], 7],
  [['aider', '0.80'], 4],
  [[null, null], 16],
]);

const PYPI = [
  'requests', 'numpy', 'pandas', 'flask', 'django', 'fastapi', 'pydantic', 'sqlalchemy', 'httpx', 'boto3', 'pyyaml',
  'cryptography', 'pillow', 'scipy', 'matplotlib', 'pytest', 'celery', 'redis', 'jinja2', 'click', 'uvicorn', 'orjson',
  'aiohttp', 'lxml', 'psycopg', 'paramiko', 'tensorflow', 'torch', 'scikit-learn', 'beautifulsoup4', 'pyqt5', 'gunicorn',
];
const NPM = [
  'react', 'lodash', 'express', 'axios', 'typescript', 'vite', 'next', 'vue', 'moment', 'dayjs', 'zod', 'left-pad',
  'chalk', 'commander', 'jsonwebtoken', 'ws', 'uuid', '@types/node', '@babel/core', 'webpack', 'esbuild', 'graphql',
];
const TAIL = 400;

const LICENSES = picker<string>([
  ['MIT', 40], ['Apache-2.0', 24], ['BSD-3-Clause', 10], ['ISC', 5], ['UNKNOWN', 8], ['GPL-3.0-only', 5],
  ['LGPL-2.1-only', 3], ['AGPL-3.0-only', 2], ['MPL-2.0', 2], ['MIT OR Apache-2.0', 1],
]);

const OUTCOME = picker<'allowed' | 'provisional' | 'registry' | 'license' | 'cve' | 'alert'>([
  ['allowed', 52], ['provisional', 26], ['registry', 5], ['license', 8], ['cve', 8.99], ['alert', 0.01],
]);

const REG_ALLOWED = picker<string>([['preferred', 5], ['approved', 3], ['version-constrained', 2]]);
const REG_DENIED = picker<string>([['banned', 1], ['deprecated', 1], ['version-constrained', 1]]);

const CVE_POOL = 600;
const cveId = (n: number) => (n % 3 === 0 ? `GHSA-${(n * 7919).toString(36).padStart(4, 'x').slice(0, 4)}-${(n * 104729).toString(36).padStart(4, 'q').slice(0, 4)}-${n.toString(36).padStart(4, 'm')}` : `CVE-${2020 + (n % 7)}-${10000 + n}`);

function hashText(t: string): number {
  let h = 2166136261;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A package's advisories, as in reality a fixed few per package (about a third of packages have any). */
function advisoriesOf(pkg: string): string[] {
  const h = hashText(pkg);
  if (h % 100 >= 35) return [];
  const count = 1 + (h % 4);
  return Array.from({ length: count }, (_, i) => cveId(((h >>> 8) + i * 37) % CVE_POOL)).sort();
}

const ALL_PACKAGES = [...PYPI.map((p) => ['pypi', p] as const), ...NPM.map((p) => ['npm', p] as const)]
  .concat(Array.from({ length: TAIL }, (_, i) => ['pypi', `py-lib-${i}`] as const), Array.from({ length: TAIL }, (_, i) => ['npm', `js-lib-${i}`] as const));
const VULNERABLE = ALL_PACKAGES.filter(([, p]) => advisoriesOf(p).length > 0);

/** A random subset (at least one) of a package's advisories. */
function someOf(rand: () => number, ids: string[]): string[] {
  const out = ids.filter(() => rand() < 0.6);
  return out.length > 0 ? out : [ids[Math.floor(rand() * ids.length)]];
}

/** Fill the tenant's chain with `rows` generated rows; returns the rows written. */
export async function seedAuditRows(db: Database, o: SeedOptions): Promise<number> {
  const rand = prng(o.seed ?? 20260501);
  const batchSize = Math.max(1, Math.min(o.batchSize ?? 5000, 20_000));
  const days = o.days ?? 60;
  const now = (o.now ?? new Date()).getTime();
  const start = now - days * 86_400_000;
  const step = (now - start) / Math.max(1, o.rows);
  let done = 0;
  while (done < o.rows) {
    const n = Math.min(batchSize, o.rows - done);
    await db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      const head = await em.execute<{ seq: string | number; hash: string }[]>(`select seq, hash from audit_chain_head where tenant_id = ? for update`, [o.tenantId]);
      if (head.length === 0) throw new Error(`unknown tenant "${o.tenantId}"`);
      let seq = Number(head[0].seq);
      let prev = String(head[0].hash);
      const batch: Record<string, unknown>[] = [];
      for (let i = 0; i < n; i++) {
        const ts = new Date(Math.floor(start + (done + i) * step + rand() * step));
        seq += 1;
        const c = generateRow(rand, o.tenantId, seq, ts);
        const hash = hashAuditRow(prev, c);
        batch.push({
          id: c.id, tenant_id: c.tenantId, seq: c.seq, ts: c.ts.toISOString(), kind: c.kind, action: c.action, project: c.project,
          requester: c.requester, agent_model: c.agentModel, agent_version: c.agentVersion, agent_id: c.agentId, ecosystem: c.ecosystem,
          package: c.package, normalized_name: c.normalizedName, version: c.version, resolved_version: c.resolvedVersion,
          verdict: c.verdict, status: c.status, denial_category: c.denialCategory, reason: c.reason, license: c.license,
          cve_ids: c.cveIds, max_cvss: c.maxCvss, registry_status: c.registryStatus, triggered_policy: c.triggeredPolicy,
          severity: c.severity, risk_score: c.riskScore, violations: c.violations, details: c.details, prev_hash: prev, hash,
        });
        prev = hash;
      }
      // One statement per batch: the rows travel as one JSON document (knex would expand array parameters).
      await em.execute(
        `insert into audit_log (id, tenant_id, seq, ts, kind, action, project, requester, agent_model, agent_version, agent_id,
           ecosystem, package, normalized_name, version, resolved_version, verdict, status, denial_category, reason,
           license, cve_ids, max_cvss, registry_status, triggered_policy, severity, risk_score, violations, details, prev_hash, hash)
         select id, tenant_id, seq, ts, kind, action, project, requester, agent_model, agent_version, agent_id,
           ecosystem, package, normalized_name, version, resolved_version, verdict, status, denial_category, reason,
           license, array(select json_array_elements_text(cve_ids)), max_cvss, registry_status, triggered_policy, severity, risk_score,
           violations, details, prev_hash, hash
         from json_to_recordset(?::json) as t(id uuid, tenant_id text, seq bigint, ts timestamptz, kind text, action text, project text,
           requester text, agent_model text, agent_version text, agent_id text, ecosystem text, package text, normalized_name text,
           version text, resolved_version text, verdict text, status text, denial_category text, reason text, license text,
           cve_ids json, max_cvss float8, registry_status text, triggered_policy text, severity text, risk_score float8,
           violations jsonb, details jsonb, prev_hash text, hash text)`,
        [JSON.stringify(batch)],
        'run',
      );
      await em.execute(`update audit_chain_head set seq = ?, hash = ? where tenant_id = ?`, [seq, prev, o.tenantId], 'run');
    });
    done += n;
    o.onProgress?.(done);
  }
  return done;
}

function severityOf(score: number | null): string | null {
  if (score === null || !(score > 0)) return null;
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
}

function generateRow(rand: () => number, tenantId: string, seq: number, ts: Date): HashedAuditContent {
  const project = PROJECT(rand());
  const [agentModel, agentVersion] = AGENTS(rand());
  const npm = rand() < 0.3;
  const list = npm ? NPM : PYPI;
  const r = rand();
  const pkg = r < 0.7 ? list[Math.floor(rand() * list.length)] : `${npm ? 'js' : 'py'}-lib-${Math.floor(rand() * TAIL)}`;
  const version = rand() < 0.4 ? null : `${1 + Math.floor(rand() * 5)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 10)}`;
  const resolved = version ?? `${2 + Math.floor(rand() * 4)}.${Math.floor(rand() * 20)}.0`;
  const outcome = OUTCOME(rand());
  const known = advisoriesOf(pkg);
  const base = {
    id: randomUUID(),
    tenantId,
    seq,
    ts,
    kind: 'DEPENDENCY_EVALUATION',
    action: 'dependency.add',
    project: project as string | null,
    requester: 'anonymous',
    agentModel,
    agentVersion,
    agentId: agentModel,
    ecosystem: npm ? 'npm' : 'pypi',
    package: pkg,
    normalizedName: pkg.toLowerCase(),
    version,
    resolvedVersion: resolved as string | null,
    verdict: 'ALLOWED',
    status: 'executed' as string | null,
    denialCategory: '',
    reason: null as string | null,
    license: null as string | null,
    cveIds: [] as string[],
    maxCvss: null as number | null,
    registryStatus: null as string | null,
    triggeredPolicy: null as string | null,
    severity: null as string | null,
    riskScore: 0 as number | null,
    violations: [] as unknown[],
    details: { seeded: true } as Record<string, unknown>,
  };
  switch (outcome) {
    case 'allowed':
      base.registryStatus = REG_ALLOWED(rand());
      base.reason = `Allowed by enterprise registry (${base.registryStatus}).`;
      if (known.length > 0 && rand() < 0.3) {
        base.cveIds = someOf(rand, known);
        base.maxCvss = Math.round((1 + rand() * 7.9) * 10) / 10;
      }
      return base;
    case 'provisional':
      base.verdict = 'PROVISIONALLY_ALLOWED';
      base.status = rand() < 0.3 ? 'pending_review' : 'executed';
      base.license = LICENSES(rand());
      if (base.license !== 'MIT' && base.license !== 'Apache-2.0' && base.license !== 'BSD-3-Clause' && base.license !== 'ISC') base.license = 'UNKNOWN';
      base.reason = 'Not yet in the enterprise registry. Run `lex-align-client request-approval` to formalize.';
      if (known.length > 0 && rand() < 0.3) {
        base.cveIds = someOf(rand, known);
        base.maxCvss = Math.round((2 + rand() * 6.9) * 10) / 10;
      }
      return base;
    case 'registry':
      base.verdict = 'DENIED';
      base.status = 'blocked';
      base.denialCategory = 'registry';
      base.registryStatus = REG_DENIED(rand());
      base.resolvedVersion = null;
      base.triggeredPolicy = base.registryStatus === 'banned' ? 'registry.banned' : base.registryStatus === 'deprecated' ? 'registry.deprecated' : 'registry.version_constraint';
      base.reason = 'Blocked by enterprise registry.';
      base.severity = 'high';
      base.riskScore = 0.8;
      return base;
    case 'license': {
      base.verdict = 'DENIED';
      base.status = 'blocked';
      base.denialCategory = 'license';
      const l = LICENSES(rand());
      base.license = l === 'MIT' || l === 'Apache-2.0' || l === 'BSD-3-Clause' || l === 'ISC' ? 'GPL-3.0-only' : l;
      base.triggeredPolicy = base.license === 'UNKNOWN' ? 'license.unknown' : 'license.hard_ban';
      base.reason = `License ${base.license} is not allowed by policy.`;
      base.severity = 'high';
      base.riskScore = 0.8;
      base.violations = [{ policy: base.triggeredPolicy, severity: 'high', message: base.reason }];
      return base;
    }
    case 'cve': {
      // Only packages with advisories get CVE denials.
      const [eco, vulnerable] = known.length > 0 ? [base.ecosystem, pkg] : VULNERABLE[Math.floor(rand() * VULNERABLE.length)];
      base.ecosystem = eco;
      base.package = vulnerable;
      base.normalizedName = vulnerable.toLowerCase();
      base.verdict = 'DENIED';
      base.status = 'blocked';
      base.denialCategory = 'cve';
      base.license = rand() < 0.5 ? LICENSES(rand()) : null;
      base.registryStatus = rand() < 0.4 ? REG_ALLOWED(rand()) : null;
      base.cveIds = someOf(rand, advisoriesOf(vulnerable));
      base.maxCvss = rand() < 0.05 ? null : Math.round((7 + rand() * 3) * 10) / 10;
      base.triggeredPolicy = 'vulnerability.cvss_threshold';
      base.severity = severityOf(base.maxCvss) ?? 'low';
      base.riskScore = base.maxCvss === null ? 0.5 : base.maxCvss / 10;
      base.reason = `Critical CVE detected (max CVSS ${base.maxCvss}); threshold is 7.0.`;
      base.violations = [{ policy: base.triggeredPolicy, severity: base.severity, message: base.reason }];
      return base;
    }
    case 'alert': {
      const [eco, vulnerable] = VULNERABLE[Math.floor(rand() * VULNERABLE.length)];
      return {
        ...base,
        kind: 'CVE_ALERT',
        action: 'dependency.cve_alert',
        requester: 'cve-scanner',
        project: null,
        agentModel: null,
        agentVersion: null,
        agentId: null,
        verdict: 'CVE_ALERT',
        status: null,
        denialCategory: 'cve_alert',
        registryStatus: REG_ALLOWED(rand()),
        ecosystem: eco,
        package: vulnerable,
        normalizedName: vulnerable,
        cveIds: advisoriesOf(vulnerable),
        maxCvss: 9.8,
        severity: 'critical',
        riskScore: null,
        triggeredPolicy: 'vulnerability.cvss_threshold',
        reason: `Registered package ${vulnerable} now has CVSS 9.8 (>= configured denial threshold 9.0).`,
      };
    }
  }
}
