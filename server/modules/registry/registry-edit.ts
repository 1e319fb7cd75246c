/**
 * Edits of a registry YAML document that keep what people wrote: comments, key order, quoting
 * and the spelling of an existing package key (`left-pad` stays `left-pad` when a proposal says
 * `left_pad`). Built on the `yaml` Document API (parseDocument → setIn/deleteIn → toString).
 *
 * Pure: text in, text out. Every edit validates the whole resulting document with the registry
 * parser before returning it, so a caller never writes a document the server would refuse.
 */
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import type { Ecosystem } from '../packages/facts';
import { normalizeName } from '../packages/names';
import {
  formatIssues,
  parsePackageKey,
  parseRegistryYaml,
  type RegistryDocument,
  type RegistryStatus,
  type UnknownLicensePolicy,
  type UpstreamUnavailablePolicy,
} from './registry-document';
import { RegistryInvalidError } from './registry-errors';

/** A package rule as proposed (snake_case fields as in the YAML). */
export interface ProposedRule {
  ecosystem: Ecosystem;
  /** The package name as written (`left-pad`, `@types/node`). */
  name: string;
  status: RegistryStatus;
  reason?: string | null;
  replacement?: string | null;
  min_version?: string | null;
  max_version?: string | null;
}

/** Global-policy edits: only the keys given change. */
export interface PolicyPatch {
  version?: string | null;
  auto_approve_licenses?: string[] | null;
  hard_ban_licenses?: string[] | null;
  require_human_review_licenses?: string[] | null;
  unknown_license_policy?: UnknownLicensePolicy | 'warn' | null;
  cve_threshold?: number | null;
  upstream_unavailable?: UpstreamUnavailablePolicy | null;
}

/** One change to a registry document. */
export type RegistryChange =
  | { kind: 'set_package'; rule: ProposedRule }
  | { kind: 'remove_package'; ecosystem: Ecosystem; name: string }
  | { kind: 'set_policies'; patch: PolicyPatch };

/** The document a missing registry file starts from (as lex-align's local_file proposer does). */
export const EMPTY_REGISTRY_YAML = 'version: "1"\n\nglobal_policies: {}\n\npackages: {}\n';

export interface EditResult {
  /** The new YAML text (unchanged input when the change was already in place). */
  text: string;
  document: RegistryDocument;
  changed: boolean;
  /** The package key the change touched, as written in the file (null for policy edits). */
  key: string | null;
}

const RULE_FIELDS = ['reason', 'replacement', 'min_version', 'max_version'] as const;

/** The key a new rule is written under: a bare PyPI name, or a purl for other ecosystems. */
export function keyForNewRule(ecosystem: Ecosystem, name: string): string {
  if (ecosystem === 'pypi') return name;
  const encoded = name
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return `pkg:${ecosystem}/${encoded}`;
}

/** The key of the rule naming (ecosystem, name) in a parsed document, as written, or null. */
function findKey(doc: Document, ecosystem: Ecosystem, name: string): string | null {
  const packages = doc.get('packages', true);
  if (!isMap(packages)) return null;
  const wanted = normalizeName(ecosystem, name);
  for (const pair of packages.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const parsed = parsePackageKey(key);
    if (parsed.ok && parsed.ecosystem === ecosystem && normalizeName(ecosystem, parsed.name) === wanted) return key;
  }
  return null;
}

const blank = (v: string | null | undefined): boolean => v === undefined || v === null || v.trim() === '';

/**
 * Apply a change to a registry YAML text and validate the result as a whole document.
 * @param text the current YAML (null: the file does not exist yet)
 * @throws RegistryInvalidError naming the path and line of each problem of the result, or
 *   why the change cannot be made (a removal of a package the registry does not list)
 */
