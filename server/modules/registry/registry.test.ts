import { describe, expect, it } from 'vitest';
import { Registry } from './registry';
import { formatIssues, parseRegistryYaml } from './registry-document';
import type { RegistryDocument } from './registry-document';
import type { Ecosystem } from '../packages/facts';

function documentOf(text: string): RegistryDocument {
  const result = parseRegistryYaml(text);
  if (!result.ok) throw new Error(formatIssues(result.issues));
  return result.document;
}

const registry = Registry.fromDocument(
  documentOf(
    [
      'version: "2025.11"',
      'global_policies:',
      '  hard_ban_licenses: [GPL-3.0]',
      '  cve_threshold: 0.7',
      'packages:',
      '  python-dateutil: {status: preferred}',
      '  Zope.Interface: {status: approved}',
      '  left_pad: {status: banned}',
      '  pkg:pypi/Requests: {status: deprecated, replacement: httpx}',
      '  pkg:npm/express: {status: preferred}',
      '  pkg:npm/%40types/node: {status: approved}',
      '  pkg:npm/JSONStream: {status: banned}',
      '  debug: {status: banned}',
      '  pkg:npm/debug: {status: preferred}',
      '',
    ].join('\n'),
  ),
);

describe('Registry.lookup', () => {
  it.each<[Ecosystem, string, string | null]>([
    ['pypi', 'python-dateutil', 'python-dateutil'],
    ['pypi', 'python_dateutil', 'python-dateutil'],
    ['pypi', 'Python.DateUtil', 'python-dateutil'],
    ['pypi', 'zope-interface', 'Zope.Interface'],
    ['pypi', 'zope_interface', 'Zope.Interface'],
    ['pypi', 'LEFT-PAD', 'left_pad'],
    ['pypi', 'requests', 'pkg:pypi/Requests'],
    ['npm', 'express', 'pkg:npm/express'],
    ['npm', 'Express', 'pkg:npm/express'],
    ['npm', '@types/node', 'pkg:npm/%40types/node'],
    ['npm', '@TYPES/node', 'pkg:npm/%40types/node'],
    ['npm', 'jsonstream', 'pkg:npm/JSONStream'],
    ['pypi', 'debug', 'debug'],
    ['npm', 'debug', 'pkg:npm/debug'],
    // Not found: different ecosystem, npm does not fold separators, unknown names.
    ['npm', 'requests', null],
    ['pypi', 'express', null],
    ['npm', 'left-pad', null],
    ['npm', 'types/node', null],
    ['pypi', 'numpy', null],
  ])('%s %s → %s', (ecosystem, name, key) => {
    const rule = registry.lookup(ecosystem, name);
    expect(rule?.key ?? null).toBe(key);
    if (rule) expect(registry.has(ecosystem, name)).toBe(true);
    else expect(registry.has(ecosystem, name)).toBe(false);
  });

  it('returns the compiled rule', () => {
    expect(registry.lookup('pypi', 'requests')).toEqual({
      key: 'pkg:pypi/Requests',
      ecosystem: 'pypi',
      name: 'Requests',
      status: 'deprecated',
      replacement: 'httpx',
    });
  });
});

describe('Registry', () => {
  it('exposes version, policies, count and rules in document order', () => {
    expect(registry.version).toBe('2025.11');
    expect(registry.globalPolicies.cveThreshold).toBe(0.7);
    expect(registry.globalPolicies.hardBanLicenses).toEqual(['GPL-3.0']);
    expect(registry.packageCount).toBe(9);
    expect(registry.rules().map((r) => r.key)).toEqual([
      'python-dateutil',
      'Zope.Interface',
      'left_pad',
      'pkg:pypi/Requests',
      'pkg:npm/express',
      'pkg:npm/%40types/node',
      'pkg:npm/JSONStream',
      'debug',
      'pkg:npm/debug',
    ]);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(registry)).toBe(true);
    expect(() => {
      (registry as unknown as { version: string }).version = 'x';
    }).toThrow(TypeError);
    expect(Object.isFrozen(registry.rules())).toBe(true);
  });

  it('an empty document gives an empty registry with default policies', () => {
    const empty = Registry.fromDocument(documentOf('version: 1\n'));
    expect(empty.packageCount).toBe(0);
    expect(empty.lookup('pypi', 'anything')).toBeNull();
    expect(empty.globalPolicies.unknownLicensePolicy).toBe('pending_approval');
  });

  it('keeps the first rule when a hand-built document has two for one package', () => {
    const base = documentOf('version: 1\n');
    const doc: RegistryDocument = {
      ...base,
      packages: [
        { key: 'left-pad', ecosystem: 'pypi', name: 'left-pad', status: 'banned' },
        { key: 'left_pad', ecosystem: 'pypi', name: 'left_pad', status: 'preferred' },
      ],
    };
    const r = Registry.fromDocument(doc);
    expect(r.packageCount).toBe(1);
    expect(r.lookup('pypi', 'left.pad')?.status).toBe('banned');
  });
});
