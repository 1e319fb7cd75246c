import { describe, expect, it } from 'vitest';
import { pep440Scheme, schemeFor, semverScheme } from './versions';

describe('schemeFor', () => {
  it('PyPI uses PEP 440, npm uses semver', () => {
    expect(schemeFor('pypi')).toBe(pep440Scheme);
    expect(schemeFor('npm')).toBe(semverScheme);
  });
});

describe('PEP 440 (PyPI)', () => {
  const s = pep440Scheme;

  it.each([
    ['42', '42'],
    ['42.0.0', '42.0.0'],
    ['v1.2.3', '1.2.3'],
    ['V1.2.3', '1.2.3'],
    [' 1.0 ', '1.0'],
    ['1.0-beta', '1.0b0'],
    ['1.0.post1', '1.0.post1'],
    ['1!2.0', '1!2.0'],
    ['2.1.0+cpu', '2.1.0+cpu'],
  ])('normalize(%j) = %j', (input, normalized) => {
    expect(s.valid(input)).toBe(true);
    expect(s.normalize(input)).toBe(normalized);
  });

  it.each(['', '   ', 'foo', 'latest', '1.0.0-beta.1+x+y', '>=1.0'])('%j is invalid', (input) => {
    expect(s.valid(input)).toBe(false);
    expect(s.normalize(input)).toBeNull();
    expect(s.isPrerelease(input)).toBe(false);
  });

  it.each([
    ['42', '42.0.0', 0],
    ['42.0', '42.0.0', 0],
    ['43.0.0rc1', '43.0.0', -1],
    ['5.0.0a1', '5.0', -1],
    ['1.0.dev1', '1.0a1', -1],
    ['1.0', '1.0.post1', -1],
    ['1.10', '1.9', 1],
    ['v1.2.3', '1.2.3', 0],
    ['1!0.1', '2.0', 1],
  ] as const)('compare(%j, %j) has sign %d', (a, b, sign) => {
    expect(Math.sign(s.compare(a, b))).toBe(sign);
    expect(Math.sign(s.compare(b, a))).toBe(-sign || 0);
  });

  it('compare throws on an invalid version', () => {
    expect(() => s.compare('foo', '1.0')).toThrow(RangeError);
  });

  it.each([
    ['43.0.0rc1', true],
    ['5.0.0a1', true],
    ['1.0.dev1', true],
    ['1.0', false],
    ['1.0.post1', false],
  ] as const)('isPrerelease(%j) = %s', (v, expected) => {
    expect(s.isPrerelease(v)).toBe(expected);
  });

  it.each([
    ['42', { min: '42.0.0' }, { ok: true, within: true }],
    ['42.0', { min: '42.0.0' }, { ok: true, within: true }],
    ['43.0.0rc1', { min: '43.0.0' }, { ok: true, within: false, failed: 'min', bound: '43.0.0' }],
    ['43.0.0rc1', { min: '42.0.0' }, { ok: true, within: true }],
    ['5.0.0a1', { max: '5.0' }, { ok: true, within: true }],
    ['5.0', { max: '5.0' }, { ok: true, within: false, failed: 'max', bound: '5.0' }],
    ['5.0.0', { max: '5.0' }, { ok: true, within: false, failed: 'max', bound: '5.0' }],
    ['v42.0.0', { min: '42.0.0' }, { ok: true, within: true }],
    ['1.26.4', { min: '1.26.0', max: '3.0.0' }, { ok: true, within: true }],
    ['3.0.0', { min: '1.26.0', max: '3.0.0' }, { ok: true, within: false, failed: 'max', bound: '3.0.0' }],
    ['1.25.9', { min: '1.26.0', max: '3.0.0' }, { ok: true, within: false, failed: 'min', bound: '1.26.0' }],
    ['1.0', {}, { ok: true, within: true }],
    ['1.0', { min: '', max: null }, { ok: true, within: true }],
  ] as const)('%j within %j → %j', (version, bounds, expected) => {
    expect(s.satisfiesBounds(version, bounds)).toEqual(expected);
  });

  it.each([
    ['not-a-version', { min: '1.0' }, 'version'],
    ['1.0', { min: 'one' }, 'min'],
    ['1.0', { max: '>=2' }, 'max'],
  ] as const)('%j within %j reports the invalid %s', (version, bounds, which) => {
    const result = s.satisfiesBounds(version, bounds);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.invalid).toBe(which);
      expect(result.reason).toMatch(/is not a valid pep440 version/);
    }
  });

  it.each([
    [['1.0', '2.0rc1', '1.5', 'garbage'], false, '1.5'],
    [['1.0', '2.0rc1', '1.5'], true, '2.0rc1'],
    [['2.0rc1', '2.0b1'], false, '2.0rc1'],
    [['1.0.post1', '1.0', 'v1.0.1'], false, 'v1.0.1'],
    [['garbage'], false, null],
    [[], false, null],
  ] as const)('latest(%j, prereleases=%s) = %j', (versions, includePrereleases, expected) => {
    expect(s.latest(versions, { includePrereleases })).toBe(expected);
  });
});

