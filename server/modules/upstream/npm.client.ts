/**
 * npm metadata from the registry's packument (`GET {NPM_REGISTRY_URL}/{name}`, scoped names
 * as `@scope%2fname`, the escaping npm's own client uses).
 *
 * One packument answers every version, but it is read into two cached answers with the
 * lifetimes PyPI has: the package answer (exists, versions, latest = `dist-tags.latest`, its
 * license) for LEXGATE_LATEST_VERSION_TTL, and per-version answers (the license of one
 * version) for LICENSE_CACHE_TTL. Only those small summaries are stored, never the packument
 * (which runs to megabytes for popular packages). The full packument is fetched because the
 * abbreviated ("corgi") form npm installs with leaves `license` out.
 */
import type { LicenseFact } from '../packages/facts';
import { licenseFromNpm, unknownLicense, type NpmLicenseInfo } from '../packages/license/sources';
import { schemeFor } from '../packages/versions';
import type { HttpClient } from '../../shared/http-client';
import type { UpstreamCache } from './upstream-cache.service';
import type { MetadataClient, PackageMetadata, UpstreamResult } from './upstream.types';

export interface NpmClientOptions {
  /** NPM_REGISTRY_URL without a trailing slash. */
  baseUrl: string;
  http: HttpClient;
  cache: UpstreamCache;
  /** LEXGATE_LATEST_VERSION_TTL in seconds: the package answer and every 404. */
  latestTtlSeconds: number;
  /** LICENSE_CACHE_TTL in seconds: per-version answers. */
  versionTtlSeconds: number;
  /** Packument size cap in bytes (they are large: 64 MiB by default). */
  maxPackumentBytes?: number;
}

/** The parts of a packument read here. */
interface Packument {
  name?: unknown;
  'dist-tags'?: Record<string, unknown> | null;
  versions?: Record<string, (NpmLicenseInfo & { version?: unknown }) | null> | null;
}

type PackageEntry =
  | { exists: false }
  | { exists: true; name: string; latestVersion: string | null; versions: string[]; license: LicenseFact };

type VersionEntry = { found: false } | { found: true; name: string; version: string; license: LicenseFact };

const scheme = schemeFor('npm');

/** The registry path segment of a package name: `@scope/name` → `@scope%2fname`. */
export function npmPathName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.startsWith('@') && trimmed.includes('/')) {
    const slash = trimmed.indexOf('/');
    return `@${encodeURIComponent(trimmed.slice(1, slash))}%2f${encodeURIComponent(trimmed.slice(slash + 1))}`;
  }
  return encodeURIComponent(trimmed);
}

function isPackument(json: unknown): json is Packument {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const versions = (json as Packument).versions;
  return versions === undefined || versions === null || (typeof versions === 'object' && !Array.isArray(versions));
}

/** Find a version of the packument by exact spelling, else by semver equality (`v1.2.3`, `1.2`). */
function findVersion(versions: readonly string[], requested: string): string | null {
  if (versions.includes(requested)) return requested;
  const wanted = scheme.normalize(requested);
  if (wanted === null) return null;
  return versions.find((v) => scheme.normalize(v) === wanted) ?? null;
}

/** The npm registry behind the MetadataClient interface. */
export class NpmClient implements MetadataClient {
  private readonly options: NpmClientOptions;
  /** One packument download per name at a time, shared by the package and version lookups. */
  private readonly downloads = new Map<string, Promise<UpstreamResult<Packument | null>>>();

  constructor(options: NpmClientOptions) {
    this.options = options;
  }

