import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, hashAuditRow, type HashedAuditContent } from './audit-hash';

const base: HashedAuditContent = {
  id: '00000000-0000-4000-8000-000000000001',
  tenantId: 'default',
  seq: 1,
  ts: new Date('2026-04-04T00:00:00.000Z'),
  kind: 'DEPENDENCY_EVALUATION',
  action: 'dependency.add',
  project: 'demo',
  requester: 'anonymous',
  agentModel: null,
  agentVersion: null,
  agentId: null,
  ecosystem: 'pypi',
  package: 'requests',
  normalizedName: 'requests',
  version: null,
  resolvedVersion: '2.32.3',
  verdict: 'DENIED',
  status: 'blocked',
  denialCategory: 'registry',
  reason: 'Deprecated; use httpx instead.',
  license: null,
  cveIds: [],
  maxCvss: null,
  registryStatus: 'deprecated',
  triggeredPolicy: 'registry.deprecated',
  severity: 'low',
  riskScore: 0.2,
  violations: [{ policy: 'registry.deprecated' }],
  details: { b: 2, a: { y: [1, 2], x: null } },
};

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ a: { d: 1, c: [3, { f: 1, e: 2 }] } }, '{"a":{"c":[3,{"e":2,"f":1}],"d":1}}'],
    [[null, undefined, 1.5], '[null,null,1.5]'],
    [{ a: undefined, b: 'x' }, '{"b":"x"}'],
    [new Date('2026-01-02T03:04:05.006Z'), '"2026-01-02T03:04:05.006Z"'],
    ['quote " and \\ and \n', '"quote \\" and \\\\ and \\n"'],
    [Number.NaN, 'null'],
  ])('%j → %s', (input, expected) => {
    expect(canonicalJson(input)).toBe(expected);
  });
});

describe('hashAuditRow', () => {
  it('is a hex SHA-256 that does not depend on object key order', () => {
    const h = hashAuditRow(GENESIS_HASH, base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditRow(GENESIS_HASH, { ...base, details: { a: { x: null, y: [1, 2] }, b: 2 } })).toBe(h);
  });

  it('changes with any hashed field and with the previous hash', () => {
    const h = hashAuditRow(GENESIS_HASH, base);
    const variants: Partial<HashedAuditContent>[] = [
      { seq: 2 },
      { ts: new Date('2026-04-04T00:00:00.001Z') },
      { verdict: 'ALLOWED' },
      { reason: 'Deprecated; use httpx instead' },
      { cveIds: ['CVE-1'] },
      { maxCvss: 0 },
      { project: null },
      { details: { b: 3, a: { y: [1, 2], x: null } } },
      { violations: [] },
    ];
    for (const v of variants) expect(hashAuditRow(GENESIS_HASH, { ...base, ...v }), JSON.stringify(v)).not.toBe(h);
    expect(hashAuditRow('f'.repeat(64), base)).not.toBe(h);
  });
});