describe('semver (npm)', () => {
  const s = semverScheme;

  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['=1.2.3', '1.2.3'],
    ['  1.2.3  ', '1.2.3'],
    ['1.0.0-beta.1', '1.0.0-beta.1'],
    ['1.0.0+build.5', '1.0.0'],
    ['42', '42.0.0'],
    ['v4.2', '4.2.0'],
  ])('normalize(%j) = %j', (input, normalized) => {
    expect(s.valid(input)).toBe(true);
    expect(s.normalize(input)).toBe(normalized);
  });

  it.each(['', 'foo', 'latest', '1.2.3.4', '^1.2.3', 'foo1.2bar', '1.2.x'])('%j is invalid', (input) => {
    expect(s.valid(input)).toBe(false);
    expect(s.normalize(input)).toBeNull();
  });

  it.each([
    ['42', '42.0.0', 0],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-beta', -1],
    ['1.10.0', '1.9.0', 1],
    ['v2.0.0', '2.0.0', 0],
    ['1.0.0+a', '1.0.0+b', 0],
  ] as const)('compare(%j, %j) has sign %d', (a, b, sign) => {
    expect(Math.sign(s.compare(a, b))).toBe(sign);
  });

  it('compare throws on an invalid version', () => {
    expect(() => s.compare('1.0.0', 'x')).toThrow(RangeError);
  });

  it.each([
    ['1.0.0-rc.1', true],
    ['1.0.0', false],
    ['1.0.0+build', false],
    ['nope', false],
  ] as const)('isPrerelease(%j) = %s', (v, expected) => {
    expect(s.isPrerelease(v)).toBe(expected);
  });

  it.each([
    ['42.0.0', { min: '42' }, { ok: true, within: true }],
    ['5.0.0-alpha.1', { max: '5.0.0' }, { ok: true, within: true }],
    ['5.0.0-alpha.1', { min: '5.0.0' }, { ok: true, within: false, failed: 'min', bound: '5.0.0' }],
    ['v4.18.2', { min: '4.0.0', max: '5.0.0' }, { ok: true, within: true }],
    ['5.0.0', { min: '4.0.0', max: '5.0.0' }, { ok: true, within: false, failed: 'max', bound: '5.0.0' }],
  ] as const)('%j within %j → %j', (version, bounds, expected) => {
    expect(s.satisfiesBounds(version, bounds)).toEqual(expected);
  });

  it('reports an invalid version rather than guessing', () => {
    expect(s.satisfiesBounds('4.x', { min: '4.0.0' })).toEqual({
      ok: false,
      invalid: 'version',
      value: '4.x',
      reason: 'version "4.x" is not a valid semver version',
    });
  });

  it.each([
    [['1.0.0', '2.0.0-rc.1', '1.5.0'], false, '1.5.0'],
    [['1.0.0', '2.0.0-rc.1', '1.5.0'], true, '2.0.0-rc.1'],
    [['3.0.0-beta.1', '3.0.0-alpha.2'], false, '3.0.0-beta.1'],
    [['v1.0.0', '1.0.1', 'bogus'], false, '1.0.1'],
    [[], false, null],
  ] as const)('latest(%j, prereleases=%s) = %j', (versions, includePrereleases, expected) => {
    expect(s.latest(versions, { includePrereleases })).toBe(expected);
  });
});
