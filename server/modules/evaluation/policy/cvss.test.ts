import { describe, expect, it } from 'vitest';
import { labelScore, scoreVector, severityBand } from './cvss';

describe('scoreVector: valid vectors', () => {
  // Reference scores from the FIRST calculators / NVD.
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.1', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', '3.1', 7.5],
    ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', '3.1', 9.9],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', '3.1', 7.8],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N', '3.1', 0],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', '3.0', 6.1],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.0', 9.8],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', '4.0', 10],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 8.5],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 7.5],
    ['(AV:N/AC:L/Au:N/C:C/I:C/A:C)', '2.0', 10],
  ] as const)('%s → v%s %d', (vector, version, score) => {
    const result = scoreVector(vector);
    expect(result).toEqual({ ok: true, version, score, vector });
  });

  it('scores the base metrics only: temporal metrics do not lower a v3.1 score', () => {
    const result = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C');
    expect(result.ok && result.score).toBe(9.8);
  });

  it('scores the base metrics only: a v4.0 threat metric does not lower the score', () => {
    const result = scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U');
    expect(result.ok && result.score).toBe(9.3);
  });

  it('accepts base metrics in any order and keeps the vector as given (trimmed)', () => {
    const vector = 'CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H';
    expect(scoreVector(`  ${vector}\n`)).toEqual({ ok: true, version: '3.1', score: 9.8, vector });
  });

  it('accepts v4.0 supplemental metrics', () => {
    const result = scoreVector(
      'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/U:Red',
    );
    expect(result.ok && result.score).toBe(9.3);
  });
});

describe('scoreVector: invalid vectors never get a score', () => {
  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['garbage', /malformed metric/],
    ['9.8', /malformed metric/],
    ['CVSS:3.1/AV:N', /missing base metric\(s\) AC, PR, UI, S, C, I, A/],
    ['CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /illegal value "X" for metric "AV"/],
    ['CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /"AV" appears more than once/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/FOO:1', /unknown metric "FOO"/],
    ['CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown metric "av"/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/', /malformed metric ""/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:', /malformed metric "A:"/],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q', /illegal value "Q" for metric "E"/],
    ['CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P', /unsupported CVSS version prefix in "CVSS:2.0"/],
    ['CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unsupported CVSS version/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N', /missing base metric\(s\) SA/],
    ['CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /illegal value "U" for metric "S"/],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', /illegal value "R" for metric "UI"/],
    ['AV:N/AC:L/Au:N/C:P/I:P', /missing base metric\(s\) A for CVSS 2.0/],
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', /unknown metric "PR" for CVSS 2.0/],
  ])('%j is rejected', (vector, reason) => {
    const result = scoreVector(vector);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('rejects a non-string input', () => {
    expect(scoreVector(9.8 as unknown as string)).toEqual({ ok: false, reason: 'vector is not a string' });
  });
});

describe('severityBand', () => {
  it.each([
    [10, 'critical'],
    [9.0, 'critical'],
    [8.9, 'high'],
    [7.0, 'high'],
    [6.9, 'medium'],
    [4.0, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, 'none'],
    [null, 'unknown'],
    [undefined, 'unknown'],
    [Number.NaN, 'unknown'],
  ] as const)('%s → %s', (score, band) => {
    expect(severityBand(score)).toBe(band);
  });

  it('bands a computed score', () => {
    const result = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
    expect(severityBand(result.ok ? result.score : null)).toBe('high');
  });
});

describe('labelScore (GHSA label → band lower bound)', () => {
  it.each([
    ['LOW', 0.1],
    ['MODERATE', 4.0],
    ['MEDIUM', 4.0],
    ['HIGH', 7.0],
    ['CRITICAL', 9.0],
    ['critical', 9.0],
    [' High ', 7.0],
    ['UNKNOWN', null],
    ['', null],
    [null, null],
    [undefined, null],
  ] as const)('%j → %s', (label, score) => {
    expect(labelScore(label)).toBe(score);
  });

  it('each label lands in the band it names', () => {
    expect(severityBand(labelScore('CRITICAL'))).toBe('critical');
    expect(severityBand(labelScore('HIGH'))).toBe('high');
    expect(severityBand(labelScore('MODERATE'))).toBe('medium');
    expect(severityBand(labelScore('LOW'))).toBe('low');
  });
});
