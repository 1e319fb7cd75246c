import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GLOBAL_POLICIES,
  MAX_REGISTRY_BYTES,
  formatIssues,
  formatPath,
  parsePackageKey,
  parseRegistryYaml,
  toWireShape,
} from './registry-document';
import type { RegistryDocument, RegistryIssue } from './registry-document';

/** Join lines so a test's expected line numbers can be read off the array index + 1. */
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

function ok(text: string): RegistryDocument {
  const result = parseRegistryYaml(text);
  if (!result.ok) throw new Error(`expected a valid document, got:\n${formatIssues(result.issues)}`);
  return result.document;
}

function issues(text: string): RegistryIssue[] {
  const result = parseRegistryYaml(text);
  if (result.ok) throw new Error('expected validation issues, got a valid document');
  return result.issues;
}

const EXAMPLE = lines(
  'version: "2025.11"', // 1
  '', // 2
  'global_policies:', // 3
  '  auto_approve_licenses: [MIT, Apache-2.0, BSD-3-Clause, BSD-2-Clause, BSD, ISC, Unlicense]', // 4
  '  hard_ban_licenses: [AGPL-3.0, GPL-3.0, GPL-2.0]', // 5
  '  require_human_review_licenses: [LGPL-3.0, LGPL-2.1, MPL-2.0]', // 6
  '  unknown_license_policy: block', // 7
  '  cve_threshold: 0.8', // 8
  '', // 9
  'packages:', // 10
  '  pydantic:', // 11
  '    status: preferred', // 12
  '    reason: Standard validation and settings layer for all services.', // 13
  '  sqlalchemy:', // 14
  '    status: approved', // 15
  '  numpy:', // 16
  '    status: version-constrained', // 17
  '    min_version: "1.26.0"', // 18
  '    max_version: "3.0.0"', // 19
  '  simplejson:', // 20
  '    status: deprecated', // 21
  '    replacement: orjson', // 22
  '    reason: Consolidating on one JSON library.', // 23
  '  pycrypto:', // 24
  '    status: banned', // 25
  '  pkg:npm/express:', // 26
  '    status: preferred', // 27
  '  pkg:npm/%40types/node:', // 28
  '    status: approved', // 29
);

