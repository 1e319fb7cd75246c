import { describe, expect, it } from 'vitest';
import { Registry } from './registry';
import { parseRegistryYaml } from './registry-document';
import { STARTER_REGISTRY_YAML } from './starter-registry';

describe('the starter registry', () => {
  it('is a valid document with a real policy', () => {
    const parsed = parseRegistryYaml(STARTER_REGISTRY_YAML);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const reg = Registry.fromDocument(parsed.document);
    expect(reg.globalPolicies.unknownLicensePolicy).toBe('pending_approval');
    expect(reg.globalPolicies.cveThreshold).toBe(0.9);
    expect(reg.globalPolicies.hardBanLicenses).toContain('GPL-3.0-only');
    expect(reg.lookup('pypi', 'PyCrypto')?.status).toBe('banned');
    expect(reg.lookup('npm', 'request')).toMatchObject({ status: 'deprecated', replacement: 'pkg:npm/undici' });
  });
});
