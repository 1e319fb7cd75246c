import { describe, expect, it } from 'vitest';
import { isEcosystem, normalizeName, osvEcosystem, parsePurl, purlFor, validateName } from './names';

describe('normalizeName', () => {
  it.each([
    ['pypi', 'Zope.Interface', 'zope-interface'],
    ['pypi', 'python-dateutil', 'python-dateutil'],
    ['pypi', 'python_dateutil', 'python-dateutil'],
    ['pypi', 'Python__Date.-_Util', 'python-date-util'],
    ['pypi', '  Django  ', 'django'],
    ['pypi', 'ruamel.yaml', 'ruamel-yaml'],
    ['npm', 'Express', 'express'],
    ['npm', ' lodash ', 'lodash'],
    ['npm', '@Babel/Core', '@babel/core'],
    ['npm', 'lodash.merge', 'lodash.merge'],
    ['npm', 'string_decoder', 'string_decoder'],
  ] as const)('%s %j → %j', (ecosystem, name, expected) => {
    expect(normalizeName(ecosystem, name)).toBe(expected);
  });

  it('folds every PEP 503 spelling of a name to one key', () => {
    const spellings = ['Foo.Bar', 'foo-bar', 'FOO_BAR', 'foo__bar', 'foo.-bar'];
    expect(new Set(spellings.map((s) => normalizeName('pypi', s)))).toEqual(new Set(['foo-bar']));
  });
});

describe('validateName', () => {
  it.each([
    ['pypi', 'requests', 'requests'],
    ['pypi', 'Zope.Interface', 'zope-interface'],
    ['pypi', ' a ', 'a'],
    ['pypi', 'backports.zoneinfo', 'backports-zoneinfo'],
    ['npm', 'express', 'express'],
    ['npm', '@types/node', '@types/node'],
    ['npm', 'JSONStream', 'jsonstream'],
    ['npm', 'lodash.merge', 'lodash.merge'],
  ] as const)('%s %j is valid, normalised %j', (ecosystem, name, normalized) => {
    expect(validateName(ecosystem, name)).toEqual({ ok: true, name: normalized });
  });

  it.each([
    ['pypi', '', 'empty'],
    ['pypi', '   ', 'empty'],
    ['pypi', '-leading', 'invalid_characters'],
    ['pypi', 'trailing.', 'invalid_characters'],
    ['pypi', 'has space', 'invalid_characters'],
    ['pypi', 'évian', 'invalid_characters'],
    ['pypi', 'requests>=2', 'invalid_characters'],
    ['npm', '', 'empty'],
    ['npm', 'has space', 'invalid_characters'],
    ['npm', 'a/b', 'invalid_characters'],
    ['npm', 'é', 'invalid_characters'],
    ['npm', '.hidden', 'leading_dot_or_underscore'],
    ['npm', '_private', 'leading_dot_or_underscore'],
    ['npm', '@scope', 'invalid_scope'],
    ['npm', '@/name', 'invalid_scope'],
    ['npm', '@scope/', 'invalid_scope'],
    ['npm', '@scope/a/b', 'invalid_scope'],
    ['npm', '@sc ope/name', 'invalid_scope'],
    ['npm', '@scope/_name', 'leading_dot_or_underscore'],
    ['npm', '@scope/na me', 'invalid_characters'],
    ['npm', 'node_modules', 'reserved'],
  ] as const)('%s %j is rejected: %s', (ecosystem, name, code) => {
    const result = validateName(ecosystem, name);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });

  it('npm names may be 214 characters long, not 215', () => {
    expect(validateName('npm', 'a'.repeat(214))).toEqual({ ok: true, name: 'a'.repeat(214) });
    const result = validateName('npm', 'a'.repeat(215));
    expect(!result.ok && result.error.code).toBe('too_long');
  });

  it('the error message names the offending name', () => {
    const result = validateName('npm', 'has space');
    expect(!result.ok && result.error.message).toContain('"has space"');
  });
});

describe('purlFor / parsePurl', () => {
  it.each([
    ['npm', 'express', '4.18.2', 'pkg:npm/express@4.18.2'],
    ['npm', '@babel/core', '7.0.0', 'pkg:npm/%40babel/core@7.0.0'],
    ['npm', '@Babel/Core', undefined, 'pkg:npm/%40babel/core'],
    ['pypi', 'Django_Rest.Framework', '3.15.0', 'pkg:pypi/django-rest-framework@3.15.0'],
    ['pypi', 'requests', null, 'pkg:pypi/requests'],
    ['pypi', 'torch', '2.1.0+cpu', 'pkg:pypi/torch@2.1.0+cpu'],
  ] as const)('%s %s %s → %s', (ecosystem, name, version, purl) => {
    expect(purlFor(ecosystem, name, version)).toBe(purl);
  });

  it.each([
    ['pkg:npm/%40babel/core@7.0.0', 'npm', '@babel/core', '7.0.0'],
    ['pkg:npm/@babel/core@7.0.0', 'npm', '@babel/core', '7.0.0'],
    ['pkg:npm/express', 'npm', 'express', null],
    ['pkg:npm/Express@1.0.0', 'npm', 'express', '1.0.0'],
    ['pkg:pypi/Django_Rest@1.0', 'pypi', 'django-rest', '1.0'],
    ['pkg:pypi/zope.interface@5.4.0', 'pypi', 'zope-interface', '5.4.0'],
    ['pkg:pypi/torch@2.1.0%2Bcpu', 'pypi', 'torch', '2.1.0+cpu'],
    ['pkg:npm/lodash@4.17.21?repository_url=https://example.test#sub', 'npm', 'lodash', '4.17.21'],
    ['  pkg:PYPI/requests  ', 'pypi', 'requests', null],
  ] as const)('%s → %s %s %s', (purl, ecosystem, name, version) => {
    expect(parsePurl(purl)).toEqual({ ok: true, ecosystem, name, version });
  });

  it.each([
    ['garbage', 'invalid_purl'],
    ['pkg:npm/', 'invalid_purl'],
    ['pkg:maven/org.apache/commons@1.0', 'unsupported_type'],
    ['pkg:cargo/serde@1.0.0', 'unsupported_type'],
    ['pkg:npm/babel/core', 'invalid_name'],
    ['pkg:npm/a/b/c', 'invalid_name'],
    ['pkg:pypi/ns/name', 'invalid_name'],
    ['pkg:npm/has%20space', 'invalid_name'],
  ] as const)('%s is rejected: %s', (purl, code) => {
    const result = parsePurl(purl);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe(code);
  });

  it('round-trips', () => {
    for (const [ecosystem, name, version] of [
      ['npm', '@types/node', '20.0.0'],
      ['npm', 'left-pad', null],
      ['pypi', 'ruamel-yaml', '0.18.6'],
      ['pypi', 'torch', '2.1.0+cpu'],
    ] as const) {
      expect(parsePurl(purlFor(ecosystem, name, version))).toEqual({ ok: true, ecosystem, name, version });
    }
  });
});

describe('ecosystems', () => {
  it('maps to OSV ecosystem names', () => {
    expect(osvEcosystem('pypi')).toBe('PyPI');
    expect(osvEcosystem('npm')).toBe('npm');
  });

  it.each([
    ['pypi', true],
    ['npm', true],
    ['PyPI', false],
    ['maven', false],
    [42, false],
  ] as const)('isEcosystem(%j) = %s', (value, expected) => {
    expect(isEcosystem(value)).toBe(expected);
  });
});
