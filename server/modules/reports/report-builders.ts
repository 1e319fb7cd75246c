/**
 * Pure report builders (SPEC §6): they turn grouped query results (from the
 * daily rollups and the audit log) into the report shapes, with lex-align's
 * sort orders and limits. No I/O here; tested with tables of inputs.
 */
import type { Ecosystem } from '../packages/facts';
import type { RegistryRule, RegistryStatus } from '../registry/registry-document';

/** lex-align's limits. */
export const REPORT_LIMITS = Object.freeze({
  recent: 100,
  agentsRecent: 50,
  topProjects: 10,
  topPackages: 20,
  topCves: 20,
  cveIdsPerPackage: 5,
  packagesPerCve: 5,
  cveAlerts: 100,
});

/** How far back `hot_registry_packages` looks. */
export const HOT_WINDOW_DAYS = 30;

/** Registry statuses that allow a package (the hot list is about these). */
export const REGISTRY_ALLOWED_STATUSES: readonly RegistryStatus[] = ['preferred', 'approved', 'version-constrained'];

/** One audit row as the reports show it (`recent`, agents' `recent`). */
export interface ReportRow {
  id: string;
  seq: number;
  ts: Date;
  kind: string;
  project: string | null;
  requester: string;
  ecosystem: string | null;
  package: string | null;
  normalizedName: string | null;
  version: string | null;
  verdict: string | null;
  denialCategory: string;
  reason: string | null;
  license: string | null;
  cveIds: string[];
  maxCvss: number | null;
  registryStatus: string | null;
  agentModel: string | null;
  agentVersion: string | null;
}

export interface VerdictSplit {
  total: number;
  allowed: number;
  provisional: number;
  denied: number;
}

export interface LicenseBreakdownItem extends VerdictSplit {
  license: string;
}

export interface ProjectDenials {
  project: string;
  denials: number;
}

/** A group of the verdict rollup: rows per (project, license, verdict, denial category). */
export interface VerdictGroup {
  project: string | null;
  license: string | null;
  verdict: string | null;
  denialCategory: string;
  n: number;
}

export interface LegalFigures {
  totalDenials: number;
  licenseBreakdown: LicenseBreakdownItem[];
  unknownLicense: VerdictSplit;
  topProjects: ProjectDenials[];
}

const emptySplit = (): VerdictSplit => ({ total: 0, allowed: 0, provisional: 0, denied: 0 });

