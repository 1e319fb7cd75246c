/** lex-align wire shapes of the reports (SPEC §6): lex-align's fields first, then ours (additive). */
import type { HotRegistryPackage, ReportRow, TopCve, TopPackage } from './report-builders';
import type { AgentsReport, LegalReport, ProjectsReport, SecurityReport } from './reports.service';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A `recent` row of the legal and security reports. */
export function recentRowToWire(r: ReportRow) {
  return {
    id: r.id,
    ts: r.ts.toISOString(),
    project: r.project,
    requester: r.requester,
    package: r.package,
    version: r.version,
    reason: r.reason,
    license: r.license,
    cve_ids: r.cveIds,
    max_cvss: r.maxCvss,
    registry_status: r.registryStatus,
    agent_model: r.agentModel,
    agent_version: r.agentVersion,
    // --- additive ---
    verdict: r.verdict,
    denial_category: r.denialCategory,
    ecosystem: r.ecosystem,
    normalized_name: r.normalizedName,
    seq: r.seq,
  };
}

/** A `recent` row of the agents report. */
export function agentRowToWire(r: ReportRow) {
  return {
    id: r.id,
    ts: r.ts.toISOString(),
    project: r.project,
    requester: r.requester,
    package: r.package,
    version: r.version,
    verdict: r.verdict,
    denial_category: r.denialCategory,
    reason: r.reason,
    agent_model: r.agentModel,
    agent_version: r.agentVersion,
    // --- additive ---
    ecosystem: r.ecosystem,
    license: r.license,
    cve_ids: r.cveIds,
    max_cvss: r.maxCvss,
    registry_status: r.registryStatus,
    seq: r.seq,
  };
}

const windowToWire = (r: { since: Date | null; until: Date | null }) => ({ since: iso(r.since), until: iso(r.until) });

export function legalReportToWire(r: LegalReport) {
  return {
    category: r.category,
    project: r.project,
    total_denials: r.totalDenials,
    recent: r.recent.map(recentRowToWire),
    license_breakdown: r.licenseBreakdown.map((b) => ({ license: b.license, total: b.total, allowed: b.allowed, provisional: b.provisional, denied: b.denied })),
    unknown_license: { ...r.unknownLicense },
    top_projects: r.topProjects.map((p) => ({ project: p.project, denials: p.denials })),
    ...windowToWire(r),
  };
}

const topPackageToWire = (p: TopPackage) => ({ package: p.package, denials: p.denials, max_cvss: p.maxCvss, cve_ids: p.cveIds, ecosystem: p.ecosystem });
const topCveToWire = (c: TopCve) => ({ cve_id: c.cveId, occurrences: c.occurrences, max_cvss: c.maxCvss, packages: c.packages });
const hotToWire = (h: HotRegistryPackage) => ({
  package: h.package,
  normalized_name: h.normalizedName,
  registry_status: h.registryStatus,
  denials: h.denials,
  provisional: h.provisional,
  max_cvss: h.maxCvss,
  cve_ids: h.cveIds,
  latest_ts: h.latestTs.toISOString(),
  ecosystem: h.ecosystem,
});
const alertToWire = (a: ReportRow) => ({
  id: a.id,
  ts: a.ts.toISOString(),
  package: a.package,
  cve_ids: a.cveIds,
  max_cvss: a.maxCvss,
  reason: a.reason,
  registry_status: a.registryStatus,
  // --- additive ---
  project: a.project,
  ecosystem: a.ecosystem,
  version: a.version,
});

export function securityReportToWire(r: SecurityReport) {
  return {
    category: r.category,
    project: r.project,
    total_denials: r.totalDenials,
    recent: r.recent.map(recentRowToWire),
    severity_distribution: { ...r.severityDistribution },
    top_packages: r.topPackages.map(topPackageToWire),
    top_cves: r.topCves.map(topCveToWire),
    hot_registry_packages: r.hotRegistryPackages.map(hotToWire),
    cve_alerts: r.cveAlerts.map(alertToWire),
    ...windowToWire(r),
    hot_since: r.hotSince.toISOString(),
  };
}

export function agentsReportToWire(r: AgentsReport) {
  return {
    project: r.project,
    agents: r.agents.map((a) => ({
      agent_model: a.agentModel,
      agent_version: a.agentVersion,
      evaluations: a.evaluations,
      denials: a.denials,
      provisional: a.provisional,
      last_seen: a.lastSeen.toISOString(),
      // --- additive ---
      unknown: a.unknown,
      label: a.label,
    })),
    recent: r.recent.map(agentRowToWire),
    ...windowToWire(r),
  };
}

export function projectsReportToWire(r: ProjectsReport) {
  return {
    projects: r.projects.map((p) => ({ project: p.project, evaluations: p.evaluations, denials: p.denials, approval_requests: p.approvalRequests })),
    // --- additive ---
    project: r.project,
    ...windowToWire(r),
  };
}
