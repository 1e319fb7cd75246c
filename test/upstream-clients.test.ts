/**
 * Upstream clients (OSV, PyPI, npm) and the upstream cache, against the fake upstreams and a
 * real database of each kind: scoring through the client, pagination, failures that are
 * never cached, timeouts, cache lifetimes with a manual clock, single-flight, concurrency.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config';
import type { Database } from '../server/db/orm';
import { OsvClient } from '../server/modules/upstream/osv.client';
import { UpstreamCache } from '../server/modules/upstream/upstream-cache.service';
import { createUpstreams, unavailableReason, type UpstreamBundle } from '../server/modules/upstream/upstreams';
import type { MetadataClient, VulnerabilityClient } from '../server/modules/upstream/upstream.types';
import { ManualClock } from '../server/shared/clock';
import { createHttpClient } from '../server/shared/http-client';
import { createLogger, silentLogger } from '../server/shared/logger';
import { npmPackument, osvAdvisory, pypiDocument, startUpstreamFakes, type UpstreamFakes } from './fakes/upstream-fakes';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';

const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const HOUR = 3600 * 1000;

let fakes: UpstreamFakes;

beforeAll(async () => {
  fakes = await startUpstreamFakes();
});
afterAll(async () => {
  await fakes?.close();
});

describe.each(dbKinds())('upstream clients on %s', (kind) => {
  let tdb: TestDatabase;
  let clock: ManualClock;
  let up: UpstreamBundle;

  const build = (env: Record<string, string> = {}): UpstreamBundle =>
    createUpstreams({
      config: loadConfig({
        OSV_API_URL: fakes.osvQueryUrl,
        PYPI_API_URL: fakes.pypiApiUrl,
        NPM_REGISTRY_URL: fakes.npmRegistryUrl,
        OUTBOUND_TIMEOUT: '0.3',
        ...env,
      }),
      db: tdb.db,
      clock,
      logger: silentLogger,
    });
  const osv = (): VulnerabilityClient => up.vulnerabilities!;
  const pypi = (): MetadataClient => up.metadata.pypi!;
  const npm = (): MetadataClient => up.metadata.npm!;
  const rows = () =>
    tdb.db.em().execute<Array<{ key: string; source: string; fetched_at: Date; expires_at: Date }>>(
      'select key, source, fetched_at, expires_at from upstream_cache order by key',
    );

  beforeAll(async () => {
    tdb = await freshDatabase(kind);
  });
  afterAll(async () => {
    await tdb?.drop();
  });
  beforeEach(async () => {
    fakes.reset();
    await tdb.db.em().execute('delete from upstream_cache');
    clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
    up = build();
  });

  describe('OSV', () => {
    it('scores a critical GHSA from its CVSS 3.1 vector and merges the PYSEC record of the same CVE', async () => {
      const r = await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.maxCvss).toBe(9.8);
      expect(r.value.cveIds).toEqual(['CVE-2025-90001']);
      expect(r.value.advisories).toHaveLength(1);
      expect(r.value.advisories[0]).toMatchObject({
        id: 'CVE-2025-90001',
        ids: ['CVE-2025-90001', 'GHSA-v9fj-2m8w-q4cx', 'PYSEC-2025-901'],
        score: 9.8,
        scoreSource: 'cvss_v3',
        vector: V31_CRITICAL,
      });
      expect(r.value.maxAdvisory?.id).toBe('CVE-2025-90001');
      expect(fakes.requests).toEqual([
        {
          service: 'osv',
          method: 'POST',
          path: '/osv/v1/query',
          body: { package: { name: 'vulnpkg', ecosystem: 'PyPI' }, version: '1.0.0' },
        },
      ]);
    });

    it('finds nothing at the fixed version (an answer, not a failure)', async () => {
      const r = await osv().vulnerabilities('pypi', 'vulnpkg', '1.1.0');
      expect(r).toMatchObject({ ok: true, cached: false, value: { advisories: [], cveIds: [], maxCvss: null, maxAdvisory: null } });
    });

    it('scores CVSS 4.0 vectors, and GHSA labels when there is no vector', async () => {
      const v4 = await osv().vulnerabilities('pypi', 'v4pkg', '1.0.0');
      expect(v4.ok && v4.value.maxAdvisory).toMatchObject({ id: 'CVE-2025-90003', score: 9.3, scoreSource: 'cvss_v4' });
      const labels = await osv().vulnerabilities('pypi', 'labelpkg', '1.0.0');
      expect(labels.ok).toBe(true);
      if (!labels.ok) return;
      expect(labels.value.advisories.map((a) => [a.label, a.score, a.scoreSource])).toEqual([
        ['LOW', 0.1, 'ghsa_label'],
        ['MODERATE', 4, 'ghsa_label'],
        ['HIGH', 7, 'ghsa_label'],
        ['CRITICAL', 9, 'ghsa_label'],
      ]);
      expect(labels.value.maxCvss).toBe(9);
    });

    it('follows next_page_token: the highest score is on the second page', async () => {
      const r = await osv().vulnerabilities('pypi', 'pagedpkg', '1.0.0');
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.advisories.map((a) => a.score)).toEqual([7.5, 3.3, 5.9]); // CVE id sorts first
      expect(r.value.maxCvss).toBe(7.5);
      expect(r.value.maxAdvisory).toMatchObject({ id: 'CVE-2025-90005', scoreSource: 'cvss_v3', vector: expect.stringMatching(/^CVSS:3\.0\//) });
      expect(fakes.count('osv')).toBe(2);
      const second = fakes.requests[1].body as Record<string, unknown>;
      expect(typeof second.page_token).toBe('string');
      expect(second).toMatchObject({ package: { name: 'pagedpkg', ecosystem: 'PyPI' }, version: '1.0.0' });
    });

    it('skips withdrawn advisories', async () => {
      const r = await osv().vulnerabilities('pypi', 'withdrawnpkg', '1.0.0');
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value.cveIds).toEqual(['GHSA-m2vq-jh6c-48rf']);
      expect(r.value.maxCvss).toBe(4);
      expect(r.value.advisories.flatMap((a) => a.ids)).not.toContain('CVE-2025-90004');
    });

    it('queries npm with its OSV ecosystem name; lodash is critical at 4.17.15 and clean at 4.17.21', async () => {
      const old = await osv().vulnerabilities('npm', 'lodash', '4.17.15');
      expect(old.ok && old.value).toMatchObject({ cveIds: ['CVE-2025-90010'], maxCvss: 9.1 });
      const fixed = await osv().vulnerabilities('npm', 'lodash', '4.17.21');
      expect(fixed.ok && fixed.value).toMatchObject({ cveIds: [], maxCvss: null });
      expect(fakes.requests.map((q) => q.body)).toEqual([
        { package: { name: 'lodash', ecosystem: 'npm' }, version: '4.17.15' },
        { package: { name: 'lodash', ecosystem: 'npm' }, version: '4.17.21' },
      ]);
    });

    it('serves runtime fixtures made with the builders', async () => {
      fakes.setOsvVulns('pypi', 'MitPkg', '1.0.0', [
        osvAdvisory({ id: 'GHSA-test-0001', ecosystem: 'PyPI', name: 'mitpkg', versions: ['1.0.0'], vectors: [V31_CRITICAL] }),
      ]);
      const r = await osv().vulnerabilities('pypi', 'mitpkg', '1.0.0');
      expect(r.ok && r.value).toMatchObject({ cveIds: ['GHSA-test-0001'], maxCvss: 9.8 });
      // The record route answers by id, and 404s like OSV for an unknown id.
      const client = createHttpClient({ timeoutMs: 1000, concurrency: 1, logger: silentLogger });
      const byId = await client.getJson(`${fakes.baseUrl}/osv/v1/vulns/GHSA-v9fj-2m8w-q4cx`);
      expect(byId).toMatchObject({ ok: true, status: 200, json: { id: 'GHSA-v9fj-2m8w-q4cx', aliases: ['CVE-2025-90001'] } });
      expect(await client.getJson(`${fakes.baseUrl}/osv/v1/vulns/GHSA-none`)).toEqual({
        ok: true,
        status: 404,
        json: { code: 5, message: 'Bug not found.' },
      });
    });

    it('never queries without a version', async () => {
      const r = await osv().vulnerabilities('pypi', 'requests', ' ');
      expect(r).toEqual({ ok: false, reason: 'OSV is only queried for a concrete version, and none was given' });
      expect(fakes.count('osv')).toBe(0);
    });

    it('does not cache a 503: the next call after the outage reaches OSV and succeeds', async () => {
      fakes.setFault('osv', { kind: 'status', status: 503, times: 1 });
      const failed = await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      expect(failed.ok).toBe(false);
      if (!failed.ok) expect(failed.reason).toMatch(/^OSV at 127\.0\.0\.1:\d+ answered HTTP 503/);
      expect(await rows()).toEqual([]);
      const recovered = await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      expect(recovered).toMatchObject({ ok: true, cached: false, value: { maxCvss: 9.8 } });
      expect(fakes.count('osv')).toBe(2);
    });

    it('turns a hang into a timeout failure within OUTBOUND_TIMEOUT, and does not cache it', async () => {
      fakes.setFault('osv', { kind: 'hang' });
      const started = Date.now();
      const r = await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      const elapsed = Date.now() - started;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^OSV at 127\.0\.0\.1:\d+ timed out after 300 ms$/);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(1500);
      fakes.setFault('osv', null);
      expect(await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0')).toMatchObject({ ok: true, cached: false });
    });

    it('fails on bad JSON, and a PyPI failure is never read as "package not found"', async () => {
      fakes.setFault('osv', { kind: 'badjson' });
      const r = await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/answered invalid JSON \(HTTP 200/);
      fakes.setFault('pypi', { kind: 'badjson' });
      const m = await pypi().metadata('requests', null);
      expect(m.ok).toBe(false);
      fakes.setFault('pypi', { kind: 'status', status: 500 });
      expect((await pypi().metadata('requests', '2.31.0')).ok).toBe(false);
      fakes.setFault('npm', { kind: 'status', status: 429 });
      const n = await npm().metadata('express', null);
      expect(n.ok).toBe(false);
      if (!n.ok) expect(n.reason).toMatch(/^npm at 127\.0\.0\.1:\d+ answered HTTP 429 \(rate limited\)/);
      expect(await rows()).toEqual([]);
    });

    it('caches a success in memory and in PostgreSQL (a new cache instance reads the row)', async () => {
      const first = await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      const second = await osv().vulnerabilities('pypi', 'VulnPkg', '1.0.0'); // PEP 503: same key
      expect(first).toMatchObject({ ok: true, cached: false });
      expect(second).toMatchObject({ ok: true, cached: true, value: { maxCvss: 9.8 } });
      const stored = await rows();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ key: 'osv:v1:pypi:vulnpkg@1.0.0', source: 'osv' });
      expect(new Date(stored[0].expires_at).getTime() - new Date(stored[0].fetched_at).getTime()).toBe(6 * HOUR);

      const replica = build(); // another process: empty LRU, same table
      const third = await replica.vulnerabilities!.vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      expect(third).toMatchObject({ ok: true, cached: true, value: { maxCvss: 9.8, cveIds: ['CVE-2025-90001'] } });
      expect(fakes.count('osv')).toBe(1);
    });

    it('honours CVE_CACHE_TTL with the injected clock', async () => {
      await osv().vulnerabilities('pypi', 'mediumvuln', '2.0.0');
      clock.advance(6 * HOUR - 1000);
      expect(await osv().vulnerabilities('pypi', 'mediumvuln', '2.0.0')).toMatchObject({ ok: true, cached: true });
      expect(await build().vulnerabilities!.vulnerabilities('pypi', 'mediumvuln', '2.0.0')).toMatchObject({ cached: true });
      expect(fakes.count('osv')).toBe(1);
      clock.advance(2000);
      const refreshed = await osv().vulnerabilities('pypi', 'mediumvuln', '2.0.0');
      expect(refreshed).toMatchObject({ ok: true, cached: false, value: { maxCvss: 5.3 } });
      expect(fakes.count('osv')).toBe(2);
    });

    it('shares one upstream request among 50 concurrent identical calls', async () => {
      fakes.setFault('osv', { kind: 'latency', ms: 50 });
      const results = await Promise.all(Array.from({ length: 50 }, () => osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0')));
      expect(results.every((r) => r.ok && r.value.maxCvss === 9.8)).toBe(true);
      expect(fakes.count('osv')).toBe(1);
    });
  });

  describe('PyPI', () => {
    const licenses: Array<[string, string, string, string]> = [
      ['requests', 'Apache-2.0', 'license', '2.32.3'],
      ['httpx', 'BSD-3-Clause', 'license', '0.28.1'],
      ['cryptography', 'Apache-2.0 OR BSD-3-Clause', 'license_expression', '42.0.0'],
      ['pyqt5', 'GPL-3.0-only', 'license', '5.15.11'],
      ['mitpkg', 'MIT', 'license', '1.0.0'],
      ['gplpkg', 'GPL-3.0-only', 'license_expression', '1.2.0'],
      ['lgplpkg', 'LGPL-2.1-only', 'license', '2.1.0'],
      ['lgplv2plus', 'LGPL-2.0-or-later', 'license', '0.9.0'],
      ['dualpkg', 'MIT OR Apache-2.0', 'license_expression', '3.0.0'],
      ['bsdclassifier', 'BSD-3-Clause OR BSD-2-Clause', 'classifier', '1.4.0'],
      ['Zope_Interface', 'ZPL-2.1', 'license', '7.2'],
    ];
    it.each(licenses)('%s: license %s from %s, latest %s', async (name, normalized, source, latest) => {
      const r = await pypi().metadata(name, null);
      expect(r.ok && r.value).toMatchObject({
        ecosystem: 'pypi',
        exists: true,
        version: latest,
        versionExists: true,
        latestVersion: latest,
        license: { normalized, expression: normalized, source, unknownReason: null },
      });
      expect(fakes.requests.map((q) => q.path)).toEqual([`/pypi/${name}/json`]);
    });

    it('reports why a package without a license is UNKNOWN', async () => {
      const r = await pypi().metadata('nolicense', null);
      expect(r.ok && r.value.license).toEqual({
        raw: null,
        source: 'none',
        expression: null,
        normalized: 'UNKNOWN',
        unknownReason: 'no license published (no license_expression, license or License :: classifier)',
      });
    });

    it('computes the latest version: pre-releases and yanked releases do not count unless nothing else exists', async () => {
      expect(await pypi().metadata('cryptography', null)).toMatchObject({ ok: true, value: { latestVersion: '42.0.0' } });
      expect(await pypi().metadata('yankedpkg', null)).toMatchObject({ ok: true, value: { latestVersion: '1.5.0' } });
      expect(await pypi().metadata('preonly', null)).toMatchObject({ ok: true, value: { latestVersion: '2.0.0b2' } });
      const rc = await pypi().metadata('cryptography', '43.0.0rc1');
      expect(rc.ok && rc.value).toMatchObject({ version: '43.0.0rc1', versionExists: true, latestVersion: '42.0.0' });
    });

    it('takes the latest release\'s own license when `info` describes another release', async () => {
      fakes.setPypiPackage(
        pypiDocument({ name: 'stale-info', versions: ['1.0.0', '1.1.0'], infoVersion: '1.0.0', license: 'GPL-3.0-only', perVersion: { '1.1.0': { license: 'MIT' } } }),
      );
      const r = await pypi().metadata('stale-info', null);
      expect(r.ok && r.value).toMatchObject({ version: '1.1.0', latestVersion: '1.1.0', license: { normalized: 'MIT' } });
      expect(fakes.requests.map((q) => q.path)).toEqual(['/pypi/stale-info/json', '/pypi/stale-info/1.1.0/json']);
    });

    it('reads the license of the requested release, not of the latest', async () => {
      const old = await pypi().metadata('relicensed', '1.0.0');
      expect(old.ok && old.value).toMatchObject({ version: '1.0.0', versionExists: true, latestVersion: '2.0.0', license: { normalized: 'GPL-3.0-only' } });
      const latest = await pypi().metadata('relicensed', null);
      expect(latest.ok && latest.value).toMatchObject({ version: '2.0.0', license: { normalized: 'MIT' } });
    });

    it('answers exists:false for a 404 and keeps that only for the latest-version TTL', async () => {
      const r = await pypi().metadata('does-not-exist', null);
      expect(r).toMatchObject({
        ok: true,
        cached: false,
        value: { exists: false, version: null, versionExists: false, latestVersion: null, license: { normalized: 'UNKNOWN', unknownReason: 'package not found on PyPI' } },
      });
      expect(await pypi().metadata('does-not-exist', null)).toMatchObject({ ok: true, cached: true, value: { exists: false } });
      const versioned = await pypi().metadata('does-not-exist', '1.0');
      expect(versioned.ok && versioned.value).toMatchObject({ exists: false, versionExists: false });
      expect(fakes.count('pypi', '/pypi/does-not-exist/json')).toBe(1);
      clock.advance(HOUR + 1000);
      fakes.setPypiPackage(pypiDocument({ name: 'does-not-exist', versions: ['0.1.0'], license: 'MIT' }));
      expect(await pypi().metadata('does-not-exist', null)).toMatchObject({ ok: true, value: { exists: true, latestVersion: '0.1.0' } });
    });

    it('tells a missing version from a missing package, and finds 42 as 42.0.0', async () => {
      const r = await pypi().metadata('requests', '9.9.9');
      expect(r.ok && r.value).toMatchObject({
        exists: true,
        name: 'requests',
        version: '9.9.9',
        versionExists: false,
        latestVersion: '2.32.3',
        license: { normalized: 'UNKNOWN', unknownReason: 'version 9.9.9 of requests is not published on PyPI' },
      });
      const short = await pypi().metadata('cryptography', '42');
      expect(short.ok && short.value).toMatchObject({ version: '42.0.0', versionExists: true, license: { normalized: 'Apache-2.0 OR BSD-3-Clause' } });
    });

    it('keeps per-version licenses for LICENSE_CACHE_TTL while the latest version expires after its short TTL', async () => {
      await pypi().metadata('relicensed', '1.0.0');
      await pypi().metadata('relicensed', null);
      expect(fakes.count('pypi', '/pypi/relicensed/json')).toBe(1);
      expect(fakes.count('pypi', '/pypi/relicensed/1.0.0/json')).toBe(1);
      const stored = await rows();
      const ttl = (key: string) => {
        const row = stored.find((s) => s.key === key)!;
        return new Date(row.expires_at).getTime() - new Date(row.fetched_at).getTime();
      };
      expect(ttl('pypi:v1:project:relicensed')).toBe(HOUR);
      expect(ttl('pypi:v1:release:relicensed@1.0.0')).toBe(7 * 24 * HOUR);

      // A new release is published; an hour later "latest" sees it, the old release is still cached.
      const doc = pypiDocument({ name: 'relicensed', versions: ['1.0.0', '2.0.0', '3.0.0'], license_expression: 'Apache-2.0' });
      fakes.setPypiPackage(doc);
      clock.advance(HOUR + 1000);
      const latest = await pypi().metadata('relicensed', null);
      expect(latest.ok && latest.value).toMatchObject({ latestVersion: '3.0.0', license: { normalized: 'Apache-2.0' } });
      const old = await pypi().metadata('relicensed', '1.0.0');
      expect(old).toMatchObject({ ok: true, cached: true, value: { latestVersion: '3.0.0', license: { normalized: 'GPL-3.0-only' } } });
      expect(fakes.count('pypi', '/pypi/relicensed/json')).toBe(2);
      expect(fakes.count('pypi', '/pypi/relicensed/1.0.0/json')).toBe(1);
    });

    it('shares one request among 50 concurrent lookups of the same package', async () => {
      fakes.setFault('pypi', { kind: 'latency', ms: 50 });
      const results = await Promise.all(Array.from({ length: 50 }, () => pypi().metadata('requests', null)));
      expect(results.every((r) => r.ok && r.value.latestVersion === '2.32.3')).toBe(true);
      expect(fakes.count('pypi')).toBe(1);
    });

    it('answers 404 like PyPI', async () => {
      const client = createHttpClient({ timeoutMs: 1000, concurrency: 1, logger: silentLogger });
      expect(await client.getJson(`${fakes.pypiApiUrl}/nope/json`)).toEqual({ ok: true, status: 404, json: { message: 'Not Found' } });
      expect(await client.getJson(`${fakes.pypiApiUrl}/requests/0.0.1/json`)).toEqual({ ok: true, status: 404, json: { message: 'Not Found' } });
    });
  });

  describe('npm', () => {
    it('encodes scoped names as @scope%2fname', async () => {
      const r = await npm().metadata('@types/node', null);
      expect(r.ok && r.value).toMatchObject({
        ecosystem: 'npm',
        name: '@types/node',
        exists: true,
        version: '22.10.2',
        latestVersion: '22.10.2',
        license: { normalized: 'MIT', source: 'npm_license' },
      });
      expect(fakes.requests.map((q) => q.path)).toEqual(['/npm/@types%2fnode']);
    });

    it('reads UNLICENSED as UNKNOWN with its reason (never as the Unlicense)', async () => {
      const r = await npm().metadata('@acme/secret', '1.0.0');
      expect(r.ok && r.value.license).toEqual({
        raw: 'UNLICENSED',
        source: 'npm_license',
        expression: null,
        normalized: 'UNKNOWN',
        unknownReason: 'UNLICENSED: proprietary, all rights reserved',
      });
    });

    const cases: Array<[string, string | null, string, string | null]> = [
      ['left-pad', null, 'WTFPL', '1.3.0'],
      ['express', null, 'MIT', '4.21.2'], // dist-tags.latest, not the newer 5.0.0-beta.1
      ['gpl-npm', null, 'GPL-3.0-only', '1.0.0'],
      ['legacy-licenses', null, 'MIT OR Apache-2.0', '0.3.0'], // legacy `licenses` array
      ['legacy-licenses', '0.2.0', 'ISC', '0.3.0'], // legacy `license: {type}` object
      ['no-dist-tags', null, 'ISC', '1.2.0'], // highest release by semver
      ['lodash', 'v4.17.15', 'MIT', '4.17.21'], // semver spelling resolved to the published one
    ];
    it.each(cases)('%s@%s: %s, latest %s', async (name, version, normalized, latest) => {
      const r = await npm().metadata(name, version);
      expect(r.ok && r.value).toMatchObject({ exists: true, versionExists: true, latestVersion: latest, license: { normalized } });
    });

    it('reports SEE LICENSE IN as UNKNOWN with its reason', async () => {
      const r = await npm().metadata('see-license', null);
      expect(r.ok && r.value.license).toMatchObject({
        normalized: 'UNKNOWN',
        unknownReason: 'SEE LICENSE IN LICENSE.md: the license is a file in the package, not an SPDX expression',
      });
    });

    it('answers exists:false for a 404 and versionExists:false for an unpublished version', async () => {
      const missing = await npm().metadata('@acme/nothing-here', null);
      expect(missing.ok && missing.value).toMatchObject({ exists: false, license: { unknownReason: 'package not found on npm' } });
      expect(fakes.requests.map((q) => q.path)).toEqual(['/npm/@acme%2fnothing-here']);
      const v = await npm().metadata('lodash', '9.9.9');
      expect(v.ok && v.value).toMatchObject({ exists: true, version: '9.9.9', versionExists: false, latestVersion: '4.17.21' });
      const client = createHttpClient({ timeoutMs: 1000, concurrency: 1, logger: silentLogger });
      expect(await client.getJson(`${fakes.npmRegistryUrl}/nope`)).toEqual({ ok: true, status: 404, json: { error: 'Not found' } });
      expect(await client.getJson(`${fakes.npmRegistryUrl}/@types/node`)).toMatchObject({ ok: true, status: 200, json: { name: '@types/node' } });
    });

    it('fetches one packument for a version and the latest, and refreshes only the latest after its TTL', async () => {
      const old = await npm().metadata('express', '4.18.2');
      expect(old.ok && old.value).toMatchObject({ version: '4.18.2', latestVersion: '4.21.2' });
      expect(await npm().metadata('express', null)).toMatchObject({ ok: true, cached: true });
      expect(fakes.count('npm')).toBe(1);

      fakes.setNpmPackage(
        npmPackument({ name: 'express', versions: { '4.18.2': { license: 'MIT' }, '4.21.2': { license: 'MIT' }, '5.1.0': { license: 'MIT' } } }),
      );
      clock.advance(HOUR + 1000);
      const again = await npm().metadata('express', '4.18.2');
      expect(again).toMatchObject({ ok: true, cached: true, value: { version: '4.18.2', latestVersion: '5.1.0' } });
      expect(fakes.count('npm')).toBe(2);
      clock.advance(7 * 24 * HOUR);
      expect(await npm().metadata('express', '4.18.2')).toMatchObject({ ok: true, cached: false });
    });

    it('shares one packument download among 50 concurrent lookups', async () => {
      fakes.setFault('npm', { kind: 'latency', ms: 50 });
      const results = await Promise.all(Array.from({ length: 50 }, () => npm().metadata('lodash', '4.17.15')));
      expect(results.every((r) => r.ok && r.value.latestVersion === '4.17.21')).toBe(true);
      expect(fakes.count('npm')).toBe(1);
    });
  });

  describe('wiring, bounds and the cache', () => {
    it('keeps at most LEXGATE_OUTBOUND_CONCURRENCY requests in flight', async () => {
      up = build({ LEXGATE_OUTBOUND_CONCURRENCY: '3', OUTBOUND_TIMEOUT: '5' });
      fakes.setFault('pypi', { kind: 'latency', ms: 80 });
      const names = ['requests', 'httpx', 'cryptography', 'pyqt5', 'mitpkg', 'gplpkg', 'lgplpkg', 'nolicense', 'dualpkg', 'bsdclassifier', 'vulnpkg', 'mediumvuln'];
      const results = await Promise.all(names.map((n) => pypi().metadata(n, null)));
      expect(results.every((r) => r.ok && r.value.exists)).toBe(true);
      expect(fakes.count('pypi')).toBe(names.length);
      expect(fakes.maxInFlight('pypi')).toBe(3);
    });

    it('leaves an unconfigured upstream null, with the setting to name', () => {
      const bare = createUpstreams({ config: loadConfig({}), db: tdb.db, clock, logger: silentLogger });
      expect(bare.vulnerabilities).toBeNull();
      expect(bare.metadata).toEqual({ pypi: null, npm: null });
      expect(unavailableReason('osv')).toBe('OSV_API_URL is not configured');
      expect(unavailableReason('npm')).toBe('NPM_REGISTRY_URL is not configured');
    });

    it('purges expired rows', async () => {
      await osv().vulnerabilities('pypi', 'vulnpkg', '1.0.0'); // 6 h
      await pypi().metadata('mitpkg', '1.0.0'); // release 7 d, project 1 h
      expect((await rows()).map((r) => r.key)).toEqual([
        'osv:v1:pypi:vulnpkg@1.0.0',
        'pypi:v1:project:mitpkg',
        'pypi:v1:release:mitpkg@1.0.0',
      ]);
      clock.advance(6 * HOUR);
      expect(await up.cache.purgeExpired()).toBe(2);
      expect((await rows()).map((r) => r.key)).toEqual(['pypi:v1:release:mitpkg@1.0.0']);
    });

    it('stores values that contain SQL-looking text intact', async () => {
      const value = { text: "it's ? and ?? and $1 and \\ and 'quoted'", n: [1, null, 'x'] };
      await up.cache.getOrFetch('test:odd', 'test', 60, async () => ({ ok: true, value, cached: false }));
      up.cache.clearMemory();
      expect(await up.cache.get('test:odd')).toMatchObject({ value });
    });

    it('works without its database: errors are warnings, answers still flow', async () => {
      const dead = await freshDatabase(kind);
      const deadDb: Database = dead.db;
      await dead.drop();
      const lines: string[] = [];
      const logger = createLogger('warn', (l) => lines.push(l));
      const cache = new UpstreamCache({ db: deadDb, clock, logger });
      const client = new OsvClient({
        queryUrl: fakes.osvQueryUrl,
        http: createHttpClient({ timeoutMs: 1000, concurrency: 2, logger }),
        cache,
        ttlSeconds: 60,
      });
      const r = await client.vulnerabilities('pypi', 'vulnpkg', '1.0.0');
      expect(r).toMatchObject({ ok: true, cached: false, value: { maxCvss: 9.8 } });
      const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(messages).toContain('upstream cache read failed; continuing without the cache');
      expect(messages).toContain('upstream cache write failed; the answer is used but not shared');
      expect(await cache.purgeExpired()).toBe(0);
    });
  });
});
