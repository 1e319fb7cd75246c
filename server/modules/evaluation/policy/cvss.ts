/**
 * CVSS vector validation and base scoring (v2.0, v3.0, v3.1, v4.0).
 *
 * OSV publishes vectors, not numbers, so every score lexgate decides on is computed here.
 * `ae-cvss-calculator` does the arithmetic, but it accepts partial vectors and scores them
 * 0, which would read a broken advisory as harmless. So a vector is validated against the
 * metric tables of its version first and only a complete, well-formed vector is scored.
 */
import cvssCalculator from 'ae-cvss-calculator';

export const CVSS_VERSIONS = ['2.0', '3.0', '3.1', '4.0'] as const;
export type CvssVersion = (typeof CVSS_VERSIONS)[number];

export type ScoreResult =
  | { ok: true; version: CvssVersion; score: number; vector: string }
  | { ok: false; reason: string };

export const SEVERITY_BANDS = ['critical', 'high', 'medium', 'low', 'none', 'unknown'] as const;
export type SeverityBand = (typeof SEVERITY_BANDS)[number];

interface MetricTable {
  /** Base metrics: each must appear exactly once with one of these values (no "not defined"). */
  mandatory: Record<string, readonly string[]>;
  /** Temporal / threat / environmental / supplemental metrics: may appear at most once. */
  optional: Record<string, readonly string[]>;
}

// Legal values per the FIRST specifications. Optional metrics accept their "not defined"
// value (X, or ND for v2); base metrics never do, since a base score needs all of them.
const V2: MetricTable = {
  mandatory: {
    AV: ['L', 'A', 'N'],
    AC: ['H', 'M', 'L'],
    Au: ['M', 'S', 'N'],
    C: ['N', 'P', 'C'],
    I: ['N', 'P', 'C'],
    A: ['N', 'P', 'C'],
  },
  optional: {
    E: ['U', 'POC', 'F', 'H', 'ND'],
    RL: ['OF', 'TF', 'W', 'U', 'ND'],
    RC: ['UC', 'UR', 'C', 'ND'],
    CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
    TD: ['N', 'L', 'M', 'H', 'ND'],
    CR: ['L', 'M', 'H', 'ND'],
    IR: ['L', 'M', 'H', 'ND'],
    AR: ['L', 'M', 'H', 'ND'],
  },
};

const V3: MetricTable = {
  mandatory: {
    AV: ['N', 'A', 'L', 'P'],
    AC: ['L', 'H'],
    PR: ['N', 'L', 'H'],
    UI: ['N', 'R'],
    S: ['U', 'C'],
    C: ['H', 'L', 'N'],
    I: ['H', 'L', 'N'],
    A: ['H', 'L', 'N'],
  },
  optional: {
    E: ['X', 'H', 'F', 'P', 'U'],
    RL: ['X', 'U', 'W', 'T', 'O'],
    RC: ['X', 'C', 'R', 'U'],
    CR: ['X', 'H', 'M', 'L'],
    IR: ['X', 'H', 'M', 'L'],
    AR: ['X', 'H', 'M', 'L'],
    MAV: ['X', 'N', 'A', 'L', 'P'],
    MAC: ['X', 'L', 'H'],
    MPR: ['X', 'N', 'L', 'H'],
    MUI: ['X', 'N', 'R'],
    MS: ['X', 'U', 'C'],
    MC: ['X', 'H', 'L', 'N'],
    MI: ['X', 'H', 'L', 'N'],
    MA: ['X', 'H', 'L', 'N'],
  },
};

const V4: MetricTable = {
  mandatory: {
    AV: ['N', 'A', 'L', 'P'],
    AC: ['L', 'H'],
    AT: ['N', 'P'],
    PR: ['N', 'L', 'H'],
    UI: ['N', 'P', 'A'],
    VC: ['H', 'L', 'N'],
    VI: ['H', 'L', 'N'],
    VA: ['H', 'L', 'N'],
    SC: ['H', 'L', 'N'],
    SI: ['H', 'L', 'N'],
    SA: ['H', 'L', 'N'],
  },
  optional: {
    E: ['X', 'A', 'P', 'U'],
    CR: ['X', 'H', 'M', 'L'],
    IR: ['X', 'H', 'M', 'L'],
    AR: ['X', 'H', 'M', 'L'],
    MAV: ['X', 'N', 'A', 'L', 'P'],
    MAC: ['X', 'L', 'H'],
    MAT: ['X', 'N', 'P'],
    MPR: ['X', 'N', 'L', 'H'],
    MUI: ['X', 'N', 'P', 'A'],
    MVC: ['X', 'H', 'L', 'N'],
    MVI: ['X', 'H', 'L', 'N'],
    MVA: ['X', 'H', 'L', 'N'],
    MSC: ['X', 'H', 'L', 'N'],
    MSI: ['X', 'S', 'H', 'L', 'N'],
    MSA: ['X', 'S', 'H', 'L', 'N'],
    S: ['X', 'N', 'P'],
    AU: ['X', 'N', 'Y'],
    R: ['X', 'A', 'U', 'I'],
    V: ['X', 'D', 'C'],
    RE: ['X', 'L', 'M', 'H'],
    U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
  },
};

