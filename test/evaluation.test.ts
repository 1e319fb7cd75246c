/**
 * Dependency evaluation end to end, through REST and GraphQL, on both
 * databases, with OSV / PyPI / npm served by local fakes from fixture files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_HISTORY_REPEATS } from '../server/modules/approvals/approval-record';
import { createUpstreams } from '../server/modules/upstream/upstreams';
import { loadConfig } from '../server/config';
import { silentLogger } from '../server/shared/logger';
import { startUpstreamFakes, type UpstreamFakes } from './fakes/upstream-fakes';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `version: "2026.1"
global_policies:
  auto_approve_licenses: [MIT, Apache-2.0, BSD-3-Clause, BSD-2-Clause, ISC]
  hard_ban_licenses: [GPL-3.0-only, AGPL-3.0-only]
  require_human_review_licenses: [LGPL-2.1-only]
  unknown_license_policy: pending_approval
  cve_threshold: 0.9
  upstream_unavailable: UPSTREAM_POLICY
packages:
  httpx:
    status: preferred
  requests:
    status: deprecated
    replacement: httpx
  PyQt5:
    status: banned
    reason: GPL-only bindings; use PySide6.
  cryptography:
    status: version-constrained
    min_version: "42.0.0"
  vulnpkg:
    status: preferred
  mediumvuln:
    status: approved
  "pkg:npm/express":
    status: preferred
  "pkg:npm/left-pad":
    status: banned
    reason: Unpublished once; inline it.
  "pkg:npm/lodash":
    status: version-constrained
    min_version: "4.17.21"
`;

interface Setup {
  t: TestApp;
  tdb: TestDatabase;
  fakes: UpstreamFakes;
  dir: string;
}

async function setup(kind: Parameters<typeof freshDatabase>[0], upstreamPolicy: 'provisional' | 'deny' = 'provisional'): Promise<Setup> {
  const fakes = await startUpstreamFakes();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-eval-'));
  const registryPath = path.join(dir, 'registry.yml');
  fs.writeFileSync(registryPath, REGISTRY.replace('UPSTREAM_POLICY', upstreamPolicy));
  const env = {
    REGISTRY_PATH: registryPath,
    OSV_API_URL: fakes.osvQueryUrl,
    PYPI_API_URL: fakes.pypiApiUrl,
    NPM_REGISTRY_URL: fakes.npmRegistryUrl,
    OUTBOUND_TIMEOUT: '0.5',
  };
  const tdb = await freshDatabase(kind);
  const config = loadConfig({ ...env, LEXGATE_DATA_DIR: dir });
  const { ManualClock } = await import('../server/shared/clock');
  const clock = new ManualClock(new Date('2026-05-01T10:00:00.000Z'));
  const upstreams = createUpstreams({ config, db: tdb.db, clock, logger: silentLogger });
  const t = await createTestApp(kind, { env, database: tdb.db, upstreams, clock });
  return { t, tdb, fakes, dir };
}

async function teardown(s: Setup | undefined) {
  if (!s) return;
  await s.t.close();
  await s.tdb.drop();
  await s.fakes.close();
  fs.rmSync(s.dir, { recursive: true, force: true });
}

const headers = (project = 'demo', model?: string, version?: string): Record<string, string> => ({
  'X-LexAlign-Project': project,
  ...(model ? { 'X-LexAlign-Agent-Model': model } : {}),
  ...(version ? { 'X-LexAlign-Agent-Version': version } : {}),
});

describe.each(dbKinds())('dependency evaluation on %s', (kind) => {
  let s: Setup;
  const evaluate = async (query: string, h = headers()) => {
    const res = await s.t.request(`/api/v1/evaluate?${query}`, { headers: h });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    s = await setup(kind);
  });
  afterAll(() => teardown(s));
  beforeEach(() => s.fakes.reset());

  it('answers each registry verdict for PyPI without calling upstreams for a registry denial', async () => {
    const dep = await evaluate('package=requests');
    expect(dep.status).toBe(200);
    expect(dep.body).toMatchObject({
      verdict: 'DENIED',
      package: 'requests',
      registry_status: 'deprecated',
      replacement: 'httpx',
      resolved_version: null,
      license: null,
      denial_category: 'registry',
      policy: 'registry.deprecated',
      is_requestable: false,
    });
    expect(dep.body.reason).toMatch(/httpx/);
    const banned = await evaluate('package=pyqt5&version=5.15.0');
    expect(banned.body).toMatchObject({ verdict: 'DENIED', registry_status: 'banned', reason: expect.stringMatching(/PySide6/) });
    expect(s.fakes.count('osv') + s.fakes.count('pypi')).toBe(0);

    const low = await evaluate('package=cryptography&version=41.0.0');
    expect(low.body).toMatchObject({ verdict: 'DENIED', registry_status: 'version-constrained', version_constraint: '>=42.0.0', policy: 'registry.version_constraint' });
    const ok = await evaluate('package=Cryptography&version=42');
    expect(ok.body).toMatchObject({ verdict: 'ALLOWED', registry_status: 'version-constrained', package: 'Cryptography', normalized_name: 'cryptography', resolved_version: '42' });
    const rc = await evaluate('package=cryptography&version=43.0.0rc1');
    expect(rc.body.verdict).toBe('ALLOWED');

    const pref = await evaluate('package=httpx');
    expect(pref.body).toMatchObject({ verdict: 'ALLOWED', registry_status: 'preferred', needs_rationale: false, degraded: false });
    expect(pref.body.resolved_version).toMatch(/^\d+\.\d+/);
    const appr = await evaluate('package=mediumvuln');
    expect(appr.body).toMatchObject({ verdict: 'ALLOWED', registry_status: 'approved', needs_rationale: true, max_cvss: 5.3 });
    expect(appr.body.cve_ids.length).toBeGreaterThan(0);
  });

  it('denies a registry-preferred package at a version with a critical advisory scored from its CVSS vector', async () => {
    const bad = await evaluate('package=vulnpkg&version=1.0.0');
    expect(bad.body).toMatchObject({ verdict: 'DENIED', denial_category: 'cve', registry_status: 'preferred', max_cvss: 9.8, severity: 'critical', policy: 'vulnerability.cvss_threshold' });
    expect(bad.body.cve_ids.length).toBeGreaterThan(0);
    expect(bad.body.reason).toMatch(/^Critical CVE detected \(max CVSS 9\.8\); threshold is 9\.0\./);
    const fixed = await evaluate('package=vulnpkg&version=1.1.0');
    expect(fixed.body).toMatchObject({ verdict: 'ALLOWED', cve_ids: [], max_cvss: null });
  });

  it('applies the license gate to packages the registry does not know', async () => {
    const mit = await evaluate('package=mitpkg');
    expect(mit.body).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', license: 'MIT', is_requestable: true, auto_request_approval: false, registry_status: null });
    expect(mit.body.reason).toMatch(/request-approval/);
    const gpl = await evaluate('package=gplpkg');
    expect(gpl.body).toMatchObject({ verdict: 'DENIED', denial_category: 'license', license: 'GPL-3.0-only', policy: 'license.hard_ban', is_requestable: false });
    expect(gpl.body.reason).toMatch(/GPL-3\.0-only/);
    const lgpl = await evaluate('package=lgplpkg');
    expect(lgpl.body).toMatchObject({ verdict: 'DENIED', denial_category: 'license', policy: 'license.review', is_requestable: true });
    expect(lgpl.body.approval_request_id).toEqual(expect.any(String));
    expect(lgpl.body.reason).toMatch(/review/i);
    const unknown = await evaluate('package=nolicense');
    expect(unknown.body).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', license: 'UNKNOWN', auto_request_approval: true, is_requestable: true });
    expect(unknown.body.license_unknown_reason).toEqual(expect.any(String));
    const reqs = await (await s.t.request('/api/v1/reports/approval-requests?project=demo&status=PENDING_REVIEW')).json();
    const names = reqs.items.map((i: any) => i.package).sort();
    expect(names).toEqual(expect.arrayContaining(['lgplpkg', 'nolicense']));
    expect(reqs.items.find((i: any) => i.package === 'nolicense')).toMatchObject({ status: 'PENDING_REVIEW', source: 'auto' });
  });

  it('answers npm packages, scoped names and purls', async () => {
    expect((await evaluate('ecosystem=npm&package=express')).body).toMatchObject({ verdict: 'ALLOWED', ecosystem: 'npm', registry_status: 'preferred' });
    expect((await evaluate('ecosystem=npm&package=left-pad')).body).toMatchObject({ verdict: 'DENIED', registry_status: 'banned' });
    expect((await evaluate('ecosystem=npm&package=lodash&version=4.17.15')).body).toMatchObject({ verdict: 'DENIED', policy: 'registry.version_constraint' });
    const types = await evaluate(`purl=${encodeURIComponent('pkg:npm/%40types/node')}`);
    expect(types.body).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', ecosystem: 'npm', package: '@types/node', license: 'MIT' });
    expect(s.fakes.requests.some((r) => r.service === 'npm' && /@types%2[fF]node/.test(r.path))).toBe(true);
    const secret = await evaluate('ecosystem=npm&package=@acme/secret');
    expect(secret.body).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', license: 'UNKNOWN', auto_request_approval: true });
    expect(secret.body.license_unknown_reason).toMatch(/UNLICENSED/);
    expect((await evaluate('ecosystem=npm&package=gpl-npm')).body).toMatchObject({ verdict: 'DENIED', denial_category: 'license' });
  });

  it('refuses bad requests naming the header or the parameter', async () => {
    const noProject = await s.t.request('/api/v1/evaluate?package=httpx');
    expect(noProject.status).toBe(400);
    expect(await noProject.json()).toMatchObject({ detail: 'X-LexAlign-Project header is required.' });
    const blank = await s.t.request('/api/v1/evaluate?package=httpx', { headers: { 'X-LexAlign-Project': '   ' } });
    expect(blank.status).toBe(400);
    const eco = await evaluate('package=httpx&ecosystem=cargo');
    expect(eco.status).toBe(422);
    expect(eco.body.detail[0]).toMatchObject({ loc: ['query', 'ecosystem'], input: 'cargo' });
    const none = await evaluate('version=1.0');
    expect(none.status).toBe(422);
    expect(none.body.detail[0].loc).toEqual(['query', 'package']);
    const badName = await evaluate(`package=${encodeURIComponent('bad name!')}`);
    expect(badName.status).toBe(422);
    const badPurl = await evaluate(`purl=${encodeURIComponent('pkg:cargo/serde')}`);
    expect(badPurl.status).toBe(422);
    expect(badPurl.body.detail[0].loc).toEqual(['query', 'purl']);
  });

  it('records agent headers in the audit row and keeps the chain intact', async () => {
    const r = await evaluate('package=httpx&version=0.27.0', headers('acme-api', '  opus ', '4.7'));
    const q = await s.t.graphql(`query($f: AuditFilterInput) { auditLog(first: 1, filter: $f) { ... on QueryAuditLogSuccess { data { edges { node { id project agentModel agentVersion requester action status verdict package ecosystem } } } } } verifyAuditChain { ok } }`, {
      f: { project: 'acme-api' },
    });
    expect(q.data.auditLog.data.edges[0].node).toEqual({
      id: r.body.audit_id,
      project: 'acme-api',
      agentModel: 'opus',
      agentVersion: '4.7',
      requester: 'anonymous',
      action: 'dependency.add',
      status: 'executed',
      verdict: 'ALLOWED',
      package: 'httpx',
      ecosystem: 'pypi',
    });
    expect(q.data.verifyAuditChain.ok).toBe(true);
  });

  it('evaluates over GraphQL, one package or a batch', async () => {
    const one = await s.t.graphql(`mutation($i: EvaluatePackageInput!) { evaluatePackage(input: $i) { __typename ... on MutationEvaluatePackageSuccess { data { verdict license policy auditId } } ... on DomainError { field message } } }`, {
      i: { project: 'gql', agentModel: 'sonnet', package: { package: 'gplpkg' } },
    });
    expect(one.data.evaluatePackage.data).toMatchObject({ verdict: 'DENIED', license: 'GPL-3.0-only', policy: 'license.hard_ban' });
    const bad = await s.t.graphql(`mutation($i: EvaluatePackageInput!) { evaluatePackage(input: $i) { ... on DomainError { field message code } } }`, {
      i: { project: 'gql', package: { ecosystem: 'maven', package: 'x' } },
    });
    expect(bad.data.evaluatePackage).toMatchObject({ field: 'ecosystem', code: 'validation_failed' });
    const batch = await s.t.graphql(`mutation($i: EvaluatePackagesInput!) { evaluatePackages(input: $i) { index evaluation { verdict package ecosystem } error { field } } }`, {
      i: {
        project: 'gql',
        packages: [{ package: 'httpx' }, { ecosystem: 'npm', package: 'express' }, { package: 'not a name' }, { purl: 'pkg:npm/left-pad@1.3.0' }, { package: 'mitpkg', version: '1.0.0' }],
      },
    });
    expect(batch.errors).toBeUndefined();
    expect(batch.data.evaluatePackages).toEqual([
      { index: 0, evaluation: { verdict: 'ALLOWED', package: 'httpx', ecosystem: 'pypi' }, error: null },
      { index: 1, evaluation: { verdict: 'ALLOWED', package: 'express', ecosystem: 'npm' }, error: null },
      { index: 2, evaluation: null, error: { field: 'package' } },
      { index: 3, evaluation: { verdict: 'DENIED', package: 'left-pad', ecosystem: 'npm' }, error: null },
      { index: 4, evaluation: { verdict: 'PROVISIONALLY_ALLOWED', package: 'mitpkg', ecosystem: 'pypi' }, error: null },
    ]);
  });

  it('files, dedupes and lists approval requests (REST and GraphQL)', async () => {
    const post = (body: unknown, project = 'req-proj') =>
      s.t.request('/api/v1/approval-requests', {
        method: 'POST',
        headers: { ...headers(project, 'opus', '4.7'), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await post({ package: 'Left.Pad', rationale: 'needed for padding' });
    expect(first.status).toBe(202);
    const a = await first.json();
    expect(a).toMatchObject({ status: 'PENDING_REVIEW', package: 'Left.Pad', project: 'req-proj', agent_model: 'opus', agent_version: '4.7', proposal: { status: 'queued' } });
    const again = await (await post({ package: 'left_pad', rationale: 'still needed' })).json();
    expect(again.request_id).toBe(a.request_id);
    expect(again.request_count).toBe(2);
    const invalid = await post({ package: 'x' });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail[0].loc).toEqual(['body', 'rationale']);
    const unknownField = await post({ package: 'x', rationale: 'r', status: 'APPROVED' });
    expect(unknownField.status).toBe(422);
    const list = await (await s.t.request('/api/v1/reports/approval-requests?project=req-proj')).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ id: a.request_id, rationale: 'still needed', status: 'PENDING_REVIEW', agent_model: 'opus', normalized_name: 'left-pad', request_count: 2 });
    expect((await s.t.request('/api/v1/reports/approval-requests?status=MAYBE')).status).toBe(422);
    const g = await s.t.graphql(`mutation { requestApproval(input: { project: "req-proj", ecosystem: "npm", package: "@types/node", rationale: "types" }) { ... on MutationRequestApprovalSuccess { data { created request { normalizedName status source } } } } }`);
    expect(g.data.requestApproval.data).toEqual({ created: true, request: { normalizedName: '@types/node', status: 'PENDING_REVIEW', source: 'agent' } });
    const badEco = await s.t.graphql(`mutation { requestApproval(input: { project: "req-proj", ecosystem: "maven", package: "x", rationale: "r" }) { ... on DomainError { field code } } }`);
    expect(badEco.data.requestApproval).toEqual({ field: 'ecosystem', code: 'validation_failed' });
    const gl = await s.t.graphql(`{ approvalRequests(project: "req-proj") { package requestCount } }`);
    expect(gl.data.approvalRequests).toHaveLength(2);
  });

  it('never reopens a decided request when it is asked for again', async () => {
    const post = (rationale: string) =>
      s.t.request('/api/v1/approval-requests', {
        method: 'POST',
        headers: { ...headers('decided-proj'), 'content-type': 'application/json' },
        body: JSON.stringify({ package: 'gplpkg', rationale }),
      });
    const first = await (await post('we need it')).json();
    // A reviewer's rejection (the decision API is issue 4's; here it is written as the service will write it).
    await s.tdb.db
      .em()
      .getConnection()
      .execute(`update approval_request set status = 'REJECTED', decided_at = now(), decided_by = 'legal', decision_reason = 'GPL-3.0 is banned' where id = ?`, [first.request_id]);
    const again = await post('pretty please');
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ request_id: first.request_id, status: 'REJECTED', decision_reason: 'GPL-3.0 is banned', request_count: 2, created: false });
    const listed = await (await s.t.request('/api/v1/reports/approval-requests?project=decided-proj')).json();
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ status: 'REJECTED', rationale: 'we need it' });
  });

  it('counts every repeat of a request but keeps its history bounded', async () => {
    const evaluate = () => s.t.request('/api/v1/evaluate?package=nolicense', { headers: headers('repeat-proj') });
    // The first evaluation of an unregistered package with an unknown license files the request; the rest repeat it.
    for (let i = 0; i < MAX_HISTORY_REPEATS + 10; i++) expect((await evaluate()).status).toBe(200);
    const rows = await s.tdb.db
      .em()
      .getConnection()
      .execute<{ request_count: number; n: number }[]>(
        `select request_count, jsonb_array_length(history) as n from approval_request where project = 'repeat-proj'`,
      );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].request_count)).toBe(MAX_HISTORY_REPEATS + 10);
    expect(Number(rows[0].n)).toBe(MAX_HISTORY_REPEATS);
  });

  it('loses no audit row under 200 concurrent evaluations', async () => {
    const before = (await s.t.graphql(`{ verifyAuditChain { ok checked } }`)).data.verifyAuditChain;
    const names = ['httpx', 'mitpkg', 'requests', 'vulnpkg', 'gplpkg'];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => evaluate(`package=${names[i % names.length]}&version=1.0.0`, headers(`load-${i % 7}`))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const ids = new Set(results.map((r) => r.body.audit_id));
    expect(ids.size).toBe(200);
    // Each id is the row recording that answer: same package and verdict.
    const logged = await s.tdb.db
      .em()
      .execute<{ id: string; package: string; verdict: string }[]>(`select id::text as id, package, verdict from audit_log where project like 'load-%'`);
    const byId = new Map(logged.map((r) => [r.id, r]));
    expect(byId.size).toBe(200);
    for (const r of results) expect(byId.get(r.body.audit_id), r.body.audit_id).toEqual({ id: r.body.audit_id, package: r.body.package, verdict: r.body.verdict });
    const after = (await s.t.graphql(`{ verifyAuditChain { ok checked } }`)).data.verifyAuditChain;
    expect(after.ok).toBe(true);
    expect(after.checked).toBe(before.checked + 200);
    // Concurrent evaluations of one package share upstream calls: far fewer than one per evaluation.
    expect(s.fakes.count('osv')).toBeLessThan(20);
  });
});

describe.each(dbKinds())('upstream outages on %s', (kind) => {
  let prov: Setup | undefined;
  let deny: Setup | undefined;
  afterAll(async () => {
    await teardown(prov);
    await teardown(deny);
  });

  it('answers provisionally and degraded when OSV is down, never caches the failure, and recovers', async () => {
    prov = await setup(kind, 'provisional');
    const ev = (q: string) => prov!.t.request(`/api/v1/evaluate?${q}`, { headers: headers() }).then((r) => r.json());
    prov.fakes.setFault('osv', { kind: 'status', status: 503 });
    const down = await ev('package=httpx&version=0.27.0');
    expect(down).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', degraded: true, registry_status: 'preferred' });
    expect(down.degraded_reason).toMatch(/OSV|503/);
    const hang = await (async () => {
      prov!.fakes.setFault('osv', { kind: 'hang' });
      const t0 = Date.now();
      const r = await ev('package=mitpkg&version=1.0.0');
      return { r, ms: Date.now() - t0 };
    })();
    expect(hang.r).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', degraded: true });
    expect(hang.ms).toBeLessThan(5000);
    prov.fakes.setFault('osv', null);
    const osvCallsBefore = prov.fakes.count('osv');
    const up = await ev('package=httpx&version=0.27.0');
    expect(up).toMatchObject({ verdict: 'ALLOWED', degraded: false });
    expect(prov.fakes.count('osv')).toBe(osvCallsBefore + 1);
    // PyPI down for a package the registry does not know: the license cannot be judged.
    prov.fakes.setFault('pypi', { kind: 'status', status: 502 });
    const meta = await ev('package=mitpkg&version=2.0.0');
    expect(meta).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', degraded: true });
  });

  it('denies when the registry says upstream_unavailable: deny', async () => {
    deny = await setup(kind, 'deny');
    deny.fakes.setFault('osv', { kind: 'badjson' });
    const r = await (await deny.t.request('/api/v1/evaluate?package=httpx&version=0.27.0', { headers: headers() })).json();
    expect(r).toMatchObject({ verdict: 'DENIED', degraded: true });
  });
});
