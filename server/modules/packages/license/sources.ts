/**
 * License facts from package metadata: PyPI's JSON `info` (PEP 639 `license_expression`,
 * `license`, `License ::` classifiers) and npm version documents (`license`, legacy
 * `licenses`). Each becomes one canonical SPDX expression or an explicit UNKNOWN with a reason.
 */
import type { LicenseFact, LicenseSource } from '../facts';
import { parseLicenseExpression } from './spdx';
import { PLACEHOLDERS, canonical, clip, fromClassifiers, interpretLicenseText } from './recognise';

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
