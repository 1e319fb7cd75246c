/**
 * OSV records → vulnerability facts.
 *
 * One real-world issue usually arrives as several OSV records (a GHSA, a PYSEC, the CVE) that
 * name each other in `aliases`; counted separately they would inflate reports, so records
 * are grouped by alias (union-find) into one advisory. Each advisory is scored from its
 * validated CVSS vectors, falling back to the GHSA label's band lower bound; withdrawn
 * records are dropped. The HTTP client lives elsewhere: this file only reads what it returns.
 */
import type { Advisory, Ecosystem, VulnerabilityFact } from '../../packages/facts';
import { labelScore, scoreVector, type CvssVersion } from './cvss';
import { normalizeName, osvEcosystem } from '../../packages/names';

/** One entry of an OSV `severity` array. `score` is a vector for the CVSS_* types. */
export interface OsvSeverity {
  type?: string;
  score?: string;
}

/** The part of an OSV record (https://ossf.github.io/osv-schema/) the facts are built from. */
export interface OsvRecord {
  id: string;
  aliases?: string[] | null;
  withdrawn?: string | null;
  severity?: OsvSeverity[] | null;
  affected?: Array<{
    package?: { ecosystem?: string; name?: string; purl?: string } | null;
    severity?: OsvSeverity[] | null;
  }> | null;
  database_specific?: { severity?: unknown; [key: string]: unknown } | null;
  [key: string]: unknown;
}

/** One page of `POST /v1/query`. */
export interface OsvQueryPage {
  vulns?: OsvRecord[] | null;
  next_page_token?: string | null;
}

/** The package the records were queried for; narrows `affected[].severity` to its entry. */
export interface OsvPackageRef {
  ecosystem: Ecosystem;
  name: string;
}

const SCORE_SOURCE: Record<CvssVersion, Advisory['scoreSource']> = {
  '2.0': 'cvss_v2',
  '3.0': 'cvss_v3',
  '3.1': 'cvss_v3',
  '4.0': 'cvss_v4',
};
// Tie-break between equal scores: prefer the newer CVSS version.
const VERSION_RANK: Record<CvssVersion, number> = { '2.0': 0, '3.0': 1, '3.1': 2, '4.0': 3 };

/**
 * The token to send for the next page, or null when the result is complete.
 * OSV signals the last page by omitting the token (an empty string counts as omitted).
 */
export function nextPageToken(page: OsvQueryPage): string | null {
  const token = page.next_page_token;
  return typeof token === 'string' && token !== '' ? token : null;
}

/**
 * Concatenate the records of every page of one query, in order, keeping the first copy of
 * an id that appears on more than one page.
 */
export function collectVulns(pages: readonly OsvQueryPage[]): OsvRecord[] {
  const seen = new Set<string>();
  const out: OsvRecord[] = [];
  for (const page of pages) {
    for (const record of page.vulns ?? []) {
      if (!record || typeof record.id !== 'string' || seen.has(record.id)) continue;
      seen.add(record.id);
      out.push(record);
    }
  }
  return out;
}

/** True when OSV marks the record as withdrawn (any non-empty `withdrawn` timestamp). */
export function isWithdrawn(record: OsvRecord): boolean {
  return typeof record.withdrawn === 'string' && record.withdrawn.trim() !== '';
}

/**
 * Build the vulnerability facts of one (package, version) from the OSV records returned for
 * it: withdrawn records skipped, aliases merged, each advisory scored, the maximum recorded.
 *
 * Scoring of an advisory: the highest valid CVSS base score over every vector of every record
 * of the group (top-level `severity`, and `affected[].severity` of the entry for `pkg`, or of
 * every entry when none matches); ties prefer the newer CVSS version. With no valid vector, the
 * highest GHSA label (`database_specific.severity`) gives its band's lower bound, label-only.
 * Otherwise the advisory is unscored (`score: null`), which is not the same as "harmless".
 */
export function vulnerabilityFact(records: readonly OsvRecord[], pkg?: OsvPackageRef): VulnerabilityFact {
  const live = records.filter((r) => r && typeof r.id === 'string' && r.id.trim() !== '' && !isWithdrawn(r));
  const groups = groupByAlias(live);
  const advisories = groups.map((group) => advisoryFor(group, pkg));
  advisories.sort((a, b) => compareIds(a.id, b.id));

  let maxAdvisory: Advisory | null = null;
  for (const advisory of advisories) {
    if (advisory.score === null) continue;
    if (maxAdvisory === null || advisory.score > (maxAdvisory.score ?? -1)) maxAdvisory = advisory;
  }
  return {
    advisories,
    cveIds: advisories.map((a) => a.id).sort(compareIds),
    maxCvss: maxAdvisory?.score ?? null,
    maxAdvisory,
  };
}

