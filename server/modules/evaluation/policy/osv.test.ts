import { describe, expect, it } from 'vitest';
import { collectVulns, isWithdrawn, nextPageToken, vulnerabilityFact, type OsvRecord } from './osv';

const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const V31_HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'; // 7.5
const V40_CRITICAL = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'; // 9.3

// Shaped like the records api.osv.dev returns (trimmed of ranges and references).
const ghsaCritical: OsvRecord = {
  id: 'GHSA-jfh8-c2jp-5v3q',
  summary: 'Remote code injection in Log4j',
  aliases: ['CVE-2021-44228'],
  modified: '2024-02-16T08:18:15Z',
  published: '2021-12-10T00:40:56Z',
  severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }],
  affected: [{ package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' } }],
  database_specific: { severity: 'CRITICAL', cwe_ids: ['CWE-502'], github_reviewed: true },
};

const ghsaLabelOnly: OsvRecord = {
  id: 'GHSA-aaaa-bbbb-cccc',
  aliases: [],
  affected: [{ package: { ecosystem: 'PyPI', name: 'example' } }],
  database_specific: { severity: 'CRITICAL', github_reviewed: true },
};

const pysec: OsvRecord = {
  id: 'PYSEC-2023-74',
  aliases: ['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q'],
  affected: [{ package: { ecosystem: 'PyPI', name: 'requests', purl: 'pkg:pypi/requests' } }],
};

const ghsaRequests: OsvRecord = {
  id: 'GHSA-j8r2-6x86-q33q',
  aliases: ['CVE-2023-32681'],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N' }], // 6.1
  affected: [{ package: { ecosystem: 'PyPI', name: 'requests' } }],
  database_specific: { severity: 'MODERATE' },
};

describe('vulnerabilityFact', () => {
  it('scores a critical GHSA from its CVSS:3.1 vector (9.8), with the CVE as its id', () => {
    const fact = vulnerabilityFact([ghsaCritical]);
    expect(fact.maxCvss).toBe(9.8);
    expect(fact.advisories).toEqual([
      {
        id: 'CVE-2021-44228',
        ids: ['CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q'],
        score: 9.8,
        scoreSource: 'cvss_v3',
        vector: V31_CRITICAL,
        label: null,
      },
    ]);
    expect(fact.cveIds).toEqual(['CVE-2021-44228']);
    expect(fact.maxAdvisory).toBe(fact.advisories[0]);
  });

  it('falls back to the GHSA label lower bound, marked label-only', () => {
    const fact = vulnerabilityFact([ghsaLabelOnly]);
    expect(fact.maxCvss).toBe(9.0);
    expect(fact.advisories[0]).toMatchObject({
      id: 'GHSA-aaaa-bbbb-cccc',
      score: 9.0,
      scoreSource: 'ghsa_label',
      vector: null,
      label: 'CRITICAL',
    });
  });

  it('ignores withdrawn records', () => {
    const withdrawn: OsvRecord = { ...ghsaCritical, withdrawn: '2022-01-01T00:00:00Z' };
    const fact = vulnerabilityFact([withdrawn, ghsaRequests]);
    expect(fact.cveIds).toEqual(['CVE-2023-32681']);
    expect(fact.maxCvss).toBe(6.1);
    expect(vulnerabilityFact([withdrawn])).toEqual({ advisories: [], cveIds: [], maxCvss: null, maxAdvisory: null });
  });

  it('counts a PYSEC and a GHSA record aliasing the same CVE once, keyed by the CVE', () => {
    const fact = vulnerabilityFact([pysec, ghsaRequests], { ecosystem: 'pypi', name: 'requests' });
    expect(fact.advisories).toHaveLength(1);
    expect(fact.advisories[0]).toEqual({
      id: 'CVE-2023-32681',
      ids: ['CVE-2023-32681', 'GHSA-j8r2-6x86-q33q', 'PYSEC-2023-74'],
      score: 6.1,
      scoreSource: 'cvss_v3',
      vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N',
      label: null,
    });
    expect(fact.cveIds).toEqual(['CVE-2023-32681']);
  });

  it('merges records linked only through a third record (transitive aliases)', () => {
    const a: OsvRecord = { id: 'PYSEC-2020-1', aliases: ['GHSA-xxxx-yyyy-zzzz'] };
    const b: OsvRecord = { id: 'OSV-2020-9', aliases: ['CVE-2020-0001'] };
    const c: OsvRecord = { id: 'GHSA-xxxx-yyyy-zzzz', aliases: ['CVE-2020-0001'] };
    const fact = vulnerabilityFact([a, b, c]);
    expect(fact.advisories.map((x) => x.ids)).toEqual([
      ['CVE-2020-0001', 'GHSA-xxxx-yyyy-zzzz', 'OSV-2020-9', 'PYSEC-2020-1'],
    ]);
  });

  it('matches aliases case-insensitively, keeping the first spelling', () => {
    const a: OsvRecord = { id: 'GHSA-abcd-efgh-ijkl', aliases: ['cve-2022-1234'] };
    const b: OsvRecord = { id: 'CVE-2022-1234' };
    const fact = vulnerabilityFact([a, b]);
    expect(fact.advisories).toHaveLength(1);
    expect(fact.advisories[0].ids).toEqual(['GHSA-abcd-efgh-ijkl', 'cve-2022-1234']);
    expect(fact.advisories[0].id).toBe('cve-2022-1234');
  });

  it('scores a CVSS:4.0 vector', () => {
    const record: OsvRecord = { id: 'GHSA-v4v4-v4v4-v4v4', severity: [{ type: 'CVSS_V4', score: V40_CRITICAL }] };
    expect(vulnerabilityFact([record]).advisories[0]).toMatchObject({
      score: 9.3,
      scoreSource: 'cvss_v4',
      vector: V40_CRITICAL,
    });
  });

  it('takes the highest valid score when a group has several vectors, and records that vector', () => {
    const record: OsvRecord = {
      id: 'GHSA-mult-iple-vecs',
      severity: [
        { type: 'CVSS_V3', score: V31_CRITICAL },
        { type: 'CVSS_V4', score: V40_CRITICAL },
      ],
    };
    expect(vulnerabilityFact([record]).advisories[0]).toMatchObject({ score: 9.8, vector: V31_CRITICAL });
  });

  it('on equal scores prefers the newer CVSS version', () => {
    const v2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:P'; // 7.5
    const record: OsvRecord = {
      id: 'GHSA-tie0-tie0-tie0',
      severity: [
        { type: 'CVSS_V2', score: v2 },
        { type: 'CVSS_V3', score: V31_HIGH },
      ],
    };
    expect(vulnerabilityFact([record]).advisories[0]).toMatchObject({ score: 7.5, scoreSource: 'cvss_v3' });
    const only2 = vulnerabilityFact([{ id: 'OSV-1', severity: [{ type: 'CVSS_V2', score: v2 }] }]);
    expect(only2.advisories[0]).toMatchObject({ score: 7.5, scoreSource: 'cvss_v2', vector: v2 });
  });

  it('an invalid (partial) vector falls back to the label instead of scoring 0', () => {
    const record: OsvRecord = {
      id: 'GHSA-bad0-vec0-tor0',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }],
      database_specific: { severity: 'HIGH' },
    };
    expect(vulnerabilityFact([record]).advisories[0]).toMatchObject({
      score: 7.0,
      scoreSource: 'ghsa_label',
      label: 'HIGH',
      vector: null,
    });
  });

  it('an invalid vector and no label leaves the advisory unscored (null, not 0)', () => {
    const record: OsvRecord = { id: 'PYSEC-2024-1', severity: [{ type: 'CVSS_V3', score: 'garbage' }] };
    const fact = vulnerabilityFact([record]);
    expect(fact.advisories[0]).toMatchObject({ score: null, scoreSource: 'none', vector: null, label: null });
    expect(fact.maxCvss).toBeNull();
    expect(fact.maxAdvisory).toBeNull();
    expect(fact.cveIds).toEqual(['PYSEC-2024-1']);
  });

  it('ignores non-CVSS severity types and unknown labels', () => {
    const record: OsvRecord = {
      id: 'UBUNTU-CVE-2024-0001',
      severity: [{ type: 'Ubuntu', score: 'high' }],
      database_specific: { severity: 'SEVERE' },
    };
    expect(vulnerabilityFact([record]).advisories[0].scoreSource).toBe('none');
  });

  it('reads affected[].severity of the queried package, not of other packages', () => {
    const record: OsvRecord = {
      id: 'GHSA-aff0-aff0-aff0',
      affected: [
        { package: { ecosystem: 'PyPI', name: 'Other_Pkg' }, severity: [{ type: 'CVSS_V3', score: V31_CRITICAL }] },
        { package: { ecosystem: 'PyPI', name: 'My.Pkg' }, severity: [{ type: 'CVSS_V3', score: V31_HIGH }] },
      ],
    };
    expect(vulnerabilityFact([record], { ecosystem: 'pypi', name: 'my-pkg' }).maxCvss).toBe(7.5);
    // Without a package (or when none matches) every entry counts.
    expect(vulnerabilityFact([record]).maxCvss).toBe(9.8);
    expect(vulnerabilityFact([record], { ecosystem: 'npm', name: 'my-pkg' }).maxCvss).toBe(9.8);
  });

  it('picks the maximum over advisories and sorts everything by id', () => {
    const fact = vulnerabilityFact([ghsaRequests, ghsaLabelOnly, pysec, ghsaCritical]);
    expect(fact.advisories.map((a) => a.id)).toEqual(['CVE-2021-44228', 'CVE-2023-32681', 'GHSA-aaaa-bbbb-cccc']);
    expect(fact.cveIds).toEqual(['CVE-2021-44228', 'CVE-2023-32681', 'GHSA-aaaa-bbbb-cccc']);
    expect(fact.maxCvss).toBe(9.8);
    expect(fact.maxAdvisory?.id).toBe('CVE-2021-44228');
  });

  it('representative id: CVE, else GHSA, else the smallest id', () => {
    const rep = (records: OsvRecord[]) => vulnerabilityFact(records).advisories[0].id;
    expect(rep([{ id: 'PYSEC-2021-9', aliases: ['GHSA-zzzz-zzzz-zzzz'] }])).toBe('GHSA-zzzz-zzzz-zzzz');
    expect(rep([{ id: 'PYSEC-2021-9', aliases: ['OSV-2021-1'] }])).toBe('OSV-2021-1');
    expect(rep([{ id: 'MAL-2024-1' }])).toBe('MAL-2024-1');
  });

  it('no records → no advisories and an unknown maximum', () => {
    expect(vulnerabilityFact([])).toEqual({ advisories: [], cveIds: [], maxCvss: null, maxAdvisory: null });
  });
});

describe('paging helpers', () => {
  it.each([
    [{ vulns: [], next_page_token: 'abc' }, 'abc'],
    [{ vulns: [], next_page_token: '' }, null],
    [{ vulns: [] }, null],
    [{}, null],
  ])('nextPageToken(%j) = %j', (page, token) => {
    expect(nextPageToken(page)).toBe(token);
  });

  it('collectVulns concatenates pages in order and drops repeated ids', () => {
    const records = collectVulns([
      { vulns: [ghsaCritical, pysec], next_page_token: 't1' },
      { vulns: [ghsaRequests, pysec], next_page_token: 't2' },
      {},
      { vulns: null },
    ]);
    expect(records.map((r) => r.id)).toEqual(['GHSA-jfh8-c2jp-5v3q', 'PYSEC-2023-74', 'GHSA-j8r2-6x86-q33q']);
  });

  it('isWithdrawn reads the withdrawn timestamp', () => {
    expect(isWithdrawn({ id: 'X', withdrawn: '2024-01-01T00:00:00Z' })).toBe(true);
    expect(isWithdrawn({ id: 'X', withdrawn: null })).toBe(false);
    expect(isWithdrawn({ id: 'X' })).toBe(false);
  });
});
