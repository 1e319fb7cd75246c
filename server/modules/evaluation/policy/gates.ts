/**
 * The dependency decision (SPEC §4.3), as pure functions of facts and policy.
 *
 * Two steps so the service can stop before any upstream call: `registryGate` needs only the
 * registry rule and the requested version; `decide` takes every gathered fact and returns the
 * final outcome (it re-runs the registry gate, so it is total on its own).
 *
 * Invariants:
 * - a DENIED outcome always has a category and a policy name; ALLOWED / PROVISIONALLY_ALLOWED
 *   have category '' ;
 * - missing upstream data is never read as "no vulnerabilities" or as an UNKNOWN license: the
 *   verdict follows `upstream_unavailable` and the outcome is marked degraded;
 * - the CVE threshold is compared in decimal, so 0.7 blocks 7.0 and not 6.99.
 */
import type { GlobalPolicies, RegistryRule, RegistryStatus } from '../../registry/registry-document';
import type { Ecosystem, LicenseEvaluation, LicenseFact, VulnerabilityFact } from '../../packages/facts';

export const VERDICTS = ['ALLOWED', 'PROVISIONALLY_ALLOWED', 'DENIED'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** lex-align's `denial_category` ('' for ALLOWED and PROVISIONALLY_ALLOWED). */
export const DENIAL_CATEGORIES = ['registry', 'cve', 'license', ''] as const;
export type DenialCategory = (typeof DENIAL_CATEGORIES)[number];

/**
 * Policy names a decision can trigger (SPEC §8), used by agent-action governance.
 * `upstream.unavailable` is ours: a denial under `upstream_unavailable: deny`.
 */
export const POLICY_NAMES = [
  'registry.banned',
  'registry.deprecated',
  'registry.version_constraint',
  'vulnerability.cvss_threshold',
  'license.hard_ban',
  'license.review',
  'license.not_approved',
  'license.unknown',
  'upstream.unavailable',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Severity and risk weight of each policy other than the CVSS one (whose severity is the CVSS
 * band and whose risk is max CVSS / 10).
 *
 * | policy                        | severity | risk |
 * |-------------------------------|----------|------|
 * | registry.banned               | high     | 0.8  |
 * | registry.deprecated           | low      | 0.2  |
 * | registry.version_constraint   | medium   | 0.5  |
 * | license.hard_ban              | high     | 0.8  |
 * | license.review                | medium   | 0.5  |
 * | license.not_approved          | medium   | 0.5  |
 * | license.unknown               | medium   | 0.5  |
 * | upstream.unavailable          | medium   | 0.5  |
 *
 * Deprecated is low: the registry steers to a replacement, it does not say the package is unsafe.
 */
export const POLICY_WEIGHTS: Readonly<
  Record<Exclude<PolicyName, 'vulnerability.cvss_threshold'>, { severity: Severity; riskScore: number }>
> = Object.freeze({
  'registry.banned': { severity: 'high', riskScore: 0.8 },
  'registry.deprecated': { severity: 'low', riskScore: 0.2 },
  'registry.version_constraint': { severity: 'medium', riskScore: 0.5 },
  'license.hard_ban': { severity: 'high', riskScore: 0.8 },
  'license.review': { severity: 'medium', riskScore: 0.5 },
  'license.not_approved': { severity: 'medium', riskScore: 0.5 },
  'license.unknown': { severity: 'medium', riskScore: 0.5 },
  'upstream.unavailable': { severity: 'medium', riskScore: 0.5 },
});

/** Risk reported for a provisional answer given without upstream data: the risk is unknown, not nil. */
export const DEGRADED_RISK_SCORE = 0.5;

export interface Outcome {
  verdict: Verdict;
  category: DenialCategory;
  /** For the agent: what was decided, why, and what to do next. */
  reason: string;
  registryStatus: RegistryStatus | null;
  replacement: string | null;
  /** `>=min`, `<max` or `>=min,<max` for a version-constrained rule. */
  versionConstraint: string | null;
  /** The normalised license (`UNKNOWN` included), or null when none was fetched. */
  license: string | null;
  cveIds: string[];
  maxCvss: number | null;
  isRequestable: boolean;
  needsRationale: boolean;
  /** Tell the client an approval request is being submitted for it (lex-align's flag). */
  autoRequestApproval: boolean;
  /** The service files an approval request with this decision. */
  fileApprovalRequest: boolean;
  degraded: boolean;
  degradedReason: string | null;
  policy: PolicyName | null;
  severity: Severity | null;
  /** 0..1, see POLICY_WEIGHTS. */
  riskScore: number;
}

/**
 * Whether `version` satisfies `min` (inclusive) and `max` (exclusive) in the ecosystem's version
 * scheme; `'invalid'` when the version cannot be parsed. Supplied by the caller.
 */
export type VersionBoundsCheck = (
  version: string,
  bounds: { min?: string; max?: string },
) => boolean | 'invalid';

export interface RegistryGateInput {
  rule: RegistryRule | null;
  requestedVersion: string | null;
  bounds: VersionBoundsCheck;
}

export type RegistryGateResult = { kind: 'denied'; outcome: Outcome } | { kind: 'continue' };

export type VulnerabilityInput = VulnerabilityFact | { unavailable: string } | null;

export interface DecideInput {
  ecosystem: Ecosystem;
  package: string;
  requestedVersion: string | null;
  /** The version the facts are about (the requested one, or the latest when none was given). */
  resolvedVersion: string | null;
  rule: RegistryRule | null;
  policies: GlobalPolicies;
  license: LicenseFact | null;
  licenseEvaluation: LicenseEvaluation | null;
  /** OSV's answer; `{unavailable}` on an outage; null when it was not gathered (treated as unavailable). */
  vulnerabilities: VulnerabilityInput;
  /** Why package metadata (the license) could not be fetched; only matters for unregistered packages. */
  metadataUnavailable?: string | null;
  bounds: VersionBoundsCheck;
}

// ---------------------------------------------------------------------------------------------
// Small exported helpers
// ---------------------------------------------------------------------------------------------

/** lex-align's `version_constraint` text: `>=min`, `<max` or `>=min,<max`; null without bounds. */
export function versionConstraintOf(rule: Pick<RegistryRule, 'minVersion' | 'maxVersion'>): string | null {
  const parts = [
    rule.minVersion !== undefined ? `>=${rule.minVersion}` : null,
    rule.maxVersion !== undefined ? `<${rule.maxVersion}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(',') : null;
}

/** The CVSS score a threshold denies at, computed in decimal (0.7 → 7, never 7.000000000000001). */
export function thresholdScore(threshold: number): number {
  return shiftDecimal(threshold, 1);
}

/** `value × 10^places` done on the decimal text, so 9.8 / 10 is 0.98 and not 0.9800000000000001. */
function shiftDecimal(value: number, places: number): number {
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

/** Risk from a CVSS score: score / 10, clamped to 0..1. */
function cvssRisk(score: number): number {
  return Math.min(1, Math.max(0, shiftDecimal(score, -1)));
}

/**
 * Whether a max CVSS score reaches the threshold (inclusive). Both sides are the doubles nearest
 * to their decimal texts, so the comparison is the decimal one: 0.7 blocks 7.0, not 6.99.
 */
export function meetsCveThreshold(maxCvss: number, threshold: number): boolean {
  return maxCvss >= thresholdScore(threshold);
}

/** CVSS band: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0; null for 0 or no score. */
export function cvssSeverity(score: number | null): Severity | null {
  if (score === null || !(score > 0)) return null;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/** A score the way lex-align prints it (Python float repr: `9.8`, `10.0`). */
function formatScore(score: number): string {
  return Number.isInteger(score) ? score.toFixed(1) : String(score);
}

function base(overrides: Partial<Outcome> & Pick<Outcome, 'verdict' | 'reason'>): Outcome {
  return {
    category: '',
    registryStatus: null,
    replacement: null,
    versionConstraint: null,
    license: null,
    cveIds: [],
    maxCvss: null,
    isRequestable: false,
    needsRationale: false,
    autoRequestApproval: false,
    fileApprovalRequest: false,
    degraded: false,
    degradedReason: null,
    policy: null,
    severity: null,
    riskScore: 0,
    ...overrides,
  };
}

function policyFields(policy: Exclude<PolicyName, 'vulnerability.cvss_threshold'>) {
  return { policy, ...POLICY_WEIGHTS[policy] };
}

/** Append a sentence, making sure the text before it ends a sentence. */
function sentence(text: string, next: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return next;
  return `${/[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`} ${next}`;
}

// ---------------------------------------------------------------------------------------------
// Gate 1: registry
// ---------------------------------------------------------------------------------------------

const REGISTRY_BLOCKED = 'Blocked by enterprise registry.';

/**
 * The registry gate: `banned`, `deprecated` and a `version-constrained` rule whose requested
 * version is out of bounds (or unparseable) deny here, before any upstream call. A constrained
 * package asked for without a version passes: it cannot be judged until pinned.
 */
export function registryGate(input: RegistryGateInput): RegistryGateResult {
  const { rule } = input;
  if (rule === null) return { kind: 'continue' };
  const common = {
    verdict: 'DENIED' as const,
    category: 'registry' as const,
    registryStatus: rule.status,
    replacement: rule.replacement ?? null,
  };
  const withReplacement = (text: string) =>
    rule.replacement !== undefined && !text.toLowerCase().includes(rule.replacement.toLowerCase())
      ? sentence(text, `Use ${rule.replacement} instead.`)
      : text;

  switch (rule.status) {
    case 'banned':
      return {
        kind: 'denied',
        outcome: base({
          ...common,
          reason: withReplacement(rule.reason ?? REGISTRY_BLOCKED),
          ...policyFields('registry.banned'),
        }),
      };
    case 'deprecated':
      return {
        kind: 'denied',
        outcome: base({
          ...common,
          reason: withReplacement(rule.reason ?? REGISTRY_BLOCKED),
          ...policyFields('registry.deprecated'),
        }),
      };
    case 'version-constrained': {
      const version = input.requestedVersion?.trim() ?? '';
      if (version === '') return { kind: 'continue' };
      const result = input.bounds(version, {
        ...(rule.minVersion !== undefined ? { min: rule.minVersion } : {}),
        ...(rule.maxVersion !== undefined ? { max: rule.maxVersion } : {}),
      });
      if (result === true) return { kind: 'continue' };
      const constraint = versionConstraintOf(rule) ?? 'the registry bounds';
      const why =
        result === 'invalid'
          ? `Version "${version}" is not a valid version, so it cannot be checked against ${constraint}; ask again with a version that satisfies ${constraint}.`
          : `Version ${version} is outside the allowed range ${constraint}; choose a version that satisfies ${constraint}.`;
      return {
        kind: 'denied',
        outcome: base({
          ...common,
          versionConstraint: versionConstraintOf(rule),
          reason: sentence(rule.reason ?? REGISTRY_BLOCKED, why),
          ...policyFields('registry.version_constraint'),
        }),
      };
    }
    case 'preferred':
    case 'approved':
      return { kind: 'continue' };
  }
}

// ---------------------------------------------------------------------------------------------
// The whole decision
// ---------------------------------------------------------------------------------------------

/**
 * Decide a dependency evaluation from its facts, in SPEC §4.3's order: registry gate, then the
 * vulnerability gate for every package not blocked (registry-known ones included), then the
 * license gate for packages not in the registry, then the registry allow.
 *
 * Upstream outages: a CVE or license denial that the available facts already prove still
 * stands (marked degraded); otherwise the verdict follows `upstream_unavailable` — `provisional`
 * gives PROVISIONALLY_ALLOWED (registry-allowed packages too: without vulnerability data an
 * unconditional ALLOWED would claim a check that did not happen), `deny` gives DENIED.
 */
export function decide(input: DecideInput): Outcome {
  const { rule, policies } = input;
  const gate = registryGate(input);
  if (gate.kind === 'denied') return gate.outcome;

  const license = input.license?.normalized ?? null;
  const constraint = rule && rule.status === 'version-constrained' ? versionConstraintOf(rule) : null;
  const known = {
    registryStatus: rule?.status ?? null,
    replacement: rule?.replacement ?? null,
    versionConstraint: constraint,
    license,
  };

  // Gate 2: vulnerabilities.
  const unavailable: { source: 'osv' | 'metadata'; text: string }[] = [];
  let cveIds: string[] = [];
  let maxCvss: number | null = null;
  const vulns = input.vulnerabilities;
  if (vulns === null) {
    unavailable.push({ source: 'osv', text: 'vulnerability data was not gathered' });
  } else if ('unavailable' in vulns) {
    unavailable.push({ source: 'osv', text: `the vulnerability database (OSV) was unavailable (${vulns.unavailable})` });
  } else {
    cveIds = [...vulns.cveIds];
    maxCvss = vulns.maxCvss;
    if (maxCvss !== null && meetsCveThreshold(maxCvss, policies.cveThreshold)) {
      const shown = cveIds.slice(0, 5).join(', ');
      const more = cveIds.length > 5 ? ` and ${cveIds.length - 5} more` : '';
      const at = input.resolvedVersion ? ` in version ${input.resolvedVersion}` : '';
      return base({
        verdict: 'DENIED',
        category: 'cve',
        ...known,
        reason:
          `Critical CVE detected (max CVSS ${formatScore(maxCvss)}); threshold is ${thresholdScore(policies.cveThreshold).toFixed(1)}.` +
          (shown ? ` Advisories${at}: ${shown}${more}.` : '') +
          ' Choose a version that fixes them, or another package.',
        cveIds,
        maxCvss,
        policy: 'vulnerability.cvss_threshold',
        severity: cvssSeverity(maxCvss) ?? 'low',
        riskScore: cvssRisk(maxCvss),
      });
    }
  }
  const cveFields = { cveIds, maxCvss };
  const cveRisk = maxCvss !== null ? cvssRisk(maxCvss) : 0;
  const advisoryNote =
    cveIds.length > 0
      ? ` Known advisories below the threshold: ${cveIds.slice(0, 5).join(', ')}${cveIds.length > 5 ? ` and ${cveIds.length - 5} more` : ''}` +
        (maxCvss !== null ? ` (max CVSS ${formatScore(maxCvss)}).` : ' (unscored).')
      : '';

  const degradedText = () => unavailable.map((u) => u.text).join('; ');
  const degradedFields = () =>
    unavailable.length > 0 ? { degraded: true, degradedReason: degradedText() } : {};

  // Gate 3: license, only for packages the registry does not know.
  let candidate: Outcome;
  if (rule === null) {
    const metadataUnavailable = input.metadataUnavailable?.trim() || null;
    const evaluation = input.licenseEvaluation;
    const notInRegistry = 'Not yet in the enterprise registry.';
    const requestHint = 'Run `lex-align-client request-approval` to formalize.';
    if (metadataUnavailable !== null || evaluation === null) {
      unavailable.push({
        source: 'metadata',
        text:
          metadataUnavailable !== null
            ? `package metadata was unavailable (${metadataUnavailable}), so the license could not be checked`
            : 'license data was not gathered, so the license could not be checked',
      });
      candidate = base({
        verdict: 'PROVISIONALLY_ALLOWED',
        ...known,
        ...cveFields,
        reason: notInRegistry,
        isRequestable: true,
        riskScore: cveRisk,
      });
    } else {
      const denial = licenseDenial(input, evaluation, license);
      if (denial !== null) {
        const note = unavailable.length > 0 ? ` (Note: ${degradedText()}.)` : '';
        return base({
          verdict: 'DENIED',
          category: 'license',
          ...known,
          ...cveFields,
          ...denial,
          reason: denial.reason + note,
          ...degradedFields(),
        });
      }
      const shown = licenseLabel(evaluation, license);
      if (evaluation.class === 'auto_approve') {
        candidate = base({
          verdict: 'PROVISIONALLY_ALLOWED',
          ...known,
          ...cveFields,
          reason: `${notInRegistry} License ${shown} is on the auto-approve list and no critical CVEs are reported. ${requestHint}${advisoryNote}`,
          isRequestable: true,
          riskScore: cveRisk,
        });
      } else if (policies.unknownLicensePolicy === 'allow') {
        candidate = base({
          verdict: 'PROVISIONALLY_ALLOWED',
          ...known,
          ...cveFields,
          reason: `${notInRegistry} License could not be determined; unknown_license_policy=allow. ${requestHint}${advisoryNote}`,
          isRequestable: true,
          riskScore: cveRisk,
        });
      } else {
        // pending_approval (block was handled by licenseDenial).
        candidate = base({
          verdict: 'PROVISIONALLY_ALLOWED',
          ...known,
          ...cveFields,
          reason:
            `${notInRegistry} License could not be determined; provisionally allowed pending human review. ` +
            `An approval request will be automatically submitted.${advisoryNote}`,
          isRequestable: true,
          autoRequestApproval: true,
          fileApprovalRequest: true,
          policy: 'license.unknown',
          severity: POLICY_WEIGHTS['license.unknown'].severity,
          riskScore: Math.max(cveRisk, POLICY_WEIGHTS['license.unknown'].riskScore),
        });
      }
    }
  } else {
    // Gate 4: registry allow.
    let reason = rule.reason ?? `Allowed by enterprise registry (${rule.status}).`;
    if (rule.status === 'approved') {
      reason = sentence(reason, 'Approved for use with a rationale: say why this package is needed.');
    }
    if (rule.status === 'version-constrained' && !(input.requestedVersion?.trim())) {
      reason = sentence(reason, `Pin a version that satisfies ${constraint ?? 'the registry bounds'}.`);
    }
    candidate = base({
      verdict: 'ALLOWED',
      ...known,
      ...cveFields,
      reason: reason + advisoryNote,
      needsRationale: rule.status === 'approved',
      riskScore: cveRisk,
    });
  }

  if (unavailable.length === 0) return candidate;

  // Facts are missing and nothing gathered so far denies: upstream_unavailable decides.
  const missing = degradedText();
  if (policies.upstreamUnavailable === 'deny') {
    const osvMissing = unavailable.some((u) => u.source === 'osv');
    return base({
      ...candidate,
      verdict: 'DENIED',
      // The gate that could not run: vulnerability data first (it applies to every package).
      category: osvMissing ? 'cve' : 'license',
      reason:
        `Denied for now: ${missing}; upstream_unavailable=deny, so no answer is given without that check. ` +
        'Retry later; this answer is provisional and not a finding about the package.',
      isRequestable: rule === null,
      needsRationale: false,
      autoRequestApproval: false,
      fileApprovalRequest: false,
      degraded: true,
      degradedReason: missing,
      ...policyFields('upstream.unavailable'),
    });
  }
  return base({
    ...candidate,
    verdict: 'PROVISIONALLY_ALLOWED',
    reason: sentence(
      candidate.reason,
      `Provisional: ${missing}; upstream_unavailable=provisional, so this answer stands until the check can run. Ask again later for a final verdict.`,
    ),
    degraded: true,
    degradedReason: missing,
    riskScore: Math.max(candidate.riskScore, DEGRADED_RISK_SCORE),
  });
}

/** The license as shown in a reason: the normalised string, plus the elected OR branch. */
function licenseLabel(evaluation: LicenseEvaluation, license: string | null): string {
  const shown = license ?? 'UNKNOWN';
  return evaluation.elected && evaluation.elected !== shown
    ? `${evaluation.elected} (elected from ${shown})`
    : shown;
}

/** The license gate's denials, or null when the license lets the package through. */
function licenseDenial(
  input: DecideInput,
  evaluation: LicenseEvaluation,
  license: string | null,
): (Pick<Outcome, 'reason' | 'isRequestable' | 'fileApprovalRequest' | 'policy' | 'severity' | 'riskScore'>) | null {
  const offending = evaluation.offending.length > 0 ? evaluation.offending.join(', ') : (license ?? 'UNKNOWN');
  const expression = license !== null && license !== offending ? ` License expression: ${license}.` : '';
  switch (evaluation.class) {
    case 'hard_ban':
      return {
        reason:
          `License ${offending} is hard-banned by the enterprise policy.${expression} ` +
          'Choose a package under a permitted license.',
        isRequestable: false,
        fileApprovalRequest: false,
        ...policyFields('license.hard_ban'),
      };
    case 'review':
      return {
        reason:
          `License ${offending} requires legal review under the enterprise policy.${expression} ` +
          'Denied while legal review is pending: an approval request has been filed automatically, so do not file another; ' +
          'use an alternative package or wait for the decision.',
        isRequestable: true,
        fileApprovalRequest: true,
        ...policyFields('license.review'),
      };
    case 'not_approved':
      return {
        reason:
          `License ${offending} is not on the auto-approve list; add it to global_policies.auto_approve_licenses if it should be permitted.${expression} ` +
          'Choose a package under an approved license, or ask an administrator to approve this license.',
        isRequestable: false,
        fileApprovalRequest: false,
        ...policyFields('license.not_approved'),
      };
    case 'unknown': {
      if (input.policies.unknownLicensePolicy !== 'block') return null;
      const from = input.ecosystem === 'pypi' ? 'PyPI' : `the ${input.ecosystem} registry`;
      const why = input.license?.unknownReason ? ` (${input.license.unknownReason})` : '';
      return {
        reason:
          `License could not be determined from ${from}${why}; unknown_license_policy=block. ` +
          'Choose a package with a declared license, or ask an administrator to add this package to the registry.',
        isRequestable: false,
        fileApprovalRequest: false,
        ...policyFields('license.unknown'),
      };
    }
    case 'auto_approve':
      return null;
  }
}
