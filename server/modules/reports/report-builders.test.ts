import { describe, expect, it } from 'vitest';
import type { RegistryRule } from '../registry/registry-document';
import {
  buildAgentSummaries,
  buildHotRegistryPackages,
  buildLegalFigures,
  buildProjectSummaries,
  buildSeverityDistribution,
  buildTopCves,
  buildTopPackages,
  severityBucket,
  type CveGroup,
  type CvePackageGroup,
} from './report-builders';

const pkg = (p: Partial<CvePackageGroup> & { package: string }): CvePackageGroup => ({
  ecosystem: 'pypi',
  denials: 0,
  provisional: 0,
  maxCvssDenied: null,
  maxCvssAny: null,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  unknown: 0,
  lastTs: new Date('2026-05-01T00:00:00Z'),
  ...p,
});
const cve = (c: Partial<CveGroup> & { cveId: string; package: string }): CveGroup => ({
  ecosystem: 'pypi',
  denials: 0,
  provisional: 0,
  maxCvssDenied: null,
  maxCvssAny: null,
  ...c,
});

describe('severityBucket', () => {
  it.each([
    [10, 'critical'],
    [9.0, 'critical'],
    [8.99, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.99, 'low'],
    [0.1, 'low'],
    [0, 'unknown'],
    [null, 'unknown'],
  ] as const)('%s → %s', (score, bucket) => {
    expect(severityBucket(score)).toBe(bucket);
  });
});

describe('buildLegalFigures', () => {
  it('counts license denials, splits every licensed row by verdict and ranks projects', () => {
    const f = buildLegalFigures([
      { project: 'a', license: 'MIT', verdict: 'ALLOWED', denialCategory: '', n: 5 },
      { project: 'a', license: 'MIT', verdict: 'DENIED', denialCategory: 'cve', n: 1 },
      { project: 'b', license: 'GPL-3.0-only', verdict: 'DENIED', denialCategory: 'license', n: 3 },
      { project: 'a', license: 'UNKNOWN', verdict: 'PROVISIONALLY_ALLOWED', denialCategory: '', n: 2 },
      { project: 'a', license: 'UNKNOWN', verdict: 'DENIED', denialCategory: 'license', n: 3 },
      { project: 'c', license: null, verdict: 'DENIED', denialCategory: 'registry', n: 9 },
      { project: null, license: null, verdict: 'CVE_ALERT', denialCategory: 'cve_alert', n: 1 },
    ]);
    expect(f.totalDenials).toBe(6);
    expect(f.licenseBreakdown).toEqual([
      { license: 'MIT', total: 6, allowed: 5, provisional: 0, denied: 1 },
      { license: 'UNKNOWN', total: 5, allowed: 0, provisional: 2, denied: 3 },
      { license: 'GPL-3.0-only', total: 3, allowed: 0, provisional: 0, denied: 3 },
    ]);
    expect(f.unknownLicense).toEqual({ total: 5, allowed: 0, provisional: 2, denied: 3 });
    expect(f.topProjects).toEqual([
      { project: 'a', denials: 3 },
      { project: 'b', denials: 3 },
    ]);
  });

  it('gives zeros without rows and keeps at most ten projects', () => {
    expect(buildLegalFigures([])).toEqual({ totalDenials: 0, licenseBreakdown: [], unknownLicense: { total: 0, allowed: 0, provisional: 0, denied: 0 }, topProjects: [] });
    const many = buildLegalFigures(
      Array.from({ length: 12 }, (_, i) => ({ project: `p${String(i).padStart(2, '0')}`, license: 'GPL-3.0-only', verdict: 'DENIED', denialCategory: 'license', n: i + 1 })),
    );
    expect(many.topProjects).toHaveLength(10);
    expect(many.topProjects[0]).toEqual({ project: 'p11', denials: 12 });
  });
});

