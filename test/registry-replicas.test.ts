/**
 * Two gateway instances on one real PostgreSQL (separate connection pools, separate data
 * directories): a registry change accepted by one is used by the other's next evaluation, and
 * an instance restarted with a stale registry file takes the newest stored revision.
 * (PGlite is one process with one connection; replicas need a server.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../server/database';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const replicaEnv = { LEXGATE_REGISTRY_WATCH: 'false', REGISTRY_RELOAD_INTERVAL: '0', LEXGATE_REGISTRY_SYNC_INTERVAL: '0' };

describe.skipIf(!dbKinds().includes('postgres'))('registry replicas on one PostgreSQL', () => {
  let tdb: TestDatabase;
  let second: Database;
  let a: TestApp;
  let b: TestApp;
  const bDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-replica-b-'));

  beforeAll(async () => {
    tdb = await freshDatabase('postgres');
    second = await openDatabase({ kind: 'postgres', url: tdb.url!, poolMax: 5 });
    a = await createTestApp('postgres', { database: tdb.db, env: replicaEnv });
    b = await createTestApp('postgres', { database: second, env: replicaEnv, dataDir: bDir });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await second?.close();
    await tdb?.drop();
    fs.rmSync(bDir, { recursive: true, force: true });
  });

  const evaluate = (t: TestApp, pkg: string) =>
    t.request(`/api/v1/evaluate?package=${pkg}`, { headers: { 'X-LexAlign-Project': 'svc' } }).then((r) => r.json());

  it('a change accepted by one instance is used by the other', async () => {
    // Both started from the same starter document: one revision, no duplicate.
    const revisions = await tdb.db.em().execute<{ n: string }[]>(`select count(*) as n from registry_revision`);
    expect(Number(revisions[0].n)).toBe(1);
    const before = await evaluate(b, 'sketchy-lib');
    expect(before.verdict).not.toBe('DENIED');

    const res = await a.request('/api/v1/registry/proposals', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-LexAlign-Project': 'dashboard' },
      body: JSON.stringify({ name: 'sketchy-lib', status: 'banned', reason: 'Typosquat of a popular package.', rationale: 'Security incident 7' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).reload).toMatchObject({ created: true, revision: 2 });
    // The poll is off (LEXGATE_REGISTRY_SYNC_INTERVAL=0): B hears the NOTIFY.
    await expect.poll(() => b.services.registry.currentYaml()?.revision, { timeout: 5000, interval: 25 }).toBe(2);
    const after = await evaluate(b, 'sketchy-lib');
    expect(after).toMatchObject({ verdict: 'DENIED', registry_status: 'banned' });
    expect(after.reason).toMatch(/Typosquat/);
    // B's own data-directory file follows, so a proposal made on B edits what is live.
    expect(fs.readFileSync(path.join(bDir, 'registry.yml'), 'utf8')).toContain('sketchy-lib');
  });

  it('without NOTIFY, the revision poll picks the change up', async () => {
    await b.services.registry.stop(); // no LISTEN any more
    await a.request('/api/v1/registry/global-policies', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hard_ban_licenses: ['SSPL-1.0'], rationale: 'Ban SSPL' }),
    });
    expect(b.services.registry.currentYaml()?.revision).toBe(2);
    expect(await b.services.registry.syncFromDatabase()).toBe(3);
    expect(b.services.registry.current()?.globalPolicies.hardBanLicenses).toEqual(['SSPL-1.0']);
    expect(await b.services.registry.syncFromDatabase()).toBeNull();
  });

  it('an instance restarted with a stale data-directory file serves the newest revision', async () => {
    await b.close();
    // B was down while the others moved on: its file still holds revision 1.
    const first = await tdb.db.em().execute<{ yaml: string }[]>(`select yaml from registry_revision where revision = 1`);
    fs.writeFileSync(path.join(bDir, 'registry.yml'), first[0].yaml);
    b = await createTestApp('postgres', { database: second, env: replicaEnv, dataDir: bDir });
    expect(b.services.registry.currentYaml()?.revision).toBe(3);
    expect(fs.readFileSync(path.join(bDir, 'registry.yml'), 'utf8')).toContain('sketchy-lib');
    expect((await evaluate(b, 'sketchy-lib')).verdict).toBe('DENIED');
  });
});
