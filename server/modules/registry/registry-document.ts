/**
 * The registry document: lex-align's registry YAML (SPEC §5), parsed, validated and compiled.
 *
 * Pure: the parser takes the YAML text and returns either a compiled document or every problem
 * found, each with its path and source position, so an operator fixes a file in one pass. No
 * file or network access happens here; loading, storing revisions and swapping the live registry
 * belong to the registry service.
 */
import { PackageURL } from 'packageurl-js';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { ECOSYSTEMS } from '../packages/facts';
import type { Ecosystem } from '../packages/facts';
import { isEcosystem, normalizeName, validateName } from '../packages/names';

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

export const REGISTRY_STATUSES = [
  'preferred',
  'approved',
  'version-constrained',
  'deprecated',
  'banned',
] as const;
export type RegistryStatus = (typeof REGISTRY_STATUSES)[number];

/** Compiled values of `unknown_license_policy` (`warn` is accepted in YAML and compiles to `block`). */
export const UNKNOWN_LICENSE_POLICIES = ['allow', 'pending_approval', 'block'] as const;
export type UnknownLicensePolicy = (typeof UNKNOWN_LICENSE_POLICIES)[number];

/** What a verdict does when OSV or package metadata could not be fetched (our additive key). */
export const UPSTREAM_UNAVAILABLE_POLICIES = ['provisional', 'deny'] as const;
export type UpstreamUnavailablePolicy = (typeof UPSTREAM_UNAVAILABLE_POLICIES)[number];

/** Documents larger than this are refused before parsing (a registry is a few kB to a few 100 kB). */
export const MAX_REGISTRY_BYTES = 1024 * 1024;

/**
 * Alias budget handed to `yaml` (its resource-exhaustion guard): an anchor aliased many times,
 * or nested aliases that expand exponentially ("billion laughs"), are refused.
 */
export const MAX_ALIAS_COUNT = 100;

// ---------------------------------------------------------------------------------------------
// Compiled shape
// ---------------------------------------------------------------------------------------------

export interface GlobalPolicies {
  readonly autoApproveLicenses: readonly string[];
  readonly hardBanLicenses: readonly string[];
  readonly requireHumanReviewLicenses: readonly string[];
  readonly unknownLicensePolicy: UnknownLicensePolicy;
  /** Fraction of the CVSS maximum: deny when max CVSS ≥ cveThreshold × 10. */
  readonly cveThreshold: number;
  readonly upstreamUnavailable: UpstreamUnavailablePolicy;
}

export interface RegistryRule {
  /** The YAML key exactly as written (`Django`, `pkg:npm/%40types/node`). */
  readonly key: string;
  readonly ecosystem: Ecosystem;
  /** The package name as written, without a purl prefix and percent-decoded (`@types/node`). */
  readonly name: string;
  readonly status: RegistryStatus;
  readonly reason?: string;
  readonly replacement?: string;
  /** Inclusive lower bound (only on `version-constrained`). */
  readonly minVersion?: string;
  /** Exclusive upper bound (only on `version-constrained`). */
  readonly maxVersion?: string;
}

export interface RegistryDocument {
  readonly version: string;
  readonly globalPolicies: GlobalPolicies;
  /** Rules in document order. */
  readonly packages: readonly RegistryRule[];
}

/**
 * Policies used where a document does not say otherwise.
 *
 * `unknown_license_policy` defaults to `pending_approval`: that is lex-align's documented and
 * runtime default (its YAML validator filled in `block`, contradicting its own docs — see the
 * reference §4.2). An unknown license then yields a provisional answer plus a filed approval
 * request, so a human sees it, instead of a silent allow or a hard deny.
 */
export const DEFAULT_GLOBAL_POLICIES: GlobalPolicies = Object.freeze({
  autoApproveLicenses: Object.freeze([]) as readonly string[],
  hardBanLicenses: Object.freeze([]) as readonly string[],
  requireHumanReviewLicenses: Object.freeze([]) as readonly string[],
  unknownLicensePolicy: 'pending_approval',
  cveThreshold: 0.9,
  upstreamUnavailable: 'provisional',
});

/** One problem in a registry document. `line`/`column` are 1-based; null only when there is no source to point at. */
export interface RegistryIssue {
  path: string;
  line: number | null;
  column: number | null;
  message: string;
}