describe('parseRegistryYaml: valid documents', () => {
  it('compiles the reference example with every field', () => {
    const doc = ok(EXAMPLE);
    expect(doc.version).toBe('2025.11');
    expect(doc.globalPolicies).toEqual({
      autoApproveLicenses: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'BSD-2-Clause', 'BSD', 'ISC', 'Unlicense'],
      hardBanLicenses: ['AGPL-3.0', 'GPL-3.0', 'GPL-2.0'],
      requireHumanReviewLicenses: ['LGPL-3.0', 'LGPL-2.1', 'MPL-2.0'],
      unknownLicensePolicy: 'block',
      cveThreshold: 0.8,
      upstreamUnavailable: 'provisional',
    });
    expect(doc.packages).toEqual([
      {
        key: 'pydantic',
        ecosystem: 'pypi',
        name: 'pydantic',
        status: 'preferred',
        reason: 'Standard validation and settings layer for all services.',
      },
      { key: 'sqlalchemy', ecosystem: 'pypi', name: 'sqlalchemy', status: 'approved' },
      {
        key: 'numpy',
        ecosystem: 'pypi',
        name: 'numpy',
        status: 'version-constrained',
        minVersion: '1.26.0',
        maxVersion: '3.0.0',
      },
      {
        key: 'simplejson',
        ecosystem: 'pypi',
        name: 'simplejson',
        status: 'deprecated',
        replacement: 'orjson',
        reason: 'Consolidating on one JSON library.',
      },
      { key: 'pycrypto', ecosystem: 'pypi', name: 'pycrypto', status: 'banned' },
      { key: 'pkg:npm/express', ecosystem: 'npm', name: 'express', status: 'preferred' },
      { key: 'pkg:npm/%40types/node', ecosystem: 'npm', name: '@types/node', status: 'approved' },
    ]);
  });

  it('returns a frozen document', () => {
    const doc = ok(EXAMPLE);
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.packages)).toBe(true);
    expect(Object.isFrozen(doc.packages[0])).toBe(true);
    expect(Object.isFrozen(doc.globalPolicies.hardBanLicenses)).toBe(true);
  });

  it.each([
    ['a quoted string', 'version: "1.2"', '1.2'],
    ['an integer', 'version: 2', '2'],
    ['a float, keeping its digits as written', 'version: 1.10', '1.10'],
    ['a date-like plain scalar', 'version: 2025-11-01', '2025-11-01'],
    ['a string with spaces trimmed', 'version: "  7  "', '7'],
  ])('stores version given as %s as a string', (_label, line, expected) => {
    expect(ok(lines(line)).version).toBe(expected);
  });

  it('fills every global policy default when the section is absent', () => {
    expect(ok(lines('version: 1')).globalPolicies).toEqual(DEFAULT_GLOBAL_POLICIES);
    expect(DEFAULT_GLOBAL_POLICIES).toMatchObject({
      unknownLicensePolicy: 'pending_approval',
      cveThreshold: 0.9,
      upstreamUnavailable: 'provisional',
      autoApproveLicenses: [],
    });
  });

  it('treats empty sections and lists (YAML null) as absent', () => {
    const doc = ok(lines('version: 1', 'global_policies:', 'packages:'));
    expect(doc.globalPolicies).toEqual(DEFAULT_GLOBAL_POLICIES);
    expect(doc.packages).toEqual([]);
    const lists = ok(lines('version: 1', 'global_policies:', '  hard_ban_licenses:', '  cve_threshold: 0.5'));
    expect(lists.globalPolicies.hardBanLicenses).toEqual([]);
    expect(lists.globalPolicies.cveThreshold).toBe(0.5);
  });

  it.each([
    ['allow', 'allow'],
    ['pending_approval', 'pending_approval'],
    ['block', 'block'],
    ['warn', 'block'],
    ['WARN', 'block'],
    ['Allow', 'allow'],
  ] as const)('compiles unknown_license_policy %s to %s', (written, compiled) => {
    const doc = ok(lines('version: 1', 'global_policies:', `  unknown_license_policy: ${written}`));
    expect(doc.globalPolicies.unknownLicensePolicy).toBe(compiled);
  });

  it.each([
    ['provisional', 'provisional'],
    ['deny', 'deny'],
    ['DENY', 'deny'],
  ] as const)('accepts upstream_unavailable %s', (written, compiled) => {
    const doc = ok(lines('version: 1', 'global_policies:', `  upstream_unavailable: ${written}`));
    expect(doc.globalPolicies.upstreamUnavailable).toBe(compiled);
  });

  it.each([0, 1, 0.7, 0.85])('accepts cve_threshold %s', (value) => {
    const doc = ok(lines('version: 1', 'global_policies:', `  cve_threshold: ${value}`));
    expect(doc.globalPolicies.cveThreshold).toBe(value);
  });

  it.each([
    ['Django', 'pypi', 'Django'],
    ['zope.interface', 'pypi', 'zope.interface'],
    ['left_pad', 'pypi', 'left_pad'],
    ['"42"', 'pypi', '42'],
    ['pkg:pypi/requests', 'pypi', 'requests'],
    ['pkg:pypi/Django_Rest', 'pypi', 'Django_Rest'],
    ['pkg:npm/express', 'npm', 'express'],
    ['pkg:npm/%40types/node', 'npm', '@types/node'],
    ['pkg:npm/@babel/core', 'npm', '@babel/core'],
    ['pkg:npm/JSONStream', 'npm', 'JSONStream'],
  ] as const)('reads key %s as %s package %s', (key, ecosystem, name) => {
    const doc = ok(lines('version: 1', 'packages:', `  ${key}:`, '    status: preferred'));
    expect(doc.packages[0]).toMatchObject({ ecosystem, name });
  });

  it('drops blank optional strings as lex-align does', () => {
    const doc = ok(lines('version: 1', 'packages:', '  a:', '    status: preferred', '    reason: ""'));
    expect(doc.packages[0]).toEqual({ key: 'a', ecosystem: 'pypi', name: 'a', status: 'preferred' });
  });

  it('accepts a moderate use of anchors and aliases', () => {
    const doc = ok(
      lines(
        'version: 1',
        'packages:',
        '  a: {status: banned, reason: &r Unmaintained.}',
        '  b: {status: banned, reason: *r}',
      ),
    );
    expect(doc.packages.map((p) => p.reason)).toEqual(['Unmaintained.', 'Unmaintained.']);
  });

  it('matches statuses case-insensitively and stores them lower case', () => {
    const doc = ok(lines('version: 1', 'packages:', '  a:', '    status: Preferred'));
    expect(doc.packages[0].status).toBe('preferred');
  });
});

