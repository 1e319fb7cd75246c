import { describe, expect, it } from 'vitest';
import { DEFAULT_GLOBAL_POLICIES, parseRegistryYaml } from '../../registry/registry-document';
import type { GlobalPolicies, RegistryRule } from '../../registry/registry-document';
import type { LicenseClass, LicenseEvaluation, LicenseFact, VulnerabilityFact } from '../../packages/facts';
import {
  cvssSeverity,
  decide,
  meetsCveThreshold,
  registryGate,
  thresholdScore,
  versionConstraintOf,
} from './gates';
import type { DecideInput, Outcome, VersionBoundsCheck } from './gates';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** Dotted-numeric bounds for the tests (the real version schemes live elsewhere). */
const bounds: VersionBoundsCheck = (version, { min, max }) => {
  const parse = (v: string) => (/^\d+(\.\d+)*$/.test(v) ? v.split('.').map(Number) : null);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  };
  const v = parse(version);
  if (!v) return 'invalid';
  if (min !== undefined && cmp(v, parse(min) ?? []) < 0) return false;
  if (max !== undefined && cmp(v, parse(max) ?? []) >= 0) return false;
  return true;
};

const POLICIES: GlobalPolicies = {
  autoApproveLicenses: ['MIT', 'Apache-2.0'],
  hardBanLicenses: ['GPL-3.0-only'],
  requireHumanReviewLicenses: ['LGPL-3.0-only'],
  unknownLicensePolicy: 'pending_approval',
  cveThreshold: 0.9,
  upstreamUnavailable: 'provisional',
};

const rule = (status: RegistryRule['status'], extra: Partial<RegistryRule> = {}): RegistryRule => ({
  key: 'pkg',
  ecosystem: 'pypi',
  name: 'pkg',
  status,
  ...extra,
});

const licenseFact = (normalized: string, unknownReason: string | null = null): LicenseFact => ({
  raw: normalized === 'UNKNOWN' ? null : normalized,
  source: normalized === 'UNKNOWN' ? 'none' : 'license_expression',
  expression: normalized === 'UNKNOWN' ? null : normalized,
  normalized,
  unknownReason,
});

const evaluation = (cls: LicenseClass, extra: Partial<LicenseEvaluation> = {}): LicenseEvaluation => ({
  class: cls,
  elected: null,
  offending: [],
  explanation: `class ${cls}`,
  ...extra,
});

const vulns = (maxCvss: number | null, cveIds: string[] = maxCvss === null ? [] : ['CVE-2024-0001']): VulnerabilityFact => ({
  advisories: [],
  cveIds,
  maxCvss,
  maxAdvisory: null,
});

const CLEAN = vulns(null, []);

/** A clean, registry-unknown MIT package: override what a row is about. */
function input(overrides: Partial<DecideInput> = {}): DecideInput {
  return {
    ecosystem: 'pypi',
    package: 'pkg',
    requestedVersion: '1.0.0',
    resolvedVersion: '1.0.0',
    rule: null,
    policies: POLICIES,
    license: licenseFact('MIT'),
    licenseEvaluation: evaluation('auto_approve'),
    vulnerabilities: CLEAN,
    metadataUnavailable: null,
    bounds,
    ...overrides,
  };
}

const withPolicies = (overrides: Partial<GlobalPolicies>): GlobalPolicies => ({ ...POLICIES, ...overrides });

