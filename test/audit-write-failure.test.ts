/**
 * No answer without its audit row: when the database refuses the audit write
 * (a trigger that raises for one package — a real failed INSERT, not a mock),
 * the evaluation answers an error and no `audit_id`, through REST and GraphQL,
 * both for a plain answer and for one that files an approval request; the
 * other answers of the same moment still get ids that are rows in the log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config';
import { createUpstreams } from '../server/modules/upstream/upstreams';
import { ManualClock } from '../server/shared/clock';
import { silentLogger } from '../server/shared/logger';
import { startUpstreamFakes, type PypiDocument, type UpstreamFakes } from './fakes/upstream-fakes';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `version: "2026.1"
global_policies:
  auto_approve_licenses: [MIT]
  unknown_license_policy: pending_approval
  cve_threshold: 0.9
  upstream_unavailable: provisional
packages:
  refusedpkg:
    status: banned
    reason: banned for the test
  finepkg:
    status: banned
    reason: banned too, and recorded
`;

const headers = { 'X-LexAlign-Project': 'audit-fail' };

describe.each(dbKinds())('evaluate when the audit write fails on %s', (kind) => {
  let t: TestApp;
  let tdb: TestDatabase;
  let fakes: UpstreamFakes;
  let dir: string;
  const rows = (pkg: string) =>
    t.db.em().execute<{ id: string }[]>(`select id::text as id from audit_log where package = ? and kind = 'DEPENDENCY_EVALUATION'`, [pkg]);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-auditfail-'));
    fs.writeFileSync(path.join(dir, 'registry.yml'), REGISTRY);
    fakes = await startUpstreamFakes();
    // Two packages with no license: an answer about them files an approval request.
    const nolicense = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/upstreams/pypi/nolicense.json'), 'utf8')) as PypiDocument;
    for (const name of ['unknownfinepkg', 'unknownrefusedpkg']) fakes.setPypiPackage({ ...nolicense, info: { ...nolicense.info, name } });
    const env = { REGISTRY_PATH: path.join(dir, 'registry.yml'), OSV_API_URL: fakes.osvQueryUrl, PYPI_API_URL: fakes.pypiApiUrl };
    tdb = await freshDatabase(kind);
    const clock = new ManualClock();
    const upstreams = createUpstreams({ config: loadConfig({ ...env, LEXGATE_DATA_DIR: dir }), db: tdb.db, clock, logger: silentLogger });
    t = await createTestApp(kind, { env, database: tdb.db, upstreams, clock });
    // The database refuses any audit row about a package whose name starts with "refused" or "unknown-refused".
    await t.db.em().execute(`create function test_refuse_audit() returns trigger language plpgsql as $$
      begin
        if new.package like 'refused%' or new.package like 'unknownrefused%' then
          raise exception 'audit write refused for %', new.package;
        end if;
        return new;
      end $$`);
    await t.db.em().execute(`create trigger test_refuse_audit before insert on audit_log for each row execute function test_refuse_audit()`);
  });
  afterAll(async () => {
    await t?.close();
    await tdb?.drop();
    await fakes?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers an error without an audit_id over REST, for a plain answer and for one that files a request', async () => {
    // The same answer about a package whose row is accepted files a request and is recorded.
    const control = await t.request(`/api/v1/evaluate?package=unknownfinepkg&version=1.0.0`, { headers });
    const controlBody = await control.json();
    expect(control.status).toBe(200);
    expect(controlBody.approval_request_id).toEqual(expect.any(String));
    expect((await rows('unknownfinepkg')).map((r) => r.id)).toEqual([controlBody.audit_id]);
    for (const pkg of ['refusedpkg', 'unknownrefusedpkg']) {
      const res = await t.request(`/api/v1/evaluate?package=${pkg}&version=1.0.0`, { headers });
      const body = await res.json();
      expect(res.status, pkg).toBeGreaterThanOrEqual(500);
      expect(body, pkg).not.toHaveProperty('audit_id');
      expect(body, pkg).not.toHaveProperty('verdict');
      expect(await rows(pkg)).toEqual([]);
    }
    // No approval request was left behind by the refused answer that would have filed one.
    const requests = await t.db.em().execute<{ n: number }[]>(`select count(*)::int as n from approval_request where package like 'unknownrefused%'`);
    expect(requests[0].n).toBe(0);
  });

  it('answers a GraphQL error without an auditId', async () => {
    const r = await t.graphql(`query { evaluatePackage(package: "refusedpkg", version: "1.0.0", project: "audit-fail") { __typename ... on QueryEvaluatePackageSuccess { data { auditId verdict } } } }`);
    expect(JSON.stringify(r)).not.toMatch(/auditId"\s*:\s*"/);
    expect(r.errors?.length ?? 0).toBeGreaterThan(0);
    expect(await rows('refusedpkg')).toEqual([]);
  });

  it('gives every answer an id that is its own row in the log, under concurrency and beside refused writes', async () => {
    const ask = async (pkg: string) => {
      const res = await t.request(`/api/v1/evaluate?package=${pkg}&version=1.0.0`, { headers });
      return { pkg, status: res.status, body: (await res.json()) as { audit_id?: string; verdict?: string } };
    };
    // 40 at once, all recorded: 40 distinct ids, each a row about that package.
    const clean = await Promise.all(Array.from({ length: 40 }, () => ask('finepkg')));
    expect(clean.filter((r) => r.status !== 200).slice(0, 1)).toEqual([]);
    let logged = new Set((await rows('finepkg')).map((r) => r.id));
    expect(new Set(clean.map((r) => r.body.audit_id)).size).toBe(40);
    for (const r of clean) expect(logged.has(r.body.audit_id!), `audit_id ${r.body.audit_id} is a row`).toBe(true);
    // Refused writes in the same moment: a refused answer never has an id, and any answer
    // that does (a batch-mate) has its own row.
    const mixed = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(i % 4 === 0 ? 'refusedpkg' : 'finepkg')));
    logged = new Set((await rows('finepkg')).map((r) => r.id));
    for (const r of mixed) {
      if (r.pkg === 'refusedpkg' || r.status !== 200) {
        expect(r.status).toBeGreaterThanOrEqual(500);
        expect(r.body).not.toHaveProperty('audit_id');
      } else {
        expect(logged.has(r.body.audit_id!), `audit_id ${r.body.audit_id} is a row`).toBe(true);
      }
    }
    expect(logged.size).toBe(40 + mixed.filter((r) => r.status === 200).length);
    expect(await rows('refusedpkg')).toEqual([]);
    const v = (await t.graphql(`{ verifyAuditChain { ok } }`)).data.verifyAuditChain;
    expect(v.ok).toBe(true);
  });
});
