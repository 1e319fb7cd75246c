/**
 * The OSV client never reads a failure as "no vulnerabilities": a 404 with a
 * JSON body, a result with more pages than the bound, a server that repeats a
 * page token, and a failure on the second page are all failures, none cached.
 * OSV here is a scripted loopback server: each test says exactly what each
 * request is answered with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/config';
import { createUpstreams } from '../server/modules/upstream/upstreams';
import type { VulnerabilityClient } from '../server/modules/upstream/upstream.types';
import { ManualClock } from '../server/shared/clock';
import { silentLogger } from '../server/shared/logger';
import { osvAdvisory } from './fakes/upstream-fakes';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';

const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

type Answer = { status: number; body: unknown };
/** What the n-th request (0-based) of the current test is answered with. */
let script: (n: number, body: Record<string, unknown>) => Answer = () => ({ status: 200, body: {} });
const received: Record<string, unknown>[] = [];
let server: http.Server;
let url = '';

const advisory = (i: number) => osvAdvisory({ id: `GHSA-page-${String(i).padStart(4, '0')}`, ecosystem: 'PyPI', name: 'pagedpkg', versions: ['1.0.0'], vectors: [V31_CRITICAL] });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const a = script(received.length, body);
      received.push(body);
      const text = JSON.stringify(a.body);
      res.writeHead(a.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/query`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

describe.each(dbKinds())('OSV failures on %s', (kind) => {
  let tdb: TestDatabase;
  let osv: VulnerabilityClient;
  const cached = async () => (await tdb.db.em().execute<{ n: number }[]>(`select count(*)::int as n from upstream_cache`))[0].n;

  beforeAll(async () => {
    tdb = await freshDatabase(kind);
  });
  afterAll(async () => {
    await tdb?.drop();
  });
  beforeEach(async () => {
    received.length = 0;
    await tdb.db.em().execute('delete from upstream_cache');
    const config = loadConfig({ OSV_API_URL: url, OUTBOUND_TIMEOUT: '5' });
    osv = createUpstreams({ config, db: tdb.db, clock: new ManualClock(), logger: silentLogger }).vulnerabilities!;
  });

  it('reads two pages as one result (the baseline the failures below depart from)', async () => {
    script = (n) => (n === 0 ? { status: 200, body: { vulns: [advisory(1)], next_page_token: 'p2' } } : { status: 200, body: { vulns: [advisory(2)] } });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r).toMatchObject({ ok: true, value: { cveIds: ['GHSA-page-0001', 'GHSA-page-0002'], maxCvss: 9.8 } });
    expect(received.map((b) => b.page_token)).toEqual([undefined, 'p2']);
  });

  it('fails on a 404 whose JSON body looks like an empty result', async () => {
    script = () => ({ status: 404, body: {} });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r).toEqual({ ok: false, reason: 'OSV answered HTTP 404 to a query for pagedpkg 1.0.0' });
    expect(await cached()).toBe(0);
  });

  it('fails when the result has more pages than the bound, after reading exactly the bound', async () => {
    script = (n) => ({ status: 200, body: { vulns: [advisory(n)], next_page_token: `p${n + 1}` } });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r).toEqual({ ok: false, reason: 'OSV result for pagedpkg 1.0.0 has more than 20 pages; not read as complete' });
    expect(received).toHaveLength(20);
    expect(await cached()).toBe(0);
  });

  it('reads a result of exactly the bound in pages as complete', async () => {
    script = (n) => ({ status: 200, body: { vulns: [advisory(n)], ...(n < 19 ? { next_page_token: `p${n + 1}` } : {}) } });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.cveIds).toHaveLength(20);
    expect(received).toHaveLength(20);
  });

  it('fails when the server repeats a page token, without following it to the bound', async () => {
    script = (n) => ({ status: 200, body: { vulns: [advisory(n)], next_page_token: n === 0 ? 'a' : n === 1 ? 'b' : 'a' } });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r).toEqual({ ok: false, reason: 'OSV repeated page token for pagedpkg 1.0.0' });
    expect(received.map((b) => b.page_token)).toEqual([undefined, 'a', 'b']);
    expect(await cached()).toBe(0);
  });

  it('fails when the second page fails, and does not keep the first page', async () => {
    script = (n) => (n === 0 ? { status: 200, body: { vulns: [advisory(1)], next_page_token: 'p2' } } : { status: 500, body: { error: 'internal' } });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/^OSV at 127\.0\.0\.1:\d+ answered HTTP 500/);
    expect(received).toHaveLength(2);
    expect(await cached()).toBe(0);
    // The next call starts over from page 1 and, with OSV healthy again, reads both pages.
    script = (n) => (n === 2 ? { status: 200, body: { vulns: [advisory(1)], next_page_token: 'p2' } } : { status: 200, body: { vulns: [advisory(2)] } });
    const again = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(again).toMatchObject({ ok: true, value: { cveIds: ['GHSA-page-0001', 'GHSA-page-0002'] } });
    expect(received.map((b) => b.page_token)).toEqual([undefined, 'p2', undefined, 'p2']);
  });

  it('fails when the second page is a 404 with an empty JSON body', async () => {
    script = (n) => (n === 0 ? { status: 200, body: { vulns: [advisory(1)], next_page_token: 'p2' } } : { status: 404, body: {} });
    const r = await osv.vulnerabilities('pypi', 'pagedpkg', '1.0.0');
    expect(r).toEqual({ ok: false, reason: 'OSV answered HTTP 404 to a query for pagedpkg 1.0.0' });
    expect(await cached()).toBe(0);
  });
});