describe('security builders', () => {
  const packages = [
    pkg({ package: 'a', denials: 2, maxCvssDenied: 9.8, maxCvssAny: 9.8, critical: 2 }),
    pkg({ package: 'b', denials: 5, maxCvssDenied: 7.5, maxCvssAny: 7.5, high: 5 }),
    pkg({ package: 'c', denials: 1, maxCvssDenied: null, maxCvssAny: null, unknown: 1 }),
    pkg({ package: 'd', denials: 9, maxCvssDenied: 7.5, maxCvssAny: 7.5, high: 9 }),
    pkg({ package: 'e', provisional: 4, maxCvssAny: 5 }),
  ];
  const cves = [
    cve({ cveId: 'CVE-3', package: 'a', denials: 2, maxCvssDenied: 9.8 }),
    cve({ cveId: 'CVE-1', package: 'a', denials: 1, maxCvssDenied: 9.1 }),
    cve({ cveId: 'CVE-2', package: 'b', denials: 5, maxCvssDenied: 7.5 }),
    cve({ cveId: 'CVE-2', package: 'd', denials: 9, maxCvssDenied: 7.5 }),
    cve({ cveId: 'CVE-9', package: 'e', provisional: 4, maxCvssAny: 5 }),
  ];

  it('severity sums every bucket', () => {
    expect(buildSeverityDistribution(packages)).toEqual({ critical: 2, high: 14, medium: 0, low: 0, unknown: 1 });
  });

  it('top packages: max CVSS, then denials; unscored last; ids sorted', () => {
    expect(buildTopPackages(packages, cves).map((p) => [p.package, p.maxCvss, p.denials, p.cveIds])).toEqual([
      ['a', 9.8, 2, ['CVE-1', 'CVE-3']],
      ['d', 7.5, 9, ['CVE-2']],
      ['b', 7.5, 5, ['CVE-2']],
      ['c', null, 1, []],
    ]);
  });

  it('top CVEs: max CVSS, then occurrences, packages sorted; provisional-only ids left out', () => {
    expect(buildTopCves(cves)).toEqual([
      { cveId: 'CVE-3', occurrences: 2, maxCvss: 9.8, packages: ['a'] },
      { cveId: 'CVE-1', occurrences: 1, maxCvss: 9.1, packages: ['a'] },
      { cveId: 'CVE-2', occurrences: 14, maxCvss: 7.5, packages: ['b', 'd'] },
    ]);
  });

  it('hot packages: registry-allowed only', () => {
    const rules: Record<string, RegistryRule> = {
      a: { key: 'A', ecosystem: 'pypi', name: 'A', status: 'preferred' },
      b: { key: 'b', ecosystem: 'pypi', name: 'b', status: 'banned' },
      d: { key: 'd', ecosystem: 'pypi', name: 'd', status: 'deprecated', replacement: 'x' },
      e: { key: 'e', ecosystem: 'pypi', name: 'e', status: 'version-constrained', minVersion: '1' },
    };
    const hot = buildHotRegistryPackages(packages, cves, (_eco, name) => rules[name] ?? null);
    expect(hot.map((h) => [h.package, h.registryStatus, h.denials, h.provisional, h.maxCvss, h.cveIds])).toEqual([
      ['A', 'preferred', 2, 0, 9.8, ['CVE-1', 'CVE-3']],
      ['e', 'version-constrained', 0, 4, 5, ['CVE-9']],
    ]);
    expect(buildHotRegistryPackages(packages, cves, null)).toEqual([]);
  });
});

describe('agents and projects', () => {
  it('labels the unknown bucket and sorts by evaluations', () => {
    const t = new Date('2026-05-01T00:00:00Z');
    const out = buildAgentSummaries([
      { agentModel: null, agentVersion: null, evaluations: 3, denials: 0, provisional: 0, lastSeen: t },
      { agentModel: 'opus', agentVersion: '4.7', evaluations: 7, denials: 1, provisional: 2, lastSeen: t },
      { agentModel: null, agentVersion: '1.0', evaluations: 1, denials: 0, provisional: 0, lastSeen: t },
    ]);
    expect(out.map((a) => [a.label, a.unknown])).toEqual([
      ['opus 4.7', false],
      ['unknown', true],
      ['(no model) 1.0', false],
    ]);
  });

  it('projects with approval requests only show zero evaluations', () => {
    expect(buildProjectSummaries([{ project: 'a', evaluations: 4, denials: 1 }], [{ project: 'z', n: 2 }, { project: 'a', n: 1 }])).toEqual([
      { project: 'a', evaluations: 4, denials: 1, approvalRequests: 1 },
      { project: 'z', evaluations: 0, denials: 0, approvalRequests: 2 },
    ]);
  });
});