export type ParseRegistryResult =
  | { ok: true; document: RegistryDocument }
  | { ok: false; issues: RegistryIssue[] };

/** lex-align's `GET /api/v1/registry` body (our additive `upstream_unavailable` included). */
export interface RegistryWireShape {
  version: string;
  global_policies: {
    auto_approve_licenses: string[];
    hard_ban_licenses: string[];
    require_human_review_licenses: string[];
    unknown_license_policy: UnknownLicensePolicy;
    cve_threshold: number;
    upstream_unavailable: UpstreamUnavailablePolicy;
  };
  packages: Record<
    string,
    {
      status: RegistryStatus;
      reason?: string;
      replacement?: string;
      min_version?: string;
      max_version?: string;
    }
  >;
}

// ---------------------------------------------------------------------------------------------
// Schema (shapes and types; rules that span fields are checked separately so that every
// problem is reported even when the shape is also wrong)
// ---------------------------------------------------------------------------------------------

const ROOT_KEYS = ['version', 'global_policies', 'packages'] as const;
const POLICY_KEYS = [
  'auto_approve_licenses',
  'hard_ban_licenses',
  'require_human_review_licenses',
  'unknown_license_policy',
  'cve_threshold',
  'upstream_unavailable',
] as const;
const RULE_KEYS = ['status', 'reason', 'replacement', 'min_version', 'max_version'] as const;

/** Enum values are matched case-insensitively, as lex-align's runtime does. */
const lowerCased = (values: readonly [string, ...string[]]) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.enum(values));

const licenseList = z.array(z.string().trim().min(1)).nullish();
// Blank optional strings are dropped when compiling, as lex-align keeps only non-empty fields.
const optionalText = z.string().nullish();

const ruleSchema = z.strictObject({
  status: lowerCased(REGISTRY_STATUSES as unknown as [string, ...string[]]),
  reason: optionalText,
  replacement: optionalText,
  min_version: optionalText,
  max_version: optionalText,
});

const documentSchema = z.strictObject({
  version: z.union([z.string().trim().min(1), z.number()]),
  // `null` (a key written with nothing after it) means "absent" for every optional mapping/list.
  global_policies: z
    .strictObject({
      auto_approve_licenses: licenseList,
      hard_ban_licenses: licenseList,
      require_human_review_licenses: licenseList,
      unknown_license_policy: lowerCased(['allow', 'pending_approval', 'block', 'warn']).nullish(),
      cve_threshold: z.number().min(0).max(1).nullish(),
      upstream_unavailable: lowerCased(
        UPSTREAM_UNAVAILABLE_POLICIES as unknown as [string, ...string[]],
      ).nullish(),
    })
    .nullish(),
  packages: z.record(z.string(), ruleSchema).nullish(),
});

type ParsedDocument = z.infer<typeof documentSchema>;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/**
 * Parse, validate and compile a registry YAML document.
 *
 * Every problem is returned at once (YAML syntax, shape, cross-field rules, package keys,
 * duplicates after name normalisation), sorted by position, each naming its path and line.
 */
export function parseRegistryYaml(text: string): ParseRegistryResult {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_REGISTRY_BYTES) {
    return fail([
      {
        path: '',
        line: null,
        column: null,
        message: `registry document is ${size} bytes; the limit is ${MAX_REGISTRY_BYTES} bytes (1 MiB)`,
      },
    ]);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // Keys are names people write; `42:` or `true:` as a key means the string, not a number.
    stringKeys: true,
    uniqueKeys: true,
  });
  const locator = new Locator(doc, lineCounter);

  // Syntax problems (and warnings such as unresolved custom tags, which would silently turn a
  // value into something the author did not write) stop here: the tree is not trustworthy.
  const syntax = [...doc.errors, ...doc.warnings].map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      path: '',
      line: pos.line,
      column: pos.col,
      message: `YAML parse error: ${e.message}`,
    };
  });
  if (syntax.length > 0) return fail(syntax);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when the alias budget is exceeded or an alias has no anchor.
    const detail = error instanceof Error ? error.message : String(error);
    const message = /excessive alias count/i.test(detail)
      ? `YAML aliases refused: more than ${MAX_ALIAS_COUNT} alias expansions (a possible alias bomb); write the values out`
      : `YAML parse error: ${detail}`;
    return fail([{ path: '', ...unresolvedAliasPosition(doc, lineCounter), message }]);
  }

  // An empty document validates as `{}` and so fails on the missing version, as in lex-align.
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    const where = locator.position([], 'value');
    return fail([
      {
        path: '',
        ...where,
        message: `the registry document must be a mapping with version, global_policies and packages; got ${describe(data)}`,
      },
    ]);
  }

  const issues: RegistryIssue[] = [];
  const parsed = documentSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push(...toRegistryIssues(issue, data, locator));
    }
  }
  const raw = data as Record<string, unknown>;
  issues.push(...checkRules(raw, locator));
  const keys = checkPackageKeys(raw, locator);
  issues.push(...keys.issues);
  issues.push(...checkLicenseLists(raw, locator));

  if (issues.length > 0 || !parsed.success) return fail(issues);
  return { ok: true, document: compile(parsed.data, keys.identities, versionText(doc, parsed.data)) };
}

