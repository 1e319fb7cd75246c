import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './http-client';
import { createLogger, silentLogger } from './logger';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// A tiny loopback server whose routes cover each outcome the client must classify.
let server: http.Server;
let base: string;
let host: string;
const seen: Seen[] = [];
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const url = req.url ?? '';
      if (url === '/ok') return json(200, { hello: 'world' });
      if (url === '/echo') return json(200, { method: req.method, body: JSON.parse(body || 'null') });
      if (url === '/missing') return json(404, { message: 'Not Found' });
      if (url === '/missing-html') {
        res.writeHead(404, { 'content-type': 'text/html' });
        return res.end('<html>nope</html>');
      }
      if (url === '/down') {
        res.writeHead(503, { 'content-type': 'text/html' });
        return res.end('<html><body>Service Unavailable</body></html>');
      }
      if (url === '/busy') return json(429, { error: 'slow down' });
      if (url === '/bad-request') return json(400, { message: 'invalid version' });
      if (url === '/badjson') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"vulns": [');
      }
      if (url === '/hang') return; // never answers
      if (url === '/slow-body') {
        // Headers at once, body never finishes: the timeout must cover the body read.
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.write('{"partial":');
      }
      if (url === '/big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ data: 'x'.repeat(5000) }));
      }
      if (url === '/big-chunked') {
        // No content-length: the cap must apply while streaming.
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.write('{"data":"');
        for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
        return res.end('"}');
      }
      if (url.startsWith('/slow/')) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          json(200, { n: Number(url.slice('/slow/'.length)) });
        }, 60);
        return;
      }
      json(500, { error: 'unexpected route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;
  base = `http://${host}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  inFlight = 0;
  maxInFlight = 0;
});

const client = (over: Partial<Parameters<typeof createHttpClient>[0]> = {}): HttpClient =>
  createHttpClient({ timeoutMs: 300, concurrency: 4, logger: silentLogger, userAgent: 'lexgate/9.9.9', ...over });

describe('http client: answers', () => {
  it('returns parsed JSON for a 200 and sends accept and user-agent', async () => {
    const r = await client().getJson(`${base}/ok`);
    expect(r).toEqual({ ok: true, status: 200, json: { hello: 'world' } });
    expect(seen[0].headers.accept).toBe('application/json');
    expect(seen[0].headers['user-agent']).toBe('lexgate/9.9.9');
  });

  it('posts JSON with a content-type', async () => {
    const r = await client().postJson(`${base}/echo`, { package: { name: 'x', ecosystem: 'PyPI' }, version: '1.0' });
    expect(r).toEqual({ ok: true, status: 200, json: { method: 'POST', body: { package: { name: 'x', ecosystem: 'PyPI' }, version: '1.0' } } });
    expect(seen[0].headers['content-type']).toBe('application/json');
  });

  it('treats 404 as an answer, with or without a JSON body', async () => {
    expect(await client().getJson(`${base}/missing`)).toEqual({ ok: true, status: 404, json: { message: 'Not Found' } });
    expect(await client().getJson(`${base}/missing-html`)).toEqual({ ok: true, status: 404, json: null });
  });
});

describe('http client: failures name the service, the host and what happened', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['5xx', '/down', /^OSV at 127\.0\.0\.1:\d+ answered HTTP 503: <html><body>Service Unavailable/],
    ['429', '/busy', /^OSV at 127\.0\.0\.1:\d+ answered HTTP 429 \(rate limited\)/],
    ['other 4xx', '/bad-request', /^OSV at 127\.0\.0\.1:\d+ answered HTTP 400: \{"message":"invalid version"\}/],
    ['bad JSON', '/badjson', /^OSV at 127\.0\.0\.1:\d+ answered invalid JSON \(HTTP 200, 11 characters\)$/],
  ];
  it.each(cases)('%s', async (_name, path, reason) => {
    const r = await client().getJson(`${base}${path}`, { service: 'OSV' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('times out a request that never answers, within the bound', async () => {
    const started = Date.now();
    const r = await client().getJson(`${base}/hang`, { service: 'OSV' });
    const elapsed = Date.now() - started;
    expect(r).toEqual({ ok: false, reason: `OSV at ${host} timed out after 300 ms` });
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2000);
  });

  it('times out a body that never finishes (the bound covers the body read)', async () => {
    const r = await client().getJson(`${base}/slow-body`);
    expect(r).toEqual({ ok: false, reason: `${host} timed out after 300 ms` });
  });

  it('reports a refused connection', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await client().getJson(`http://127.0.0.1:${port}/x`, { service: 'PyPI' });
    expect(r).toEqual({ ok: false, reason: `PyPI at 127.0.0.1:${port} connection failed (ECONNREFUSED)` });
  });

  it('abandons a response over the size cap (declared or streamed)', async () => {
    const small = client({ maxResponseBytes: 4096 });
    const declared = await small.getJson(`${base}/big`);
    expect(declared).toEqual({ ok: false, reason: `${host} answered more than 4096 bytes (HTTP 200); response abandoned` });
    const streamed = await small.getJson(`${base}/big-chunked`);
    expect(streamed).toEqual({ ok: false, reason: `${host} answered more than 4096 bytes (HTTP 200); response abandoned` });
    // A per-request cap overrides the default.
    const allowed = await small.getJson(`${base}/big`, { maxBytes: 1_000_000 });
    expect(allowed.ok).toBe(true);
  });

  it('logs each failure as a warning with its reason', async () => {
    const lines: string[] = [];
    const c = client({ logger: createLogger('warn', (l) => lines.push(l)) });
    await c.getJson(`${base}/down`, { service: 'npm' });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', msg: 'upstream request failed', service: 'npm', method: 'GET' });
    expect(String(entry.reason)).toContain('answered HTTP 503');
  });
});

describe('http client: bounded concurrency', () => {
  it('never has more than `concurrency` requests in flight, and queues the rest', async () => {
    const c = client({ concurrency: 3, timeoutMs: 2000 });
    const pending = Array.from({ length: 10 }, (_, i) => c.getJson(`${base}/slow/${i}`));
    await new Promise((r) => setTimeout(r, 20));
    expect(c.stats()).toEqual({ inFlight: 3, queued: 7 });
    const results = await Promise.all(pending);
    expect(results.map((r) => (r.ok ? (r.json as { n: number }).n : -1))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxInFlight).toBe(3);
    expect(c.stats()).toEqual({ inFlight: 0, queued: 0 });
  });

  it('fails a request that cannot get a slot within the queue bound, without sending it', async () => {
    const c = client({ concurrency: 1, timeoutMs: 1000, queueTimeoutMs: 50 });
    const first = c.getJson(`${base}/hang`);
    const second = await c.getJson(`${base}/ok`, { service: 'OSV' });
    expect(second).toEqual({
      ok: false,
      reason: `OSV at ${host} was not tried: no free connection slot within 50 ms, 1 in flight`,
    });
    expect(seen.filter((s) => s.url === '/ok')).toHaveLength(0);
    expect((await first).ok).toBe(false);
  });
});
