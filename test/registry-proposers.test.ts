/**
 * The local proposers through the app, on both databases: local_git commits only the registry
 * file in a temporary repository with the bot identity and a message naming package, status,
 * source, requester and rationale; log_only writes nothing; the backend is selected as
 * lex-align selects it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config';
import { selectBackend } from '../server/modules/registry/proposers/select-proposer';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `# Registry under version control.
version: "7"
packages:
  # the HTTP client
  httpx:
    status: preferred
`;
const QUIET = { LEXGATE_REGISTRY_WATCH: 'false', REGISTRY_RELOAD_INTERVAL: '0', LEXGATE_REGISTRY_SYNC_INTERVAL: '0' };
const HEADERS = { 'content-type': 'application/json', 'X-LexAlign-Project': 'billing' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8' }).trim();

function tempRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Someone Else');
  git(dir, 'config', 'user.email', 'someone@example.test');
  git(dir, 'config', 'commit.gpgsign', 'false');
  fs.mkdirSync(path.join(dir, 'policy'));
  fs.writeFileSync(path.join(dir, 'policy', 'registry.yml'), REGISTRY);
  fs.writeFileSync(path.join(dir, 'README'), 'registry repo\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

for (const kind of dbKinds()) {
  describe(`local proposers on ${kind}`, () => {
    let tdb: TestDatabase;
    const opened: TestApp[] = [];
    const dirs: string[] = [];
    beforeAll(async () => {
      tdb = await freshDatabase(kind);
    });
    afterAll(() => tdb.drop());
    afterEach(async () => {
      for (const t of opened.splice(0)) await t.close();
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
      await tdb.db.em().execute(`truncate audit_log, approval_request, registry_revision`);
      await tdb.db.em().execute(`update audit_chain_head set seq = 0, hash = repeat('0', 64)`);
    });

    it('local_git (auto-selected in a work tree) commits only the registry file with the bot identity', async () => {
      const repo = tempRepo();
      dirs.push(repo);
      const file = path.join(repo, 'policy', 'registry.yml');
      // Someone's unrelated staged work must not be swept into the bot's commit.
      fs.writeFileSync(path.join(repo, 'README'), 'half-done edit\n');
      git(repo, 'add', 'README');
      const t = await createTestApp(kind, {
        database: tdb.db,
        env: { ...QUIET, REGISTRY_PATH: file, REGISTRY_BOT_AUTHOR_NAME: 'Registry Bot', REGISTRY_BOT_AUTHOR_EMAIL: 'bot@lexgate.test' },
      });
      opened.push(t);
      const res = await t.request('/api/v1/registry/proposals', {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ name: 'numpy', status: 'version-constrained', min_version: '1.26.0', max_version: '3.0.0', reason: 'ABI range', rationale: 'Pin for the extension build' }),
      });
      expect(res.status).toBe(200);
      const body = await res.json();
      const head = git(repo, 'rev-parse', 'HEAD');
      expect(body).toMatchObject({ backend: 'local_git', status: 'applied', commit_sha: head, branch: null });
      expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe('Registry Bot <bot@lexgate.test>|Registry Bot <bot@lexgate.test>');
      const message = git(repo, 'log', '-1', '--format=%B');
      expect(message).toMatch(/^lexgate: numpy → version-constrained \(via operator\)/);
      for (const part of ['Package: numpy (pypi)', 'Status: version-constrained', 'Version constraint: 1.26.0..3.0.0', 'Source: operator', 'Project: billing', 'Requester: anonymous', 'Rationale: Pin for the extension build']) {
        expect(message).toContain(part);
      }
      expect(git(repo, 'show', '--name-only', '--format=', 'HEAD')).toBe('policy/registry.yml');
      expect(git(repo, 'diff', '--cached', '--name-only')).toBe('README');
      expect(fs.readFileSync(file, 'utf8')).toContain('# the HTTP client');
      expect((await (await t.request('/api/v1/registry')).json()).packages.numpy).toEqual({ status: 'version-constrained', reason: 'ABI range', min_version: '1.26.0', max_version: '3.0.0' });

      // The same proposal again: nothing to commit, HEAD unchanged.
      const again = await (
        await t.request('/api/v1/registry/proposals', {
          method: 'POST',
          headers: HEADERS,
          body: JSON.stringify({ name: 'numpy', status: 'version-constrained', min_version: '1.26.0', max_version: '3.0.0', reason: 'ABI range' }),
        })
      ).json();
      expect(again).toMatchObject({ backend: 'local_git', status: 'applied', commit_sha: head });
      expect(again.detail).toMatch(/nothing to commit/);
    });

    it('log_only records the proposal and writes nothing', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-log-'));
      dirs.push(dir);
      const file = path.join(dir, 'registry.yml');
      fs.writeFileSync(file, REGISTRY);
      const t = await createTestApp(kind, { database: tdb.db, env: { ...QUIET, REGISTRY_PATH: file, REGISTRY_PROPOSER: 'log_only' } });
      opened.push(t);
      const res = await t.request('/api/v1/registry/proposals', { method: 'POST', headers: HEADERS, body: JSON.stringify({ name: 'orjson', status: 'preferred' }) });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ backend: 'log_only', status: 'logged', url: null, branch: null, commit_sha: null, reload: null });
      expect(body.detail).toMatch(/REGISTRY_PROPOSER/);
      expect(fs.readFileSync(file, 'utf8')).toBe(REGISTRY);
      expect((await (await t.request('/api/v1/registry')).json()).packages.orjson).toBeUndefined();
      const rows = await t.db.em().execute<{ kind: string; status: string }[]>(`select kind, status from audit_log where action = 'registry.set_package'`);
      expect(rows).toEqual([{ kind: 'REGISTRY_CHANGE', status: 'logged' }]);

      // Approving with log_only records the decision; the request turns APPROVED only when an
      // operator writes the rule and a reload makes it live.
      const filed = await (
        await t.request('/api/v1/approval-requests', { method: 'POST', headers: HEADERS, body: JSON.stringify({ package: 'Pendulum', rationale: 'Time zones' }) })
      ).json();
      const approve = await t.request(`/api/v1/approval-requests/${filed.request_id}/approve`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ note: 'Fine' }) });
      expect(approve.status).toBe(200);
      expect(await approve.json()).toMatchObject({ live: false, request: { status: 'PENDING_REVIEW' }, proposal: { backend: 'log_only', status: 'logged', reload: null } });
      fs.appendFileSync(file, '  pendulum:\n    status: approved\n');
      const reload = await (await t.request('/api/v1/registry/reload', { method: 'POST' })).json();
      expect(reload).toMatchObject({ ok: true, added_packages: 1, approved_requests: 1 });
      const list = await (await t.request('/api/v1/reports/approval-requests?status=APPROVED')).json();
      expect(list.items.map((i: { id: string; decided_by: string }) => [i.id, i.decided_by])).toEqual([[filed.request_id, 'anonymous']]);
    });
  });
}

describe('proposer selection', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('follows lex-align: explicit wins, then repository URL, git work tree, writable file, log_only', () => {
    const repo = tempRepo();
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-sel-'));
    dirs.push(repo, plain);
    const inRepo = path.join(repo, 'policy', 'registry.yml');
    const cfg = (env: Record<string, string>) => loadConfig({ LEXGATE_DATA_DIR: plain, ...env });
    expect(selectBackend(cfg({ REGISTRY_PATH: inRepo }), inRepo)).toBe('local_git');
    expect(selectBackend(cfg({ REGISTRY_PATH: inRepo, REGISTRY_PROPOSER: 'log_only' }), inRepo)).toBe('log_only');
    expect(selectBackend(cfg({ REGISTRY_PATH: inRepo, REGISTRY_REPO_URL: 'https://git.example.test/acme/reg', REGISTRY_REPO_TOKEN: 't' }), inRepo)).toBe('github');
    const plainFile = path.join(plain, 'registry.yml');
    fs.writeFileSync(plainFile, REGISTRY);
    expect(selectBackend(cfg({ REGISTRY_PATH: plainFile }), plainFile)).toBe('local_file');
    // The data directory's starter file is never committed into whatever repository lexgate runs from.
    const starterInRepo = path.join(repo, 'data', 'registry.yml');
    fs.mkdirSync(path.dirname(starterInRepo));
    expect(selectBackend(loadConfig({ LEXGATE_DATA_DIR: path.join(repo, 'data') }), starterInRepo)).toBe('local_file');
    expect(selectBackend(cfg({ REGISTRY_PATH: '/nonexistent-dir/registry.yml' }), '/nonexistent-dir/registry.yml')).toBe('log_only');
  });
});
