/**
 * The facts a dependency evaluation is decided on, and the policy inputs.
 *
 * These types are the contract between the I/O side (upstream clients, registry
 * loading) and the pure decision code (gates). Nothing here performs I/O.
 */

/** Package ecosystems lexgate governs. A new one needs a metadata client and a version scheme. */
export const ECOSYSTEMS = ['pypi', 'npm'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

/** Where a package's license text came from. */
export type LicenseSource =
  | 'license_expression' // PEP 639 `info.license_expression`
  | 'license' // PyPI `info.license`
  | 'classifier' // PyPI `License ::` trove classifiers
  | 'npm_license' // npm `license` (or legacy `licenses`)
  | 'none';

/** A package's license as published, and what we could make of it. */
export interface LicenseFact {
  /** The text as published (null when none was published or the fetch failed). */
  raw: string | null;
  source: LicenseSource;
  /** A valid SPDX expression (ids canonicalised, operators upper case), or null when unknown. */
  expression: string | null;
  /** The key reports group by: `expression`, or `UNKNOWN`. */
  normalized: string;
  /** Why the license is UNKNOWN (null when it is known). */
  unknownReason: string | null;
}

/** How a license expression fares against the global policy's license lists. */
export type LicenseClass =
  | 'auto_approve' // satisfies the auto-approve list
  | 'hard_ban' // every way to satisfy it uses a hard-banned license
  | 'review' // needs a license on require_human_review_licenses
  | 'unknown' // the license is UNKNOWN (or contains an unknown component that decides it)
  | 'not_approved'; // known, but on no list: default-deny

export interface LicenseEvaluation {
  class: LicenseClass;
  /** For OR expressions: the branch that was elected (e.g. `MIT` from `MIT OR GPL-3.0-only`). */
  elected: string | null;
  /** The license ids that decided a hard_ban / review / not_approved outcome. */
  offending: string[];
  /** One sentence for an agent: what was decided and why. */
  explanation: string;
}

/** One advisory (after alias de-duplication). */
export interface Advisory {
  /** The representative id: a CVE id when the group has one, else the GHSA id, else the OSV id. */
  id: string;
  /** Every id of the group (OSV ids and aliases), sorted. */
  ids: string[];
  /** Base score used (0..10), or null when unscored. */
  score: number | null;
  scoreSource: 'cvss_v4' | 'cvss_v3' | 'cvss_v2' | 'ghsa_label' | 'none';
  /** The vector the score was computed from (null for label-only or unscored). */
  vector: string | null;
  /** GHSA label when the score is label-only (`CRITICAL`, `HIGH`, `MODERATE`, `LOW`). */
  label: string | null;
}

/** Vulnerability facts for one (package, version). */
export interface VulnerabilityFact {
  advisories: Advisory[];
  /** Representative ids of the advisories, sorted. */
  cveIds: string[];
  /** Highest score over advisories, or null when none is scored. */
  maxCvss: number | null;
  /** The advisory that produced `maxCvss` (for reproducibility). */
  maxAdvisory: Advisory | null;
}