function fail(issues: RegistryIssue[]): ParseRegistryResult {
  const sorted = [...issues].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  return { ok: false, issues: dedupe(sorted) };
}

function dedupe(issues: RegistryIssue[]): RegistryIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where the first alias without an anchor is (the other reason `toJS` throws). */
function unresolvedAliasPosition(
  doc: Document,
  lines: LineCounter,
): { line: number | null; column: number | null } {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) === undefined) {
        offset = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (offset === undefined) return { line: null, column: null };
  const pos = lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** A numeric `version` keeps the digits as written (`1.10` stays "1.10", not "1.1"). */
function versionText(doc: Document, parsed: ParsedDocument): string {
  if (typeof parsed.version === 'string') return parsed.version;
  const node = doc.get('version', true);
  if (isScalar(node) && typeof node.source === 'string' && node.source.trim() !== '') {
    return node.source.trim();
  }
  return String(parsed.version);
}

// ---------------------------------------------------------------------------------------------
// Checks beyond the shape
// ---------------------------------------------------------------------------------------------

function packagesOf(raw: Record<string, unknown>): Record<string, unknown> | null {
  const p = raw.packages;
  return p !== null && typeof p === 'object' && !Array.isArray(p)
    ? (p as Record<string, unknown>)
    : null;
}

const isBlank = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** Rules spanning fields: deprecated needs a replacement; bounds belong to version-constrained. */
function checkRules(raw: Record<string, unknown>, locator: Locator): RegistryIssue[] {
  const packages = packagesOf(raw);
  if (!packages) return [];
  const issues: RegistryIssue[] = [];
  for (const [key, rule] of Object.entries(packages)) {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) continue;
    const r = rule as Record<string, unknown>;
    const status = typeof r.status === 'string' ? r.status.trim().toLowerCase() : null;
    const at = (field: string, message: string, side: 'key' | 'value' = 'value') => {
      const path = ['packages', key, field];
      issues.push({ path: formatPath(path), ...locator.position(path, side), message });
    };
    if (status === 'deprecated' && isBlank(r.replacement)) {
      at('replacement', 'missing required field: replacement (a deprecated package must name its replacement)');
    }
    if (status === 'version-constrained' && isBlank(r.min_version) && isBlank(r.max_version)) {
      at(
        'min_version',
        'a version-constrained package needs min_version (inclusive) or max_version (exclusive), or both',
      );
    }
    if (status !== null && status !== 'version-constrained') {
      // A bound on another status would look enforced but never be: refuse it instead.
      for (const field of ['min_version', 'max_version'] as const) {
        if (!isBlank(r[field])) {
          at(
            field,
            `${field} only applies to status version-constrained (this package is ${status}); change the status or remove ${field}`,
            'key',
          );
        }
      }
    }
  }
  return issues;
}

interface KeyIdentity {
  ecosystem: Ecosystem;
  name: string;
}