/** Union-find over ids and aliases (case-insensitive), returning the records of each group. */
function groupByAlias(records: readonly OsvRecord[]): Array<{ records: OsvRecord[]; ids: string[] }> {
  const parent = new Map<string, string>();
  const spelling = new Map<string, string>(); // first spelling seen of each id
  const find = (key: string): string => {
    let root = key;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps repeated lookups flat.
    let node = key;
    while (node !== root) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const add = (id: string): string => {
    const key = id.trim().toUpperCase();
    if (!parent.has(key)) {
      parent.set(key, key);
      spelling.set(key, id.trim());
    }
    return key;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };

  for (const record of records) {
    const own = add(record.id);
    for (const alias of record.aliases ?? []) {
      if (typeof alias === 'string' && alias.trim() !== '') union(own, add(alias));
    }
  }

  const byRoot = new Map<string, { records: OsvRecord[]; ids: string[] }>();
  for (const record of records) {
    const root = find(record.id.trim().toUpperCase());
    let group = byRoot.get(root);
    if (!group) {
      group = { records: [], ids: [] };
      byRoot.set(root, group);
    }
    group.records.push(record);
  }
  for (const key of parent.keys()) {
    byRoot.get(find(key))?.ids.push(spelling.get(key)!);
  }
  for (const group of byRoot.values()) group.ids.sort(compareIds);
  return [...byRoot.values()];
}

function advisoryFor(group: { records: OsvRecord[]; ids: string[] }, pkg?: OsvPackageRef): Advisory {
  const base = { id: representativeId(group.ids), ids: group.ids };

  let best: { score: number; version: CvssVersion; vector: string } | null = null;
  for (const record of group.records) {
    for (const severity of severitiesOf(record, pkg)) {
      if (typeof severity?.type !== 'string' || !severity.type.toUpperCase().startsWith('CVSS_')) continue;
      if (typeof severity.score !== 'string') continue;
      const scored = scoreVector(severity.score);
      if (!scored.ok) continue; // an invalid vector is ignored, never read as 0
      if (
        best === null ||
        scored.score > best.score ||
        (scored.score === best.score && VERSION_RANK[scored.version] > VERSION_RANK[best.version])
      ) {
        best = { score: scored.score, version: scored.version, vector: scored.vector };
      }
    }
  }
  if (best) {
    return { ...base, score: best.score, scoreSource: SCORE_SOURCE[best.version], vector: best.vector, label: null };
  }

  let bestLabel: { label: string; score: number } | null = null;
  for (const record of group.records) {
    const raw = record.database_specific?.severity;
    if (typeof raw !== 'string') continue;
    const score = labelScore(raw);
    if (score !== null && (bestLabel === null || score > bestLabel.score)) {
      bestLabel = { label: raw.trim().toUpperCase(), score };
    }
  }
  if (bestLabel) {
    return { ...base, score: bestLabel.score, scoreSource: 'ghsa_label', vector: null, label: bestLabel.label };
  }
  return { ...base, score: null, scoreSource: 'none', vector: null, label: null };
}

function severitiesOf(record: OsvRecord, pkg?: OsvPackageRef): OsvSeverity[] {
  const out: OsvSeverity[] = [...(record.severity ?? [])];
  const affected = (record.affected ?? []).filter(Boolean);
  const matching = pkg
    ? affected.filter(
        (a) =>
          a.package?.ecosystem === osvEcosystem(pkg.ecosystem) &&
          typeof a.package.name === 'string' &&
          normalizeName(pkg.ecosystem, a.package.name) === normalizeName(pkg.ecosystem, pkg.name),
      )
    : [];
  // When the queried package is not named in `affected` (or none was given), take every entry:
  // over-counting a severity is safer than missing one.
  for (const entry of matching.length > 0 ? matching : affected) out.push(...(entry.severity ?? []));
  return out;
}

/** A CVE id when the group has one, else a GHSA id, else the smallest id. */
function representativeId(ids: readonly string[]): string {
  const sorted = [...ids].sort(compareIds);
  return (
    sorted.find((id) => /^CVE-/i.test(id)) ?? sorted.find((id) => /^GHSA-/i.test(id)) ?? sorted[0]
  );
}

// Byte-wise order: stable across locales, so facts hash and compare the same everywhere.
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
