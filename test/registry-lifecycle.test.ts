/**
 * Registry lifecycle end to end, on both databases: reload (good and broken files, health),
 * the signed webhook, parse-yaml, proposals through local_file (comments and key spelling kept,
 * atomic write survives a crash before the rename) and github (against the local fake API,
 * merged through the webhook), triage of implicit candidates on seeded audit rows, and human
 * decisions (approve → rule live → APPROVED; reject → REJECTED and not reopened).
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAppendInput } from '../server/modules/audit/audit.service';
import { ManualClock } from '../server/shared/clock';
import { startGithubFake, type GithubFake } from './fakes/github-fake';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `# Team registry: reviewed by platform.
version: "2026.1"   # bump on every release

global_policies:
  # licenses legal signed off on
  auto_approve_licenses: [MIT, Apache-2.0]
  unknown_license_policy: pending_approval
  cve_threshold: 0.9

packages:
  # keep the hyphen: that is how people type it
  left-pad:
    status: preferred
    reason: Tiny and stable.
  pycrypto:
    status: banned
    reason: Unmaintained.
`;

const QUIET = { LEXGATE_REGISTRY_WATCH: 'false', REGISTRY_RELOAD_INTERVAL: '0', LEXGATE_REGISTRY_SYNC_INTERVAL: '0' };
const JSON_HEADERS = { 'content-type': 'application/json', 'X-LexAlign-Project': 'dashboard' };

function tempRegistry(text = REGISTRY): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-reg-'));
  const file = path.join(dir, 'registry.yml');
  fs.writeFileSync(file, text);
  return { dir, file };
}

const post = (t: TestApp, p: string, body?: unknown, headers: Record<string, string> = JSON_HEADERS) =>
  t.request(p, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });

const auditRows = (t: TestApp) =>
  t.db.em().execute<{ kind: string; action: string; requester: string; reason: string }[]>(`select kind, action, requester, reason from audit_log order by seq`);

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

for (const kind of dbKinds()) {
  describe(`registry lifecycle on ${kind}`, () => {
    const opened: TestApp[] = [];
    const dirs: string[] = [];
    // One database per kind, emptied between tests (a fresh embedded database costs seconds).
    let tdb: TestDatabase;
    beforeAll(async () => {
      tdb = await freshDatabase(kind);
    });
    afterAll(() => tdb.drop());
    afterEach(async () => {
      for (const t of opened.splice(0)) await t.close();
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
      // TRUNCATE does not fire the audit log's row-level append-only trigger.
      await tdb.db.em().execute(`truncate audit_log, approval_request, registry_revision`);
      await tdb.db.em().execute(`update audit_chain_head set seq = 0, hash = repeat('0', 64)`);
    });

    async function app(env: Record<string, string> = {}, extra: Parameters<typeof createTestApp>[1] = {}) {
      const reg = tempRegistry();
      dirs.push(reg.dir);
      const t = await createTestApp(kind, { database: tdb.db, ...extra, env: { ...QUIET, REGISTRY_PATH: reg.file, REGISTRY_PROPOSER: 'local_file', ...env } });
      opened.push(t);
      return { t, file: reg.file };
    }

    it('reloads a changed file, and keeps the old registry (health says why) when the file is broken', async () => {
      const { t, file } = await app();
      fs.writeFileSync(file, REGISTRY.replace('version: "2026.1"', 'version: "2026.2"') + '  httpx:\n    status: preferred\n');
      const ok = await post(t, '/api/v1/registry/reload');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        ok: true,
        previous_version: '2026.1',
        new_version: '2026.2',
        package_count: 3,
        added_packages: 1,
        approved_requests: 0,
        detail: 'ok',
        created: true,
      });

      fs.writeFileSync(file, 'version: "2026.3"\npackages:\n  simplejson:\n    status: deprecated\n');
      const bad = await post(t, '/api/v1/registry/reload');
      expect(bad.status).toBe(409);
      const detail = (await bad.json()).detail as string;
      expect(detail).toMatch(/keeping previous registry/);
      expect(detail).toMatch(/packages\.simplejson\.replacement \(line 3/);
      const live = await (await t.request('/api/v1/registry')).json();
      expect(live.version).toBe('2026.2');
      expect(Object.keys(live.packages)).toEqual(['httpx', 'left-pad', 'pycrypto']);
      const health = await (await t.request('/api/v1/health')).json();
      expect(health.registry_version).toBe('2026.2');
      expect(health.registry_last_reload_error).toMatch(/replacement/);

      fs.rmSync(file);
      const missing = await post(t, '/api/v1/registry/reload');
      expect(missing.status).toBe(409);
      expect((await missing.json()).detail).toMatch(/does not exist/);

      const revisions = await t.graphql('{ registryRevisions { revision version source } }');
      expect(revisions.data.registryRevisions.map((r: { version: string }) => r.version)).toEqual(['2026.2', '2026.1']);
    });

    it('parse-yaml compiles a document or names the problem', async () => {
      const { t } = await app();
      const ok = await post(t, '/api/v1/registry/parse-yaml', { yaml_text: REGISTRY });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ version: '2026.1', packages: { 'left-pad': { status: 'preferred' } } });
      const bad = await post(t, '/api/v1/registry/parse-yaml', { yaml_text: 'version: 1\nglobal_policies:\n  cve_threshold: 5\n' });
      expect(bad.status).toBe(400);
      expect((await bad.json()).detail).toMatch(/global_policies\.cve_threshold \(line 3.*between 0 and 1/);
      const empty = await post(t, '/api/v1/registry/parse-yaml', { yaml_text: '' });
      expect(empty.status).toBe(400);
      expect((await empty.json()).detail).toMatch(/yaml_text/);
    });

    it('checks webhook signatures: 503 without a secret, 401 bad or missing, ping, ignored events, merged PR reloads', async () => {
      const noSecret = await app();
      const r503 = await post(noSecret.t, '/api/v1/registry/webhook', { zen: 'x' }, { 'X-GitHub-Event': 'ping' });
      expect(r503.status).toBe(503);

      const secret = 's3cret-for-tests';
      const { t, file } = await app({ REGISTRY_WEBHOOK_SECRET: secret });
      const body = JSON.stringify({ zen: 'Keep it logically awesome.' });
      const hook = (b: string, headers: Record<string, string>) => t.request('/api/v1/registry/webhook', { method: 'POST', headers, body: b });
      expect((await hook(body, { 'X-GitHub-Event': 'ping' })).status).toBe(401);
      const bad = await hook(body, { 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': sign('wrong', body) });
      expect(bad.status).toBe(401);
      expect((await bad.json()).detail).toBe('Invalid webhook signature.');
      const ping = await hook(body, { 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': sign(secret, body) });
      expect(ping.status).toBe(200);
      expect(await ping.json()).toEqual({ ok: true, event: 'ping' });
      const push = await hook(body, { 'X-GitHub-Event': 'push', 'X-Hub-Signature-256': sign(secret, body) });
      expect(await push.json()).toEqual({ ok: true, event: 'push', ignored: true });
      const opened = JSON.stringify({ action: 'opened', pull_request: { merged: false } });
      expect(await (await hook(opened, { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, opened) })).json()).toEqual({
        ok: true,
        event: 'pull_request',
        action: 'opened',
        ignored: true,
      });
      // A body tampered after signing fails.
      expect((await hook(opened.replace('opened', 'closed'), { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, opened) })).status).toBe(401);

      fs.writeFileSync(file, REGISTRY.replace('2026.1', '2026.5'));
      const merged = JSON.stringify({ action: 'closed', pull_request: { merged: true, number: 7 } });
      const res = await hook(merged, { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, merged) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, event: 'pull_request.merged', previous_version: '2026.1', new_version: '2026.5' });

      // A merge that brings a broken document: still HTTP 200, ok false with the reason; the old registry stays.
      fs.writeFileSync(file, 'version: "2026.6"\nglobal_policies:\n  cve_threshold: 2\n');
      const broken = await hook(merged, { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, merged) });
      expect(broken.status).toBe(200);
      const brokenBody = await broken.json();
      expect(brokenBody).toMatchObject({ ok: false, event: 'pull_request.merged' });
      expect(brokenBody.detail).toMatch(/cve_threshold must be between 0 and 1/);
      expect((await (await t.request('/api/v1/registry')).json()).version).toBe('2026.5');
      // A body that is not JSON, correctly signed, is a 400.
      const notJson = 'not json';
      expect((await hook(notJson, { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, notJson) })).status).toBe(400);
    });

    it('local_file: a proposal keeps comments, key order and spelling, validates first, and goes live', async () => {
      const { t, file } = await app();
      const res = await post(t, '/api/v1/registry/proposals', { name: 'Left_Pad', status: 'banned', reason: 'Unpublished once.', rationale: 'Incident 42' });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ backend: 'local_file', status: 'applied', url: `file://${file}`, branch: null, commit_sha: null });
      expect(body.reload).toMatchObject({ ok: true, new_version: '2026.1', created: true });
      const text = fs.readFileSync(file, 'utf8');
      for (const comment of ['# Team registry: reviewed by platform.', '# bump on every release', '# licenses legal signed off on', '# keep the hyphen']) {
        expect(text).toContain(comment);
      }
      expect(text).not.toMatch(/left_pad|Left_Pad/);
      expect(text.indexOf('left-pad:')).toBeLessThan(text.indexOf('pycrypto:'));
      const live = await (await t.request('/api/v1/registry')).json();
      expect(live.packages['left-pad']).toEqual({ status: 'banned', reason: 'Unpublished once.' });

      // An invalid rule: 400 naming the field, and the file is byte-identical.
      const before = fs.readFileSync(file);
      const bad = await post(t, '/api/v1/registry/proposals', { name: 'simplejson', status: 'deprecated', rationale: 'x' });
      expect(bad.status).toBe(400);
      expect((await bad.json()).detail).toMatch(/replacement/);
      const badStatus = await post(t, '/api/v1/registry/proposals', { name: 'simplejson', status: 'forbidden' });
      expect(badStatus.status).toBe(400);
      expect((await badStatus.json()).detail).toMatch(/status must be one of/);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      const noHeader = await t.request('/api/v1/registry/proposals', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', status: 'preferred' }) });
      expect(noHeader.status).toBe(400);

      // Global policies and deletions go through the proposer too, each an audit row with who and why.
      const pol = await post(t, '/api/v1/registry/global-policies', { cve_threshold: 0.7, rationale: 'Tighter after audit' });
      expect(pol.status).toBe(200);
      const del = await t.request('/api/v1/registry/packages/pycrypto', { method: 'DELETE', headers: JSON_HEADERS, body: JSON.stringify({ rationale: 'Gone from every service' }) });
      expect(del.status).toBe(200);
      const after = await (await t.request('/api/v1/registry')).json();
      expect(after.global_policies.cve_threshold).toBe(0.7);
      expect(Object.keys(after.packages)).toEqual(['left-pad']);
      expect(fs.readFileSync(file, 'utf8')).toContain('# licenses legal signed off on');
      const rows = await auditRows(t);
      expect(rows.filter((r: { kind: string }) => r.kind === 'POLICY_CHANGE').map((r: { reason: string }) => r.reason).join()).toMatch(/Tighter after audit/);
      expect(rows.some((r: { action: string; reason: string }) => r.action === 'registry.remove_package' && /Gone from every service/.test(r.reason))).toBe(true);
    });

    it('local_file: a crash between the temp write and the rename leaves the old file and registry intact', async () => {
      const { t, file } = await app({}, { registryWriteHooks: { beforeRename: () => { throw new Error('simulated crash before rename'); } } });
      const before = fs.readFileSync(file);
      const res = await post(t, '/api/v1/registry/proposals', { name: 'httpx', status: 'preferred', rationale: 'crash test' });
      expect(res.status).toBe(502);
      expect((await res.json()).detail).toMatch(/simulated crash before rename.*left as it was/);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect((await (await t.request('/api/v1/registry')).json()).packages.httpx).toBeUndefined();
    });

    it('github: proposals open one PR per package and amend it; a merged PR reaches the registry through the webhook', async () => {
      const fake: GithubFake = await startGithubFake({ files: { 'policy/registry.yml': REGISTRY } });
      try {
        const secret = 'hook-secret';
        const { t, file } = await app({
          REGISTRY_PROPOSER: 'github',
          REGISTRY_REPO_URL: fake.repoUrl,
          REGISTRY_REPO_TOKEN: fake.token,
          GITHUB_API_BASE: fake.apiBase,
          REGISTRY_FILE_PATH: 'policy/registry.yml',
          REGISTRY_WEBHOOK_SECRET: secret,
        });
        const first = await post(t, '/api/v1/registry/proposals', { name: 'httpx', status: 'preferred', rationale: 'Async client for the gateway' });
        expect(first.status).toBe(200);
        const opened = await first.json();
        expect(opened).toMatchObject({ backend: 'github', status: 'opened', branch: 'lexgate/approval/httpx', url: expect.stringMatching(/\/pull\/1$/), reload: null });
        expect(opened.commit_sha).toMatch(/^[0-9a-f]{40}$/);
        const second = await (await post(t, '/api/v1/registry/proposals', { name: 'HTTPX', status: 'approved', reason: 'Prefer stdlib where enough', rationale: 'Second thoughts' })).json();
        expect(second).toMatchObject({ status: 'amended', branch: 'lexgate/approval/httpx', url: opened.url });
        expect(fake.pulls).toHaveLength(1);
        expect(fake.comments).toHaveLength(1);
        expect(fake.comments[0].body).toMatch(/Second thoughts/);
        expect(fake.headMessage('lexgate/approval/httpx')).toMatch(/httpx → approved \(via operator\)/i);
        expect(fake.headMessage('lexgate/approval/httpx')).toMatch(/Package: HTTPX \(pypi\)[\s\S]*Requester: anonymous[\s\S]*Second thoughts/);
        const branchText = fake.file('lexgate/approval/httpx', 'policy/registry.yml')!;
        expect(branchText).toContain('# keep the hyphen');
        expect(branchText).toMatch(/httpx:\n\s+status: approved/);
        expect(fake.file('main', 'policy/registry.yml')).toBe(REGISTRY);
        expect(fake.requests.every((r) => r.auth === `Bearer ${fake.token}` && r.apiVersion === '2022-11-28' && r.accept === 'application/vnd.github+json')).toBe(true);
        // Not live until merged.
        expect((await (await t.request('/api/v1/registry')).json()).packages.httpx).toBeUndefined();

        // An invalid change writes nothing to GitHub.
        const writes = fake.requests.filter((r) => r.method !== 'GET').length;
        expect((await post(t, '/api/v1/registry/proposals', { name: 'simplejson', status: 'deprecated', rationale: 'x' })).status).toBe(400);
        expect(fake.requests.filter((r) => r.method !== 'GET').length).toBe(writes);

        fake.merge(1);
        const merged = JSON.stringify({ action: 'closed', pull_request: { merged: true, number: 1 } });
        const res = await t.request('/api/v1/registry/webhook', {
          method: 'POST',
          headers: { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, merged) },
          body: merged,
        });
        expect(await res.json()).toMatchObject({ ok: true, event: 'pull_request.merged', added_packages: 1 });
        expect(fs.readFileSync(file, 'utf8')).toBe(fake.file('main', 'policy/registry.yml'));
        expect((await (await t.request('/api/v1/registry')).json()).packages.httpx).toMatchObject({ status: 'approved' });

        // The branch of a merged proposal is started again from the default branch for the next
        // proposal, so the new pull request cannot undo what was merged since.
        // An approved request opens a pull request; it turns APPROVED (credited to the approver,
        // not to the webhook) when the merge reaches the registry.
        const filed = await (await post(t, '/api/v1/approval-requests', { package: 'orjson', rationale: 'Fast JSON' })).json();
        const approval = await (await post(t, `/api/v1/approval-requests/${filed.request_id}/approve`, { note: 'MIT, maintained', status: 'preferred' })).json();
        expect(approval).toMatchObject({ live: false, request: { status: 'PENDING_REVIEW' }, proposal: { status: 'opened', branch: 'lexgate/approval/orjson', reload: null } });
        fake.merge(2);
        const merged2 = JSON.stringify({ action: 'closed', pull_request: { merged: true, number: 2 } });
        const hook2 = await t.request('/api/v1/registry/webhook', {
          method: 'POST',
          headers: { 'X-GitHub-Event': 'pull_request', 'X-Hub-Signature-256': sign(secret, merged2) },
          body: merged2,
        });
        expect(await hook2.json()).toMatchObject({ ok: true, added_packages: 1, approved_requests: 1 });
        const decided = await (await t.request('/api/v1/reports/approval-requests?status=APPROVED')).json();
        expect(decided.items).toEqual([expect.objectContaining({ id: filed.request_id, decided_by: 'anonymous' })]);
        const revisionAuthor = await t.db.em().execute<{ author: string }[]>(`select author from registry_revision order by revision desc limit 1`);
        expect(revisionAuthor[0].author).toBe('webhook');
        const again = await (await post(t, '/api/v1/registry/proposals', { name: 'httpx', status: 'banned', reason: 'CVE-2099-1', rationale: 'Hot CVE' })).json();
        expect(again).toMatchObject({ status: 'opened', branch: 'lexgate/approval/httpx', url: expect.stringMatching(/\/pull\/3$/) });
        const rebased = fake.file('lexgate/approval/httpx', 'policy/registry.yml')!;
        expect(rebased).toMatch(/orjson:\n\s+status: preferred/);
        expect(rebased).toMatch(/httpx:\n\s+status: banned/);

        // A failing API answers 502 with the reason.
        const broken = await app({ REGISTRY_PROPOSER: 'github', REGISTRY_REPO_URL: fake.repoUrl, REGISTRY_REPO_TOKEN: 'wrong-token', GITHUB_API_BASE: fake.apiBase });
        const r502 = await post(broken.t, '/api/v1/registry/proposals', { name: 'orjson', status: 'preferred', rationale: 'x' });
        expect(r502.status).toBe(502);
        expect((await r502.json()).detail).toMatch(/GitHub API.*401/);
      } finally {
        await fake.close();
      }
    });

    it('classifies and orders implicit candidates from seeded audit rows (30-day window, exclusions)', async () => {
      const clock = new ManualClock(new Date('2026-03-01T00:00:00Z'));
      const { t } = await app({}, { clock });
      const seed = async (pkg: string, verdict: string, project: string, extra: Partial<AuditAppendInput> = {}) =>
        t.db.em().transactional((tx) =>
          t.services.audit.append(tx as EntityManager, {
            tenantId: 'default',
            kind: 'DEPENDENCY_EVALUATION',
            action: 'dependency.add',
            requester: 'anonymous',
            project,
            ecosystem: 'pypi',
            package: pkg,
            normalizedName: pkg.toLowerCase().replace(/[-_.]+/g, '-'),
            verdict,
            agentModel: 'claude',
            agentVersion: project === 'p2' ? '4.5' : '4.1',
            ...extra,
          }),
        );
      // Outside the window: does not count.
      await seed('oldpkg', 'PROVISIONALLY_ALLOWED', 'p1');
      clock.set(new Date('2026-04-01T00:00:00Z'));
      for (let i = 0; i < 4; i++) await seed('Denied.Lots', 'DENIED', i % 2 ? 'p1' : 'p2');
      await seed('twice-denied', 'DENIED', 'p1');
      await seed('twice-denied', 'DENIED', 'p1');
      await seed('twice-denied', 'ALLOWED', 'p1');
      await seed('prov-one', 'PROVISIONALLY_ALLOWED', 'p1');
      for (let i = 0; i < 3; i++) await seed('prov-three', i === 0 ? 'PROVISIONALLY_ALLOWED' : 'DENIED', 'p1');
      await seed('left-pad', 'ALLOWED', 'p1'); // in the registry
      await seed('requested', 'PROVISIONALLY_ALLOWED', 'p1'); // has an approval request
      clock.advance(60_000);
      await seed('Prov_Three', 'DENIED', 'p2'); // newest row of prov-three: display name and latest fields
      clock.advance(60_000);
      const req = await post(t, '/api/v1/approval-requests', { package: 'requested', rationale: 'need it' }, { ...JSON_HEADERS, 'X-LexAlign-Project': 'p1' });
      expect(req.status).toBe(202);
      clock.advance(60_000);
      await t.request('/api/v1/approval-requests', {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'X-LexAlign-Project': 'p9' },
        body: JSON.stringify({ package: 'requested', rationale: 'also here' }),
      });

      const pending = await (await t.request('/api/v1/registry/pending')).json();
      expect(pending.explicit).toEqual([
        expect.objectContaining({ package: 'requested', normalized_name: 'requested', latest_rationale: 'also here', latest_project: 'p9', latest_requester: 'anonymous', request_count: 2 }),
      ]);
      expect(pending.implicit.map((c: { package: string; reason: string; evaluations: number }) => [c.package, c.reason, c.evaluations])).toEqual([
        ['Prov_Three', 'provisional-no-rationale', 4],
        ['prov-one', 'provisional-no-rationale', 1],
        ['Denied.Lots', 'repeatedly-denied', 4],
        ['twice-denied', 'pre-screened', 3],
      ]);
      expect(pending.implicit[0]).toEqual({
        package: 'Prov_Three',
        normalized_name: 'prov-three',
        evaluations: 4,
        denials: 3,
        provisional: 1,
        latest_ts: '2026-04-01T00:01:00.000Z',
        latest_project: 'p2',
        latest_agent_model: 'claude',
        latest_agent_version: '4.5',
        project_count: 2,
        reason: 'provisional-no-rationale',
        reason_detail: '1 provisional verdict(s); no `request-approval` follow-up.',
        ecosystem: 'pypi',
      });
      expect(pending.implicit[2].reason_detail).toBe('4 denials across 2 project(s); an explicit registry rule would short-circuit future checks.');
      expect(pending.implicit[3].reason_detail).toBe('3 `check` call(s) across 1 project(s); never proposed.');

      const gql = await t.graphql('{ pendingTriage { explicit { normalizedName requestCount totalRequests } implicit { normalizedName reason } } }');
      expect(gql.data.pendingTriage.explicit).toEqual([{ normalizedName: 'requested', requestCount: 2, totalRequests: 2 }]);
      expect(gql.data.pendingTriage.implicit.map((c: { reason: string }) => c.reason)).toEqual([
        'provisional-no-rationale',
        'provisional-no-rationale',
        'repeatedly-denied',
        'pre-screened',
      ]);
    });

    it('approve → rule live → APPROVED; reject → REJECTED, visible to the agent and not reopened', async () => {
      const { t, file } = await app();
      const ask = (pkg: string, project = 'svc') =>
        post(t, '/api/v1/approval-requests', { package: pkg, rationale: `we need ${pkg}; a ';' in text once broke embedded reads` }, { ...JSON_HEADERS, 'X-LexAlign-Project': project }).then((r) => r.json());
      const orjson = await ask('orjson');
      const other = await ask('ORJSON', 'svc2');
      const bad = await ask('leftpad-clone');
      expect(orjson.status).toBe('PENDING_REVIEW');

      const approved = await t.graphql(
        `mutation($id: ID!) { approveRequest(id: $id, note: "Fast JSON, MIT") { __typename ... on MutationApproveRequestSuccess { data { live request { status decidedBy decisionReason } proposal { backend status } reload { approvedRequests addedPackages } } } ... on DomainError { message } } }`,
        { id: orjson.request_id },
      );
      const data = approved.data.approveRequest.data;
      expect(data.live).toBe(true);
      expect(data.request).toMatchObject({ status: 'APPROVED', decidedBy: 'anonymous' });
      expect(data.proposal).toEqual({ backend: 'local_file', status: 'applied' });
      // Both requests for the package (two projects) were settled by the revision that made the rule live.
      expect(data.reload).toEqual({ approvedRequests: 2, addedPackages: 1 });
      expect(fs.readFileSync(file, 'utf8')).toMatch(/orjson:\n\s+status: approved\n\s+reason: Fast JSON, MIT/);
      expect((await (await t.request('/api/v1/registry')).json()).packages.orjson.status).toBe('approved');
      const list = await (await t.request('/api/v1/reports/approval-requests?status=APPROVED')).json();
      expect(list.items.map((i: { id: string }) => i.id).sort()).toEqual([orjson.request_id, other.request_id].sort());

      // Approving again: decisions are final.
      const again = await post(t, `/api/v1/approval-requests/${orjson.request_id}/approve`, { note: 'again' });
      expect(again.status).toBe(409);

      const rej = await post(t, `/api/v1/approval-requests/${bad.request_id}/reject`, { reason: 'Use the stdlib; str.rjust does it' });
      expect(rej.status).toBe(200);
      expect((await rej.json()).request).toMatchObject({ status: 'REJECTED', decision_reason: 'Use the stdlib; str.rjust does it', decided_by: 'anonymous' });
      expect((await post(t, `/api/v1/approval-requests/${bad.request_id}/reject`, { reason: 'twice' })).status).toBe(409);
      expect((await post(t, `/api/v1/approval-requests/${bad.request_id}/reject`, {})).status).toBe(400);
      const repeat = await ask('leftpad-clone');
      expect(repeat).toMatchObject({ request_id: bad.request_id, status: 'REJECTED', decision_reason: 'Use the stdlib; str.rjust does it' });
      const pending = await (await t.request('/api/v1/registry/pending')).json();
      expect(pending.explicit).toEqual([]);

      const decisions = (await auditRows(t)).filter((r: { kind: string }) => r.kind === 'APPROVAL_DECISION');
      expect(decisions.map((d: { reason: string }) => d.reason).join('\n')).toMatch(/rejected by anonymous: Use the stdlib; str.rjust/);
      expect(decisions.length).toBe(4); // approval by a person, two requests settled by the revision, one rejection

      const rejectGql = await t.graphql(`mutation { rejectRequest(id: "${orjson.request_id}", reason: "late") { __typename ... on DomainError { code message } } }`);
      expect(rejectGql.data.rejectRequest).toMatchObject({ __typename: 'DomainError', code: 'conflict' });
      const yaml = await t.graphql('mutation { exportRegistryYaml { ... on MutationExportRegistryYamlSuccess { data } } }');
      expect(yaml.data.exportRegistryYaml.data).toBe(fs.readFileSync(file, 'utf8'));
      const reload = await t.graphql('mutation { reloadRegistry { ... on MutationReloadRegistrySuccess { data { created newVersion } } } }');
      expect(reload.data.reloadRegistry.data).toEqual({ created: false, newVersion: '2026.1' });
    });
  });
}

describe('registry file watcher', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    const reg = tempRegistry();
    dir = reg.dir;
    t = await createTestApp('pglite', { env: { REGISTRY_PATH: reg.file, LEXGATE_REGISTRY_SYNC_INTERVAL: '0', REGISTRY_RELOAD_INTERVAL: '1' } });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reloads when the file changes on disk', async () => {
    fs.writeFileSync(path.join(dir, 'registry.yml'), REGISTRY.replace('2026.1', '2026.9'));
    await expect.poll(() => t.services.registry.current()?.version, { timeout: 5000, interval: 50 }).toBe('2026.9');
  });
});