  async metadata(name: string, version: string | null): Promise<UpstreamResult<PackageMetadata>> {
    const pkg = name.trim();
    const requested = typeof version === 'string' && version.trim() !== '' ? version.trim() : null;
    if (requested === null) {
      const entry = await this.package(pkg);
      if (!entry.ok) return entry;
      if (!entry.value.exists) return { ok: true, value: notFound(pkg), cached: entry.cached };
      const { name: display, latestVersion, license, versions } = entry.value;
      return {
        ok: true,
        value: { ecosystem: 'npm', name: display, exists: true, version: latestVersion, versionExists: true, latestVersion, license, versions },
        cached: entry.cached,
      };
    }

    const entry = await this.version(pkg, requested);
    if (!entry.ok) return entry;
    // Usually a memory hit: the version lookup stored the package answer from the same packument.
    const pack = await this.package(pkg);
    if (entry.value.found) {
      const latestVersion = pack.ok && pack.value.exists ? pack.value.latestVersion : null;
      const { name: display, version: v, license } = entry.value;
      return {
        ok: true,
        value: { ecosystem: 'npm', name: display, exists: true, version: v, versionExists: true, latestVersion, license },
        cached: entry.cached,
      };
    }
    if (!pack.ok) return pack;
    if (!pack.value.exists) return { ok: true, value: notFound(pkg), cached: pack.cached };
    return {
      ok: true,
      value: {
        ecosystem: 'npm',
        name: pack.value.name,
        exists: true,
        version: requested,
        versionExists: false,
        latestVersion: pack.value.latestVersion,
        license: unknownLicense(`version ${requested} of ${pack.value.name} is not published on npm`),
      },
      cached: pack.cached,
    };
  }

  private packageKey(pkg: string): string {
    return `npm:v1:package:${pkg}`;
  }

  private package(pkg: string): Promise<UpstreamResult<PackageEntry>> {
    return this.options.cache.getOrFetch<PackageEntry>(this.packageKey(pkg), 'npm', this.options.latestTtlSeconds, async () => {
      const r = await this.download(pkg);
      if (!r.ok) return r;
      return { ok: true, value: summarize(pkg, r.value), cached: false };
    });
  }

  private version(pkg: string, requested: string): Promise<UpstreamResult<VersionEntry>> {
    const key = `npm:v1:version:${pkg}@${requested}`;
    const ttl = (entry: VersionEntry) => (entry.found ? this.options.versionTtlSeconds : this.options.latestTtlSeconds);
    return this.options.cache.getOrFetch<VersionEntry>(key, 'npm', ttl, async () => {
      const r = await this.download(pkg);
      if (!r.ok) return r;
      // The same document answers the package lookup that usually follows: store it now.
      const summary = summarize(pkg, r.value);
      await this.options.cache.set(this.packageKey(pkg), 'npm', this.options.latestTtlSeconds, summary);
      if (!summary.exists || r.value === null) return { ok: true, value: { found: false }, cached: false };
      const match = findVersion(summary.versions, requested);
      if (match === null) return { ok: true, value: { found: false }, cached: false };
      const doc = r.value.versions?.[match] ?? {};
      return { ok: true, value: { found: true, name: summary.name, version: match, license: licenseFromNpm(doc ?? {}) }, cached: false };
    });
  }

  /** The packument, or null for a 404. */
  private download(pkg: string): Promise<UpstreamResult<Packument | null>> {
    const running = this.downloads.get(pkg);
    if (running) return running;
    const p = (async (): Promise<UpstreamResult<Packument | null>> => {
      const r = await this.options.http.getJson(`${this.options.baseUrl}/${npmPathName(pkg)}`, {
        service: 'npm',
        maxBytes: this.options.maxPackumentBytes ?? 64 * 1024 * 1024,
      });
      if (!r.ok) return r;
      if (r.status === 404) return { ok: true, value: null, cached: false };
      if (!isPackument(r.json)) return { ok: false, reason: `npm answered a document that is not a packument for ${pkg}` };
      return { ok: true, value: r.json, cached: false };
    })().finally(() => this.downloads.delete(pkg));
    this.downloads.set(pkg, p);
    return p;
  }
}

function summarize(pkg: string, doc: Packument | null): PackageEntry {
  if (doc === null) return { exists: false };
  const name = typeof doc.name === 'string' && doc.name.trim() !== '' ? doc.name.trim() : pkg;
  const versionDocs = doc.versions && typeof doc.versions === 'object' ? doc.versions : {};
  const versions = Object.keys(versionDocs);
  const tagged = doc['dist-tags']?.latest;
  const latestVersion =
    typeof tagged === 'string' && versions.includes(tagged) ? tagged : scheme.latest(versions);
  const license =
    latestVersion === null
      ? unknownLicense(`${name} has no published version on npm`)
      : licenseFromNpm(versionDocs[latestVersion] ?? {});
  return { exists: true, name, latestVersion, versions, license };
}

function notFound(pkg: string): PackageMetadata {
  return {
    ecosystem: 'npm',
    name: pkg,
    exists: false,
    version: null,
    versionExists: false,
    latestVersion: null,
    license: unknownLicense('package not found on npm'),
  };
}
