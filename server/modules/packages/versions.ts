/**
 * Version schemes: PEP 440 for PyPI, semver for npm, behind one small interface.
 *
 * Registry bounds are written by people (`min_version: "42"`), versions come from agents
 * (`v1.2.3`) and registries. Both are parsed by the ecosystem's own rules, so `42` equals
 * `42.0.0` and a pre-release orders before its release. A new ecosystem adds one scheme here.
 */
import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import type { Ecosystem } from './facts';

/** Registry bounds: `min` inclusive, `max` exclusive (lex-align's `min_version` / `max_version`). */
export interface VersionBounds {
  min?: string | null;
  max?: string | null;
}

export type BoundsCheck =
  | { ok: true; within: true }
  | { ok: true; within: false; failed: 'min' | 'max'; bound: string }
  | { ok: false; invalid: 'version' | 'min' | 'max'; value: string; reason: string };

export interface VersionScheme {
  readonly name: 'pep440' | 'semver';
  /** True when the scheme can order the version. */
  valid(version: string): boolean;
  /** The canonical spelling (`v1.2.3` → `1.2.3`), or null when invalid. */
  normalize(version: string): string | null;
  /** Negative, zero or positive. Throws a RangeError on an invalid version: check `valid` first. */
  compare(a: string, b: string): number;
  /** Pre-releases (and PEP 440 dev releases). False for an invalid version. */
  isPrerelease(version: string): boolean;
  /**
   * Whether `version` lies in [min, max). Plain ordering, not specifier semantics: a
   * pre-release of the max version (`5.0.0a1` against max `5.0`) is below it and passes.
   * An invalid version or bound is reported, never guessed.
   */
  satisfiesBounds(version: string, bounds: VersionBounds): BoundsCheck;
  /**
   * The highest version, ignoring invalid ones; pre-releases only count when asked for or
   * when nothing else exists. Null for an empty (or all-invalid) list. Returns the input spelling.
   */
  latest(versions: readonly string[], options?: { includePrereleases?: boolean }): string | null;
}

function makeScheme(
  name: VersionScheme['name'],
  normalize: (v: string) => string | null,
  compareValid: (a: string, b: string) => number,
  prerelease: (normalized: string) => boolean,
): VersionScheme {
  const norm = (v: unknown) => (typeof v === 'string' ? normalize(v.trim()) : null);
  const must = (v: string): string => {
    const n = norm(v);
    if (n === null) throw new RangeError(`"${v}" is not a valid ${name} version`);
    return n;
  };

  const scheme: VersionScheme = {
    name,
    valid: (v) => norm(v) !== null,
    normalize: (v) => norm(v),
    compare: (a, b) => compareValid(must(a), must(b)),
    isPrerelease: (v) => {
      const n = norm(v);
      return n !== null && prerelease(n);
    },
    satisfiesBounds(version, bounds) {
      const v = norm(version);
      if (v === null) return invalid('version', version, name);
      const min = bounds.min?.trim() ? norm(bounds.min) : undefined;
      const max = bounds.max?.trim() ? norm(bounds.max) : undefined;
      if (min === null) return invalid('min', bounds.min ?? '', name);
      if (max === null) return invalid('max', bounds.max ?? '', name);
      if (min !== undefined && compareValid(v, min) < 0) {
        return { ok: true, within: false, failed: 'min', bound: bounds.min!.trim() };
      }
      if (max !== undefined && compareValid(v, max) >= 0) {
        return { ok: true, within: false, failed: 'max', bound: bounds.max!.trim() };
      }
      return { ok: true, within: true };
    },
    latest(versions, options = {}) {
      const parsed = versions
        .map((raw) => ({ raw, n: norm(raw) }))
        .filter((x): x is { raw: string; n: string } => x.n !== null);
      const releases = options.includePrereleases ? parsed : parsed.filter((x) => !prerelease(x.n));
      const pool = releases.length > 0 ? releases : parsed;
      let best: { raw: string; n: string } | null = null;
      for (const candidate of pool) {
        if (best === null || compareValid(candidate.n, best.n) > 0) best = candidate;
      }
      return best?.raw ?? null;
    },
  };
  return scheme;
}

function invalid(which: 'version' | 'min' | 'max', value: string, scheme: string): BoundsCheck {
  const what = which === 'version' ? 'version' : `${which}_version bound`;
  return { ok: false, invalid: which, value, reason: `${what} "${value}" is not a valid ${scheme} version` };
}

/**
 * PEP 440 (PyPI). `pep440.clean` normalises `v1.2.3`, `1.0-beta` and other spellings PEP 440
 * accepts; release segments compare with zero padding, so `42 == 42.0.0`.
 */
export const pep440Scheme: VersionScheme = makeScheme(
  'pep440',
  (v) => (v === '' ? null : pep440.clean(v)),
  (a, b) => pep440.compare(a, b),
  (n) => pep440.explain(n)?.is_prerelease ?? false,
);

// semver requires MAJOR.MINOR.PATCH, but registry bounds are written by people: a purely
// numeric `42` or `4.2` (optionally `v`-prefixed) is padded with zeros. Anything looser
// (semver.coerce would read `foo1.2bar` as 1.2.0) stays invalid.
const PARTIAL_NUMERIC = /^[v=]?\s*(\d+)(?:\.(\d+))?$/i;

function semverNormalize(v: string): string | null {
  if (v === '') return null;
  const clean = semver.clean(v);
  if (clean !== null) return clean;
  const partial = PARTIAL_NUMERIC.exec(v);
  if (partial) return semver.valid(`${partial[1]}.${partial[2] ?? '0'}.0`);
  return null;
}

/** semver (npm): `semver.clean` strips `v` / `=` and whitespace; build metadata is ignored in ordering. */
export const semverScheme: VersionScheme = makeScheme(
  'semver',
  semverNormalize,
  (a, b) => semver.compare(a, b),
  (n) => semver.prerelease(n) !== null,
);

const SCHEMES: Record<Ecosystem, VersionScheme> = { pypi: pep440Scheme, npm: semverScheme };

/** The version scheme of an ecosystem. */
export function schemeFor(ecosystem: Ecosystem): VersionScheme {
  return SCHEMES[ecosystem];
}
