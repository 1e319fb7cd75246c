/**
 * Package names: normalisation for matching, validation, purls and OSV ecosystem names.
 *
 * Registry keys, evaluation requests and audit rows are matched on the normalised name, so
 * `Zope.Interface` and `zope-interface` (PyPI) are one package. The purl is the canonical key
 * across ecosystems; `packageurl-js` does the encoding (npm scopes become `%40scope`).
 */
import { PackageURL } from 'packageurl-js';
import { ECOSYSTEMS, type Ecosystem } from './facts';

export const NAME_ERROR_CODES = [
  'empty',
  'too_long',
  'invalid_characters',
  'invalid_scope',
  'leading_dot_or_underscore',
  'reserved',
] as const;
export type NameErrorCode = (typeof NAME_ERROR_CODES)[number];

export interface NameError {
  code: NameErrorCode;
  /** Names the problem, for an agent or a person to fix the request. */
  message: string;
}

export type NameCheck = { ok: true; name: string } | { ok: false; error: NameError };

export const PURL_ERROR_CODES = ['invalid_purl', 'unsupported_type', 'invalid_name'] as const;
export type PurlErrorCode = (typeof PURL_ERROR_CODES)[number];

export type PurlParse =
  | { ok: true; ecosystem: Ecosystem; name: string; version: string | null }
  | { ok: false; error: { code: PurlErrorCode; message: string } };

/** The ecosystem names OSV uses in queries and in `affected[].package.ecosystem`. */
const OSV_ECOSYSTEMS = { pypi: 'PyPI', npm: 'npm' } as const satisfies Record<Ecosystem, string>;
export type OsvEcosystem = (typeof OSV_ECOSYSTEMS)[Ecosystem];

/** Type guard for the ecosystems lexgate governs. */
export function isEcosystem(value: unknown): value is Ecosystem {
  return typeof value === 'string' && (ECOSYSTEMS as readonly string[]).includes(value);
}

/**
 * The matching key of a package name.
 *
 * PyPI: PEP 503 (runs of `-`, `_`, `.` fold to one `-`, lower case). npm: trimmed and lower
 * case. npm names are lower case since 2014, and a few legacy mixed-case names (JSONStream)
 * still exist: this is a matching key, not the name to fetch metadata with.
 */
export function normalizeName(ecosystem: Ecosystem, name: string): string {
  const trimmed = name.trim();
  if (ecosystem === 'pypi') return trimmed.replace(/[-_.]+/g, '-').toLowerCase();
  return trimmed.toLowerCase();
}

// PEP 508 names: ASCII letters and digits, with `.`, `_`, `-` inside (not at either end).
const PEP508_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
// npm name characters: URL-safe without encoding. Legacy packages may have upper case, so it
// is allowed here (validate-npm-package-name rejects it for new packages only).
const NPM_PART = /^[a-z0-9~-][a-z0-9._~-]*$/i;
const NPM_RESERVED = new Set(['node_modules', 'favicon.ico']);
const NPM_MAX_LENGTH = 214;

/**
 * Check that a name can be a package of the ecosystem; on success returns the normalised name.
 * Surrounding whitespace is forgiven (people paste names); anything else is an error that
 * names the problem.
 */
