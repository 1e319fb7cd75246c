/**
 * OSV vulnerability lookups (`POST {OSV_API_URL}` = the `/v1/query` endpoint).
 *
 * Always one concrete version (a version-less query returns every advisory the package
 * ever had, which is not a fact about what the agent is installing). Every page is
 * followed (`next_page_token`) up to a bound; a result that would need more pages is a
 * failure, not a truncated "fewer vulnerabilities". Records become facts through the pure
 * `vulnerabilityFact` (vectors scored, withdrawn skipped, aliases merged); the facts are
 * cached per (ecosystem, name, version) for CVE_CACHE_TTL.
 */
import type { Ecosystem, VulnerabilityFact } from '../packages/facts';
import { normalizeName, osvEcosystem } from '../packages/names';
import { collectVulns, nextPageToken, vulnerabilityFact, type OsvQueryPage } from '../evaluation/policy/osv';
import type { HttpClient } from '../../shared/http-client';
import type { UpstreamCache } from './upstream-cache.service';
import type { UpstreamResult, VulnerabilityClient } from './upstream.types';

export interface OsvClientOptions {
  /** The `/v1/query` URL (OSV_API_URL). */
  queryUrl: string;
  http: HttpClient;
  cache: UpstreamCache;
  /** CVE_CACHE_TTL in seconds. */
  ttlSeconds: number;
  /** Pages followed before giving up (OSV pages hold up to 1,000 records). */
  maxPages?: number;
}

/**
 * The cache key of one query. PyPI names are PEP 503-normalised (OSV normalises them too);
 * npm names keep their case, because legacy mixed-case names are distinct packages.
 */
export function osvCacheKey(ecosystem: Ecosystem, name: string, version: string): string {
  const key = ecosystem === 'pypi' ? normalizeName('pypi', name) : name.trim();
  return `osv:v1:${ecosystem}:${key}@${version.trim()}`;
}

function isPage(json: unknown): json is OsvQueryPage {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const vulns = (json as { vulns?: unknown }).vulns;
  return vulns === undefined || vulns === null || Array.isArray(vulns);
}

/** OSV's query API behind the VulnerabilityClient interface. */
export class OsvClient implements VulnerabilityClient {
  private readonly options: OsvClientOptions;
  private readonly maxPages: number;

  constructor(options: OsvClientOptions) {
    this.options = options;
    this.maxPages = Math.max(1, options.maxPages ?? 20);
  }

  vulnerabilities(ecosystem: Ecosystem, name: string, version: string): Promise<UpstreamResult<VulnerabilityFact>> {
    const v = typeof version === 'string' ? version.trim() : '';
    if (v === '') {
      return Promise.resolve({ ok: false, reason: 'OSV is only queried for a concrete version, and none was given' });
    }
    const pkgName = name.trim();
    return this.options.cache.getOrFetch(osvCacheKey(ecosystem, pkgName, v), 'osv', this.options.ttlSeconds, () =>
      this.fetch(ecosystem, pkgName, v),
    );
  }

  private async fetch(ecosystem: Ecosystem, name: string, version: string): Promise<UpstreamResult<VulnerabilityFact>> {
    const pages: OsvQueryPage[] = [];
    const seenTokens = new Set<string>();
    let token: string | null = null;
    for (let i = 0; i < this.maxPages; i++) {
      const body: Record<string, unknown> = { package: { name, ecosystem: osvEcosystem(ecosystem) }, version };
      if (token !== null) body.page_token = token;
      const r = await this.options.http.postJson(this.options.queryUrl, body, { service: 'OSV' });
      if (!r.ok) return r;
      if (r.status !== 200) return { ok: false, reason: `OSV answered HTTP ${r.status} to a query for ${name} ${version}` };
      if (!isPage(r.json)) return { ok: false, reason: `OSV answered a document that is not a query result for ${name} ${version}` };
      pages.push(r.json);
      token = nextPageToken(r.json);
      if (token === null) {
        return { ok: true, value: vulnerabilityFact(collectVulns(pages), { ecosystem, name }), cached: false };
      }
      // A server that repeats a token would otherwise be followed until the page bound.
      if (seenTokens.has(token)) return { ok: false, reason: `OSV repeated page token for ${name} ${version}` };
      seenTokens.add(token);
    }
    return { ok: false, reason: `OSV result for ${name} ${version} has more than ${this.maxPages} pages; not read as complete` };
  }
}