describe('parseRegistryYaml: every problem is reported with its path and position', () => {
  it.each<[string, string, Omit<Partial<RegistryIssue>, 'message'> & { message: string | RegExp }]>([
    ['an empty document', '', { path: 'version', line: null, message: 'missing required field: version' }],
    ['a comment-only document', '# nothing\n', { path: 'version', line: null, message: 'missing required field: version' }],
    [
      'a document without version',
      lines('global_policies:', '  cve_threshold: 0.5'),
      { path: 'version', line: 1, column: 1, message: 'missing required field: version' },
    ],
    [
      'a boolean version',
      lines('version: true'),
      { path: 'version', line: 1, column: 10, message: /version must be a non-empty string or a number; got the boolean true/ },
    ],
    [
      'a blank version',
      lines('version: ""'),
      { path: 'version', line: 1, message: /version must be a non-empty string or a number/ },
    ],
    [
      'an unknown top-level key',
      lines('version: 1', 'owner: platform'),
      { path: 'owner', line: 2, column: 1, message: /unknown field "owner"; allowed: version, global_policies, packages/ },
    ],
    [
      'an unknown global_policies key',
      lines('version: 1', 'global_policies:', '  max_cvss: 7'),
      { path: 'global_policies.max_cvss', line: 3, column: 3, message: /unknown field "max_cvss"; allowed: auto_approve_licenses/ },
    ],
    [
      'an unknown rule key',
      lines('version: 1', 'packages:', '  requests:', '    status: preferred', '    owner: web'),
      { path: 'packages.requests.owner', line: 5, column: 5, message: /unknown field "owner"; allowed: status, reason, replacement, min_version, max_version/ },
    ],
    [
      'a deprecated package without replacement',
      lines('version: 1', 'packages:', '  simplejson:', '    status: deprecated'),
      { path: 'packages.simplejson.replacement', line: 3, column: 3, message: /missing required field: replacement/ },
    ],
    [
      'a version-constrained package without bounds',
      lines('version: 1', 'packages:', '  numpy:', '    status: version-constrained'),
      { path: 'packages.numpy.min_version', line: 3, message: /needs min_version \(inclusive\) or max_version \(exclusive\)/ },
    ],
    [
      'an unquoted integer version bound',
      lines('version: 1', 'packages:', '  cryptography:', '    status: version-constrained', '    min_version: 42'),
      { path: 'packages.cryptography.min_version', line: 5, column: 18, message: 'min_version must be a string; quote it in YAML: min_version: "42"' },
    ],
    [
      'an unquoted float version bound (1.10 would read as 1.1)',
      lines('version: 1', 'packages:', '  x:', '    status: version-constrained', '    max_version: 1.10'),
      { path: 'packages.x.max_version', line: 5, message: 'max_version must be a string; quote it in YAML: max_version: "1.10"' },
    ],
    [
      'a bound on a status that does not use it',
      lines('version: 1', 'packages:', '  pydantic:', '    status: preferred', '    min_version: "2.0"'),
      { path: 'packages.pydantic.min_version', line: 5, column: 5, message: /only applies to status version-constrained/ },
    ],
    [
      'an unknown status',
      lines('version: 1', 'packages:', '  x:', '    status: allowed'),
      { path: 'packages.x.status', line: 4, column: 13, message: /status must be one of: preferred, approved, version-constrained, deprecated, banned; got the string "allowed"/ },
    ],
    [
      'a rule without status',
      lines('version: 1', 'packages:', '  x:', '    reason: why'),
      { path: 'packages.x.status', line: 3, message: 'missing required field: status' },
    ],
    [
      'a rule that is not a mapping',
      lines('version: 1', 'packages:', '  x: preferred'),
      { path: 'packages.x', line: 3, column: 6, message: /x must be a mapping; got the string "preferred"/ },
    ],
    [
      'a cve_threshold above 1',
      lines('version: 1', 'global_policies:', '  cve_threshold: 9'),
      { path: 'global_policies.cve_threshold', line: 3, column: 18, message: /between 0 and 1 .*got 9/ },
    ],
    [
      'a negative cve_threshold',
      lines('version: 1', 'global_policies:', '  cve_threshold: -0.1'),
      { path: 'global_policies.cve_threshold', line: 3, message: /between 0 and 1/ },
    ],
    [
      'a boolean cve_threshold',
      lines('version: 1', 'global_policies:', '  cve_threshold: true'),
      { path: 'global_policies.cve_threshold', line: 3, message: /a number between 0 and 1; got the boolean true/ },
    ],
    [
      'a string cve_threshold',
      lines('version: 1', 'global_policies:', '  cve_threshold: "0.9"'),
      { path: 'global_policies.cve_threshold', line: 3, message: /got the string "0.9"/ },
    ],
    [
      'an unknown unknown_license_policy',
      lines('version: 1', 'global_policies:', '  unknown_license_policy: maybe'),
      { path: 'global_policies.unknown_license_policy', line: 3, message: /must be one of: allow, pending_approval, block, warn/ },
    ],
    [
      'an unknown upstream_unavailable',
      lines('version: 1', 'global_policies:', '  upstream_unavailable: retry'),
      { path: 'global_policies.upstream_unavailable', line: 3, message: /must be one of: provisional, deny/ },
    ],
    [
      'a license list written as a scalar',
      lines('version: 1', 'global_policies:', '  auto_approve_licenses: MIT'),
      { path: 'global_policies.auto_approve_licenses', line: 3, column: 26, message: /must be a list; got the string "MIT"/ },
    ],
    [
      'a number in a license list',
      lines('version: 1', 'global_policies:', '  hard_ban_licenses:', '    - GPL-3.0', '    - 3'),
      { path: 'global_policies.hard_ban_licenses[1]', line: 5, column: 7, message: /quote it/ },
    ],
    [
      'a license on two lists',
      lines('version: 1', 'global_policies:', '  hard_ban_licenses: [GPL-3.0]', '  auto_approve_licenses: [MIT, gpl-3.0]'),
      { path: 'global_policies.auto_approve_licenses[1]', line: 4, column: 32, message: /gpl-3.0 is listed in both hard_ban_licenses and auto_approve_licenses/ },
    ],
    [
      'packages written as a list',
      lines('version: 1', 'packages:', '  - requests'),
      { path: 'packages', line: 3, message: /packages must be a mapping; got a list/ },
    ],
    [
      'a root that is a list',
      lines('- version: 1'),
      { path: '', line: 1, column: 1, message: /must be a mapping .*got a list/ },
    ],
    [
      'a root that is a scalar',
      lines('just text'),
      { path: '', line: 1, message: /must be a mapping .*got the string "just text"/ },
    ],
    [
      'a bare npm-style name',
      lines('version: 1', 'packages:', '  "@types/node":', '    status: preferred'),
      { path: 'packages["@types/node"]', line: 3, column: 3, message: /write an npm package as pkg:npm\/%40types\/node/ },
    ],
    [
      'a key that is not a package name',
      lines('version: 1', 'packages:', '  requests>=2:', '    status: preferred'),
      { path: 'packages["requests>=2"]', line: 3, message: /invalid package name "requests>=2"/ },
    ],
    [
      'a purl of an unsupported ecosystem',
      lines('version: 1', 'packages:', '  pkg:cargo/serde:', '    status: preferred'),
      { path: 'packages["pkg:cargo/serde"]', line: 3, message: /unsupported ecosystem "cargo" .*supported: pypi, npm/ },
    ],
    [
      'a purl with a version',
      lines('version: 1', 'packages:', '  pkg:npm/express@4.0.0:', '    status: preferred'),
      { path: 'packages["pkg:npm/express@4.0.0"]', line: 3, message: /names a package only/ },
    ],
    [
      'a purl without a name',
      lines('version: 1', 'packages:', '  "pkg:npm/":', '    status: preferred'),
      { path: 'packages["pkg:npm/"]', line: 3, message: /invalid package URL/ },
    ],
  ])('%s', (_label, text, expected) => {
    const found = issues(text);
    const { message, ...where } = expected;
    const match = found.find(
      (i) => i.path === where.path && (typeof message === 'string' ? i.message === message : message.test(i.message)),
    );
    expect(match, `issues were:\n${formatIssues(found)}`).toBeDefined();
    expect(match).toMatchObject(where);
  });

  it.each([
    ['PyPI separators', 'left-pad', 'left_pad', 'left-pad'],
    ['PyPI case', 'Django', 'django', 'django'],
    ['PyPI dots and runs', 'zope.interface', 'Zope__Interface', 'zope-interface'],
    ['a purl and a bare PyPI key', 'requests', 'pkg:pypi/Requests', 'requests'],
    ['npm case', 'pkg:npm/JSONStream', 'pkg:npm/jsonstream', 'jsonstream'],
    ['npm scope encodings', 'pkg:npm/%40types/node', 'pkg:npm/@types/node', '@types/node'],
  ])('refuses duplicate rules after normalisation: %s', (_label, first, second, normalized) => {
    const found = issues(
      lines('version: 1', 'packages:', `  "${first}":`, '    status: preferred', `  "${second}":`, '    status: banned'),
    );
    expect(found).toHaveLength(1);
    expect(found[0].line).toBe(5);
    expect(found[0].path).toBe(formatPath(['packages', second]));
    expect(found[0].message).toContain(`"${second}" and "${first}" (line 3)`);
    expect(found[0].message).toContain(`"${normalized}"`);
  });

  it('keeps a PyPI and an npm package of the same name apart', () => {
    const doc = ok(lines('version: 1', 'packages:', '  debug:', '    status: preferred', '  pkg:npm/debug:', '    status: banned'));
    expect(doc.packages.map((p) => [p.ecosystem, p.name, p.status])).toEqual([
      ['pypi', 'debug', 'preferred'],
      ['npm', 'debug', 'banned'],
    ]);
  });

  it('reports all problems at once, sorted by position', () => {
    const found = issues(
      lines(
        'version: 1', // 1
        'colour: blue', // 2
        'global_policies:', // 3
        '  cve_threshold: 2', // 4
        'packages:', // 5
        '  simplejson:', // 6
        '    status: deprecated', // 7
        '  numpy:', // 8
        '    status: version-constrained', // 9
        '    min_version: 1', // 10
        '    extra: x', // 11
      ),
    );
    expect(found.map((i) => [i.path, i.line])).toEqual([
      ['colour', 2],
      ['global_policies.cve_threshold', 4],
      ['packages.simplejson.replacement', 6],
      ['packages.numpy.min_version', 10],
      ['packages.numpy.extra', 11],
    ]);
  });

  it.each([
    // yaml notices the missing `]` where the input ends.
    ['an unclosed flow sequence', lines('version: 1', 'packages: [a'), 3],
    ['a tab used as indentation', lines('version: 1', 'packages:', '\tx: 1'), 3],
    ['a duplicated key', lines('version: 1', 'packages:', '  a: {status: banned}', '  a: {status: preferred}'), 4],
    ['two documents', lines('version: 1', '---', 'version: 2'), 2],
    ['an unresolved custom tag', lines('version: !custom 1'), 1],
  ])('reports YAML syntax errors with their line: %s', (_label, text, line) => {
    const found = issues(text);
    expect(found[0].message).toMatch(/^YAML parse error: /);
    expect(found[0].line).toBe(line);
    expect(found[0].column).toBeGreaterThan(0);
  });

  it('reports an alias without an anchor with its line', () => {
    const found = issues(lines('version: 1', 'packages:', '  a: *nothing'));
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/^YAML parse error: .*nothing/);
    expect(found[0].line).toBe(3);
  });

  it('refuses an alias bomb', () => {
    const bomb = lines(
      'version: 1',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    );
    const found = issues(bomb);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/aliases refused: more than 100 alias expansions/);
  });

  it('refuses a document over the size limit before parsing it', () => {
    const big = `version: 1\n# ${'x'.repeat(MAX_REGISTRY_BYTES)}\n`;
    const found = issues(big);
    expect(found).toHaveLength(1);
    expect(found[0].message).toMatch(/bytes; the limit is 1048576 bytes \(1 MiB\)/);
  });

  it('counts the size limit in UTF-8 bytes, not characters', () => {
    const multibyte = `version: 1\n# ${'é'.repeat(MAX_REGISTRY_BYTES / 2)}\n`;
    expect(multibyte.length).toBeLessThan(MAX_REGISTRY_BYTES);
    expect(issues(multibyte)[0].message).toMatch(/the limit is 1048576 bytes/);
  });
});

