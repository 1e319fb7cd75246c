/**
 * PyPI metadata through its JSON API (`PYPI_API_URL`, e.g. `<base>/{name}/json`).
 *
 * Two cached answers per package, with different lifetimes (lex-align kept both for a
 * week, so "latest" went stale):
 * - the project answer (`{base}/{name}/json`): whether the package exists, its releases, the
 *   latest version and that version's license; kept for LEXGATE_LATEST_VERSION_TTL, and so is
 *   a 404 (a package can be published at any time);
 * - the release answer (`{base}/{name}/{version}/json`): the license of one release; kept
 *   for LICENSE_CACHE_TTL (a published release's metadata does not change), except a 404,
 *   kept only for the latest-version TTL.
 *
 * The latest version is computed from `releases` (PEP 440 order, pre-releases only when
 * nothing else exists, releases whose files are all yanked ignored), falling back to
 * `info.version`. A requested version PyPI does not know by that spelling is looked up
 * among the releases by PEP 440 equality (`42` == `42.0.0`) before it is called missing.
 */
import { unknownLicense, licenseFromPypi, type PypiLicenseInfo } from '../packages/license/sources';
import type { LicenseFact } from '../packages/facts';
import { normalizeName } from '../packages/names';
import { schemeFor } from '../packages/versions';
import type { HttpClient } from '../../shared/http-client';
import type { UpstreamCache } from './upstream-cache.service';
import type { MetadataClient, PackageMetadata, UpstreamResult } from './upstream.types';

export interface PypiClientOptions {
  /** PYPI_API_URL without a trailing slash (`{base}/{name}/json`). */
  baseUrl: string;
  http: HttpClient;
  cache: UpstreamCache;
  /** LEXGATE_LATEST_VERSION_TTL in seconds: the project answer and every 404. */
  latestTtlSeconds: number;
  /** LICENSE_CACHE_TTL in seconds: per-release answers. */
  versionTtlSeconds: number;
}

/** The parts of PyPI's `info` object read here. */
interface PypiInfo extends PypiLicenseInfo {
  name?: unknown;
  version?: unknown;
}

/** One file of a release (`releases[v][]` / `urls[]`). */
interface PypiFile {
  yanked?: unknown;
}

interface PypiDocument {
  info?: PypiInfo | null;
  releases?: Record<string, PypiFile[] | null> | null;
}

/** Cached project answer. */
type ProjectEntry =
  | { exists: false }
  | { exists: true; name: string; latestVersion: string | null; releases: string[]; license: LicenseFact };

/** Cached release answer. */
type ReleaseEntry = { found: false } | { found: true; name: string; version: string; license: LicenseFact };

const scheme = schemeFor('pypi');

function isDocument(json: unknown): json is PypiDocument & { info: PypiInfo } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const info = (json as { info?: unknown }).info;
  return !!info && typeof info === 'object' && !Array.isArray(info);
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/**
 * The latest installable version from `releases`: versions with at least one file that is not
 * yanked, in PEP 440 order (pre-releases only when nothing else exists). Null when no release
 * qualifies (the caller falls back to `info.version`).
 */
export function latestPypiRelease(releases: PypiDocument['releases']): string | null {
  if (!releases || typeof releases !== 'object') return null;
  const installable = Object.entries(releases)
    .filter(([, files]) => Array.isArray(files) && files.some((f) => f && f.yanked !== true))
    .map(([version]) => version);
  return scheme.latest(installable);
}

/** PyPI's JSON API behind the MetadataClient interface. */
export class PypiClient implements MetadataClient {
  private readonly options: PypiClientOptions;

  constructor(options: PypiClientOptions) {
    this.options = options;
  }

  async metadata(name: string, version: string | null): Promise<UpstreamResult<PackageMetadata>> {
    const pkg = name.trim();
    const requested = typeof version === 'string' && version.trim() !== '' ? version.trim() : null;
    if (requested === null) {
      const project = await this.project(pkg);
      if (!project.ok) return project;
      return { ok: true, value: fromProject(pkg, project.value), cached: project.cached };
    }
    return this.versioned(pkg, requested, true);
  }