export function validateName(ecosystem: Ecosystem, name: string): NameCheck {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '') return fail('empty', 'package name is empty');

  if (ecosystem === 'pypi') {
    if (!PEP508_NAME.test(trimmed)) {
      return fail(
        'invalid_characters',
        `"${trimmed}" is not a valid PyPI name: use ASCII letters, digits, ".", "_" and "-", starting and ending with a letter or digit`,
      );
    }
    return { ok: true, name: normalizeName('pypi', trimmed) };
  }

  if (trimmed.length > NPM_MAX_LENGTH) {
    return fail('too_long', `npm package names are at most ${NPM_MAX_LENGTH} characters (got ${trimmed.length})`);
  }
  if (trimmed.startsWith('@')) {
    const slash = trimmed.indexOf('/');
    const scope = slash > 0 ? trimmed.slice(1, slash) : '';
    const rest = slash > 0 ? trimmed.slice(slash + 1) : '';
    if (slash < 0 || scope === '' || rest === '' || rest.includes('/')) {
      return fail('invalid_scope', `"${trimmed}" is not a valid scoped npm name: expected "@scope/name"`);
    }
    if (!NPM_PART.test(scope)) {
      return fail('invalid_scope', `the scope "@${scope}" contains characters npm does not allow`);
    }
    if (rest.startsWith('.') || rest.startsWith('_')) {
      return fail('leading_dot_or_underscore', `npm names cannot start with "." or "_" ("${rest}")`);
    }
    if (!NPM_PART.test(rest)) {
      return fail('invalid_characters', `"${rest}" contains characters npm does not allow in a name`);
    }
    return { ok: true, name: normalizeName('npm', trimmed) };
  }
  if (trimmed.startsWith('.') || trimmed.startsWith('_')) {
    return fail('leading_dot_or_underscore', `npm names cannot start with "." or "_" ("${trimmed}")`);
  }
  if (!NPM_PART.test(trimmed)) {
    return fail(
      'invalid_characters',
      `"${trimmed}" contains characters npm does not allow in a name (spaces, "/", or other URL-unsafe characters)`,
    );
  }
  if (NPM_RESERVED.has(trimmed.toLowerCase())) {
    return fail('reserved', `"${trimmed}" is a reserved name on npm`);
  }
  return { ok: true, name: normalizeName('npm', trimmed) };
}

function fail(code: NameErrorCode, message: string): NameCheck {
  return { ok: false, error: { code, message } };
}

/** OSV's spelling of the ecosystem (`PyPI`, `npm`). */
export function osvEcosystem(ecosystem: Ecosystem): OsvEcosystem {
  return OSV_ECOSYSTEMS[ecosystem];
}

/**
 * The purl of a package (and version): `pkg:pypi/zope-interface@5.0`, `pkg:npm/%40babel/core@7.0.0`.
 * The name is normalised first, so the purl doubles as a canonical key.
 */
export function purlFor(ecosystem: Ecosystem, name: string, version?: string | null): string {
  const normalized = normalizeName(ecosystem, name);
  const v = version?.trim() || undefined;
  if (ecosystem === 'npm' && normalized.startsWith('@') && normalized.includes('/')) {
    const slash = normalized.indexOf('/');
    return new PackageURL('npm', normalized.slice(0, slash), normalized.slice(slash + 1), v).toString();
  }
  return new PackageURL(ecosystem, undefined, normalized, v).toString();
}

/**
 * Read a purl of a governed ecosystem back into (ecosystem, normalised name, version).
 * Qualifiers and subpath are ignored. Other types (maven, cargo…) are `unsupported_type`.
 */
export function parsePurl(purl: string): PurlParse {
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl.trim());
  } catch (err) {
    return {
      ok: false,
      error: { code: 'invalid_purl', message: err instanceof Error ? err.message : String(err) },
    };
  }
  if (!isEcosystem(parsed.type)) {
    return {
      ok: false,
      error: {
        code: 'unsupported_type',
        message: `purl type "${parsed.type}" is not governed here (supported: ${ECOSYSTEMS.join(', ')})`,
      },
    };
  }
  const ecosystem = parsed.type;
  let name = parsed.name;
  if (parsed.namespace) {
    if (ecosystem !== 'npm' || !/^@[^/]+$/.test(parsed.namespace)) {
      return {
        ok: false,
        error: {
          code: 'invalid_name',
          message: `purl namespace "${parsed.namespace}" is not valid for ${ecosystem} (npm scopes are "%40scope")`,
        },
      };
    }
    name = `${parsed.namespace}/${parsed.name}`;
  }
  const check = validateName(ecosystem, name);
  if (!check.ok) return { ok: false, error: { code: 'invalid_name', message: check.error.message } };
  return { ok: true, ecosystem, name: check.name, version: parsed.version ?? null };
}
