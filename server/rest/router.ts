/**
 * A small route table for the REST shims: method + path pattern (`:param`
 * segments) → handler. Handlers are thin: parse input, call one service
 * function, map the result. DomainErrors become statuses in one place.
 */
import type { RequestContext } from '../context';
import { DomainError } from '../shared/errors';
import type { HeaderLookup } from '../shared/headers';
import { errorResponse, internalErrorResponse, json, type ErrorDialect, type RestResponse } from './http-errors';


/** A REST request as plain data; the body is already read (and capped). */
export interface RestRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: HeaderLookup;
  readonly body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
}

const utf8 = new TextDecoder();

export function restRequest(method: string, url: URL, headers: HeaderLookup, body: Uint8Array): RestRequest {
  return { method, url, headers, body, text: () => utf8.decode(body) };
}

export interface RouteInput {
  ctx: RequestContext;
  request: RestRequest;
  url: URL;
  params: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  dialect: ErrorDialect;
  handler: (input: RouteInput) => Promise<RestResponse> | RestResponse;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: CompiledRoute[];
  /** The routes matching each parameterless route path (with and without a trailing slash), precomputed. */
  private readonly byStaticPath = new Map<string, CompiledRoute[]>();

  constructor(routes: Route[]) {
    this.routes = routes.map((r) => {
      const names: string[] = [];
      const pattern = r.path
        .split('/')
        .map((seg) => {
          if (seg.startsWith(':')) {
            names.push(seg.slice(1));
            return '([^/]+)';
          }
          return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('/');
      return { ...r, regex: new RegExp(`^${pattern}/?$`), names };
    });
    for (const r of this.routes) {
      if (r.names.length > 0) continue;
      for (const path of [r.path, `${r.path}/`]) this.byStaticPath.set(path, this.routes.filter((x) => x.regex.test(path)));
    }
  }

  /** The routes whose pattern matches `pathname`, in declaration order. */
  private matching(pathname: string): CompiledRoute[] {
    return this.byStaticPath.get(pathname) ?? this.routes.filter((r) => r.regex.test(pathname));
  }

  /** True when some route claims this path (whatever the method). */
  claims(pathname: string): boolean {
    return this.matching(pathname).length > 0;
  }

  async handle(request: RestRequest, makeContext: () => RequestContext, onBug: (err: unknown) => void): Promise<RestResponse | null> {
    const url = request.url;
    const matching = this.matching(url.pathname);
    if (matching.length === 0) return null;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = matching.find((r) => r.method === method);
    if (!route) {
      const allow = [...new Set(matching.map((r) => r.method))].join(', ');
      const dialect = matching[0].dialect;
      const body = dialect === 'novyx'
        ? { error: 'method_not_allowed', code: 'method_not_allowed', message: `${request.method} is not allowed here; use ${allow}` }
        : { detail: `Method ${request.method} not allowed; use ${allow}` };
      return json(body, 405, { allow });
    }
    const m = route.regex.exec(url.pathname)!;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1]);
    });
    try {
      const ctx = makeContext();
      return await route.handler({ ctx, request, url, params });
    } catch (err) {
      if (err instanceof DomainError) return errorResponse(err, route.dialect);
      onBug(err);
      return internalErrorResponse(route.dialect);
    }
  }
}
