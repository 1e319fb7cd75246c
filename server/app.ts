/**
 * createApp(services): the whole HTTP surface as one fetch-style handler —
 * GraphQL (Yoga + Pothos) at /graphql, the REST shims (/api/v1, /v1, probes)
 * and the built dashboard site at /. It never listens; main.ts does.
 */
import type http from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { ValidationRule } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createRequestContext, type RequestContext } from './context';
import { depthLimitRule } from './graphql/depth-limit';
import { schema } from './graphql/schema';
import { apiV1Routes, probeRoutes } from './rest/api-v1.routes';
import { json, type RestResponse } from './rest/http-errors';
import { registryRoutes } from './rest/registry.routes';
import { reportRoutes } from './rest/reports.routes';
import { novyxV1Routes } from './rest/novyx-v1.routes';
import { restRequest, Router, type RestRequest } from './rest/router';
import type { Services } from './services';
import type { HeaderLookup } from './shared/headers';
import { readCapped } from './shared/streams';
import { createStaticSite } from './static-site';

export interface App {
  /** Handle one request. */
  fetch(request: Request): Promise<Response>;
  /**
   * Answer a REST request (/api, /v1, the probes) straight from node:http,
   * without fetch-style Request/Response objects; the same routes as `fetch`.
   * Resolves false, having written nothing, for any other path.
   */
  serveNode(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  readonly yoga: YogaServerInstance<Record<string, never>, RequestContext>;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export function createApp(services: Services): App {
  const { config, logger } = services;
  const router = new Router([...apiV1Routes, ...registryRoutes, ...reportRoutes, ...probeRoutes, ...novyxV1Routes]);
  const site = createStaticSite(config.siteDir);

  const yoga = createYoga<Record<string, never>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'lexgate GraphQL', defaultQuery: '{\n  health {\n    db\n    registryVersion\n  }\n}\n' } : false,
    renderGraphiQL,
    maskedErrors: true,
    logging: {
      debug: (...a: unknown[]) => logger.debug(String(a[0]), { args: a.slice(1) }),
      info: (...a: unknown[]) => logger.info(String(a[0]), { args: a.slice(1) }),
      warn: (...a: unknown[]) => logger.warn(String(a[0]), { args: a.slice(1) }),
      error: (...a: unknown[]) => logger.error(String(a[0]), { args: a.slice(1) }),
    },
    context: ({ request }) => createRequestContext(services, request.headers),
    plugins: [
      {
        onValidate({ addValidationRule }: { addValidationRule: (rule: ValidationRule) => void }) {
          addValidationRule(depthLimitRule(config.graphqlMaxDepth));
        },
      },
    ],
  });

  const isGraphql = (path: string) => path === '/graphql' || path.startsWith('/graphql/');
  const isRest = (path: string) => path.startsWith('/api/') || path.startsWith('/v1/') || router.claims(path);
  const hasBody = (method: string) => method !== 'GET' && method !== 'HEAD';

  function tooLarge(path: string): RestResponse {
    const msg = `Request body is larger than ${config.maxBodyBytes} bytes (LEXGATE_MAX_BODY_BYTES).`;
    return path.startsWith('/v1/') ? json({ error: 'payload_too_large', code: 'payload_too_large', message: msg }, 413) : json({ detail: msg }, 413);
  }

  /** The REST routes, whichever transport brought the request. */
  async function rest(request: RestRequest): Promise<RestResponse> {
    const path = request.url.pathname;
    const routed = await router.handle(request, () => createRequestContext(services, request.headers), (err) =>
      logger.error('unhandled error in REST handler', { path, err }),
    );
    if (routed) return routed;
    return path.startsWith('/v1/')
      ? json({ error: 'not_found', code: 'not_found', message: `No route for ${request.method} ${path}` }, 404)
      : json({ detail: 'Not Found' }, 404);
  }

  /** The headers every REST answer goes out with, whichever transport writes it. */
  const restHeaders = (r: RestResponse) => ({ ...SECURITY_HEADERS, ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) });

  function toResponse(r: RestResponse, head: boolean): Response {
    return new Response(head ? null : r.body, { status: r.status, headers: restHeaders(r) });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    let body: Uint8Array<ArrayBuffer> | null = new Uint8Array(0);
    if (hasBody(request.method)) {
      body = await readCapped(request.body, config.maxBodyBytes, request.headers.get('content-length'));
      if (body === null) return toResponse(tooLarge(path), false);
    }
    if (isGraphql(path)) {
      return yoga.fetch(hasBody(request.method) ? new Request(request.url, { method: request.method, headers: request.headers, body }) : request, {});
    }
    if (isRest(path)) return toResponse(await rest(restRequest(request.method, url, request.headers, body)), request.method === 'HEAD');
    const served = site.serve(request, url);
    if (served) return served;
    return new Response('Method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
  }

  /** Headers of a node:http request (names arrive lower-cased; repeats joined as fetch joins them). */
  function nodeHeaders(req: http.IncomingMessage): HeaderLookup {
    return {
      get(name) {
        const v = req.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    };
  }

  /**
   * Read a node:http request body whole, or null as soon as it is (or says it
   * will be) larger than the cap: nothing more is buffered, and the 413 closes
   * the connection.
   */
  function readNodeBody(req: http.IncomingMessage): Promise<Uint8Array | null> {
    const declared = Number(req.headers['content-length'] ?? 'NaN');
    if (Number.isFinite(declared) && declared > config.maxBodyBytes) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let total = 0;
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > config.maxBodyBytes) {
          req.off('data', onData);
          resolve(null);
        } else chunks.push(chunk);
      };
      req.on('data', onData);
      req.on('end', () => resolve(Buffer.concat(chunks, total)));
      req.on('error', reject);
      req.on('close', () => {
        if (!req.complete) reject(new Error('the client went away before sending the whole body'));
      });
    });
  }

  function write(res: http.ServerResponse, r: RestResponse, head: boolean): void {
    res.writeHead(r.status, restHeaders(r));
    res.end(head ? undefined : r.body);
  }

  return {
    yoga,
    async fetch(request) {
      const res = await handle(request);
      try {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!res.headers.has(k)) res.headers.set(k, v);
      } catch {
        // Immutable headers (a proxied response): leave them as they are.
      }
      return res;
    },
    async serveNode(req, res) {
      // The path as the fetch path sees it (dot segments resolved), so both decide alike.
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      const path = url.pathname;
      if (isGraphql(path) || !isRest(path)) return false;
      const method = req.method ?? 'GET';
      let body: Uint8Array | null = new Uint8Array(0);
      if (hasBody(method)) {
        body = await readNodeBody(req);
        if (body === null) {
          const r = tooLarge(path);
          write(res, { ...r, headers: { ...r.headers, connection: 'close' } }, false);
          return true;
        }
      }
      write(res, await rest(restRequest(method, url, nodeHeaders(req), body)), method === 'HEAD');
      return true;
    },
  };
}