/** Invariants every outcome keeps, checked on every row. */
function checkInvariants(outcome: Outcome) {
  expect(outcome.riskScore).toBeGreaterThanOrEqual(0);
  expect(outcome.riskScore).toBeLessThanOrEqual(1);
  expect(outcome.reason.length).toBeGreaterThan(0);
  if (outcome.verdict === 'DENIED') {
    expect(outcome.category).not.toBe('');
    expect(outcome.policy).not.toBeNull();
    expect(outcome.severity).not.toBeNull();
    expect(outcome.needsRationale).toBe(false);
    expect(outcome.autoRequestApproval).toBe(false);
  } else {
    expect(outcome.category).toBe('');
  }
  expect(outcome.degraded).toBe(outcome.degradedReason !== null);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

describe('thresholdScore / meetsCveThreshold (decimal, inclusive)', () => {
  it.each([
    [0.9, 9.0, true],
    [0.9, 8.9, false],
    [0.9, 8.99, false],
    [0.7, 7.0, true],
    [0.7, 6.99, false],
    [0.7, 6.9, false],
    [0.3, 3.0, true], // 0.3 × 10 is 3.0000000000000004 in floating point
    [0.55, 5.5, true], // 0.55 × 10 is 5.500000000000001
    [0.15, 1.5, true],
    [0.85, 8.5, true],
    [0.85, 8.4, false],
    [1, 10, true],
    [1, 9.9, false],
    [0, 0, true],
    [0.000001, 0, false],
  ])('threshold %s, max CVSS %s → blocks: %s', (threshold, score, blocks) => {
    expect(meetsCveThreshold(score, threshold)).toBe(blocks);
  });

  it.each([
    [0.7, 7],
    [0.3, 3],
    [0.55, 5.5],
    [0.9, 9],
    [1e-7, 0.000001],
  ])('thresholdScore(%s) = %s exactly', (threshold, expected) => {
    expect(thresholdScore(threshold)).toBe(expected);
  });
});

describe('cvssSeverity', () => {
  it.each([
    [10, 'critical'],
    [9.0, 'critical'],
    [8.9, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, null],
    [null, null],
  ] as const)('%s → %s', (score, band) => {
    expect(cvssSeverity(score)).toBe(band);
  });
});

describe('versionConstraintOf', () => {
  it.each([
    [{ minVersion: '1.26.0', maxVersion: '3.0.0' }, '>=1.26.0,<3.0.0'],
    [{ minVersion: '42.0.0' }, '>=42.0.0'],
    [{ maxVersion: '5.0' }, '<5.0'],
    [{}, null],
  ])('%j → %s', (r, expected) => {
    expect(versionConstraintOf(r)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Gate 1: registry
// ---------------------------------------------------------------------------------------------

describe('registryGate', () => {
  const constrained = rule('version-constrained', { minVersion: '1.26.0', maxVersion: '3.0.0' });

  it.each<[string, RegistryRule | null, string | null, 'continue' | Partial<Outcome>]>([
    ['not in the registry', null, '1.0', 'continue'],
    ['preferred', rule('preferred'), '1.0', 'continue'],
    ['approved', rule('approved'), null, 'continue'],
    [
      'banned with a reason',
      rule('banned', { reason: 'Unmaintained; use cryptography instead.' }),
      '1.0',
      {
        reason: 'Unmaintained; use cryptography instead.',
        registryStatus: 'banned',
        policy: 'registry.banned',
        severity: 'high',
        riskScore: 0.8,
      },
    ],
    [
      'banned without a reason',
      rule('banned'),
      null,
      { reason: 'Blocked by enterprise registry.', replacement: null, policy: 'registry.banned' },
    ],
    [
      'banned naming a replacement the reason does not mention',
      rule('banned', { replacement: 'PySide6', reason: 'GPL-only Qt binding' }),
      null,
      { reason: 'GPL-only Qt binding. Use PySide6 instead.', replacement: 'PySide6' },
    ],
    [
      'deprecated',
      rule('deprecated', { replacement: 'orjson', reason: 'Consolidating on one JSON library.' }),
      '3.19',
      {
        reason: 'Consolidating on one JSON library. Use orjson instead.',
        registryStatus: 'deprecated',
        replacement: 'orjson',
        policy: 'registry.deprecated',
        severity: 'low',
        riskScore: 0.2,
      },
    ],
    [
      'deprecated without a reason',
      rule('deprecated', { replacement: 'httpx' }),
      null,
      { reason: 'Blocked by enterprise registry. Use httpx instead.', replacement: 'httpx' },
    ],
    [
      'deprecated whose reason already names the replacement',
      rule('deprecated', { replacement: 'httpx', reason: 'Move to HTTPX for async support.' }),
      null,
      { reason: 'Move to HTTPX for async support.' },
    ],
    ['version-constrained, no version', constrained, null, 'continue'],
    ['version-constrained, blank version', constrained, '  ', 'continue'],
    ['version-constrained, in bounds', constrained, '2.1.0', 'continue'],
    ['version-constrained, at min (inclusive)', constrained, '1.26.0', 'continue'],
    [
      'version-constrained, below min',
      constrained,
      '1.25.9',
      {
        registryStatus: 'version-constrained',
        versionConstraint: '>=1.26.0,<3.0.0',
        policy: 'registry.version_constraint',
        severity: 'medium',
        reason:
          'Blocked by enterprise registry. Version 1.25.9 is outside the allowed range >=1.26.0,<3.0.0; choose a version that satisfies >=1.26.0,<3.0.0.',
      },
    ],
    [
      'version-constrained, at max (exclusive)',
      constrained,
      '3.0.0',
      { versionConstraint: '>=1.26.0,<3.0.0', policy: 'registry.version_constraint' },
    ],
    [
      'version-constrained, invalid version',
      rule('version-constrained', { minVersion: '42.0.0', reason: 'Needs the 42 API.' }),
      'latest',
      {
        versionConstraint: '>=42.0.0',
        reason:
          'Needs the 42 API. Version "latest" is not a valid version, so it cannot be checked against >=42.0.0; ask again with a version that satisfies >=42.0.0.',
      },
    ],
  ])('%s', (_label, r, version, expected) => {
    const result = registryGate({ rule: r, requestedVersion: version, bounds });
    if (expected === 'continue') {
      expect(result).toEqual({ kind: 'continue' });
      return;
    }
    expect(result.kind).toBe('denied');
    if (result.kind !== 'denied') return;
    expect(result.outcome).toMatchObject({
      verdict: 'DENIED',
      category: 'registry',
      isRequestable: false,
      cveIds: [],
      maxCvss: null,
      degraded: false,
      ...expected,
    });
    checkInvariants(result.outcome);
  });

  it('passes the version and both bounds to the bounds check', () => {
    const calls: unknown[] = [];
    registryGate({
      rule: rule('version-constrained', { minVersion: '1', maxVersion: '2' }),
      requestedVersion: ' 1.5 ',
      bounds: (v, b) => {
        calls.push([v, b]);
        return true;
      },
    });
    expect(calls).toEqual([['1.5', { min: '1', max: '2' }]]);
  });
});

// ---------------------------------------------------------------------------------------------
// The whole decision: one row per SPEC §4.3 case
// ---------------------------------------------------------------------------------------------

type Row = [label: string, overrides: Partial<DecideInput>, expected: Partial<Outcome>, reason?: RegExp | string];

const ALLOW_DEFAULTS = { degraded: false, degradedReason: null, policy: null, severity: null };

const rows: Row[] = [
  // --- 1. registry gate through decide: no facts consulted --------------------------------
  [
    'banned, even with OSV down',
    { rule: rule('banned'), vulnerabilities: { unavailable: 'timeout' } },
    { verdict: 'DENIED', category: 'registry', policy: 'registry.banned', degraded: false },
    'Blocked by enterprise registry.',
  ],
  [
    'deprecated carries the replacement',
    { rule: rule('deprecated', { replacement: 'orjson' }) },
    { verdict: 'DENIED', category: 'registry', replacement: 'orjson', policy: 'registry.deprecated' },
    /Use orjson instead\.$/,
  ],
  [
    'version-constrained out of bounds',
    { rule: rule('version-constrained', { minVersion: '42.0.0' }), requestedVersion: '41.0.0' },
    { verdict: 'DENIED', category: 'registry', versionConstraint: '>=42.0.0', policy: 'registry.version_constraint' },
  ],
  [
    'version-constrained with an invalid version',
    { rule: rule('version-constrained', { minVersion: '42.0.0' }), requestedVersion: 'v42' },
    { verdict: 'DENIED', category: 'registry', policy: 'registry.version_constraint' },
    /not a valid version/,
  ],

  // --- 2. vulnerability gate, registry-known packages included --------------------------------
  [
    'preferred with a critical CVE is denied',
    { rule: rule('preferred'), vulnerabilities: vulns(9.8, ['CVE-2024-1', 'GHSA-xxxx']) },
    {
      verdict: 'DENIED',
      category: 'cve',
      registryStatus: 'preferred',
      cveIds: ['CVE-2024-1', 'GHSA-xxxx'],
      maxCvss: 9.8,
      policy: 'vulnerability.cvss_threshold',
      severity: 'critical',
      riskScore: 0.98,
      isRequestable: false,
    },
    'Critical CVE detected (max CVSS 9.8); threshold is 9.0. Advisories in version 1.0.0: CVE-2024-1, GHSA-xxxx. Choose a version that fixes them, or another package.',
  ],
  [
    'preferred with a 7.5 is allowed and reports it',
    { rule: rule('preferred'), vulnerabilities: vulns(7.5, ['CVE-2024-2']) },
    { verdict: 'ALLOWED', registryStatus: 'preferred', cveIds: ['CVE-2024-2'], maxCvss: 7.5, riskScore: 0.75, ...ALLOW_DEFAULTS },
    'Allowed by enterprise registry (preferred). Known advisories below the threshold: CVE-2024-2 (max CVSS 7.5).',
  ],
  [
    'threshold 0.9 blocks 9.0',
    { vulnerabilities: vulns(9.0) },
    { verdict: 'DENIED', category: 'cve', severity: 'critical', riskScore: 0.9 },
    /^Critical CVE detected \(max CVSS 9\.0\); threshold is 9\.0\./,
  ],
  ['threshold 0.9 passes 8.9', { vulnerabilities: vulns(8.9) }, { verdict: 'PROVISIONALLY_ALLOWED', maxCvss: 8.9 }],
  [
    'threshold 0.7 blocks 7.0',
    { policies: withPolicies({ cveThreshold: 0.7 }), vulnerabilities: vulns(7.0) },
    { verdict: 'DENIED', category: 'cve', severity: 'high' },
    /threshold is 7\.0\./,
  ],
  [
    'threshold 0.7 passes 6.99',
    { policies: withPolicies({ cveThreshold: 0.7 }), vulnerabilities: vulns(6.99) },
    { verdict: 'PROVISIONALLY_ALLOWED', maxCvss: 6.99 },
  ],
  [
    'a CVSS 10 prints as 10.0',
    { rule: rule('approved'), vulnerabilities: vulns(10) },
    { verdict: 'DENIED', category: 'cve', registryStatus: 'approved', riskScore: 1 },
    /^Critical CVE detected \(max CVSS 10\.0\); threshold is 9\.0\./,
  ],
  [
    'unscored advisories do not trip the threshold but are reported',
    { rule: rule('preferred'), vulnerabilities: vulns(null, ['GHSA-unscored']) },
    { verdict: 'ALLOWED', cveIds: ['GHSA-unscored'], maxCvss: null, riskScore: 0 },
    /Known advisories below the threshold: GHSA-unscored \(unscored\)\./,
  ],
  [
    'the CVE gate runs before the license gate',
    { license: licenseFact('GPL-3.0-only'), licenseEvaluation: evaluation('hard_ban'), vulnerabilities: vulns(9.1) },
    { verdict: 'DENIED', category: 'cve', license: 'GPL-3.0-only' },
  ],
  [
    'a constrained package asked without a version still gets the CVE gate (latest)',
    {
      rule: rule('version-constrained', { minVersion: '1.0' }),
      requestedVersion: null,
      resolvedVersion: '2.0',
      vulnerabilities: vulns(9.5),
    },
    { verdict: 'DENIED', category: 'cve', versionConstraint: '>=1.0' },
    /Advisories in version 2\.0:/,
  ],

  // --- 3. license gate, registry-unknown packages only ------------------------------------
  [
    'hard-banned license',
    {
      license: licenseFact('GPL-3.0-only'),
      licenseEvaluation: evaluation('hard_ban', { offending: ['GPL-3.0-only'] }),
    },
    {
      verdict: 'DENIED',
      category: 'license',
      license: 'GPL-3.0-only',
      isRequestable: false,
      fileApprovalRequest: false,
      policy: 'license.hard_ban',
      severity: 'high',
      riskScore: 0.8,
      registryStatus: null,
    },
    'License GPL-3.0-only is hard-banned by the enterprise policy. Choose a package under a permitted license.',
  ],
  [
    'hard-banned component of an AND expression names the banned license',
    {
      license: licenseFact('MIT AND GPL-3.0-only'),
      licenseEvaluation: evaluation('hard_ban', { offending: ['GPL-3.0-only'] }),
    },
    { verdict: 'DENIED', category: 'license', policy: 'license.hard_ban' },
    /^License GPL-3\.0-only is hard-banned by the enterprise policy\. License expression: MIT AND GPL-3\.0-only\./,
  ],
  [
    'review license: denied, requestable, request filed',
    {
      license: licenseFact('LGPL-3.0-only'),
      licenseEvaluation: evaluation('review', { offending: ['LGPL-3.0-only'] }),
    },
    {
      verdict: 'DENIED',
      category: 'license',
      isRequestable: true,
      fileApprovalRequest: true,
      autoRequestApproval: false,
      policy: 'license.review',
      severity: 'medium',
      riskScore: 0.5,
    },
    /^License LGPL-3\.0-only requires legal review.*legal review is pending: an approval request has been filed automatically/,
  ],
  [
    'auto-approved license: provisional, requestable',
    {},
    {
      verdict: 'PROVISIONALLY_ALLOWED',
      license: 'MIT',
      isRequestable: true,
      autoRequestApproval: false,
      fileApprovalRequest: false,
      riskScore: 0,
      ...ALLOW_DEFAULTS,
    },
    'Not yet in the enterprise registry. License MIT is on the auto-approve list and no critical CVEs are reported. Run `lex-align-client request-approval` to formalize.',
  ],
  [
    'auto-approved OR branch is named',
    {
      license: licenseFact('MIT OR GPL-3.0-only'),
      licenseEvaluation: evaluation('auto_approve', { elected: 'MIT' }),
    },
    { verdict: 'PROVISIONALLY_ALLOWED', license: 'MIT OR GPL-3.0-only' },
    /License MIT \(elected from MIT OR GPL-3\.0-only\) is on the auto-approve list/,
  ],
  [
    'known license on no list: default-deny',
    {
      license: licenseFact('EPL-2.0'),
      licenseEvaluation: evaluation('not_approved', { offending: ['EPL-2.0'] }),
    },
    { verdict: 'DENIED', category: 'license', isRequestable: false, policy: 'license.not_approved', severity: 'medium' },
    /^License EPL-2\.0 is not on the auto-approve list; add it to global_policies\.auto_approve_licenses if it should be permitted\./,
  ],
  [
    'UNKNOWN under allow',
    {
      policies: withPolicies({ unknownLicensePolicy: 'allow' }),
      license: licenseFact('UNKNOWN', 'no license published'),
      licenseEvaluation: evaluation('unknown'),
    },
    { verdict: 'PROVISIONALLY_ALLOWED', license: 'UNKNOWN', isRequestable: true, autoRequestApproval: false, fileApprovalRequest: false, ...ALLOW_DEFAULTS },
    /License could not be determined; unknown_license_policy=allow\./,
  ],
  [
    'UNKNOWN under pending_approval',
    { license: licenseFact('UNKNOWN'), licenseEvaluation: evaluation('unknown') },
    {
      verdict: 'PROVISIONALLY_ALLOWED',
      isRequestable: true,
      autoRequestApproval: true,
      fileApprovalRequest: true,
      policy: 'license.unknown',
      severity: 'medium',
      riskScore: 0.5,
      degraded: false,
    },
    'Not yet in the enterprise registry. License could not be determined; provisionally allowed pending human review. An approval request will be automatically submitted.',
  ],
  [
    'UNKNOWN under block',
    {
      policies: withPolicies({ unknownLicensePolicy: 'block' }),
      license: licenseFact('UNKNOWN', 'SEE LICENSE IN LICENSE.txt'),
      licenseEvaluation: evaluation('unknown'),
    },
    { verdict: 'DENIED', category: 'license', license: 'UNKNOWN', policy: 'license.unknown', isRequestable: false },
    /^License could not be determined from PyPI \(SEE LICENSE IN LICENSE\.txt\); unknown_license_policy=block\./,
  ],
  [
    'UNKNOWN under block, npm wording',
    {
      ecosystem: 'npm',
      policies: withPolicies({ unknownLicensePolicy: 'block' }),
      license: licenseFact('UNKNOWN'),
      licenseEvaluation: evaluation('unknown'),
    },
    { verdict: 'DENIED', category: 'license' },
    /^License could not be determined from the npm registry; unknown_license_policy=block\./,
  ],
  [
    'a registry-known package skips the license gate',
    { rule: rule('preferred'), license: licenseFact('GPL-3.0-only'), licenseEvaluation: evaluation('hard_ban') },
    { verdict: 'ALLOWED', license: 'GPL-3.0-only', ...ALLOW_DEFAULTS },
  ],

  // --- 4. registry allow -------------------------------------------------------------------
  [
    'preferred with its reason',
    { rule: rule('preferred', { reason: 'Standard validation layer.' }) },
    { verdict: 'ALLOWED', registryStatus: 'preferred', needsRationale: false, isRequestable: false, riskScore: 0, ...ALLOW_DEFAULTS },
    'Standard validation layer.',
  ],
  [
    'approved sets needs_rationale',
    { rule: rule('approved') },
    { verdict: 'ALLOWED', registryStatus: 'approved', needsRationale: true, ...ALLOW_DEFAULTS },
    /^Allowed by enterprise registry \(approved\)\. Approved for use with a rationale/,
  ],
  [
    'version-constrained in bounds',
    { rule: rule('version-constrained', { minVersion: '1.0', maxVersion: '2.0' }), requestedVersion: '1.5' },
    { verdict: 'ALLOWED', registryStatus: 'version-constrained', versionConstraint: '>=1.0,<2.0', ...ALLOW_DEFAULTS },
    'Allowed by enterprise registry (version-constrained).',
  ],
  [
    'version-constrained without a version',
    { rule: rule('version-constrained', { maxVersion: '2.0' }), requestedVersion: null, resolvedVersion: '1.9' },
    { verdict: 'ALLOWED', versionConstraint: '<2.0', ...ALLOW_DEFAULTS },
    /Pin a version that satisfies <2\.0\./,
  ],

  // --- upstream unavailable -------------------------------------------------------------------
  [
    'OSV down, provisional, registry-preferred',
    { rule: rule('preferred'), vulnerabilities: { unavailable: 'HTTP 503' } },
    {
      verdict: 'PROVISIONALLY_ALLOWED',
      registryStatus: 'preferred',
      degraded: true,
      degradedReason: 'the vulnerability database (OSV) was unavailable (HTTP 503)',
      cveIds: [],
      maxCvss: null,
      policy: null,
      riskScore: 0.5,
    },
    /^Allowed by enterprise registry \(preferred\)\. Provisional: the vulnerability database \(OSV\) was unavailable \(HTTP 503\); upstream_unavailable=provisional/,
  ],
  [
    'OSV down, deny, registry-preferred',
    { rule: rule('preferred'), policies: withPolicies({ upstreamUnavailable: 'deny' }), vulnerabilities: { unavailable: 'timeout after 5s' } },
    {
      verdict: 'DENIED',
      category: 'cve',
      registryStatus: 'preferred',
      degraded: true,
      policy: 'upstream.unavailable',
      severity: 'medium',
      isRequestable: false,
    },
    /^Denied for now: the vulnerability database \(OSV\) was unavailable \(timeout after 5s\); upstream_unavailable=deny.*provisional/,
  ],
  [
    'OSV down, provisional, approved keeps needs_rationale',
    { rule: rule('approved'), vulnerabilities: { unavailable: 'bad JSON' } },
    { verdict: 'PROVISIONALLY_ALLOWED', needsRationale: true, degraded: true },
  ],
  [
    'OSV down, provisional, unknown package with an auto-approved license',
    { vulnerabilities: { unavailable: 'HTTP 500' } },
    { verdict: 'PROVISIONALLY_ALLOWED', isRequestable: true, degraded: true, license: 'MIT' },
    /auto-approve list.*Provisional: the vulnerability database \(OSV\) was unavailable/,
  ],
  [
    'OSV down, provisional, UNKNOWN license under pending_approval still files the request',
    { vulnerabilities: { unavailable: 'HTTP 500' }, license: licenseFact('UNKNOWN'), licenseEvaluation: evaluation('unknown') },
    { verdict: 'PROVISIONALLY_ALLOWED', autoRequestApproval: true, fileApprovalRequest: true, degraded: true },
  ],
  [
    'OSV down, deny, unknown package is denied but requestable',
    { policies: withPolicies({ upstreamUnavailable: 'deny' }), vulnerabilities: { unavailable: 'HTTP 500' } },
    { verdict: 'DENIED', category: 'cve', isRequestable: true, degraded: true, policy: 'upstream.unavailable', fileApprovalRequest: false },
  ],
  [
    'OSV down does not soften a license denial',
    {
      vulnerabilities: { unavailable: 'HTTP 500' },
      license: licenseFact('GPL-3.0-only'),
      licenseEvaluation: evaluation('hard_ban', { offending: ['GPL-3.0-only'] }),
    },
    { verdict: 'DENIED', category: 'license', policy: 'license.hard_ban', degraded: true },
    /hard-banned.*\(Note: the vulnerability database \(OSV\) was unavailable \(HTTP 500\)\.\)$/,
  ],
  [
    'vulnerabilities not gathered count as unavailable, never as clean',
    { rule: rule('preferred'), vulnerabilities: null },
    { verdict: 'PROVISIONALLY_ALLOWED', degraded: true, degradedReason: 'vulnerability data was not gathered' },
  ],
  [
    'metadata down, provisional, unknown package',
    { license: null, licenseEvaluation: null, metadataUnavailable: 'PyPI answered 502' },
    {
      verdict: 'PROVISIONALLY_ALLOWED',
      license: null,
      isRequestable: true,
      autoRequestApproval: false,
      fileApprovalRequest: false,
      degraded: true,
      degradedReason: 'package metadata was unavailable (PyPI answered 502), so the license could not be checked',
    },
    /^Not yet in the enterprise registry\. Provisional: package metadata was unavailable/,
  ],
  [
    'metadata down, deny, unknown package',
    {
      policies: withPolicies({ upstreamUnavailable: 'deny' }),
      license: null,
      licenseEvaluation: null,
      metadataUnavailable: 'timeout',
    },
    { verdict: 'DENIED', category: 'license', isRequestable: true, policy: 'upstream.unavailable', degraded: true },
    /^Denied for now: package metadata was unavailable \(timeout\)/,
  ],
  [
    'metadata down wins over a stale evaluation',
    { metadataUnavailable: 'timeout', licenseEvaluation: evaluation('auto_approve') },
    { verdict: 'PROVISIONALLY_ALLOWED', degraded: true },
    /package metadata was unavailable \(timeout\)/,
  ],
  [
    'metadata down does not matter for a registry-known package',
    { rule: rule('preferred'), license: null, licenseEvaluation: null, metadataUnavailable: 'timeout' },
    { verdict: 'ALLOWED', ...ALLOW_DEFAULTS },
  ],
  [
    'both down: both named, OSV decides the category under deny',
    {
      policies: withPolicies({ upstreamUnavailable: 'deny' }),
      vulnerabilities: { unavailable: 'HTTP 503' },
      license: null,
      licenseEvaluation: null,
      metadataUnavailable: 'HTTP 502',
    },
    {
      verdict: 'DENIED',
      category: 'cve',
      degradedReason:
        'the vulnerability database (OSV) was unavailable (HTTP 503); package metadata was unavailable (HTTP 502), so the license could not be checked',
    },
  ],
  [
    'a CVE denial stands even when metadata is down',
    { vulnerabilities: vulns(9.9), license: null, licenseEvaluation: null, metadataUnavailable: 'timeout' },
    { verdict: 'DENIED', category: 'cve', degraded: false },
  ],
];

describe('decide: SPEC §4.3 table', () => {
  it.each(rows)('%s', (_label, overrides, expected, reason) => {
    const outcome = decide(input(overrides));
    expect(outcome).toMatchObject(expected);
    if (typeof reason === 'string') expect(outcome.reason).toBe(reason);
    else if (reason) expect(outcome.reason).toMatch(reason);
    checkInvariants(outcome);
  });
});

describe('decide: with policies compiled from YAML', () => {
  function policiesFrom(lines: string[]): GlobalPolicies {
    const result = parseRegistryYaml(['version: 1', 'global_policies:', ...lines, ''].join('\n'));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return result.document.globalPolicies;
  }

  it.each([
    ['allow', 'PROVISIONALLY_ALLOWED', false],
    ['pending_approval', 'PROVISIONALLY_ALLOWED', true],
    ['block', 'DENIED', false],
    ['warn', 'DENIED', false], // lex-align's `warn` blocks
  ] as const)('unknown_license_policy: %s → %s', (policy, verdict, files) => {
    const outcome = decide(
      input({
        policies: policiesFrom([`  unknown_license_policy: ${policy}`]),
        license: licenseFact('UNKNOWN'),
        licenseEvaluation: evaluation('unknown'),
      }),
    );
    expect(outcome.verdict).toBe(verdict);
    expect(outcome.fileApprovalRequest).toBe(files);
    expect(outcome.autoRequestApproval).toBe(files);
  });

  it('the default policies (no global_policies) send UNKNOWN to pending approval and OSV outages to provisional', () => {
    const unknown = decide(
      input({ policies: DEFAULT_GLOBAL_POLICIES, license: licenseFact('UNKNOWN'), licenseEvaluation: evaluation('unknown') }),
    );
    expect(unknown).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', autoRequestApproval: true });
    const outage = decide(input({ policies: DEFAULT_GLOBAL_POLICIES, vulnerabilities: { unavailable: 'x' } }));
    expect(outage).toMatchObject({ verdict: 'PROVISIONALLY_ALLOWED', degraded: true });
  });

  it.each([
    [0.9, 9.0, 'DENIED'],
    [0.9, 8.9, 'ALLOWED'],
    [0.7, 7.0, 'DENIED'],
    [0.7, 6.99, 'ALLOWED'],
  ] as const)('cve_threshold %s from YAML against max CVSS %s → %s', (threshold, score, verdict) => {
    const outcome = decide(
      input({
        rule: rule('preferred'),
        policies: policiesFrom([`  cve_threshold: ${threshold}`]),
        vulnerabilities: vulns(score),
      }),
    );
    expect(outcome.verdict).toBe(verdict);
    expect(outcome.maxCvss).toBe(score);
  });
});

describe('decide: outputs are independent values', () => {
  it('does not share the cve id array with the input fact', () => {
    const fact = vulns(5, ['CVE-1']);
    const outcome = decide(input({ rule: rule('preferred'), vulnerabilities: fact }));
    outcome.cveIds.push('CVE-2');
    expect(fact.cveIds).toEqual(['CVE-1']);
  });

  it('is deterministic', () => {
    const a = decide(input({ vulnerabilities: vulns(8.1, ['CVE-9']) }));
    const b = decide(input({ vulnerabilities: vulns(8.1, ['CVE-9']) }));
    expect(a).toEqual(b);
  });
});