function addVerdict(split: VerdictSplit, verdict: string | null, n: number): void {
  split.total += n;
  if (verdict === 'ALLOWED') split.allowed += n;
  else if (verdict === 'PROVISIONALLY_ALLOWED') split.provisional += n;
  else if (verdict === 'DENIED') split.denied += n;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The legal report's figures: license-category denials, every row with a license grouped by
 * license (total descending, then license), the `UNKNOWN` split, and projects by license denials
 * (descending, then name; at most 10).
 */
export function buildLegalFigures(groups: readonly VerdictGroup[]): LegalFigures {
  let totalDenials = 0;
  const byLicense = new Map<string, VerdictSplit>();
  const byProject = new Map<string, number>();
  for (const g of groups) {
    if (g.denialCategory === 'license') {
      totalDenials += g.n;
      if (g.project) byProject.set(g.project, (byProject.get(g.project) ?? 0) + g.n);
    }
    if (g.license) {
      let split = byLicense.get(g.license);
      if (!split) byLicense.set(g.license, (split = emptySplit()));
      addVerdict(split, g.verdict, g.n);
    }
  }
  const licenseBreakdown = [...byLicense.entries()]
    .map(([license, s]) => ({ license, ...s }))
    .sort((a, b) => b.total - a.total || byText(a.license, b.license));
  const unknown = byLicense.get('UNKNOWN');
  const topProjects = [...byProject.entries()]
    .map(([project, denials]) => ({ project, denials }))
    .sort((a, b) => b.denials - a.denials || byText(a.project, b.project))
    .slice(0, REPORT_LIMITS.topProjects);
  return { totalDenials, licenseBreakdown, unknownLicense: unknown ? { ...unknown } : emptySplit(), topProjects };
}

export interface SeverityDistribution {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}

/** CVE activity of one package (from the CVE package rollup). */
export interface CvePackageGroup {
  ecosystem: string;
  package: string;
  denials: number;
  provisional: number;
  maxCvssDenied: number | null;
  maxCvssAny: number | null;
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  lastTs: Date;
}

/** Rows of one (advisory, package) pair (from the CVE rollup). */
export interface CveGroup {
  cveId: string;
  ecosystem: string;
  package: string;
  denials: number;
  provisional: number;
  maxCvssDenied: number | null;
  maxCvssAny: number | null;
}

export interface TopPackage {
  ecosystem: string;
  package: string;
  denials: number;
  maxCvss: number | null;
  cveIds: string[];
}

export interface TopCve {
  cveId: string;
  occurrences: number;
  maxCvss: number | null;
  packages: string[];
}

export interface HotRegistryPackage {
  ecosystem: string;
  /** The registry key's package name as written. */
  package: string;
  normalizedName: string;
  registryStatus: RegistryStatus;
  denials: number;
  provisional: number;
  maxCvss: number | null;
  cveIds: string[];
  latestTs: Date;
}

/** Scores sort descending with "no score" last. */
function byScoreDesc(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

const pkgKey = (ecosystem: string, name: string) => `${ecosystem}\u0000${name}`;

/** Sorted advisory ids per package, from CVE groups passing `take`. */
function idsByPackage(cves: readonly CveGroup[], take: (c: CveGroup) => boolean): Map<string, string[]> {
  const m = new Map<string, Set<string>>();
  for (const c of cves) {
    if (!take(c)) continue;
    const k = pkgKey(c.ecosystem, c.package);
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(c.cveId);
  }
  return new Map([...m.entries()].map(([k, s]) => [k, [...s].sort(byText)]));
}

/** CVE denials by max CVSS: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0, unknown (no score). */
export function buildSeverityDistribution(packages: readonly CvePackageGroup[]): SeverityDistribution {
  const d: SeverityDistribution = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const p of packages) {
    d.critical += p.critical;
    d.high += p.high;
    d.medium += p.medium;
    d.low += p.low;
    d.unknown += p.unknown;
  }
  return d;
}

/** The bucket of one score, as the rollup counts it (exported for tables of edges). */
export function severityBucket(score: number | null): keyof SeverityDistribution {
  if (score === null || !(score > 0)) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/**
 * Packages with CVE denials: highest CVSS first (unscored last), then denials, then name; at most
 * 20, each with up to five of its advisory ids (sorted).
 */
export function buildTopPackages(packages: readonly CvePackageGroup[], cves: readonly CveGroup[]): TopPackage[] {
  const ids = idsByPackage(cves, (c) => c.denials > 0);
  return packages
    .filter((p) => p.denials > 0)
    .map((p) => ({
      ecosystem: p.ecosystem,
      package: p.package,
      denials: p.denials,
      maxCvss: p.maxCvssDenied,
      cveIds: (ids.get(pkgKey(p.ecosystem, p.package)) ?? []).slice(0, REPORT_LIMITS.cveIdsPerPackage),
    }))
    .sort((a, b) => byScoreDesc(a.maxCvss, b.maxCvss) || b.denials - a.denials || byText(a.package, b.package) || byText(a.ecosystem, b.ecosystem))
    .slice(0, REPORT_LIMITS.topPackages);
}

/**
 * Advisory ids in CVE denials: highest CVSS first, then occurrences (denied rows carrying the id),
 * then id; at most 20, each with up to five packages it hit (sorted).
 */
export function buildTopCves(cves: readonly CveGroup[]): TopCve[] {
  const m = new Map<string, { occurrences: number; maxCvss: number | null; packages: Set<string> }>();
  for (const c of cves) {
    if (c.denials === 0) continue;
    let e = m.get(c.cveId);
    if (!e) m.set(c.cveId, (e = { occurrences: 0, maxCvss: null, packages: new Set() }));
    e.occurrences += c.denials;
    if (c.maxCvssDenied !== null && (e.maxCvss === null || c.maxCvssDenied > e.maxCvss)) e.maxCvss = c.maxCvssDenied;
    e.packages.add(c.package);
  }
  return [...m.entries()]
    .map(([cveId, e]) => ({ cveId, occurrences: e.occurrences, maxCvss: e.maxCvss, packages: [...e.packages].sort(byText).slice(0, REPORT_LIMITS.packagesPerCve) }))
    .sort((a, b) => byScoreDesc(a.maxCvss, b.maxCvss) || b.occurrences - a.occurrences || byText(a.cveId, b.cveId))
    .slice(0, REPORT_LIMITS.topCves);
}

/** Finds the current registry rule of a package (null: not in the registry). */
export type RuleLookup = (ecosystem: Ecosystem, name: string) => RegistryRule | null;

/**
 * Registry-allowed packages (current status preferred, approved or version-constrained) whose
 * rows in the window include a CVE denial or a CVE-flagged provisional answer. Banned,
 * deprecated and unregistered packages are left out. Sorted by max CVSS, denials, provisional
 * (all descending), then name.
 */
export function buildHotRegistryPackages(
  packages: readonly CvePackageGroup[],
  cves: readonly CveGroup[],
  lookup: RuleLookup | null,
): HotRegistryPackage[] {
  if (!lookup) return [];
  const ids = idsByPackage(cves, () => true);
  const out: HotRegistryPackage[] = [];
  for (const p of packages) {
    if (p.denials + p.provisional === 0) continue;
    if (p.ecosystem !== 'pypi' && p.ecosystem !== 'npm') continue;
    const rule = lookup(p.ecosystem, p.package);
    if (!rule || !REGISTRY_ALLOWED_STATUSES.includes(rule.status)) continue;
    out.push({
      ecosystem: p.ecosystem,
      package: rule.name,
      normalizedName: p.package,
      registryStatus: rule.status,
      denials: p.denials,
      provisional: p.provisional,
      maxCvss: p.maxCvssAny,
      cveIds: ids.get(pkgKey(p.ecosystem, p.package)) ?? [],
      latestTs: p.lastTs,
    });
  }
  return out.sort(
    (a, b) =>
      byScoreDesc(a.maxCvss, b.maxCvss) || b.denials - a.denials || b.provisional - a.provisional || byText(a.normalizedName, b.normalizedName),
  );
}

/** One (agent model, agent version) group of the agents report. */
export interface AgentGroup {
  agentModel: string | null;
  agentVersion: string | null;
  evaluations: number;
  denials: number;
  provisional: number;
  lastSeen: Date;
}

export interface AgentSummary extends AgentGroup {
  /** The rows without any agent identity (both headers missing): lex-align's (null, null) bucket. */
  unknown: boolean;
  /** `model version`, `model`, or `unknown`. */
  label: string;
}

/** Agents by evaluations (descending), then last seen (newest first), then label. */
export function buildAgentSummaries(groups: readonly AgentGroup[]): AgentSummary[] {
  return groups
    .map((g) => {
      const unknown = g.agentModel === null && g.agentVersion === null;
      const label = unknown ? 'unknown' : [g.agentModel ?? '(no model)', g.agentVersion].filter((x) => x !== null).join(' ');
      return { ...g, unknown, label };
    })
    .sort((a, b) => b.evaluations - a.evaluations || b.lastSeen.getTime() - a.lastSeen.getTime() || byText(a.label, b.label));
}

export interface ProjectSummary {
  project: string;
  evaluations: number;
  denials: number;
  approvalRequests: number;
}

/**
 * Every project seen in the audit log or in approval requests (those with requests only show
 * zero evaluations), by evaluations descending, then name.
 */
export function buildProjectSummaries(
  activity: readonly { project: string; evaluations: number; denials: number }[],
  requests: readonly { project: string; n: number }[],
): ProjectSummary[] {
  const m = new Map<string, ProjectSummary>();
  const get = (project: string) => {
    let p = m.get(project);
    if (!p) m.set(project, (p = { project, evaluations: 0, denials: 0, approvalRequests: 0 }));
    return p;
  };
  for (const a of activity) {
    const p = get(a.project);
    p.evaluations += a.evaluations;
    p.denials += a.denials;
  }
  for (const r of requests) get(r.project).approvalRequests += r.n;
  return [...m.values()].sort((a, b) => b.evaluations - a.evaluations || byText(a.project, b.project));
}