const PREFIXES: ReadonlyArray<{ prefix: string; version: CvssVersion; table: MetricTable }> = [
  { prefix: 'CVSS:3.0/', version: '3.0', table: V3 },
  { prefix: 'CVSS:3.1/', version: '3.1', table: V3 },
  { prefix: 'CVSS:4.0/', version: '4.0', table: V4 },
];

type Parsed =
  | { ok: true; version: CvssVersion; prefix: string; metrics: Map<string, string>; table: MetricTable }
  | { ok: false; reason: string };

function parseVector(input: string): Parsed {
  const vector = input.trim();
  if (vector === '') return { ok: false, reason: 'empty vector' };

  let version: CvssVersion;
  let prefix: string;
  let table: MetricTable;
  let body: string;
  const known = PREFIXES.find((p) => vector.startsWith(p.prefix));
  if (known) {
    ({ version, prefix, table } = known);
    body = vector.slice(prefix.length);
  } else if (vector.startsWith('CVSS:')) {
    return { ok: false, reason: `unsupported CVSS version prefix in "${vector.split('/')[0]}"` };
  } else {
    // CVSS v2 has no prefix; NVD sometimes wraps it in parentheses.
    version = '2.0';
    prefix = '';
    table = V2;
    body = vector.startsWith('(') && vector.endsWith(')') ? vector.slice(1, -1) : vector;
  }

  const metrics = new Map<string, string>();
  for (const part of body.split('/')) {
    const colon = part.indexOf(':');
    if (part === '' || colon <= 0 || colon === part.length - 1) {
      return { ok: false, reason: `malformed metric "${part}" (expected KEY:VALUE)` };
    }
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const legal = table.mandatory[key] ?? table.optional[key];
    if (!legal) return { ok: false, reason: `unknown metric "${key}" for CVSS ${version}` };
    if (metrics.has(key)) return { ok: false, reason: `metric "${key}" appears more than once` };
    if (!legal.includes(value)) {
      return { ok: false, reason: `illegal value "${value}" for metric "${key}" (CVSS ${version})` };
    }
    metrics.set(key, value);
  }
  const missing = Object.keys(table.mandatory).filter((k) => !metrics.has(k));
  if (missing.length > 0) {
    return { ok: false, reason: `missing base metric(s) ${missing.join(', ')} for CVSS ${version}` };
  }
  return { ok: true, version, prefix, metrics, table };
}

/**
 * Validate a CVSS vector and compute its base score.
 *
 * The base score alone is used (temporal, threat and environmental metrics are ignored), so a
 * publisher's "exploit unproven" never lowers a score under the gate's threshold; the vector
 * returned is the one given (trimmed), so a decision can be reproduced from it.
 */
export function scoreVector(vector: string): ScoreResult {
  if (typeof vector !== 'string') return { ok: false, reason: 'vector is not a string' };
  const parsed = parseVector(vector);
  if (!parsed.ok) return parsed;

  // Score the base metrics only, in specification order.
  const baseVector =
    parsed.prefix +
    Object.keys(parsed.table.mandatory)
      .map((k) => `${k}:${parsed.metrics.get(k)}`)
      .join('/');
  let score: number | undefined;
  try {
    switch (parsed.version) {
      case '2.0':
        score = new cvssCalculator.Cvss2(baseVector).calculateScores().base;
        break;
      case '3.0':
        score = new cvssCalculator.Cvss3P0(baseVector).calculateScores().base;
        break;
      case '3.1':
        score = new cvssCalculator.Cvss3P1(baseVector).calculateScores().base;
        break;
      case '4.0':
        score = new cvssCalculator.Cvss4P0(baseVector).calculateScores().base;
        break;
    }
  } catch (err) {
    return { ok: false, reason: `scoring failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) {
    return { ok: false, reason: 'scoring produced no base score' };
  }
  return { ok: true, version: parsed.version, score, vector: vector.trim() };
}

/**
 * Qualitative band of a score (CVSS v3/v4 bands): critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0,
 * low > 0, none = 0; a missing score is `unknown`, never `none`.
 */
export function severityBand(score: number | null | undefined): SeverityBand {
  if (score === null || score === undefined || Number.isNaN(score)) return 'unknown';
  if (score >= 9.0) return 'critical';
  if (score >= 7.0) return 'high';
  if (score >= 4.0) return 'medium';
  if (score > 0) return 'low';
  return 'none';
}

/** GHSA severity labels and the lower bound of the CVSS band each names. */
const LABEL_LOWER_BOUNDS: Record<string, number> = {
  LOW: 0.1,
  MODERATE: 4.0, // GHSA says MODERATE where CVSS says Medium
  MEDIUM: 4.0,
  HIGH: 7.0,
  CRITICAL: 9.0,
};

/**
 * Score for an advisory that only carries a GHSA label (`database_specific.severity`): the
 * lower bound of the label's band, so a label never claims more than it says. Unrecognised
 * labels give null (unscored).
 */
export function labelScore(label: string | null | undefined): number | null {
  if (typeof label !== 'string') return null;
  return LABEL_LOWER_BOUNDS[label.trim().toUpperCase()] ?? null;
}