describe('parsePackageKey', () => {
  it.each([
    ['requests', { ok: true, ecosystem: 'pypi', name: 'requests' }],
    ['PKG:NPM/Express', { ok: true, ecosystem: 'npm', name: 'Express' }],
    ['pkg:npm/%40scope%2Fname', { ok: true, ecosystem: 'npm', name: '@scope/name' }],
    ['pkg:npm/a/b/c', { ok: false }],
    ['pkg:npm/node_modules', { ok: false, message: /reserved name on npm/ }],
    ['pkg:npm/.hidden', { ok: false, message: /cannot start with "\." or "_"/ }],
    [' requests', { ok: false, message: /surrounded by spaces/ }],
    ['requests>=2', { ok: false, message: /not a valid PyPI name/ }],
    ['pkg:pypi/ns/name', { ok: false }],
    ['-leading-dash', { ok: false }],
    ['', { ok: false }],
  ] as [string, { ok: boolean; ecosystem?: string; name?: string; message?: RegExp }][])('%s', (key, expected) => {
    const { message, ...rest } = expected;
    const result = parsePackageKey(key);
    expect(result).toMatchObject(rest);
    // toMatchObject does not apply a RegExp to a string, so test the message explicitly.
    if (message) expect(result.ok ? '' : result.message).toMatch(message);
  });
});

