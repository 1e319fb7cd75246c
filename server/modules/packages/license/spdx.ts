/**
 * SPDX license expressions: parsing (lenient on case, strict on grammar), canonical ids
 * (deprecated ids replaced, operators upper case), rendering, and the versions an or-later
 * license offers. Everything else about licenses builds on the tree defined here.
 */
import parseSpdx from 'spdx-expression-parse';
import licenseIds from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecatedLicenseIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import exceptionIds from 'spdx-exceptions/index.json' with { type: 'json' };
import spdxRanges from 'spdx-ranges/index.json' with { type: 'json' };

// ---------------------------------------------------------------------------------------------
// SPDX ids and canonicalisation
// ---------------------------------------------------------------------------------------------

const CURRENT_IDS = new Set<string>(licenseIds);

/** Every id and exception the parser knows, by lower case (SPDX ids match case-insensitively). */
export const ID_BY_LOWER = new Map<string, string>(
  [...licenseIds, ...deprecatedLicenseIds, ...exceptionIds].map((id) => [id.toLowerCase(), id]),
);

/** GNU ids that SPDX deprecated without a suffix: `GPL-2.0` means `GPL-2.0-only`, `GPL-2.0+` `-or-later`. */
const GNU_UNSUFFIXED = new Set(
  deprecatedLicenseIds.filter((id) => /^(A|L)?GPL-\d\.\d$|^GFDL-\d\.\d$/.test(id)),
);

/** Deprecated "with exception" ids and their `WITH` form (SPDX license list notes). */
const DEPRECATED_WITH: Record<string, { license: string; exception: string }> = {
  'GPL-2.0-with-autoconf-exception': { license: 'GPL-2.0', exception: 'Autoconf-exception-2.0' },
  'GPL-2.0-with-bison-exception': { license: 'GPL-2.0', exception: 'Bison-exception-2.2' },
  'GPL-2.0-with-classpath-exception': { license: 'GPL-2.0', exception: 'Classpath-exception-2.0' },
  'GPL-2.0-with-font-exception': { license: 'GPL-2.0', exception: 'Font-exception-2.0' },
  'GPL-2.0-with-GCC-exception': { license: 'GPL-2.0', exception: 'GCC-exception-2.0' },
  'GPL-3.0-with-autoconf-exception': { license: 'GPL-3.0', exception: 'Autoconf-exception-3.0' },
  'GPL-3.0-with-GCC-exception': { license: 'GPL-3.0', exception: 'GCC-exception-3.1' },
};

/** Other deprecated ids with a one-to-one replacement. The rest stay as published (still valid ids). */
const DEPRECATED_RENAMED: Record<string, string> = {
  'BSD-2-Clause-FreeBSD': 'BSD-2-Clause-Views',
  'BSD-2-Clause-NetBSD': 'BSD-2-Clause',
  'StandardML-NJ': 'SMLNJ',
  Nunit: 'zlib-acknowledgement',
  'bzip2-1.0.5': 'bzip2-1.0.6',
};

/** A license expression tree with canonical ids. `plus` survives only where no `-or-later` id exists. */
export type LicenseNode =
  | { kind: 'leaf'; id: string; plus: boolean; exception: string | null }
  | { kind: 'and' | 'or'; left: LicenseNode; right: LicenseNode };

export type LicenseLeaf = Extract<LicenseNode, { kind: 'leaf' }>;

type SpdxInfo = parseSpdx.Info;

export function isRefId(id: string): boolean {
  return /^(DocumentRef-[^:]+:)?LicenseRef-/i.test(id);
}

/** Canonical simple id (no `+`): deprecated GNU ids become `-only`, renamed ids their successor. */
export function canonicalSimpleId(id: string): string {
  if (GNU_UNSUFFIXED.has(id)) return `${id}-only`;
  return DEPRECATED_RENAMED[id] ?? id;
}

function canonicalLeaf(license: string, plus: boolean, exception: string | null): LicenseNode {
  const withForm = DEPRECATED_WITH[license];
  if (withForm && exception === null) {
    return canonicalLeaf(withForm.license, plus, withForm.exception);
  }
  let id = license;
  let orLater = plus;
  if (GNU_UNSUFFIXED.has(id)) {
    id = orLater ? `${id}-or-later` : `${id}-only`;
    orLater = false;
  } else if (id.endsWith('-only') && orLater) {
    id = `${id.slice(0, -'-only'.length)}-or-later`;
    orLater = false;
  } else if (id.endsWith('-or-later')) {
    orLater = false;
  } else if (orLater && CURRENT_IDS.has(`${id}-or-later`)) {
    id = `${id}-or-later`;
    orLater = false;
  } else {
    id = DEPRECATED_RENAMED[id] ?? id;
  }
  return { kind: 'leaf', id, plus: orLater, exception };
}

