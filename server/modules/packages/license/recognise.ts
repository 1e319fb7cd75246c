/**
 * License recognition: the names, trove classifiers and pasted texts people publish instead of
 * SPDX expressions, read into canonical SPDX or a reason why they cannot be. The rule: never
 * guess a license out of an ambiguous text; what cannot be read with confidence is UNKNOWN.
 */
import { ID_BY_LOWER, parseLicenseExpression } from './spdx';

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
export const PLACEHOLDERS = new Set(['unknown', 'none', 'n/a', 'na', 'null', 'undefined', '-', 'tbd', 'todo']);

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
export function recogniseName(text: string): string | null {
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

export type Interpretation = { ok: true; expression: string } | { ok: false; reason: string };

/** Free text from `license` (PyPI) or a non-SPDX npm `license`: expression, name, text, or a reason. */
export function interpretLicenseText(text: string): Interpretation {
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

export function canonical(expression: string): Interpretation {
  const parsed = parseLicenseExpression(expression);
  return parsed.ok ? parsed : { ok: false, reason: `internal mapping "${expression}" is not valid SPDX` };
}

export function clip(text: string): string {
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
export function fromClassifiers(classifiers: readonly string[]): Interpretation | null {
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