/** Parse every package key; report invalid keys and keys naming the same package twice. */
function checkPackageKeys(
  raw: Record<string, unknown>,
  locator: Locator,
): { issues: RegistryIssue[]; identities: Map<string, KeyIdentity> } {
  const issues: RegistryIssue[] = [];
  const identities = new Map<string, KeyIdentity>();
  const packages = packagesOf(raw);
  if (!packages) return { issues, identities };
  const firstByIdentity = new Map<string, string>();
  for (const key of Object.keys(packages)) {
    const path = ['packages', key];
    const parsed = parsePackageKey(key);
    if (!parsed.ok) {
      issues.push({ path: formatPath(path), ...locator.position(path, 'key'), message: parsed.message });
      continue;
    }
    identities.set(key, parsed);
    const identity = `${parsed.ecosystem}\u0000${normalizeName(parsed.ecosystem, parsed.name)}`;
    const first = firstByIdentity.get(identity);
    if (first === undefined) {
      firstByIdentity.set(identity, key);
      continue;
    }
    const firstPos = locator.position(['packages', first], 'key');
    const label = parsed.ecosystem === 'pypi' ? 'PyPI' : parsed.ecosystem;
    issues.push({
      path: formatPath(path),
      ...locator.position(path, 'key'),
      message:
        `duplicate package: "${key}" and "${first}"` +
        (firstPos.line !== null ? ` (line ${firstPos.line})` : '') +
        ` both name the ${label} package "${normalizeName(parsed.ecosystem, parsed.name)}"; keep one rule`,
    });
  }
  return { issues, identities };
}

/** One license on two lists is a contradiction the evaluator would settle silently; refuse it. */
function checkLicenseLists(raw: Record<string, unknown>, locator: Locator): RegistryIssue[] {
  const gp = raw.global_policies;
  if (gp === null || typeof gp !== 'object' || Array.isArray(gp)) return [];
  const lists = ['hard_ban_licenses', 'require_human_review_licenses', 'auto_approve_licenses'] as const;
  const owner = new Map<string, string>();
  const issues: RegistryIssue[] = [];
  for (const list of lists) {
    const values = (gp as Record<string, unknown>)[list];
    if (!Array.isArray(values)) continue;
    values.forEach((value, index) => {
      if (typeof value !== 'string' || value.trim() === '') return;
      const id = value.trim().toLowerCase();
      const previous = owner.get(id);
      if (previous === undefined) {
        owner.set(id, list);
      } else if (previous !== list) {
        const path = ['global_policies', list, index];
        issues.push({
          path: formatPath(path),
          ...locator.position(path, 'value'),
          message: `license ${value.trim()} is listed in both ${previous} and ${list}; a license belongs on one list`,
        });
      }
    });
  }
  return issues;
}

/**
 * A registry key: a bare PyPI name, or a purl `pkg:<ecosystem>/<name>` for any supported
 * ecosystem. The name is returned as written (percent-decoded), never case-folded.
 */