function fromSpdxInfo(info: SpdxInfo): LicenseNode {
  if ('conjunction' in info) {
    return { kind: info.conjunction, left: fromSpdxInfo(info.left), right: fromSpdxInfo(info.right) };
  }
  return canonicalLeaf(info.license, info.plus === true, info.exception ?? null);
}

export function leafText(leaf: LicenseLeaf): string {
  return `${leaf.id}${leaf.plus ? '+' : ''}${leaf.exception ? ` WITH ${leaf.exception}` : ''}`;
}

/**
 * SPDX text with upper-case operators. Chains of one operator are flat; a compound inside
 * the other operator is parenthesised (required for OR inside AND, and kept for AND inside
 * OR so people do not have to remember the precedence).
 */
export function renderLicense(node: LicenseNode): string {
  if (node.kind === 'leaf') return leafText(node);
  const side = (child: LicenseNode) =>
    child.kind !== 'leaf' && child.kind !== node.kind ? `(${renderLicense(child)})` : renderLicense(child);
  return `${side(node.left)} ${node.kind === 'and' ? 'AND' : 'OR'} ${side(node.right)}`;
}

/** Fix the case of ids and operators so the (case-sensitive) parser accepts `mit or apache-2.0`. */
function fixCase(text: string): string {
  const tokens = text.replace(/\s+/g, ' ').trim().match(/\(|\)|[^\s()]+/g) ?? [];
  return tokens
    .map((token) => {
      const upper = token.toUpperCase();
      if (upper === 'AND' || upper === 'OR' || upper === 'WITH') return upper;
      const plus = token.length > 1 && token.endsWith('+');
      const core = plus ? token.slice(0, -1) : token;
      const docRef = /^documentref-([^:]+):licenseref-(.+)$/i.exec(core);
      let fixed: string;
      if (docRef) fixed = `DocumentRef-${docRef[1]}:LicenseRef-${docRef[2]}`;
      else if (/^licenseref-/i.test(core)) fixed = `LicenseRef-${core.slice('LicenseRef-'.length)}`;
      else fixed = ID_BY_LOWER.get(core.toLowerCase()) ?? core;
      return plus ? `${fixed}+` : fixed;
    })
    .join(' ');
}

export type ParsedLicense = { ok: true; expression: string; node: LicenseNode } | { ok: false; reason: string };

/**
 * Parse an SPDX license expression leniently on case, strictly on grammar, and return it
 * canonicalised (`gpl-2.0+ or mit` → `GPL-2.0-or-later OR MIT`). `NOASSERTION`, `NONE` and
 * free text are not expressions.
 */
export function parseLicenseExpression(text: string): ParsedLicense {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (trimmed === '') return { ok: false, reason: 'empty license expression' };
  if (/^(NOASSERTION|NONE)$/i.test(trimmed)) {
    return { ok: false, reason: `${trimmed.toUpperCase()} asserts no license` };
  }
  let info: SpdxInfo;
  try {
    info = parseSpdx(fixCase(trimmed));
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  const node = fromSpdxInfo(info);
  return { ok: true, expression: renderLicense(node), node };
}

/** The leaves of an expression, left to right. */
export function leavesOf(node: LicenseNode): LicenseLeaf[] {
  return node.kind === 'leaf' ? [node] : [...leavesOf(node.left), ...leavesOf(node.right)];
}

export function isOrLater(leaf: LicenseLeaf): boolean {
  return leaf.plus || leaf.id.endsWith('-or-later');
}

type RangeClass = string | string[];

/**
 * The versions an or-later leaf lets a licensee choose, one canonical id per version, from
 * `spdx-ranges` (`GPL-2.0-or-later` → GPL-2.0-only, GPL-3.0-only). A license with no known
 * family is only itself.
 */
export function orLaterMembers(leaf: LicenseLeaf): string[] {
  const base = leaf.plus ? leaf.id : leaf.id.slice(0, -'-or-later'.length);
  const probes = new Set([base, `${base}-only`]);
  const members: string[] = [];
  for (const range of spdxRanges as RangeClass[][]) {
    const index = range.findIndex((cls) => (Array.isArray(cls) ? cls : [cls]).some((id) => probes.has(id)));
    if (index < 0) continue;
    for (const cls of range.slice(index)) {
      const ids = (Array.isArray(cls) ? cls : [cls]).map(canonicalSimpleId);
      const representative = ids.find((id) => !id.endsWith('-or-later')) ?? ids[0];
      if (!members.includes(representative)) members.push(representative);
    }
  }
  return members.length > 0 ? members : [canonicalSimpleId(base)];
}
