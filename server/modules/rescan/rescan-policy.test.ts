import { describe, expect, it } from 'vitest';
import type { Advisory, VulnerabilityFact } from '../packages/facts';
import { pep440Scheme } from '../packages/versions';
import { alertReason, decideAlert, scannable, versionToScan } from './rescan-policy';

const adv = (id: string, score: number | null): Advisory => ({ id, ids: [id], score, scoreSource: score === null ? 'none' : 'cvss_v3', vector: null, label: null });
const fact = (...a: Advisory[]): VulnerabilityFact => ({ advisories: a, cveIds: a.map((x) => x.id).sort(), maxCvss: null, maxAdvisory: null });

describe('versionToScan', () => {
  const published = ['1.0', '1.9', '2.0rc1', '2.5'];
  it.each([
    ['preferred: the latest', { status: 'preferred' as const }, '2.5'],
    ['max bound: the newest release below it', { status: 'version-constrained' as const, maxVersion: '2.0' }, '1.9'],
    ['min bound satisfied by latest', { status: 'version-constrained' as const, minVersion: '1.5' }, '2.5'],
    ['nothing allowed', { status: 'version-constrained' as const, minVersion: '3' }, null],
  ])('%s', (_n, rule, expected) => {
    expect(versionToScan({ key: 'p', ecosystem: 'pypi', name: 'p', ...rule }, '2.5', published, pep440Scheme)).toBe(expected);
  });

  it('takes a pre-release only when no release is inside the bounds', () => {
    const rule = { key: 'p', ecosystem: 'pypi' as const, name: 'p', status: 'version-constrained' as const, minVersion: '2.0rc1', maxVersion: '2.1' };
    expect(versionToScan(rule, '2.5', published, pep440Scheme)).toBe('2.0rc1');
  });

  it('scans only rules that allow a version', () => {
    expect(['preferred', 'approved', 'version-constrained', 'deprecated', 'banned'].map((status) => scannable({ key: 'p', ecosystem: 'pypi', name: 'p', status } as never))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('decideAlert', () => {
  it('alerts on advisories at or over the threshold, once per new id', () => {
    const first = decideAlert(fact(adv('GHSA-1', 9.0), adv('GHSA-2', 8.9), adv('GHSA-3', null)), 0.9, null);
    expect(first).toMatchObject({ alert: true, overThreshold: ['GHSA-1'], newIds: ['GHSA-1'], maxCvss: 9 });
    expect(decideAlert(fact(adv('GHSA-1', 9.0)), 0.9, ['GHSA-1']).alert).toBe(false);
    const grown = decideAlert(fact(adv('GHSA-1', 9.0), adv('GHSA-4', 9.8)), 0.9, ['GHSA-1']);
    expect(grown).toMatchObject({ alert: true, overThreshold: ['GHSA-1', 'GHSA-4'], newIds: ['GHSA-4'], maxCvss: 9.8 });
    expect(decideAlert(fact(adv('GHSA-1', 6.9)), 0.7, null).alert).toBe(false);
    expect(decideAlert(fact(adv('GHSA-1', 7.0)), 0.7, null).alert).toBe(true);
    // A fixed advisory dropping out is not news.
    expect(decideAlert(fact(adv('GHSA-4', 9.8)), 0.9, ['GHSA-1', 'GHSA-4']).alert).toBe(false);
  });

  it('explains itself', () => {
    const d = decideAlert(fact(adv('GHSA-1', 9.0), adv('GHSA-4', 9.8)), 0.9, ['GHSA-1']);
    expect(alertReason('requests', '2.32.0', d, 0.9)).toBe(
      'Registered package requests 2.32.0 now has CVSS 9.8 (critical) (>= configured denial threshold 9.0): GHSA-1, GHSA-4; new since the last alert: GHSA-4. The registry is unchanged; pin a fixed version or ban the package.',
    );
  });
});