export function parsePackageKey(
  key: string,
): ({ ok: true } & KeyIdentity) | { ok: false; message: string } {
  if (key.trim() !== key || key === '') {
    return { ok: false, message: `invalid package name ${JSON.stringify(key)}: empty or surrounded by spaces` };
  }
  if (!/^pkg:/i.test(key)) {
    const check = validateName('pypi', key);
    if (check.ok) return { ok: true, ecosystem: 'pypi', name: key };
    const hint = key.startsWith('@')
      ? `; a bare key names a PyPI package, write an npm package as pkg:npm/${encodeURIComponent(key.split('/')[0] ?? '')}/${key.split('/').slice(1).join('/')}`
      : '; write a bare PyPI name, or a package URL such as pkg:npm/express';
    return { ok: false, message: `invalid package name "${key}": ${check.error.message}${hint}` };
  }
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(key);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `invalid package URL "${key}": ${detail}` };
  }
  const type = purl.type.toLowerCase();
  if (!isEcosystem(type)) {
    return {
      ok: false,
      message: `unsupported ecosystem "${purl.type}" in "${key}"; supported: ${ECOSYSTEMS.join(', ')}`,
    };
  }
  if (purl.version || purl.subpath || (purl.qualifiers && Object.keys(purl.qualifiers).length > 0)) {
    return {
      ok: false,
      message: `"${key}" names a version, qualifiers or a subpath; a registry key names a package only (use min_version/max_version for versions)`,
    };
  }
  const ecosystem: Ecosystem = type;
  // Take the name from the key itself (packageurl-js case-folds and rewrites PyPI names).
  const path = key.replace(/^pkg:\/*[^/]+\/+/i, '').replace(/\/+$/, '');
  let name: string;
  try {
    name = path
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return { ok: false, message: `invalid percent-encoding in "${key}"` };
  }
  const check = validateName(ecosystem, name);
  if (!check.ok || name.trim() !== name) {
    const detail = check.ok ? 'surrounded by spaces' : check.error.message;
    return { ok: false, message: `invalid ${ecosystem} package name "${name}" in "${key}": ${detail}` };
  }
  return { ok: true, ecosystem, name };
}

// ---------------------------------------------------------------------------------------------
// Compiling and serialising
// ---------------------------------------------------------------------------------------------

function compile(
  parsed: ParsedDocument,
  identities: Map<string, KeyIdentity>,
  version: string,
): RegistryDocument {
  const gp = parsed.global_policies ?? {};
  const rawPolicy = gp.unknown_license_policy ?? DEFAULT_GLOBAL_POLICIES.unknownLicensePolicy;
  const globalPolicies: GlobalPolicies = Object.freeze({
    autoApproveLicenses: Object.freeze([...(gp.auto_approve_licenses ?? [])]),
    hardBanLicenses: Object.freeze([...(gp.hard_ban_licenses ?? [])]),
    requireHumanReviewLicenses: Object.freeze([...(gp.require_human_review_licenses ?? [])]),
    // `warn` never warned in lex-align: it blocked. Compile it to what it does.
    unknownLicensePolicy: (rawPolicy === 'warn' ? 'block' : rawPolicy) as UnknownLicensePolicy,
    cveThreshold: gp.cve_threshold ?? DEFAULT_GLOBAL_POLICIES.cveThreshold,
    upstreamUnavailable: (gp.upstream_unavailable ??
      DEFAULT_GLOBAL_POLICIES.upstreamUnavailable) as UpstreamUnavailablePolicy,
  });
  const packages = Object.entries(parsed.packages ?? {}).map(([key, rule]) => {
    const identity = identities.get(key);
    if (!identity) throw new Error(`registry key ${key} was not validated`); // unreachable
    const text = (v: string | null | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);
    const compiled: RegistryRule = {
      key,
      ecosystem: identity.ecosystem,
      name: identity.name,
      status: rule.status as RegistryStatus,
      ...optional('reason', text(rule.reason)),
      ...optional('replacement', text(rule.replacement)),
      ...optional('minVersion', text(rule.min_version)),
      ...optional('maxVersion', text(rule.max_version)),
    };
    return Object.freeze(compiled);
  });
  return Object.freeze({ version, globalPolicies, packages: Object.freeze(packages) });
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/**
 * lex-align's `GET /api/v1/registry` JSON shape: snake_case, every policy key present, packages
 * keyed as written and sorted by key, optional rule fields only when set.
 */
export function toWireShape(document: RegistryDocument): RegistryWireShape {
  const gp = document.globalPolicies;
  const packages: RegistryWireShape['packages'] = {};
  const sorted = [...document.packages].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const rule of sorted) {
    packages[rule.key] = {
      status: rule.status,
      ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
      ...(rule.replacement !== undefined ? { replacement: rule.replacement } : {}),
      ...(rule.minVersion !== undefined ? { min_version: rule.minVersion } : {}),
      ...(rule.maxVersion !== undefined ? { max_version: rule.maxVersion } : {}),
    };
  }
  return {
    version: document.version,
    global_policies: {
      auto_approve_licenses: [...gp.autoApproveLicenses],
      hard_ban_licenses: [...gp.hardBanLicenses],
      require_human_review_licenses: [...gp.requireHumanReviewLicenses],
      unknown_license_policy: gp.unknownLicensePolicy,
      cve_threshold: gp.cveThreshold,
      upstream_unavailable: gp.upstreamUnavailable,
    },
    packages,
  };
}

