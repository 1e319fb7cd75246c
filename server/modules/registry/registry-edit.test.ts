import { describe, expect, it } from 'vitest';
import { parseRegistryYaml } from './registry-document';
import { applyRegistryChange, validateProposedRule } from './registry-edit';

const BASE = `# Our registry
version: "2025.11"   # bump on release

global_policies:
  # licenses we trust
  auto_approve_licenses: [MIT, Apache-2.0]
  cve_threshold: 0.8

packages:
  # the one everybody uses
  left-pad:
    status: preferred
    reason: tiny
  "pkg:npm/%40types/node":
    status: approved
`;

describe('applyRegistryChange', () => {
  it('updates an existing rule under the key as written, keeping comments and order', () => {
    const r = applyRegistryChange(BASE, { kind: 'set_package', rule: { ecosystem: 'pypi', name: 'Left_Pad', status: 'banned', reason: 'abandoned' } });
    expect(r.key).toBe('left-pad');
    expect(r.text).not.toContain('Left_Pad');
    expect(r.text).not.toContain('left_pad');
    expect(r.text).toContain('# Our registry');
    expect(r.text).toContain('# bump on release');
    expect(r.text).toContain('# licenses we trust');
    expect(r.text).toContain('# the one everybody uses');
    expect(r.text.indexOf('left-pad')).toBeLessThan(r.text.indexOf('pkg:npm/%40types/node'));
    const rule = r.document.packages.find((p) => p.key === 'left-pad');
    expect(rule).toMatchObject({ status: 'banned', reason: 'abandoned' });
    expect(r.document.packages).toHaveLength(2);
  });

  it('adds a new rule (purl key for npm), removes blank fields, quotes versions', () => {
    const r = applyRegistryChange(BASE, {
      kind: 'set_package',
      rule: { ecosystem: 'npm', name: '@acme/kit', status: 'version-constrained', min_version: '1.10', reason: ' ' },
    });
    expect(r.key).toBe('pkg:npm/%40acme/kit');
    const rule = r.document.packages.find((p) => p.key === 'pkg:npm/%40acme/kit');
    expect(rule).toMatchObject({ ecosystem: 'npm', name: '@acme/kit', minVersion: '1.10' });
    expect(rule?.reason).toBeUndefined();
    expect(r.text).toContain('# the one everybody uses');
  });

  it('finds npm rules by name and drops a field no longer given', () => {
    const withReason = applyRegistryChange(BASE, { kind: 'set_package', rule: { ecosystem: 'npm', name: '@types/node', status: 'approved', reason: 'types' } });
    const r = applyRegistryChange(withReason.text, { kind: 'set_package', rule: { ecosystem: 'npm', name: '@types/node', status: 'preferred' } });
    expect(r.key).toBe('pkg:npm/%40types/node');
    expect(r.document.packages.find((p) => p.key === r.key)).toEqual(expect.not.objectContaining({ reason: expect.anything() }));
  });

  it('reports no change when the rule is already in place', () => {
    const r = applyRegistryChange(BASE, { kind: 'set_package', rule: { ecosystem: 'pypi', name: 'left-pad', status: 'preferred', reason: 'tiny' } });
    expect(r.changed).toBe(false);
    expect(r.text).toBe(BASE);
  });

  it('refuses a change that makes the document invalid, naming path and line', () => {
    expect(() => applyRegistryChange(BASE, { kind: 'set_package', rule: { ecosystem: 'pypi', name: 'simplejson', status: 'deprecated' } })).toThrow(
      /packages\.simplejson\.replacement \(line \d+.*replacement/s,
    );
  });

  it('removes a rule by normalised name and refuses an unknown one', () => {
    const r = applyRegistryChange(BASE, { kind: 'remove_package', ecosystem: 'pypi', name: 'LEFT.PAD' });
    expect(r.document.packages.map((p) => p.key)).toEqual(['pkg:npm/%40types/node']);
    expect(r.text).toContain('# Our registry');
    expect(() => applyRegistryChange(BASE, { kind: 'remove_package', ecosystem: 'pypi', name: 'nope' })).toThrow(/no rule for the pypi package "nope"/);
  });

  it('edits global policies in place', () => {
    const r = applyRegistryChange(BASE, {
      kind: 'set_policies',
      patch: { cve_threshold: 0.7, hard_ban_licenses: ['GPL-3.0-only'], unknown_license_policy: 'block', version: '2025.12' },
    });
    expect(r.document.globalPolicies).toMatchObject({ cveThreshold: 0.7, hardBanLicenses: ['GPL-3.0-only'], unknownLicensePolicy: 'block', autoApproveLicenses: ['MIT', 'Apache-2.0'] });
    expect(r.document.version).toBe('2025.12');
    expect(r.text).toContain('# licenses we trust');
    expect(() => applyRegistryChange(BASE, { kind: 'set_policies', patch: { cve_threshold: 3 } })).toThrow(/cve_threshold must be between 0 and 1/);
  });

  it('starts a missing file from an empty document', () => {
    const r = applyRegistryChange(null, { kind: 'set_package', rule: { ecosystem: 'pypi', name: 'httpx', status: 'preferred' } });
    expect(r.changed).toBe(true);
    const parsed = parseRegistryYaml(r.text);
    expect(parsed.ok && parsed.document.packages.map((p) => p.key)).toEqual(['httpx']);
    expect(r.text).toMatch(/^packages:\n  httpx:\n    status: preferred\n/m);
  });
});

describe('validateProposedRule', () => {
  it('accepts a valid rule and names the field of an invalid one', () => {
    expect(() => validateProposedRule({ ecosystem: 'pypi', name: 'x', status: 'preferred' })).not.toThrow();
    expect(() => validateProposedRule({ ecosystem: 'pypi', name: 'x', status: 'deprecated' })).toThrow(/Invalid rule for x: replacement: missing required field/);
    expect(() => validateProposedRule({ ecosystem: 'pypi', name: 'x', status: 'preferred', min_version: '1' })).toThrow(/min_version only applies/);
    expect(() => validateProposedRule({ ecosystem: 'pypi', name: 'bad name!', status: 'preferred' })).toThrow(/invalid package name/);
  });
});
