/**
 * License facts and their evaluation against the global policy's license lists.
 *
 * Published license metadata is messy: PEP 639 expressions, free-form `license` strings,
 * trove classifiers, npm's `UNLICENSED` / `SEE LICENSE IN`, legacy `licenses` arrays. All of it
 * is turned into one canonical SPDX expression (deprecated ids replaced, operators upper case)
 * or an explicit UNKNOWN with a reason. The rule throughout: never guess a license out of an
 * ambiguous text; what cannot be read with confidence is UNKNOWN and the policy decides.
 *
 * Evaluation works per leaf of the expression and combines with OR = best child, AND = worst
 * child, so `MIT OR GPL-3.0-only` passes by electing MIT and `MIT AND GPL-3.0-only` does not.
 */
import parseSpdx from 'spdx-expression-parse';
import spdxSatisfies from 'spdx-satisfies';
import licenseIds from 'spdx-license-ids/index.json' with { type: 'json' };
import deprecatedLicenseIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import exceptionIds from 'spdx-exceptions/index.json' with { type: 'json' };
import spdxRanges from 'spdx-ranges/index.json' with { type: 'json' };
import type { LicenseClass, LicenseEvaluation, LicenseFact, LicenseSource } from './facts';

// ---------------------------------------------------------------------------------------------
// SPDX ids and canonicalisation
// ---------------------------------------------------------------------------------------------

const CURRENT_IDS = new Set<string>(licenseIds);

/** Every id and exception the parser knows, by lower case (SPDX ids match case-insensitively). */
const ID_BY_LOWER = new Map<string, string>(
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

type SpdxInfo = parseSpdx.Info;

function isRefId(id: string): boolean {
  return /^(DocumentRef-[^:]+:)?LicenseRef-/i.test(id);
}

/** Canonical simple id (no `+`): deprecated GNU ids become `-only`, renamed ids their successor. */
function canonicalSimpleId(id: string): string {
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

function leafText(leaf: Extract<LicenseNode, { kind: 'leaf' }>): string {
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

// ---------------------------------------------------------------------------------------------
// Names, classifiers and texts people publish instead of SPDX expressions
// ---------------------------------------------------------------------------------------------

/**
 * The bare "BSD" (the `BSD License` classifier, `license: BSD`) does not say which BSD. In
 * Python packaging it is, in practice, the 3- or the 2-clause text, so it is read as the
 * choice between the two. A policy approving both approves it; a policy approving neither
 * does not; the 4-clause (advertising) variant is not assumed.
 */
const BARE_BSD = 'BSD-3-Clause OR BSD-2-Clause';

/** Well-known license names, by lower-cased, whitespace-collapsed spelling. Values are SPDX. */
const NAME_MAP: Record<string, string> = {
  ...spellings('MIT', ['mit', 'mit license', 'mit licence', 'mit license (mit)', 'expat', 'expat license']),
  ...spellings('Apache-2.0', [
    'apache',
    'apache license',
    'apache software license',
    'apache 2',
    'apache 2.0',
    'apache-2',
    'apache2',
    'apache2.0',
    'apache v2',
    'apache v2.0',
    'apache 2.0 license',
    'apache-2.0 license',
    'apache license 2.0',
    'apache license v2',
    'apache license v2.0',
    'apache license version 2.0',
    'apache license, version 2.0',
    'apache license (2.0)',
    'apache software license 2.0',
    'apache software license, version 2.0',
    'apache software license version 2.0',
    'asl 2.0',
    'asl2',
    'al2',
  ]),
  ...spellings('Apache-1.1', ['apache 1.1', 'apache license 1.1', 'apache license, version 1.1']),
  ...spellings(BARE_BSD, ['bsd', 'bsd license', 'bsd licence']),
  ...spellings('BSD-3-Clause', [
    'new bsd',
    'new bsd license',
    'modified bsd',
    'modified bsd license',
    'revised bsd',
    'revised bsd license',
    'bsd 3',
    'bsd-3',
    'bsd 3-clause',
    'bsd 3 clause',
    'bsd 3-clause license',
    'bsd-3-clause license',
    'bsd (3-clause)',
    '3-clause bsd',
    '3-clause bsd license',
    'bsd 3-clause "new" or "revised" license',
  ]),
  ...spellings('BSD-2-Clause', [
    'simplified bsd',
    'simplified bsd license',
    'bsd 2',
    'bsd-2',
    'bsd 2-clause',
    'bsd 2 clause',
    'bsd 2-clause license',
    'bsd-2-clause license',
    'bsd (2-clause)',
    '2-clause bsd',
    '2-clause bsd license',
    'freebsd',
    'freebsd license',
  ]),
  ...spellings('ISC', ['isc license', 'iscl', 'isc license (iscl)']),
  ...spellings('MPL-2.0', [
    'mpl 2',
    'mpl 2.0',
    'mpl-2',
    'mpl2',
    'mplv2',
    'mpl v2',
    'mpl v2.0',
    'mozilla public license 2.0',
    'mozilla public license, version 2.0',
    'mozilla public license version 2.0',
    'mozilla public license 2.0 (mpl 2.0)',
  ]),
  ...spellings('MPL-1.1', ['mpl 1.1', 'mozilla public license 1.1', 'mozilla public license 1.1 (mpl 1.1)']),
  ...spellings('PSF-2.0', [
    'psf',
    'psfl',
    'psf license',
    'python software foundation license',
    'python software foundation license version 2',
  ]),
  ...spellings('Unlicense', ['unlicense', 'the unlicense', 'unlicense license', 'the unlicense (unlicense)']),
  ...spellings('CC0-1.0', [
    'cc0',
    'cc0 1.0',
    'cc0 1.0 universal',
    'cc0 1.0 universal (cc0 1.0) public domain dedication',
    'creative commons zero',
  ]),
  ...spellings('Zlib', ['zlib license', 'zlib/libpng', 'zlib/libpng license']),
  ...spellings('BSL-1.0', ['boost', 'boost license', 'boost software license', 'boost software license 1.0']),
  ...spellings('EPL-2.0', ['epl 2.0', 'epl-2', 'epl2', 'eclipse public license 2.0', 'eclipse public license - v 2.0']),
  ...spellings('EPL-1.0', ['epl 1.0', 'eclipse public license 1.0', 'eclipse public license - v 1.0']),
  ...spellings('Artistic-2.0', ['artistic 2.0', 'artistic license 2.0']),
};

function spellings(expression: string, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, expression]));
}

