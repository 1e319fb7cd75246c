/**
 * createApp(services): the whole HTTP surface as one fetch-style handler —
 * GraphQL (Yoga + Pothos) at /graphql, the REST shims (/api/v1, /v1, probes)
 * and the built dashboard site at /. It never listens; main.ts does.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { ValidationRule } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { createRequestContext, type RequestContext } from './context';
import { depthLimitRule } from './graphql/depth-limit';
import { schema } from './graphql/schema';
import { apiV1Routes, probeRoutes } from './rest/api-v1.routes';
import { json } from './rest/http-errors';
import { registryRoutes } from './rest/registry.routes';
import { reportRoutes } from './rest/reports.routes';
import { novyxV1Routes } from './rest/novyx-v1.routes';
import { Router } from './rest/router';
import type { Services } from './services';
import { readCapped } from './shared/streams';
import { createStaticSite } from './static-site';

export interface App {
  /** Handle one request. */
  fetch(request: Request): Promise<Response>;
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
    context: ({ request }) => createRequestContext(services, request),
    plugins: [
      {
        onValidate({ addValidationRule }: { addValidationRule: (rule: ValidationRule) => void }) {
          addValidationRule(depthLimitRule(config.graphqlMaxDepth));
        },
      },
    ],
  });

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    let req = request;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const body = await readCapped(request.body, config.maxBodyBytes, request.headers.get('content-length'));
      if (body === null) {
        const msg = `Request body is larger than ${config.maxBodyBytes} bytes (LEXGATE_MAX_BODY_BYTES).`;
        return path.startsWith('/v1/')
          ? json({ error: 'payload_too_large', code: 'payload_too_large', message: msg }, 413)
          : json({ detail: msg }, 413);
      }
      req = new Request(request.url, { method: request.method, headers: request.headers, body });
    }
    if (path === '/graphql' || path.startsWith('/graphql/')) {
      return yoga.fetch(req, {});
    }
    const routed = await router.handle(req, url, () => createRequestContext(services, req), (err) =>
      logger.error('unhandled error in REST handler', { path, err }),
    );
    if (routed) return routed;
    if (path.startsWith('/api/') || path.startsWith('/v1/')) {
      return path.startsWith('/v1/')
        ? json({ error: 'not_found', code: 'not_found', message: `No route for ${request.method} ${path}` }, 404)
        : json({ detail: 'Not Found' }, 404);
    }
    const served = site.serve(req, url);
    if (served) return served;
    return new Response('Method not allowed', { status: 405, headers: { allow: 'GET, HEAD' } });
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
  };
}