/** One readable message for a list of issues (an HTTP `detail`, a log line, a CLI error). */
export function formatIssues(issues: readonly RegistryIssue[]): string {
  const one = (i: RegistryIssue) => {
    const where = i.line === null ? '' : `line ${i.line}${i.column === null ? '' : `, column ${i.column}`}`;
    const prefix = [i.path, where ? `(${where})` : ''].filter(Boolean).join(' ');
    return prefix ? `${prefix}: ${i.message}` : i.message;
  };
  if (issues.length === 0) return 'registry document is valid';
  if (issues.length === 1) return `Invalid registry document: ${one(issues[0])}`;
  return [`Invalid registry document (${issues.length} problems):`, ...issues.map((i) => `- ${one(i)}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Issue translation: zod issue + YAML source -> path, line, readable message
// ---------------------------------------------------------------------------------------------

type Segment = string | number;

/** `packages.simplejson.replacement`; keys that are not plain words are quoted (`packages["pkg:npm/x"]`). */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function valueAt(data: unknown, path: readonly Segment[]): unknown {
  let cur = data;
  for (const segment of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[segment];
  }
  return cur;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return `the ${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function allowedKeysAt(path: readonly Segment[]): readonly string[] {
  if (path.length === 0) return ROOT_KEYS;
  if (path.length === 1 && path[0] === 'global_policies') return POLICY_KEYS;
  if (path.length === 2 && path[0] === 'packages') return RULE_KEYS;
  return [];
}

function toRegistryIssues(issue: z.core.$ZodIssue, data: unknown, locator: Locator): RegistryIssue[] {
  const path = issue.path.filter((s): s is Segment => typeof s !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(path);
    return issue.keys.map((key) => {
      const full = [...path, key];
      return {
        path: formatPath(full),
        ...locator.position(full, 'key'),
        message:
          `unknown field "${key}"` + (allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : ''),
      };
    });
  }
  const input = valueAt(data, path);
  const field = String(path[path.length - 1] ?? 'document');
  let message: string;
  if (input === undefined) {
    message = `missing required field: ${field}`;
  } else if (field === 'version' && path.length === 1) {
    message = `version must be a non-empty string or a number; got ${describe(input)}`;
  } else if (field === 'cve_threshold' && path.length === 2) {
    message =
      typeof input === 'number' && Number.isFinite(input)
        ? `cve_threshold must be between 0 and 1 (a fraction of CVSS 10: 0.9 denies at CVSS 9.0 and above); got ${input}`
        : `cve_threshold must be a number between 0 and 1; got ${describe(input)}`;
  } else if (issue.code === 'invalid_value') {
    const values = issue.values.map(String).join(', ');
    message = `${field} must be one of: ${values}; got ${describe(input)}`;
  } else if (issue.code === 'invalid_type' && issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')) {
    // YAML reads `min_version: 42` as a number and `1.10` as 1.1: make the author quote it.
    const source = locator.source(path) ?? String(input);
    message = `${field} must be a string; quote it in YAML: ${field}: "${source}"`;
  } else if (issue.code === 'invalid_type') {
    message = `${field} must be ${EXPECTED[issue.expected] ?? issue.expected}; got ${describe(input)}`;
  } else if (issue.code === 'too_small' && typeof input === 'string') {
    message = `${field} must not be empty`;
  } else {
    message = `${field}: ${issue.message}`;
  }
  return [{ path: formatPath(path), ...locator.position(path, 'value'), message }];
}

/** Finds the source position of a path in the YAML tree. */
class Locator {
  readonly #doc: Document;
  readonly #lines: LineCounter;

  constructor(doc: Document, lines: LineCounter) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * The position of the value (or its key) at `path`. When the path does not exist (a missing
   * field), the position of the nearest written ancestor's key, so the author lands on the rule
   * that lacks it.
   */
  position(path: readonly Segment[], side: 'key' | 'value'): { line: number | null; column: number | null } {
    const found = this.#walk(path);
    const node = found.complete
      ? side === 'key'
        ? found.key ?? found.value
        : found.value ?? found.key
      : found.key ?? found.value;
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: null, column: null };
    const pos = this.#lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** The scalar's text as written, for messages that quote it back. */
  source(path: readonly Segment[]): string | null {
    const found = this.#walk(path);
    return found.complete && isScalar(found.value) && typeof found.value.source === 'string'
      ? found.value.source
      : null;
  }

  #walk(path: readonly Segment[]): { complete: boolean; key: YamlNode | null; value: YamlNode | null } {
    let value: YamlNode | null = (this.#doc.contents as YamlNode | null) ?? null;
    let key: YamlNode | null = null;
    for (const segment of path) {
      if (isAlias(value)) value = (value.resolve(this.#doc) as YamlNode | undefined) ?? null;
      if (isMap(value)) {
        const pair = value.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return { complete: false, key, value };
        key = isScalar(pair.key) ? pair.key : key;
        value = (pair.value as YamlNode | null) ?? null;
      } else if (isSeq(value) && typeof segment === 'number') {
        const item = value.items[segment] as YamlNode | undefined;
        if (!item) return { complete: false, key, value };
        key = item;
        value = item;
      } else {
        return { complete: false, key, value };
      }
    }
    return { complete: true, key, value };
  }
}