/** Texts that are not licenses at all: they name why the license is UNKNOWN. */
const NOT_A_LICENSE: Array<{ pattern: RegExp; reason: string }> = [
  {
    pattern: /^(unlicensed|proprietary( license)?|commercial( license)?|other\/proprietary license|all rights reserved|closed[- ]source|private)$/,
    reason: 'proprietary license (all rights reserved)',
  },
  {
    pattern: /^public[- ]domain$/,
    reason: 'public domain is not an SPDX license; a human must confirm the dedication',
  },
  {
    pattern: /^((see|refer to|read)\b.*\blicen[cs]e\b.*|licen[cs]e(\.(txt|md|rst))?|licen[cs]e file|copying(\.txt)?|file:.*)$/,
    reason: 'the license is in a file in the package, not in the metadata',
  },
  {
    pattern: /^(dual[- ]licen[cs]ed?|dual licen[cs]e|custom|other|other license|freeware|free|free for non-commercial use)$/,
    reason: 'the text names no specific license',
  },
];

/** Placeholder values that mean "nothing published" (setuptools wrote `UNKNOWN` for years). */
const PLACEHOLDERS = new Set(['unknown', 'none', 'n/a', 'na', 'null', 'undefined', '-', 'tbd', 'todo']);

function nameKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'`]+|["'`.;,]+$/g, '')
    .replace(/^the /, '')
    .trim();
}

const GNU_VERSIONS: Record<'GPL' | 'LGPL' | 'AGPL', readonly string[]> = {
  GPL: ['1.0', '2.0', '3.0'],
  LGPL: ['2.0', '2.1', '3.0'],
  AGPL: ['3.0'],
};

/**
 * GNU license names (`GPLv2+`, `LGPL v2.1`, `GNU General Public License v3 or later`).
 * No "or later" means `-only`; no version at all means any version (the GPL's own rule), so
 * `GPL` is `GPL-1.0-or-later` and `LGPL` is `LGPL-2.0-or-later`.
 */
function recogniseGnuName(key: string): string | null {
  const attempt = (text: string): { id: string; versioned: boolean } | null => {
    const k = text
      .replace(/\bgnu affero general public licen[cs]e\b|\baffero general public licen[cs]e\b|\baffero gpl\b/g, 'agpl')
      .replace(
        /\bgnu (lesser|library)( or lesser)? general public licen[cs]e\b|\b(lesser|library) general public licen[cs]e\b|\bgnu lgpl\b/g,
        'lgpl',
      )
      .replace(/\bgnu general public licen[cs]e\b|\bgeneral public licen[cs]e\b|\bgnu gpl\b/g, 'gpl')
      .replace(/\blicen[cs]e\b/g, '')
      .replace(/\bversion\b/g, 'v')
      .replace(/\s+/g, ' ')
      .trim();
    const m =
      /^(a|l)?gpl(?:\s*-?\s*v?\s*(\d)(?:\.(\d))?)?\s*(\+|or later|or any later v|or any later|or newer|and later|-?or-later|-?only)?$/.exec(
        k,
      );
    if (!m) return null;
    const family = m[1] === 'a' ? 'AGPL' : m[1] === 'l' ? 'LGPL' : 'GPL';
    const suffix = m[4] ?? '';
    const orLater = suffix !== '' && !suffix.endsWith('only');
    if (m[2] === undefined) {
      if (suffix.endsWith('only')) return null;
      return { id: `${family}-${GNU_VERSIONS[family][0]}-or-later`, versioned: false };
    }
    const version = `${m[2]}.${m[3] ?? '0'}`;
    if (!GNU_VERSIONS[family].includes(version)) return null;
    return { id: `${family}-${version}-${orLater ? 'or-later' : 'only'}`, versioned: true };
  };

  // A trailing parenthetical may repeat the name ("... v2 or later (GPLv2+)") or carry the
  // version ("GPL (v2 or later)"): prefer whichever reading gives a version.
  const paren = /^(.*?)\s*\(([^()]*)\)$/.exec(key);
  const candidates = paren ? [paren[1], `${paren[1]} ${paren[2]}`, paren[2]] : [key];
  const readings = candidates.map(attempt).filter((r): r is { id: string; versioned: boolean } => r !== null);
  return (readings.find((r) => r.versioned) ?? readings[0])?.id ?? null;
}

/** A well-known license name → canonical SPDX expression, or null. */
function recogniseName(text: string): string | null {
  const key = nameKey(text);
  const mapped = NAME_MAP[key];
  if (mapped) return mapped;
  const gnu = recogniseGnuName(key);
  if (gnu) return gnu;
  // "MIT or Apache 2.0", "BSD and MIT": every part must be recognised, one operator kind only.
  for (const op of ['or', 'and'] as const) {
    const parts = key.split(new RegExp(`\\s+${op}\\s+`));
    if (parts.length < 2 || parts.some((p) => new RegExp(`\\s${op === 'or' ? 'and' : 'or'}\\s`).test(p))) continue;
    const exprs = parts.map((p) => {
      const parsed = parseLicenseExpression(p);
      return parsed.ok ? parsed.expression : (NAME_MAP[nameKey(p)] ?? recogniseGnuName(nameKey(p)));
    });
    if (exprs.every((e): e is string => e !== null)) {
      return exprs.map((e) => `(${e})`).join(` ${op.toUpperCase()} `);
    }
  }
  return null;
}

/**
 * A full license text (or standard notice) pasted into the metadata. Recognised only when the
 * text carries the hallmark wording of exactly one license; variants with extra clauses
 * (BSD advertising or patent clauses, X11's name clause) stay unrecognised.
 */
function recogniseText(text: string): { ok: true; expression: string } | { ok: false; reason: string } | null {
  const t = text.toLowerCase().replace(/\s+/g, ' ');
  const found = new Set<string>();
  let refused: string | null = null;

  if (
    t.includes('permission is hereby granted, free of charge, to any person obtaining a copy') &&
    t.includes('the above copyright notice and this permission notice shall be included')
  ) {
    if (t.includes('except as contained in this notice, the name of')) refused = 'an MIT variant (X11-style name clause)';
    else found.add('MIT');
  }
  if (/permission to use, copy, modify, (and\/or |and )?distribute this software for any purpose with or without fee is hereby granted/.test(t)) {
    found.add('ISC');
  }
  if (
    (t.includes('apache license') && t.includes('version 2.0, january 2004')) ||
    t.includes('licensed under the apache license, version 2.0')
  ) {
    found.add('Apache-2.0');
  }
  if (t.includes('redistribution and use in source and binary forms, with or without modification, are permitted')) {
    if (t.includes('advertising materials') || t.includes('patent')) {
      refused = 'a BSD variant with extra clauses';
    } else if (t.includes('neither the name') || t.includes('endorse or promote products')) {
      found.add('BSD-3-Clause');
    } else {
      found.add('BSD-2-Clause');
    }
  }
  if (/mozilla public license,? (version|v\.) 2\.0/.test(t)) found.add('MPL-2.0');
  if (t.includes('this is free and unencumbered software released into the public domain')) found.add('Unlicense');

  const gnuFamily = t.includes('gnu affero general public license')
    ? 'AGPL'
    : /gnu (lesser|library) general public license/.test(t)
      ? 'LGPL'
      : t.includes('gnu general public license')
        ? 'GPL'
        : null;
  if (gnuFamily) {
    const version = /\bversion (\d(?:\.\d)?)\b/.exec(t)?.[1];
    const normalized = version ? (version.includes('.') ? version : `${version}.0`) : null;
    // A full text ("terms and conditions") quotes the "any later version" notice in its
    // appendix, so only a bare notice can grant or-later.
    const isFullText = t.includes('terms and conditions');
    const orLater = !isFullText && t.includes('any later version');
    if (normalized && GNU_VERSIONS[gnuFamily].includes(normalized)) {
      found.add(`${gnuFamily}-${normalized}-${orLater ? 'or-later' : 'only'}`);
    } else {
      refused = `a GNU ${gnuFamily} text without a recognisable version`;
    }
  }

  if (found.size === 1 && refused === null) return { ok: true, expression: [...found][0] };
  if (found.size > 1) {
    return { ok: false, reason: `the license text mentions several licenses (${[...found].join(', ')}); it needs a human to read it` };
  }
  if (refused) return { ok: false, reason: `the license text looks like ${refused}; it needs a human to read it` };
  return null;
}

type Interpretation = { ok: true; expression: string } | { ok: false; reason: string };

/** Free text from `license` (PyPI) or a non-SPDX npm `license`: expression, name, text, or a reason. */
function interpretLicenseText(text: string): Interpretation {
  const parsed = parseLicenseExpression(text);
  if (parsed.ok) return parsed;
  const key = nameKey(text);
  for (const { pattern, reason } of NOT_A_LICENSE) {
    if (pattern.test(key)) return { ok: false, reason: `${reason} ("${clip(text)}")` };
  }
  const name = recogniseName(text);
  if (name) return canonical(name);
  const fromText = recogniseText(text);
  if (fromText) return fromText.ok ? canonical(fromText.expression) : fromText;
  return {
    ok: false,
    reason: `"${clip(text)}" is not an SPDX expression or a recognised license name`,
  };
}

function canonical(expression: string): Interpretation {
  const parsed = parseLicenseExpression(expression);
  return parsed.ok ? parsed : { ok: false, reason: `internal mapping "${expression}" is not valid SPDX` };
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat;
}

/**
 * Trove `License ::` classifiers (the last segment, lower case) → SPDX. Unversioned names follow
 * their license's own "any version" rule; names that cannot be pinned (Artistic, AFL, Zope
 * without a version) are left out, so they stay UNKNOWN.
 */
const CLASSIFIER_MAP: Record<string, string> = {
  'apache software license': 'Apache-2.0',
  'boost software license 1.0 (bsl-1.0)': 'BSL-1.0',
  'bsd license': BARE_BSD,
  'common development and distribution license 1.0 (cddl-1.0)': 'CDDL-1.0',
  'eclipse public license 1.0 (epl-1.0)': 'EPL-1.0',
  'eclipse public license 2.0 (epl-2.0)': 'EPL-2.0',
  'european union public licence 1.0 (eupl 1.0)': 'EUPL-1.0',
  'european union public licence 1.1 (eupl 1.1)': 'EUPL-1.1',
  'european union public licence 1.2 (eupl 1.2)': 'EUPL-1.2',
  'gnu affero general public license v3': 'AGPL-3.0-only',
  'gnu affero general public license v3 or later (agplv3+)': 'AGPL-3.0-or-later',
  'gnu general public license (gpl)': 'GPL-1.0-or-later',
  'gnu general public license v2 (gplv2)': 'GPL-2.0-only',
  'gnu general public license v2 or later (gplv2+)': 'GPL-2.0-or-later',
  'gnu general public license v3 (gplv3)': 'GPL-3.0-only',
  'gnu general public license v3 or later (gplv3+)': 'GPL-3.0-or-later',
  'gnu lesser general public license v2 (lgplv2)': 'LGPL-2.0-only',
  'gnu lesser general public license v2 or later (lgplv2+)': 'LGPL-2.0-or-later',
  'gnu lesser general public license v3 (lgplv3)': 'LGPL-3.0-only',
  'gnu lesser general public license v3 or later (lgplv3+)': 'LGPL-3.0-or-later',
  'gnu library or lesser general public license (lgpl)': 'LGPL-2.0-or-later',
  'historical permission notice and disclaimer (hpnd)': 'HPND',
  'ibm public license': 'IPL-1.0',
  'isc license (iscl)': 'ISC',
  'mit license': 'MIT',
  'mit no attribution license (mit-0)': 'MIT-0',
  'mozilla public license 1.0 (mpl)': 'MPL-1.0',
  'mozilla public license 1.1 (mpl 1.1)': 'MPL-1.1',
  'mozilla public license 2.0 (mpl 2.0)': 'MPL-2.0',
  'mulan permissive software license v2 (mulanpsl-2.0)': 'MulanPSL-2.0',
  'open software license 3.0 (osl-3.0)': 'OSL-3.0',
  'postgresql license': 'PostgreSQL',
  'python license (cnri python license)': 'CNRI-Python',
  'python software foundation license': 'PSF-2.0',
  'the unlicense (unlicense)': 'Unlicense',
  'universal permissive license (upl)': 'UPL-1.0',
  'university of illinois/ncsa open source license': 'NCSA',
  'w3c license': 'W3C',
  'zlib/libpng license': 'Zlib',
  'blue oak model license (blueoak-1.0.0)': 'BlueOak-1.0.0',
  'cc0 1.0 universal (cc0 1.0) public domain dedication': 'CC0-1.0',
  'sun industry standards source license (sissl)': 'SISSL',
};

const CLASSIFIER_NOT_A_LICENSE: Record<string, string> = {
  'other/proprietary license': 'proprietary license (all rights reserved)',
  'public domain': 'public domain is not an SPDX license; a human must confirm the dedication',
};

/** One `License ::` classifier → SPDX expression, a reason it is not one, or null (no information). */
function classifierLicense(classifier: string): Interpretation | null {
  const segments = classifier.split('::').map((s) => s.replace(/\s+/g, ' ').trim());
  if (segments.length < 2 || segments[0].toLowerCase() !== 'license') return null;
  const last = segments[segments.length - 1].toLowerCase();
  // `License :: OSI Approved` alone says nothing about which license.
  if (segments.length === 2 && last === 'osi approved') return null;
  const mapped = CLASSIFIER_MAP[last];
  if (mapped) return canonical(mapped);
  const notALicense = CLASSIFIER_NOT_A_LICENSE[last];
  if (notALicense) return { ok: false, reason: notALicense };
  // Newer classifiers end in the SPDX id in parentheses, e.g. "(BSL-1.0)".
  const paren = /\(([^()]+)\)$/.exec(segments[segments.length - 1]);
  if (paren && ID_BY_LOWER.get(paren[1].toLowerCase()) === paren[1]) return canonical(paren[1]);
  return { ok: false, reason: `classifier "${classifier.trim()}" is not recognised` };
}

/**
 * Several license classifiers on one package mean dual licensing in practice, so they are
 * joined with OR. An unrecognised or proprietary classifier next to a recognised one is
 * dropped: in an OR it can only add a way to comply, never remove one.
 */
function fromClassifiers(classifiers: readonly string[]): Interpretation | null {
  const expressions: string[] = [];
  const reasons: string[] = [];
  for (const c of classifiers) {
    const r = classifierLicense(c);
    if (r === null) continue;
    if (r.ok) {
      if (!expressions.includes(r.expression)) expressions.push(r.expression);
    } else reasons.push(r.reason);
  }
  if (expressions.length > 0) return canonical(expressions.map((e) => `(${e})`).join(' OR '));
  if (reasons.length > 0) return { ok: false, reason: reasons.join('; ') };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------------------------

/**
 * An UNKNOWN license fact. The caller uses it for what only it knows (the metadata fetch
 * failed, the package has no release); the reason is shown to people and agents.
 */
export function unknownLicense(reason: string, raw: string | null = null, source: LicenseSource = 'none'): LicenseFact {
  return { raw, source, expression: null, normalized: 'UNKNOWN', unknownReason: reason };
}

function knownLicense(raw: string, source: LicenseSource, expression: string): LicenseFact {
  return { raw, source, expression, normalized: expression, unknownReason: null };
}

function published(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (trimmed === '' || PLACEHOLDERS.has(trimmed.toLowerCase())) return null;
  return trimmed;
}

/** The license part of PyPI's JSON `info`. */
export interface PypiLicenseInfo {
  license_expression?: string | null;
  license?: string | null;
  classifiers?: readonly string[] | null;
}

/**
 * License fact of a PyPI release: PEP 639 `license_expression` first, then `license` (an SPDX
 * expression, a well-known name, or a full text that clearly is one license), then the
 * `License ::` classifiers. A source that cannot be read falls through to the next; when none
 * can, the fact is UNKNOWN with every source's reason.
 */
export function licenseFromPypi(info: PypiLicenseInfo): LicenseFact {
  const failures: Array<{ raw: string; source: LicenseSource; reason: string }> = [];

  const expression = published(info.license_expression);
  if (expression) {
    const parsed = parseLicenseExpression(expression);
    if (parsed.ok) return knownLicense(expression, 'license_expression', parsed.expression);
    failures.push({
      raw: expression,
      source: 'license_expression',
      reason: `license_expression "${clip(expression)}" is not a valid SPDX expression (${parsed.reason})`,
    });
  }

  const license = published(info.license);
  if (license) {
    const r = interpretLicenseText(license);
    if (r.ok) return knownLicense(license, 'license', r.expression);
    failures.push({ raw: license, source: 'license', reason: r.reason });
  }

  const classifiers = (info.classifiers ?? []).filter(
    (c): c is string => typeof c === 'string' && /^\s*license\s*::/i.test(c),
  );
  if (classifiers.length > 0) {
    const raw = classifiers.map((c) => c.trim()).join('; ');
    const r = fromClassifiers(classifiers);
    if (r?.ok) return knownLicense(raw, 'classifier', r.expression);
    if (r) failures.push({ raw, source: 'classifier', reason: r.reason });
  }

  if (failures.length === 0) {
    return unknownLicense('no license published (no license_expression, license or License :: classifier)');
  }
  return unknownLicense(failures.map((f) => f.reason).join('; '), failures[0].raw, failures[0].source);
}

/** The license fields of an npm version document (`GET /<name>/<version>`). */
export interface NpmLicenseInfo {
  license?: unknown;
  licenses?: unknown;
}

const UNLICENSED_REASON = 'UNLICENSED: proprietary, all rights reserved';

/**
 * License fact of an npm version: the `license` string (or legacy `{type}` object), else the
 * legacy `licenses` array, whose entries are joined with OR (dual licensing, as npm's own
 * tooling reads it). `UNLICENSED` and `SEE LICENSE IN <file>` are known unknowns with their
 * reason; `UNLICENSED` is never read as the `Unlicense`.
 */
export function licenseFromNpm(pkg: NpmLicenseInfo): LicenseFact {
  const { license, licenses } = pkg;
  if (typeof license === 'string' && license.trim() !== '') return fromNpmText(license.trim(), license.trim());
  const licenseType = typeOf(license);
  if (licenseType) return fromNpmText(licenseType, JSON.stringify(license));

  const entries = Array.isArray(licenses) ? licenses : licenses && typeof licenses === 'object' ? [licenses] : [];
  const types = entries.map(typeOf).filter((t): t is string => t !== null);
  if (types.length > 0) {
    const raw = JSON.stringify(licenses);
    const facts = types.map((t) => fromNpmText(t, raw));
    const known = [...new Set(facts.flatMap((f) => (f.expression ? [f.expression] : [])))];
    if (known.length > 0) {
      const joined = canonical(known.map((e) => `(${e})`).join(' OR '));
      if (joined.ok) return knownLicense(raw, 'npm_license', joined.expression);
    }
    return unknownLicense(facts.map((f) => f.unknownReason).join('; '), raw, 'npm_license');
  }
  return unknownLicense('no license published (no license or licenses field)');
}

function typeOf(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (value && typeof value === 'object' && 'type' in value) {
    const type = (value as { type: unknown }).type;
    if (typeof type === 'string' && type.trim() !== '') return type.trim();
  }
  return null;
}

function fromNpmText(text: string, raw: string): LicenseFact {
  if (/^unlicensed$/i.test(text)) return unknownLicense(UNLICENSED_REASON, raw, 'npm_license');
  const seeFile = /^see licen[cs]e in (.+)$/i.exec(text);
  if (seeFile) {
    return unknownLicense(
      `SEE LICENSE IN ${seeFile[1].trim()}: the license is a file in the package, not an SPDX expression`,
      raw,
      'npm_license',
    );
  }
  const r = interpretLicenseText(text);
  return r.ok ? knownLicense(raw, 'npm_license', r.expression) : unknownLicense(r.reason, raw, 'npm_license');
}

// ---------------------------------------------------------------------------------------------
// Policy lists
// ---------------------------------------------------------------------------------------------

/** The global policy's license lists, as people wrote them. */
export interface LicenseLists {
  autoApprove: readonly string[];
  hardBan: readonly string[];
  review: readonly string[];
}

export interface CanonicalLicenseList {
  /** Canonical leaves (`GPL-3.0-only`, `Apache-2.0 WITH LLVM-exception`) the list names. */
  ids: string[];
  /** Entries that are neither SPDX nor a recognised license name; they match nothing. */
  unrecognised: string[];
}

/**
 * Read a hand-written list: SPDX ids in any case, deprecated ids (`GPL-3.0` = `GPL-3.0-only`,
 * as SPDX defines it), and well-known names (`BSD` = both BSD-3-Clause and BSD-2-Clause,
 * `Apache 2.0`). A compound entry lists each of its licenses. An or-later entry
 * (`GPL-2.0-or-later`, `GPL-2.0+`) also lists every version it covers, so banning `GPL-2.0+`
 * bans GPL-3.0-only too.
 */
export function canonicaliseLicenseList(entries: readonly string[]): CanonicalLicenseList {
  const ids: string[] = [];
  const unrecognised: string[] = [];
  const add = (id: string) => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const entry of entries) {
    if (typeof entry !== 'string' || entry.trim() === '') continue;
    let parsed = parseLicenseExpression(entry);
    if (!parsed.ok) {
      const name = recogniseName(entry);
      if (name) parsed = parseLicenseExpression(name);
    }
    if (!parsed.ok) {
      unrecognised.push(entry.trim());
      continue;
    }
    for (const leaf of leavesOf(parsed.node)) {
      add(leafText(leaf));
      if (isOrLater(leaf) && leaf.exception === null) orLaterMembers(leaf).forEach(add);
    }
  }
  return { ids, unrecognised };
}

function leavesOf(node: LicenseNode): Array<Extract<LicenseNode, { kind: 'leaf' }>> {
  return node.kind === 'leaf' ? [node] : [...leavesOf(node.left), ...leavesOf(node.right)];
}

function isOrLater(leaf: Extract<LicenseNode, { kind: 'leaf' }>): boolean {
  return leaf.plus || leaf.id.endsWith('-or-later');
}

type RangeClass = string | string[];

/**
 * The versions an or-later leaf lets a licensee choose, one canonical id per version, from
 * `spdx-ranges` (`GPL-2.0-or-later` → GPL-2.0-only, GPL-3.0-only). A license with no known
 * family is only itself.
 */
function orLaterMembers(leaf: Extract<LicenseNode, { kind: 'leaf' }>): string[] {
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

interface CompiledLists {
  approve: Set<string>;
  approveIds: string[];
  ban: Set<string>;
  review: Set<string>;
}

function compile(lists: LicenseLists): CompiledLists {
  const approve = canonicaliseLicenseList(lists.autoApprove).ids;
  const lower = (ids: string[]) => new Set(ids.map((id) => id.toLowerCase()));
  return {
    approve: lower(approve),
    approveIds: approve,
    ban: lower(canonicaliseLicenseList(lists.hardBan).ids),
    review: lower(canonicaliseLicenseList(lists.review).ids),
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/**
 * Order of outcomes, best first. OR takes the best child, AND the worst, with one order:
 * - auto_approve: passes without a human;
 * - unknown: the unknown-license policy decides (it may allow);
 * - review: a human must clear it — ranked below unknown so that `LGPL-2.1 AND LicenseRef-x`
 *   still goes to review instead of slipping through an `allow` unknown policy;
 * - not_approved: default-deny, but someone may add the license to the approve list;
 * - hard_ban: never.
 */
const RANK: Record<LicenseClass, number> = {
  auto_approve: 4,
  unknown: 3,
  review: 2,
  not_approved: 1,
  hard_ban: 0,
};

interface Outcome {
  class: LicenseClass;
  /** The expression as resolved by the choices made (OR branches, or-later versions). */
  elected: string;
  /** True when an OR branch or an or-later version was chosen on the way. */
  choice: boolean;
  offending: string[];
  /** Set for a WITH leaf whose base is approved but whose exception is not listed. */
  exceptionReview?: { compound: string; base: string; exception: string };
}

function approves(lists: CompiledLists, id: string): boolean {
  if (lists.approve.has(id.toLowerCase())) return true;
  if (isRefId(id)) return false;
  // spdx-satisfies adds range semantics (an approved `GPL-2.0+` entry covers GPL-3.0-only).
  // One entry at a time: it throws on an id its own parser does not know, and one odd entry
  // must not void the whole list.
  return lists.approveIds.some((entry) => {
    if (isRefId(entry)) return false;
    try {
      return spdxSatisfies(id, [entry]);
    } catch {
      return false;
    }
  });
}

function simple(lists: CompiledLists, id: string): Outcome {
  const key = id.toLowerCase();
  const base = { elected: id, choice: false };
  if (lists.ban.has(key)) return { ...base, class: 'hard_ban', offending: [id] };
  if (lists.review.has(key)) return { ...base, class: 'review', offending: [id] };
  if (approves(lists, id)) return { ...base, class: 'auto_approve', offending: [] };
  if (isRefId(id)) return { ...base, class: 'unknown', offending: [id] };
  return { ...base, class: 'not_approved', offending: [id] };
}

function evaluateLeaf(lists: CompiledLists, leaf: Extract<LicenseNode, { kind: 'leaf' }>): Outcome {
  if (leaf.exception !== null) {
    const compound = leafText(leaf);
    const listed = simple(lists, compound);
    if (listed.class === 'hard_ban' || listed.class === 'review' || listed.class === 'auto_approve') return listed;
    const baseLeaf = { ...leaf, exception: null };
    const base = evaluateLeaf(lists, baseLeaf);
    if (base.class === 'auto_approve') {
      // The base license is approved, but an exception changes the terms: a human looks at it.
      return {
        class: 'review',
        elected: compound,
        choice: base.choice,
        offending: [compound],
        exceptionReview: { compound, base: leafText(baseLeaf), exception: leaf.exception },
      };
    }
    return base;
  }
  const text = leafText(leaf);
  if (!isOrLater(leaf)) return simple(lists, text);

  // An or-later license is listed as such, or else is the OR of the versions it offers.
  const direct = simple(lists, text);
  if (direct.class === 'hard_ban' || direct.class === 'review') return direct;
  if (lists.approve.has(text.toLowerCase())) return direct;
  const members = orLaterMembers(leaf).map((id) => simple(lists, id));
  const best = combine('or', members);
  return { ...best, choice: true };
}

function combine(kind: 'and' | 'or', outcomes: Outcome[]): Outcome {
  const pick =
    kind === 'or'
      ? outcomes.reduce((a, b) => (RANK[b.class] > RANK[a.class] ? b : a))
      : outcomes.reduce((a, b) => (RANK[b.class] < RANK[a.class] ? b : a));
  const same = outcomes.filter((o) => o.class === pick.class);
  const offending = pick.class === 'auto_approve' ? [] : [...new Set(same.flatMap((o) => o.offending))];
  if (kind === 'or') {
    return { ...pick, choice: true, offending: pick.class === 'auto_approve' ? [] : offending };
  }
  return {
    class: pick.class,
    elected: outcomes.map((o) => o.elected).join(' AND '),
    choice: outcomes.some((o) => o.choice),
    offending,
    exceptionReview: pick.exceptionReview,
  };
}

function evaluateNode(lists: CompiledLists, node: LicenseNode): Outcome {
  if (node.kind === 'leaf') return evaluateLeaf(lists, node);
  // Flatten chains of the same operator so `A OR B OR C` elects among three, left first.
  const operands: LicenseNode[] = [];
  const collect = (n: LicenseNode) => {
    if (n.kind === node.kind) {
      collect(n.left);
      collect(n.right);
    } else operands.push(n);
  };
  collect(node);
  return combine(node.kind, operands.map((n) => evaluateNode(lists, n)));
}

/**
 * Classify a license fact against the policy lists.
 *
 * Per license (case-insensitive): hard-ban list, then review list, then auto-approve list
 * (through `spdx-satisfies`, so or-later entries cover later versions), else `not_approved`
 * (`unknown` for a LicenseRef). An or-later license not listed as such is the OR of the
 * versions it offers, so `GPL-2.0-or-later` is hard-banned only when every version is. A
 * `WITH` compound passes only when listed whole; otherwise its base license decides, and an
 * approved base still goes to review because of the exception. OR = best, AND = worst (see
 * RANK). An UNKNOWN fact is `unknown`.
 */
export function evaluateLicense(fact: LicenseFact, lists: LicenseLists): LicenseEvaluation {
  if (fact.expression === null) {
    return {
      class: 'unknown',
      elected: null,
      offending: [],
      explanation: `The license is UNKNOWN (${fact.unknownReason ?? 'no license information'}), so the unknown-license policy decides.`,
    };
  }
  const parsed = parseLicenseExpression(fact.expression);
  if (!parsed.ok) {
    return {
      class: 'unknown',
      elected: null,
      offending: [],
      explanation: `The license expression "${fact.expression}" cannot be parsed (${parsed.reason}), so it is treated as UNKNOWN.`,
    };
  }
  const outcome = evaluateNode(compile(lists), parsed.node);
  const elected = outcome.choice && outcome.class !== 'hard_ban' ? outcome.elected : null;
  return {
    class: outcome.class,
    elected,
    offending: outcome.offending,
    explanation: explain(parsed.expression, outcome, elected),
  };
}

function explain(expression: string, outcome: Outcome, elected: string | null): string {
  const single = outcome.offending.length === 1 && outcome.offending[0] === expression;
  const ids = outcome.offending.join(', ');
  const via = elected && elected !== expression && elected !== ids ? ` (best option: ${elected})` : '';
  switch (outcome.class) {
    case 'auto_approve':
      return elected && elected !== expression
        ? `License ${expression} is auto-approved by electing ${elected}.`
        : `License ${expression} is on the auto-approve list.`;
    case 'hard_ban':
      return single
        ? `License ${expression} is hard-banned by the enterprise policy; choose a package under a different license.`
        : `License ${expression} is hard-banned by the enterprise policy because of ${ids}; choose a package under a different license.`;
    case 'review':
      if (outcome.exceptionReview) {
        const { compound, base, exception } = outcome.exceptionReview;
        const subject = compound === expression ? `License ${compound}` : `License ${expression} includes ${compound}`;
        return `${subject}: ${base} is auto-approved but the exception ${exception} is on no list, so it needs human legal review before use.`;
      }
      return single
        ? `License ${expression} requires human legal review under the enterprise policy; request approval and wait for the decision.`
        : `License ${expression} needs ${ids}, which requires human legal review under the enterprise policy${via}; request approval and wait for the decision.`;
    case 'not_approved':
      return single
        ? `License ${expression} is not on the auto-approve list; add it to global_policies.auto_approve_licenses if it should be permitted.`
        : `License ${expression} is not auto-approved${via}: ${ids} is on no policy list; add it to global_policies.auto_approve_licenses if it should be permitted.`;
    case 'unknown':
      return `License ${expression} depends on ${ids}, which no policy list names, so it is treated as UNKNOWN and the unknown-license policy decides.`;
  }
}
