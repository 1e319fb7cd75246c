/**
 * The one module that calls `fetch`: JSON over HTTP to the upstreams (OSV, PyPI, npm).
 *
 * Invariants:
 * - Nothing throws. Every call returns a typed result: an answer (`ok: true`, any 2xx, and
 *   404, which is a fact such as "no such package") or a failure (`ok: false`) whose reason
 *   names the service/host and what happened. Timeouts, refused connections, 5xx, 429, other
 *   4xx and unparsable JSON are failures; callers must never read a failure as "nothing found".
 * - Each request is bounded in time (one AbortSignal covers connect, headers and the whole
 *   body read) and in size (a response larger than the cap is abandoned, not buffered).
 * - At most `concurrency` requests are in flight per client; the rest wait in a FIFO queue,
 *   and a request that cannot get a slot within `queueTimeoutMs` fails instead of waiting
 *   behind a hung upstream indefinitely.
 */
import type { Logger } from './logger';
import { readCapped } from './streams';

/** An answer (2xx or 404, with the parsed body) or a failure with a reason for people. */
export type HttpResult = { ok: true; status: number; json: unknown } | { ok: false; reason: string };

export type SendMethod = 'POST' | 'PUT' | 'PATCH';

/** Per-request options. */
export interface HttpRequestOptions {
  /** Label used in failure reasons and logs (`OSV`, `PyPI`, `npm`); defaults to the URL's host. */
  service?: string;
  /** Extra request headers (accept and user-agent are always set). */
  headers?: Record<string, string>;
  /** Response size cap for this request, in bytes (defaults to the client's). */
  maxBytes?: number;
}

export interface HttpClient {
  /** `GET url`, expecting JSON. */
  getJson(url: string, opts?: HttpRequestOptions): Promise<HttpResult>;
  /** `POST url` with `body` as JSON, expecting JSON. */
  postJson(url: string, body: unknown, opts?: HttpRequestOptions): Promise<HttpResult>;
  /** `POST`/`PUT`/`PATCH` with `body` as JSON, expecting JSON (APIs such as GitHub's). */
  sendJson(method: SendMethod, url: string, body: unknown, opts?: HttpRequestOptions): Promise<HttpResult>;
  /** Requests running and waiting now (for metrics and tests). */
  stats(): { inFlight: number; queued: number };
}

export interface HttpClientOptions {
  /** Per-request time bound in milliseconds, body read included. */
  timeoutMs: number;
  /** Maximum requests in flight at once; more wait in a queue. */
  concurrency: number;
  logger: Logger;
  /** Sent as `user-agent`, e.g. `lexgate/0.1.0`. */
  userAgent?: string;
  /** Default response size cap in bytes (20 MiB). */
  maxResponseBytes?: number;
  /** How long a request may wait for a free slot (defaults to `timeoutMs`). */
  queueTimeoutMs?: number;
}

/** Default response size cap: far above any OSV page or PyPI document, below a runaway body. */
export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

/** A FIFO counting semaphore whose waiters can give up. */
class Semaphore {
  private active = 0;
  private readonly waiters: Array<(release: () => void) => void> = [];

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with a release function, or null when no slot freed up within `waitMs`. */
  acquire(waitMs: number): Promise<(() => void) | null> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const waiter = (release: () => void) => {
        clearTimeout(timer);
        resolve(release);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(null);
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // Hand the slot straight to the next waiter so `active` never dips below the limit
      // while work is queued (no thundering herd, FIFO order kept).
      if (next) next(this.releaser());
      else this.active--;
    };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Error codes node's fetch (undici) puts on `cause`, for a reason people can act on. */
function connectionProblem(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === 'string') return `connection failed (${cause.code})`;
  if (cause && typeof cause.message === 'string') return `request failed (${cause.message})`;
  return `request failed (${err instanceof Error ? err.message : String(err)})`;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}

/** Build the HTTP client. One per process: the concurrency bound is per client. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
  const queueTimeoutMs = Math.max(1, Math.round(options.queueTimeoutMs ?? timeoutMs));
  const defaultMaxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const userAgent = options.userAgent ?? 'lexgate';
  const semaphore = new Semaphore(Math.max(1, Math.floor(options.concurrency)));
  const { logger } = options;

  async function request(method: 'GET' | SendMethod, url: string, body: unknown, opts: HttpRequestOptions): Promise<HttpResult> {
    const host = hostOf(url);
    const label = opts.service ? `${opts.service} at ${host}` : host;
    const fail = (what: string): HttpResult => {
      const reason = `${label} ${what}`;
      logger.warn('upstream request failed', { service: opts.service ?? null, host, method, reason });
      return { ok: false, reason };
    };

    const release = await semaphore.acquire(queueTimeoutMs);
    if (!release) {
      return fail(`was not tried: no free connection slot within ${queueTimeoutMs} ms, ${semaphore.inFlight} in flight`);
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const started = Date.now();
    try {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': userAgent,
        ...opts.headers,
      };
      let payload: string | undefined;
      if (method !== 'GET') {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const res = await fetch(url, { method, headers, body: payload, signal: controller.signal, redirect: 'follow' });

      const maxBytes = opts.maxBytes ?? defaultMaxBytes;
      const read = await readCappedText(res, maxBytes);
      if (!read.ok) return fail(`answered more than ${maxBytes} bytes (HTTP ${res.status}); response abandoned`);

      const answered = (res.status >= 200 && res.status < 300) || res.status === 404;
      if (!answered) {
        const detail = read.text.trim() === '' ? '' : `: ${snippet(read.text)}`;
        const what = res.status === 429 ? `answered HTTP 429 (rate limited)` : `answered HTTP ${res.status}`;
        return fail(`${what}${detail}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(read.text);
      } catch {
        // A 404 page is often HTML: it still answers "not found".
        if (res.status === 404) return { ok: true, status: 404, json: null };
        return fail(`answered invalid JSON (HTTP ${res.status}, ${read.text.length} characters)`);
      }
      logger.debug('upstream request', { service: opts.service ?? null, host, method, status: res.status, ms: Date.now() - started });
      return { ok: true, status: res.status, json };
    } catch (err) {
      if (timedOut) return fail(`timed out after ${timeoutMs} ms`);
      return fail(connectionProblem(err));
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  return {
    getJson: (url, opts = {}) => request('GET', url, undefined, opts),
    postJson: (url, body, opts = {}) => request('POST', url, body, opts),
    sendJson: (method, url, body, opts = {}) => request(method, url, body, opts),
    stats: () => ({ inFlight: semaphore.inFlight, queued: semaphore.queued }),
  };
}

/** Read the body as UTF-8 text, giving up (and cancelling the stream) past `maxBytes`. */
async function readCappedText(res: Response, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false }> {
  const bytes = await readCapped(res.body, maxBytes, res.headers.get('content-length'));
  return bytes === null ? { ok: false } : { ok: true, text: Buffer.from(bytes).toString('utf8') };
}
