/**
 * The background CVE re-scan (SPEC §7) on both databases, with a fake clock
 * driving the scheduler and OSV / PyPI served by the local fakes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config';
import { openDatabase, type Database } from '../server/database';
import type { OsvRecord } from '../server/modules/evaluation/policy/osv';
import { createUpstreams } from '../server/modules/upstream/upstreams';
import { ManualClock } from '../server/shared/clock';
import { silentLogger } from '../server/shared/logger';
import { startUpstreamFakes, type PypiDocument, type UpstreamFakes } from './fakes/upstream-fakes';
import { dbKinds, freshDatabase, type DbKind, type TestDatabase } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `version: "scan-1"
global_policies:
  auto_approve_licenses: [MIT]
  cve_threshold: 0.9
packages:
  ScanPkg:
    status: preferred
  cleanpkg:
    status: approved
  pinnedpkg:
    status: version-constrained
    max_version: "2.0"
  gonepkg:
    status: banned
`;

const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'; // 7.5

function advisory(id: string, name: string, vector: string): OsvRecord {
  return {
    id,
    modified: '2026-04-01T00:00:00Z',
    aliases: [],
    summary: `test advisory for ${name}`,
    severity: [{ type: 'CVSS_V3', score: vector }],
    affected: [{ package: { ecosystem: 'PyPI', name } }],
  } as OsvRecord;
}

function pypiPackage(name: string, versions: string[]): PypiDocument {
  const latest = versions[versions.length - 1];
  return {
    info: { name, version: latest, license: 'MIT', classifiers: [] },
    releases: Object.fromEntries(
      versions.map((v) => [v, [{ filename: `${name}-${v}-py3-none-any.whl`, packagetype: 'bdist_wheel', yanked: false, upload_time_iso_8601: '2026-01-01T00:00:00Z' }]]),
    ),
  };
}

const HOUR = 3_600_000;

interface Env {
  fakes: UpstreamFakes;
  dir: string;
  registryPath: string;
  env: Record<string, string>;
}

async function makeEnv(): Promise<Env> {
  const fakes = await startUpstreamFakes();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-rescan-'));
  const registryPath = path.join(dir, 'registry.yml');
  fs.writeFileSync(registryPath, REGISTRY);
  return {
    fakes,
    dir,
    registryPath,
    env: {
      REGISTRY_PATH: registryPath,
      OSV_API_URL: fakes.osvQueryUrl,
      PYPI_API_URL: fakes.pypiApiUrl,
      NPM_REGISTRY_URL: fakes.npmRegistryUrl,
      OUTBOUND_TIMEOUT: '2',
      // Shorter than the interval, so every tick asks OSV again.
      CVE_CACHE_TTL: '600',
      LEXGATE_LATEST_VERSION_TTL: '600',
    },
  };
}

function seedFakes(fakes: UpstreamFakes): void {
  fakes.reset();
  fakes.setPypiPackage(pypiPackage('ScanPkg', ['1.0.0']));
  fakes.setPypiPackage(pypiPackage('cleanpkg', ['3.1.0']));
  fakes.setPypiPackage(pypiPackage('pinnedpkg', ['1.8', '1.9', '2.5']));
  fakes.setOsvVulns('PyPI', 'scanpkg', '1.0.0', [advisory('GHSA-scan-0001-crit', 'scanpkg', CRITICAL)]);
  fakes.setOsvVulns('PyPI', 'cleanpkg', '3.1.0', []);
  fakes.setOsvVulns('PyPI', 'pinnedpkg', '1.9', [advisory('GHSA-pin1-0001-high', 'pinnedpkg', HIGH)]);
  fakes.setOsvVulns('PyPI', 'pinnedpkg', '2.5', [advisory('GHSA-pin2-0001-crit', 'pinnedpkg', CRITICAL)]);
}

async function app(kind: DbKind, e: Env, clock: ManualClock, db: Database, interval: string): Promise<TestApp> {
  const env = { ...e.env, LEXALIGN_CVE_SCAN_INTERVAL_HOURS: interval };
  const config = loadConfig({ ...env, LEXGATE_DATA_DIR: e.dir });
  const upstreams = createUpstreams({ config, db, clock, logger: silentLogger });
  return createTestApp(kind, { env, clock, database: db, upstreams });
}

async function alertRows(t: TestApp) {
  const rows = await t.db.em().execute<Record<string, any>[]>(
    `select package, normalized_name, version, project, requester, array_to_json(cve_ids) as cve_ids, max_cvss, registry_status, verdict, denial_category, details
     from audit_log where kind = 'CVE_ALERT' order by seq`,
  );
  return rows.map((r): Record<string, any> => ({ ...r, cve_ids: typeof r.cve_ids === 'string' ? JSON.parse(r.cve_ids) : r.cve_ids }));
}

describe.each(dbKinds())('CVE re-scan on %s', (kind) => {
  let e: Env;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    e = await makeEnv();
  });
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  afterAll(async () => {
    await e.fakes.close();
    fs.rmSync(e.dir, { recursive: true, force: true });
  });

  async function fresh(): Promise<TestDatabase> {
    const tdb = await freshDatabase(kind);
    cleanup.push(() => tdb.drop());
    return tdb;
  }

  it('interval 0 starts nothing', async () => {
    seedFakes(e.fakes);
    const clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
    const tdb = await fresh();
    const t = await app(kind, e, clock, tdb.db, '0');
    cleanup.push(() => t.close());
    expect(t.services.rescanScheduler.active).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(1000 * HOUR);
    await t.services.rescanScheduler.idle();
    expect(await alertRows(t)).toEqual([]);
    expect(e.fakes.count('osv')).toBe(0);
    const health = await (await t.request('/api/v1/health')).json();
    expect(health.cve_rescan).toEqual({ enabled: false, interval_hours: 0, running: false, last_tick_at: null, packages_scanned: null, alerts_written: null });
  });

  it('alerts once per new advisory set over the threshold, at the newest allowed version, never touching the registry', async () => {
    seedFakes(e.fakes);
    const start = new Date('2026-05-01T00:00:00Z');
    const clock = new ManualClock(start);
    const tdb = await fresh();
    const t = await app(kind, e, clock, tdb.db, '0.5');
    cleanup.push(() => t.close());
    const registryBefore = t.services.registry.current();
    const fileBefore = fs.readFileSync(e.registryPath, 'utf8');

    // The first tick comes one interval after start, not at boot.
    clock.advance(0.5 * HOUR - 1);
    await t.services.rescanScheduler.idle();
    expect(e.fakes.count('osv')).toBe(0);
    clock.advance(1);
    await t.services.rescanScheduler.idle();

    const first = await alertRows(t);
    expect(first).toEqual([
      expect.objectContaining({
        package: 'ScanPkg',
        normalized_name: 'scanpkg',
        version: '1.0.0',
        project: null,
        requester: 'cve-scanner',
        cve_ids: ['GHSA-scan-0001-crit'],
        max_cvss: 9.8,
        registry_status: 'preferred',
        verdict: 'CVE_ALERT',
        denial_category: 'cve_alert',
      }),
    ]);
    // pinnedpkg was scanned at 1.9 (the newest below max_version 2.0), whose advisory is below the
    // threshold; the critical one of 2.5 is not its business. The banned package is not scanned.
    const osvBodies = e.fakes.requests.filter((r) => r.service === 'osv').map((r) => r.body as { package: { name: string }; version: string });
    expect(osvBodies.map((b) => `${b.package.name}@${b.version}`).sort()).toEqual(['ScanPkg@1.0.0', 'cleanpkg@3.1.0', 'pinnedpkg@1.9']);
    const status1 = await t.services.rescan.status();
    expect(status1).toMatchObject({ enabled: true, intervalHours: 0.5, packagesScanned: 3, alertsWritten: 1, failures: 0, lastTrigger: 'schedule' });
    expect(status1.lastTickAt?.toISOString()).toBe(new Date(start.getTime() + 0.5 * HOUR).toISOString());

    // The tick warmed the cache the evaluate path reads.
    e.fakes.clearRequests();
    const ev = await t.request('/api/v1/evaluate?package=scanpkg&version=1.0.0', { headers: { 'X-LexAlign-Project': 'demo' } });
    expect((await ev.json()).verdict).toBe('DENIED');
    expect(e.fakes.count('osv')).toBe(0);

    // Next tick, same advisories: nothing new (the cache has expired, OSV is asked again).
    clock.advance(0.5 * HOUR);
    await t.services.rescanScheduler.idle();
    expect(e.fakes.count('osv')).toBe(3);
    expect(await alertRows(t)).toHaveLength(1);
    expect(await t.services.rescan.status()).toMatchObject({ packagesScanned: 3, alertsWritten: 0 });

    // A new critical advisory: one more alert, carrying the whole set and naming the new id.
    e.fakes.setOsvVulns('PyPI', 'scanpkg', '1.0.0', [advisory('GHSA-scan-0001-crit', 'scanpkg', CRITICAL), advisory('GHSA-scan-0002-crit', 'scanpkg', CRITICAL)]);
    clock.advance(0.5 * HOUR);
    await t.services.rescanScheduler.idle();
    const third = await alertRows(t);
    expect(third).toHaveLength(2);
    expect(third[1]).toMatchObject({ package: 'ScanPkg', cve_ids: ['GHSA-scan-0001-crit', 'GHSA-scan-0002-crit'], max_cvss: 9.8 });
    expect((third[1].details as { newIds: string[] }).newIds).toEqual(['GHSA-scan-0002-crit']);

    // Alert-only.
    expect(t.services.registry.current()).toBe(registryBefore);
    expect(fs.readFileSync(e.registryPath, 'utf8')).toBe(fileBefore);

    // Visible in the security report (every project's), health and GraphQL.
    const sec = await (await t.request('/api/v1/reports/security?project=demo')).json();
    expect(sec.cve_alerts.map((a: { cve_ids: string[] }) => a.cve_ids)).toEqual([['GHSA-scan-0001-crit', 'GHSA-scan-0002-crit'], ['GHSA-scan-0001-crit']]);
    expect(sec.total_denials).toBe(1);
    const health = await (await t.request('/api/v1/health')).json();
    expect(health.cve_rescan).toMatchObject({ enabled: true, interval_hours: 0.5, packages_scanned: 3, alerts_written: 1, last_tick_at: new Date(start.getTime() + 1.5 * HOUR).toISOString() });
    const gql = await t.graphql('{ rescanStatus { enabled lastTickAt packagesScanned alertsWritten lastTrigger } health { cveRescan { alertsWritten } } }');
    expect(gql.data).toEqual({
      rescanStatus: { enabled: true, lastTickAt: new Date(start.getTime() + 1.5 * HOUR).toISOString(), packagesScanned: 3, alertsWritten: 1, lastTrigger: 'schedule' },
      health: { cveRescan: { alertsWritten: 1 } },
    });
    const verify = await t.graphql('{ verifyAuditChain { ok } }');
    expect(verify.data.verifyAuditChain.ok).toBe(true);
  });

  it('runRescan ticks now; an upstream failure is reported, not read as clean', async () => {
    seedFakes(e.fakes);
    const clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
    const tdb = await fresh();
    const t = await app(kind, e, clock, tdb.db, '24');
    cleanup.push(() => t.close());
    e.fakes.setFault('osv', { kind: 'status', status: 503, times: 1 });
    const res = await t.graphql(`mutation { runRescan { __typename ... on MutationRunRescanSuccess { data {
      ran trigger packagesScanned alertsWritten alerts { package version cveIds newIds maxCvss registryStatus } failures { package reason } } } } }`);
    expect(res.errors).toBeUndefined();
    const tick = res.data.runRescan.data;
    expect(tick).toMatchObject({ ran: true, trigger: 'manual', packagesScanned: 2 });
    expect(tick.failures).toHaveLength(1);
    expect(tick.failures[0].reason).toMatch(/503/);
    // Whichever package the outage hit was not alerted; the next manual tick catches up.
    const again = await t.graphql('mutation { runRescan { ... on MutationRunRescanSuccess { data { packagesScanned failures { package } } } } }');
    expect(again.data.runRescan.data).toEqual({ packagesScanned: 3, failures: [] });
    const all = await alertRows(t);
    expect(all.filter((a) => a.package === 'ScanPkg')).toHaveLength(1);
  });

  it('two instances on one database never tick together', async () => {
    seedFakes(e.fakes);
    const clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
    const tdb = await fresh();
    let secondDb: Database = tdb.db;
    if (kind === 'postgres') {
      secondDb = await openDatabase({ kind: 'postgres', url: tdb.url!, poolMax: 5 });
      cleanup.push(() => secondDb.close());
    }
    const a = await app(kind, e, clock, tdb.db, '1');
    cleanup.push(() => a.close());
    const b = await app(kind, e, clock, secondDb, '1');
    cleanup.push(() => b.close());
    e.fakes.setFault('osv', { kind: 'latency', ms: 150 });
    // Both schedulers fire at the same instant.
    clock.advance(HOUR);
    await Promise.all([a.services.rescanScheduler.idle(), b.services.rescanScheduler.idle()]);
    e.fakes.setFault('osv', null);
    const alerts = await alertRows(a);
    expect(alerts).toHaveLength(1);
    expect(e.fakes.count('osv')).toBe(3);
    const [ra, rb] = await Promise.all([a.services.rescan.tick('manual'), b.services.rescan.tick('manual')]);
    // Ticks that do overlap: one runs, the other skips with the reason.
    const ran = [ra, rb].filter((r) => r.ran);
    const skipped = [ra, rb].filter((r) => !r.ran);
    expect(ran.length + skipped.length).toBe(2);
    expect(ran.length).toBeGreaterThanOrEqual(1);
    for (const s of skipped) expect(s.skippedReason).toMatch(/another replica holds the re-scan lock/);
    expect(await alertRows(a)).toHaveLength(1);
  });

  it('stop waits for a running tick and leaves no timer behind', async () => {
    seedFakes(e.fakes);
    const clock = new ManualClock(new Date('2026-05-01T00:00:00Z'));
    const tdb = await fresh();
    const t = await app(kind, e, clock, tdb.db, '2');
    cleanup.push(() => t.close());
    e.fakes.setFault('osv', { kind: 'latency', ms: 100 });
    clock.advance(2 * HOUR);
    expect(t.services.rescan.isRunning()).toBe(true);
    await t.services.stop();
    e.fakes.setFault('osv', null);
    expect(t.services.rescan.isRunning()).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    // It stopped after the package in flight: at most one package was scanned.
    const status = await t.services.rescan.status();
    expect(status.packagesScanned).toBeLessThanOrEqual(1);
    clock.advance(10 * HOUR);
    expect(t.services.rescan.isRunning()).toBe(false);
  });
});