  private async versioned(pkg: string, requested: string, resolveSpelling: boolean): Promise<UpstreamResult<PackageMetadata>> {
    const release = await this.release(pkg, requested);
    if (!release.ok) return release;
    if (release.value.found) {
      // The latest version is extra information here: an outage of that lookup does not
      // hide the license of the requested release.
      const project = await this.project(pkg);
      const latestVersion = project.ok && project.value.exists ? project.value.latestVersion : null;
      const { name, version, license } = release.value;
      return {
        ok: true,
        value: { ecosystem: 'pypi', name, exists: true, version, versionExists: true, latestVersion, license },
        cached: release.cached,
      };
    }
    // PyPI answers 404 both for an unknown package and an unknown release: the project
    // answer tells them apart (and offers the release's own spelling of the version).
    const project = await this.project(pkg);
    if (!project.ok) return project;
    if (!project.value.exists) return { ok: true, value: notFound(pkg), cached: project.cached };
    if (resolveSpelling && scheme.valid(requested)) {
      const same = project.value.releases.find(
        (r) => r !== requested && scheme.valid(r) && scheme.compare(r, requested) === 0,
      );
      if (same) return this.versioned(pkg, same, false);
    }
    return {
      ok: true,
      value: {
        ecosystem: 'pypi',
        name: project.value.name,
        exists: true,
        version: requested,
        versionExists: false,
        latestVersion: project.value.latestVersion,
        license: unknownLicense(`version ${requested} of ${project.value.name} is not published on PyPI`),
      },
      cached: project.cached,
    };
  }

  private project(pkg: string): Promise<UpstreamResult<ProjectEntry>> {
    const key = `pypi:v1:project:${normalizeName('pypi', pkg)}`;
    return this.options.cache.getOrFetch<ProjectEntry>(key, 'pypi', this.options.latestTtlSeconds, async () => {
      const r = await this.options.http.getJson(`${this.options.baseUrl}/${encodeURIComponent(pkg)}/json`, { service: 'PyPI' });
      if (!r.ok) return r;
      if (r.status === 404) return { ok: true, value: { exists: false }, cached: false };
      if (!isDocument(r.json)) return { ok: false, reason: `PyPI answered a document without "info" for ${pkg}` };
      const doc = r.json;
      const infoVersion = text(doc.info.version);
      const latestVersion = latestPypiRelease(doc.releases) ?? infoVersion;
      const releases = doc.releases && typeof doc.releases === 'object' ? Object.keys(doc.releases) : [];
      const displayName = text(doc.info.name) ?? pkg;

      let license: LicenseFact;
      if (latestVersion === null) {
        license = unknownLicense(`${displayName} has no release on PyPI`);
      } else if (infoVersion !== null && sameVersion(infoVersion, latestVersion)) {
        license = licenseFromPypi(doc.info);
      } else {
        // `info` describes another release than the latest installable one: ask for that one.
        const release = await this.release(pkg, latestVersion);
        if (!release.ok) return release;
        license = release.value.found
          ? release.value.license
          : unknownLicense(`PyPI lists ${displayName} ${latestVersion} but has no metadata for it`);
      }
      return { ok: true, value: { exists: true, name: displayName, latestVersion, releases, license }, cached: false };
    });
  }

  private release(pkg: string, version: string): Promise<UpstreamResult<ReleaseEntry>> {
    const key = `pypi:v1:release:${normalizeName('pypi', pkg)}@${version}`;
    const ttl = (entry: ReleaseEntry) => (entry.found ? this.options.versionTtlSeconds : this.options.latestTtlSeconds);
    return this.options.cache.getOrFetch<ReleaseEntry>(key, 'pypi', ttl, async () => {
      const url = `${this.options.baseUrl}/${encodeURIComponent(pkg)}/${encodeURIComponent(version)}/json`;
      const r = await this.options.http.getJson(url, { service: 'PyPI' });
      if (!r.ok) return r;
      if (r.status === 404) return { ok: true, value: { found: false }, cached: false };
      if (!isDocument(r.json)) return { ok: false, reason: `PyPI answered a document without "info" for ${pkg} ${version}` };
      const info = r.json.info;
      return {
        ok: true,
        value: { found: true, name: text(info.name) ?? pkg, version: text(info.version) ?? version, license: licenseFromPypi(info) },
        cached: false,
      };
    });
  }
}

function sameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  return scheme.valid(a) && scheme.valid(b) && scheme.compare(a, b) === 0;
}

function fromProject(pkg: string, project: ProjectEntry): PackageMetadata {
  if (!project.exists) return notFound(pkg);
  return {
    ecosystem: 'pypi',
    name: project.name,
    exists: true,
    version: project.latestVersion,
    versionExists: true,
    latestVersion: project.latestVersion,
    license: project.license,
    versions: project.releases,
  };
}

function notFound(pkg: string): PackageMetadata {
  return {
    ecosystem: 'pypi',
    name: pkg,
    exists: false,
    version: null,
    versionExists: false,
    latestVersion: null,
    license: unknownLicense('package not found on PyPI'),
  };
}