describe('toWireShape', () => {
  it("gives lex-align's GET /api/v1/registry shape with packages sorted by key", () => {
    const doc = ok(
      lines(
        'version: 3',
        'global_policies:',
        '  hard_ban_licenses: [GPL-3.0]',
        '  unknown_license_policy: warn',
        'packages:',
        '  zlib-ng:',
        '    status: preferred',
        '  numpy:',
        '    status: version-constrained',
        '    min_version: "1.26.0"',
        '    reason: ABI',
        '  pkg:npm/express:',
        '    status: deprecated',
        '    replacement: fastify',
      ),
    );
    const wire = toWireShape(doc);
    expect(wire).toEqual({
      version: '3',
      global_policies: {
        auto_approve_licenses: [],
        hard_ban_licenses: ['GPL-3.0'],
        require_human_review_licenses: [],
        unknown_license_policy: 'block',
        cve_threshold: 0.9,
        upstream_unavailable: 'provisional',
      },
      packages: {
        numpy: { status: 'version-constrained', reason: 'ABI', min_version: '1.26.0' },
        'pkg:npm/express': { status: 'deprecated', replacement: 'fastify' },
        'zlib-ng': { status: 'preferred' },
      },
    });
    expect(Object.keys(wire.packages)).toEqual(['numpy', 'pkg:npm/express', 'zlib-ng']);
  });

  it('round-trips: the wire shape is itself a valid registry document (JSON is YAML)', () => {
    const doc = ok(EXAMPLE);
    const again = ok(JSON.stringify(toWireShape(doc)));
    expect(toWireShape(again)).toEqual(toWireShape(doc));
  });
});

