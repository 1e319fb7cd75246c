/**
 * Reports service (SPEC §6): legal, security, agents and projects reports,
 * shared by the REST shims and GraphQL.
 *
 * gather (grouped queries over the daily rollups and the audit log) → build
 * (pure builders) → answer. Invariants:
 * - aggregates read the rollups for whole days and the log only for the
 *   partial days at a window's edges, so their cost does not grow with the log;
 * - every report is scoped to one tenant, optionally one project, and an
 *   optional [since, until) window (default: all time; hot packages: the last
 *   30 days inside that window).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../shared/clock';
import { ValidationError } from '../../shared/errors';
import { normalizeName } from '../packages/names';
import type { RegistryService } from '../registry/registry.service';
import {
  buildAgentSummaries,
  buildHotRegistryPackages,
  buildLegalFigures,
  buildProjectSummaries,
  buildSeverityDistribution,
  buildTopCves,
  buildTopPackages,
  HOT_WINDOW_DAYS,
  REGISTRY_ALLOWED_STATUSES,
  REPORT_LIMITS,
  type AgentSummary,
  type HotRegistryPackage,
  type LicenseBreakdownItem,
  type ProjectDenials,
  type ProjectSummary,
  type ReportRow,
  type SeverityDistribution,
  type TopCve,
  type TopPackage,
  type VerdictSplit,
} from './report-builders';
import { intersectWindows, type ReportWindow } from './report-window';
import {
  agentGroups,
  approvalRequestCounts,
  cveGroups,
  cvePackageGroups,
  projectActivity,
  recentCveAlerts,
  recentOfCategory,
  recentRows,
  verdictGroups,
  type PackageKey,
  type ReportScope,
} from './report.queries';

/** What every report accepts. */
export interface ReportQuery {
  project?: string | null;
  since?: Date | null;
  until?: Date | null;
}

interface ReportHeader {
  project: string | null;
  since: Date | null;
  until: Date | null;
}

export interface LegalReport extends ReportHeader {
  category: 'license';
  totalDenials: number;
  recent: ReportRow[];
  licenseBreakdown: LicenseBreakdownItem[];
  unknownLicense: VerdictSplit;
  topProjects: ProjectDenials[];
}

export interface SecurityReport extends ReportHeader {
  category: 'cve';
  totalDenials: number;
  recent: ReportRow[];
  severityDistribution: SeverityDistribution;
  topPackages: TopPackage[];
  topCves: TopCve[];
  hotRegistryPackages: HotRegistryPackage[];
  /** The window the hot list covers. */
  hotSince: Date;
  cveAlerts: ReportRow[];
}

export interface AgentsReport extends ReportHeader {
  agents: AgentSummary[];
  recent: ReportRow[];
}

export interface ProjectsReport extends ReportHeader {
  projects: ProjectSummary[];
}

const MAX_PROJECT = 200;

/** Validate and normalise report parameters (blank project → all projects). */
export function parseReportQuery(q: ReportQuery): ReportHeader {
  const project = q.project?.trim() || null;
  if (project !== null && project.length > MAX_PROJECT) throw new ValidationError(`project: longer than ${MAX_PROJECT} characters`, 'project');
  const since = q.since ?? null;
  const until = q.until ?? null;
  for (const [field, d] of [['since', since], ['until', until]] as const) {
    if (d !== null && Number.isNaN(d.getTime())) throw new ValidationError(`${field}: not a valid date-time`, field);
  }
  if (since && until && since > until) throw new ValidationError('since: must not be after until', 'since');
  return { project, since, until };
}

export class ReportsService {
  constructor(
    private readonly registry: RegistryService,
    private readonly clock: Clock,
  ) {}

  private scope(tenantId: string, h: ReportHeader): ReportScope {
    return { tenantId, project: h.project, window: { since: h.since, until: h.until } };
  }

  /** GET /api/v1/reports/legal: license-driven denials and the license mix of every row with a license. */
  async legal(em: EntityManager, tenantId: string, q: ReportQuery): Promise<LegalReport> {
    const h = parseReportQuery(q);
    const scope = this.scope(tenantId, h);
    const [groups, recent] = await Promise.all([verdictGroups(em, scope), recentOfCategory(em, scope, 'license', REPORT_LIMITS.recent)]);
    return { category: 'license', ...h, ...buildLegalFigures(groups), recent };
  }

  /** GET /api/v1/reports/security: CVE-driven denials, severities, top packages and advisories, hot registry packages, alerts. */
  async security(em: EntityManager, tenantId: string, q: ReportQuery): Promise<SecurityReport> {
    const h = parseReportQuery(q);
    const scope = this.scope(tenantId, h);
    const now = this.clock.now();
    const hotSince = new Date(now.getTime() - HOT_WINDOW_DAYS * 86_400_000);
    const hotWindow: ReportWindow = intersectWindows(scope.window, { since: hotSince, until: null });
    const hotScope: ReportScope = { ...scope, window: hotWindow };
    // The hot list only concerns packages the registry allows now: read just those.
    const registry = this.registry.current(tenantId);
    const allowed: PackageKey[] = registry
      ? registry
          .rules()
          .filter((r) => REGISTRY_ALLOWED_STATUSES.includes(r.status))
          .map((r) => ({ ecosystem: r.ecosystem, package: normalizeName(r.ecosystem, r.name) }))
      : [];
    const [totals, packages, cves, hotPackages, hotCves, recent, cveAlerts] = await Promise.all([
      verdictGroups(em, scope, ['cve']),
      cvePackageGroups(em, scope),
      cveGroups(em, scope),
      cvePackageGroups(em, hotScope, allowed),
      cveGroups(em, hotScope, allowed),
      recentOfCategory(em, scope, 'cve', REPORT_LIMITS.recent),
      recentCveAlerts(em, scope, REPORT_LIMITS.cveAlerts),
    ]);
    return {
      category: 'cve',
      ...h,
      totalDenials: totals.reduce((n, g) => n + g.n, 0),
      recent,
      severityDistribution: buildSeverityDistribution(packages),
      topPackages: buildTopPackages(packages, cves),
      topCves: buildTopCves(cves),
      hotRegistryPackages: buildHotRegistryPackages(hotPackages, hotCves, registry ? (eco, name) => registry.lookup(eco, name) : null),
      hotSince: hotWindow.since ?? hotSince,
      cveAlerts,
    };
  }

  /** GET /api/v1/reports/agents: rows by (agent model, agent version), and the 50 newest rows. */
  async agents(em: EntityManager, tenantId: string, q: ReportQuery): Promise<AgentsReport> {
    const h = parseReportQuery(q);
    const scope = this.scope(tenantId, h);
    const [groups, recent] = await Promise.all([agentGroups(em, scope), recentRows(em, scope, REPORT_LIMITS.agentsRecent)]);
    return { ...h, agents: buildAgentSummaries(groups), recent };
  }

  /** GET /api/v1/reports/projects: evaluations, denials and approval requests per project. */
  async projects(em: EntityManager, tenantId: string, q: ReportQuery): Promise<ProjectsReport> {
    const h = parseReportQuery(q);
    const scope = this.scope(tenantId, h);
    const [activity, requests] = await Promise.all([projectActivity(em, scope), approvalRequestCounts(em, scope)]);
    return { ...h, projects: buildProjectSummaries(activity, requests) };
  }
}
