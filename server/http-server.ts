/**
 * node:http around the app: REST requests go straight to its routes
 * (`serveNode`), the rest (GraphQL, the site) through the fetch-style handler
 * with converted requests and responses. It counts in-flight requests and
 * stops gracefully (no new connections, wait for in-flight requests up to a
 * grace period, then close the rest).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { App } from './app';
import type { Logger } from './shared/logger';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Requests being handled right now. */
  inFlight(): number;
  /** Stop accepting, let in-flight requests finish (up to graceMs), then close. */
  stop(graceMs: number): Promise<void>;
}

function toRequest(req: http.IncomingMessage, base: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', base), {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>) : undefined,
    // Node's fetch needs this for streamed request bodies.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);
}

async function writeResponse(res: http.ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k === 'set-cookie') return;
    headers[k] = v;
  });
  const cookies = response.headers.getSetCookie?.() ?? [];
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (head || !response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((r) => res.once('drain', r));
    }
  } finally {
    res.end();
  }
}

export async function listen(app: App, host: string, port: number, logger: Logger): Promise<RunningServer> {
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    inFlight++;
    try {
      if (await app.serveNode(req, res)) return;
      const base = `http://${req.headers.host ?? `${host}:${port}`}`;
      const response = await app.fetch(toRequest(req, base));
      await writeResponse(res, response, req.method === 'HEAD');
    } catch (err) {
      logger.error('request failed', { err, url: req.url });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: 'Internal server error' }));
      } else res.destroy();
    } finally {
      inFlight--;
      if (inFlight === 0) {
        const w = idleWaiters;
        idleWaiters = [];
        w.forEach((f) => f());
      }
    }
  });
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    inFlight: () => inFlight,
    async stop(graceMs) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((r) => idleWaiters.push(r)),
          new Promise<void>((r) => setTimeout(r, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
