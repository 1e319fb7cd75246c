/**
 * Wiring of the upstream side: one HTTP client (one concurrency bound for every upstream),
 * one cache, and a client per configured upstream. An upstream whose URL is not configured
 * is `null`; the evaluation service answers degraded with `unavailableReason(...)`.
 */
import type { Config } from '../../config';
import type { Database } from '../../db/orm';
import type { Ecosystem } from '../evaluation/policy/facts';
import { LEXGATE_VERSION } from '../../shared/version';
import type { Clock } from '../../shared/clock';
import { createHttpClient, type HttpClient } from '../../shared/http-client';
import type { Logger } from '../../shared/logger';
import { NpmClient } from './npm.client';
import { OsvClient } from './osv.client';
import { PypiClient } from './pypi.client';
import { UpstreamCache } from './upstream-cache.service';
import type { Upstreams } from './upstream.types';

/** The setting that configures each upstream, for "not configured" reasons. */
export const UPSTREAM_SETTINGS = {
  osv: 'OSV_API_URL',
  pypi: 'PYPI_API_URL',
  npm: 'NPM_REGISTRY_URL',
} as const satisfies Record<'osv' | Ecosystem, string>;

/** Why an upstream that is `null` in `Upstreams` cannot answer (e.g. `OSV_API_URL is not configured`). */
export function unavailableReason(upstream: keyof typeof UPSTREAM_SETTINGS): string {
  return `${UPSTREAM_SETTINGS[upstream]} is not configured`;
}

export interface UpstreamsDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
}

/** The clients, plus the shared pieces (the scan tick warms the same cache; metrics read the HTTP stats). */
export interface UpstreamBundle extends Upstreams {
  cache: UpstreamCache;
  http: HttpClient;
}

/** Build the upstream clients from configuration. */
export function createUpstreams(deps: UpstreamsDeps): UpstreamBundle {
  const u = deps.config.upstream;
  const http = createHttpClient({
    timeoutMs: u.timeoutMs,
    concurrency: u.concurrency,
    logger: deps.logger,
    userAgent: `lexgate/${LEXGATE_VERSION}`,
  });
  const cache = new UpstreamCache({ db: deps.db, clock: deps.clock, logger: deps.logger });
  const metadataTtls = { latestTtlSeconds: u.latestVersionTtlSeconds, versionTtlSeconds: u.licenseCacheTtlSeconds };
  return {
    http,
    cache,
    vulnerabilities: u.osvQueryUrl
      ? new OsvClient({ queryUrl: u.osvQueryUrl, http, cache, ttlSeconds: u.cveCacheTtlSeconds })
      : null,
    metadata: {
      pypi: u.pypiApiUrl ? new PypiClient({ baseUrl: u.pypiApiUrl.replace(/\/+$/, ''), http, cache, ...metadataTtls }) : null,
      npm: u.npmRegistryUrl ? new NpmClient({ baseUrl: u.npmRegistryUrl.replace(/\/+$/, ''), http, cache, ...metadataTtls }) : null,
    },
  };
}