describe('formatIssues', () => {
  it('formats one issue on one line', () => {
    expect(
      formatIssues([{ path: 'packages.x.status', line: 4, column: 13, message: 'status must be one of: …' }]),
    ).toBe('Invalid registry document: packages.x.status (line 4, column 13): status must be one of: …');
  });

  it('formats several issues as a list and leaves out unknown positions', () => {
    const text = formatIssues([
      { path: 'version', line: null, column: null, message: 'missing required field: version' },
      { path: 'owner', line: 2, column: 1, message: 'unknown field "owner"' },
    ]);
    expect(text).toBe(
      [
        'Invalid registry document (2 problems):',
        '- version: missing required field: version',
        '- owner (line 2, column 1): unknown field "owner"',
      ].join('\n'),
    );
  });

  it('formats a real parse result', () => {
    const result = parseRegistryYaml('');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)).toBe('Invalid registry document: version: missing required field: version');
  });
});

describe('formatPath', () => {
  it.each([
    [['packages', 'simplejson', 'replacement'], 'packages.simplejson.replacement'],
    [['packages', 'zope.interface', 'status'], 'packages["zope.interface"].status'],
    [['global_policies', 'hard_ban_licenses', 2], 'global_policies.hard_ban_licenses[2]'],
    [[], ''],
  ] as const)('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});
