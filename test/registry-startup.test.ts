/**
 * Start-up with a registry file that fails validation: the newest stored
 * revision stays live (its rules are enforced), health names the refusal, and
 * with no stored revision to fall back to, start-up fails naming the problem.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const GOOD = `version: "2026.4"
global_policies:
  auto_approve_licenses: [MIT]
  unknown_license_policy: pending_approval
  cve_threshold: 0.9
packages:
  pycrypto:
    status: banned
    reason: Unmaintained; use cryptography.
  left-pad:
    status: preferred
`;
// A deprecated rule without its replacement: refused by validation (line 3).
const BROKEN = `version: "2026.5"
packages:
  pycrypto:
    status: deprecated
`;

const QUIET = { LEXGATE_REGISTRY_WATCH: 'false', REGISTRY_RELOAD_INTERVAL: '0', LEXGATE_REGISTRY_SYNC_INTERVAL: '0' };

describe.each(dbKinds())('start-up with an invalid registry file on %s', (kind) => {
  let tdb: TestDatabase;
  let dir: string;
  let file: string;
  const opened: TestApp[] = [];
  const start = () => createTestApp(kind, { database: tdb.db, env: { ...QUIET, REGISTRY_PATH: file } }).then((t) => (opened.push(t), t));

  beforeAll(async () => {
    tdb = await freshDatabase(kind);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-regstart-'));
    file = path.join(dir, 'registry.yml');
  });
  afterEach(async () => {
    for (const t of opened.splice(0)) await t.close();
  });
  afterAll(async () => {
    await tdb?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails to start, naming the problem, when no revision is stored to fall back to', async () => {
    fs.writeFileSync(file, BROKEN);
    await expect(start()).rejects.toThrow(/packages\.pycrypto\.replacement/);
  });

  it('serves the newest stored revision, and says so in health, when the file is refused', async () => {
    fs.writeFileSync(file, GOOD);
    const first = await start();
    expect((await (await first.request('/api/v1/health')).json()).registry_version).toBe('2026.4');
    await first.close();
    opened.length = 0;

    fs.writeFileSync(file, BROKEN);
    const t = await start();
    const health = await (await t.request('/api/v1/health')).json();
    expect(health).toMatchObject({ registry_loaded: true, registry_version: '2026.4' });
    expect(health.registry_last_reload_error).toMatch(/packages\.pycrypto\.replacement/);
    const live = await (await t.request('/api/v1/registry')).json();
    expect(live.version).toBe('2026.4');
    expect(Object.keys(live.packages).sort()).toEqual(['left-pad', 'pycrypto']);
    // The stored rules are enforced: the ban stands (the refused file would have made it a deprecation).
    const ev = await (await t.request('/api/v1/evaluate?package=pycrypto&version=2.6.1', { headers: { 'X-LexAlign-Project': 'svc' } })).json();
    expect(ev).toMatchObject({ verdict: 'DENIED', registry_status: 'banned' });
    expect(ev.reason).toMatch(/Unmaintained/);
  });
});
