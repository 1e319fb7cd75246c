/**
 * What the evaluation service needs from upstreams, as small interfaces of
 * ours. A failure (timeout, 5xx, bad JSON, refused connection) is a typed
 * `{ok: false}` result, never an empty answer, and is never cached.
 */
import type { Ecosystem, LicenseFact, VulnerabilityFact } from '../packages/facts';

export type UpstreamResult<T> = { ok: true; value: T; cached: boolean } | { ok: false; reason: string };

/** One package (at one version, or its latest) as the ecosystem's metadata API describes it. */
export interface PackageMetadata {
  ecosystem: Ecosystem;
  /** Name as the upstream spells it. */
  name: string;
  /** False when the upstream answered "no such package" (404): a fact, not an outage. */
  exists: boolean;
  /** The version this metadata describes (the requested one, or the latest), or null when the package does not exist. */
  version: string | null;
  /** Whether the requested version exists (true when no version was requested and the package exists). */
  versionExists: boolean;
  /** Highest non-prerelease version (falls back to the highest prerelease), or null. */
  latestVersion: string | null;
  /** The license of `version`. */
  license: LicenseFact;
  /** Every published version, on the package's (version-less) answer only (the re-scan picks the newest its rule allows). */
  versions?: readonly string[];
}

export interface MetadataClient {
  /**
   * Metadata for `name` at `version`, or at its latest version when `version` is null.
   * The "latest version" answer is cached for LEXGATE_LATEST_VERSION_TTL, per-version
   * metadata for LICENSE_CACHE_TTL.
   */
  metadata(name: string, version: string | null): Promise<UpstreamResult<PackageMetadata>>;
}

export interface VulnerabilityClient {
  /** Advisories affecting `name` at `version` (always a concrete version), following OSV pagination. Cached for CVE_CACHE_TTL. */
  vulnerabilities(ecosystem: Ecosystem, name: string, version: string): Promise<UpstreamResult<VulnerabilityFact>>;
}

/** The upstream clients the evaluation service uses; a third ecosystem adds one metadata client. */
export interface Upstreams {
  metadata: Record<Ecosystem, MetadataClient | null>;
  vulnerabilities: VulnerabilityClient | null;
}
