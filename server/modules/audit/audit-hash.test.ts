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

describe('the chain hash never changes', () => {
  it('hashes a fixed row to the value every existing chain was written with', () => {
    expect(hashAuditRow(GENESIS_HASH, base)).toBe('296e863b69f603f51771a9fb9248b203aaa6b33f2fc37abbfe030d4163cb4ab4');
  });

  /** The plain definition canonicalJson is an optimised form of. */
  function reference(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (value instanceof Date) return JSON.stringify(value.toISOString());
    if (Array.isArray(value)) return `[${value.map((v) => reference(v)).join(',')}]`;
    if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value);
  }

  it('matches the reference serialisation on generated values', () => {
    // A small deterministic generator (no Math.random: the suite is reproducible).
    let state = 42;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    const keys = ['a', 'B', 'b', 'aa', '_', 'Z', 'é', '\u{1F600}', 'ä', '10', '9', 'key with space', 'x"y', ''];
    const leaf = () =>
      pick<() => unknown>([
        () => null,
        () => undefined,
        () => pick([0, -0, 1, -1.5, 1e21, 1e-7, 0.1 + 0.2, Number.NaN, Infinity, 2 ** 53]),
        () => pick(['', 'plain', 'quote " back \\ nl \n tab \t', '\u0000\u001f', 'é\u{1F600}', '\ud800', 'x\udc00y', '\u2028\u2029', '\u007f']),
        () => next() < 0.5,
        () => new Date(Math.floor(next() * 4e12)),
      ])();
    const gen = (depth: number): unknown => {
      if (depth === 0 || next() < 0.3) return leaf();
      if (next() < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => gen(depth - 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) o[pick(keys)] = gen(depth - 1);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const v = gen(4);
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });
});