export function applyRegistryChange(text: string | null, change: RegistryChange): EditResult {
  const source = text ?? EMPTY_REGISTRY_YAML;
  const before = parseRegistryYaml(source);
  if (!before.ok) {
    throw new RegistryInvalidError(`The current registry document is invalid; fix it before proposing changes:\n${formatIssues(before.issues)}`);
  }
  const doc = parseDocument(source, { stringKeys: true });
  // What `toString` makes of the untouched document: the yardstick for "did the change change anything".
  const pristine = doc.toString({ lineWidth: 0 });
  let key: string | null = null;

  if (change.kind === 'set_package') {
    const rule = change.rule;
    key = findKey(doc, rule.ecosystem, rule.name) ?? keyForNewRule(rule.ecosystem, rule.name.trim());
    const packages = doc.get('packages', true);
    if (!isMap(packages)) doc.set('packages', doc.createNode({}));
    else if (packages.flow && packages.items.length === 0) packages.flow = false; // `packages: {}` grows as a block
    const existing = doc.getIn(['packages', key], true);
    if (!isMap(existing)) {
      const fresh: Record<string, string> = { status: rule.status };
      for (const f of RULE_FIELDS) if (!blank(rule[f])) fresh[f] = rule[f]!.trim();
      doc.setIn(['packages', key], doc.createNode(fresh));
    } else {
      // Update field by field so comments on untouched lines stay where they are.
      doc.setIn(['packages', key, 'status'], rule.status);
      for (const f of RULE_FIELDS) {
        if (blank(rule[f])) {
          if (doc.hasIn(['packages', key, f])) doc.deleteIn(['packages', key, f]);
        } else if (String(doc.getIn(['packages', key, f]) ?? '') !== rule[f]!.trim()) {
          doc.setIn(['packages', key, f], rule[f]!.trim());
        }
      }
    }
  } else if (change.kind === 'remove_package') {
    key = findKey(doc, change.ecosystem, change.name);
    if (key === null) {
      throw new RegistryInvalidError(`packages: the registry has no rule for the ${change.ecosystem} package "${change.name}"`);
    }
    doc.deleteIn(['packages', key]);
  } else {
    const patch = change.patch;
    if (!blank(patch.version ?? null)) doc.set('version', patch.version!.trim());
    const policies = doc.get('global_policies', true);
    if (!isMap(policies)) doc.set('global_policies', doc.createNode({}));
    else if (policies.flow && policies.items.length === 0) policies.flow = false;
    for (const field of [
      'auto_approve_licenses',
      'hard_ban_licenses',
      'require_human_review_licenses',
      'unknown_license_policy',
      'cve_threshold',
      'upstream_unavailable',
    ] as const) {
      const value = patch[field];
      if (value === undefined) continue;
      if (value === null) {
        if (doc.hasIn(['global_policies', field])) doc.deleteIn(['global_policies', field]);
        continue;
      }
      const current = doc.getIn(['global_policies', field]);
      const same = JSON.stringify(current && typeof current === 'object' && 'toJSON' in current ? (current as { toJSON(): unknown }).toJSON() : current) === JSON.stringify(value);
      if (!same) doc.setIn(['global_policies', field], Array.isArray(value) ? doc.createNode(value.map((v) => v.trim())) : value);
    }
  }

  const out = doc.toString({ lineWidth: 0 });
  const after = parseRegistryYaml(out);
  if (!after.ok) {
    throw new RegistryInvalidError(`The change would make the registry invalid; nothing was written:\n${formatIssues(after.issues)}`);
  }
  const changed = out !== pristine || text === null;
  return { text: changed ? out : source, document: after.document, changed, key };
}

/**
 * Check one proposed rule on its own with the registry's single-package rules (status values,
 * deprecated needs a replacement, bounds only on version-constrained, valid name).
 * @throws RegistryInvalidError naming the field and the problem
 */
export function validateProposedRule(rule: ProposedRule): void {
  const key = keyForNewRule(rule.ecosystem, rule.name.trim());
  const fields: Record<string, string> = { status: rule.status };
  for (const f of RULE_FIELDS) if (!blank(rule[f])) fields[f] = rule[f]!.trim();
  const doc = parseDocument('version: "1"\n', { stringKeys: true });
  doc.set('packages', doc.createNode({ [key]: fields }));
  const parsed = parseRegistryYaml(doc.toString({ lineWidth: 0 }));
  if (parsed.ok) return;
  const messages = parsed.issues.map((i) => `${i.path.replace(/^packages(\.[A-Za-z0-9_-]+|\[[^\]]+\])\.?/, '') || 'name'}: ${i.message}`);
  throw new RegistryInvalidError(`Invalid rule for ${rule.name}: ${messages.join('; ')}`, parsed.issues[0]?.path.split('.').pop() ?? null);
}
