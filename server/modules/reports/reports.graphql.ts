import { builder } from '../../graphql/builder';
import { DomainError } from '../../shared/errors';
import type {
  AgentSummary,
  HotRegistryPackage,
  LicenseBreakdownItem,
  ProjectDenials,
  ProjectSummary,
  ReportRow,
  SeverityDistribution,
  TopCve,
  TopPackage,
  VerdictSplit,
} from './report-builders';
import type { AgentsReport, LegalReport, ProjectsReport, ReportQuery, SecurityReport } from './reports.service';

const ReportRowType = builder.objectRef<ReportRow>('ReportRow').implement({
  description: 'An audit row as the reports list it.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Audit row id.' }),
    seq: t.exposeInt('seq', { description: 'Position in the tenant\'s audit chain.' }),
    ts: t.expose('ts', { type: 'DateTime', description: 'When it was decided.' }),
    kind: t.exposeString('kind', { description: '`DEPENDENCY_EVALUATION` or `CVE_ALERT`.' }),
    project: t.exposeString('project', { nullable: true, description: 'The project (null for CVE alerts, which concern every project).' }),
    requester: t.exposeString('requester', { description: 'Who asked (`cve-scanner` for alerts).' }),
    ecosystem: t.exposeString('ecosystem', { nullable: true, description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { nullable: true, description: 'Package name as asked.' }),
    normalizedName: t.exposeString('normalizedName', { nullable: true, description: 'Normalised package name.' }),
    version: t.exposeString('version', { nullable: true, description: 'Version asked about (or scanned).' }),
    verdict: t.exposeString('verdict', { nullable: true, description: '`ALLOWED`, `PROVISIONALLY_ALLOWED`, `DENIED` or `CVE_ALERT`.' }),
    denialCategory: t.exposeString('denialCategory', { description: '`registry`, `license`, `cve`, `cve_alert`, or empty.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why.' }),
    license: t.exposeString('license', { nullable: true, description: 'Normalised license.' }),
    cveIds: t.exposeStringList('cveIds', { description: 'Advisory ids.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS score.' }),
    registryStatus: t.exposeString('registryStatus', { nullable: true, description: 'Registry status at the time.' }),
    agentModel: t.exposeString('agentModel', { nullable: true, description: 'Agent model.' }),
    agentVersion: t.exposeString('agentVersion', { nullable: true, description: 'Agent version.' }),
  }),
});

const VerdictSplitType = builder.objectRef<VerdictSplit>('VerdictSplit').implement({
  description: 'Rows split by verdict.',
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'All rows.' }),
    allowed: t.exposeInt('allowed', { description: 'ALLOWED rows.' }),
    provisional: t.exposeInt('provisional', { description: 'PROVISIONALLY_ALLOWED rows.' }),
    denied: t.exposeInt('denied', { description: 'DENIED rows.' }),
  }),
});

const LicenseBreakdownType = builder.objectRef<LicenseBreakdownItem>('LicenseBreakdown').implement({
  description: 'Rows with one normalised license, split by verdict.',
  fields: (t) => ({
    license: t.exposeString('license', { description: 'Normalised license (`UNKNOWN` included).' }),
    total: t.exposeInt('total', { description: 'All rows.' }),
    allowed: t.exposeInt('allowed', { description: 'ALLOWED rows.' }),
    provisional: t.exposeInt('provisional', { description: 'PROVISIONALLY_ALLOWED rows.' }),
    denied: t.exposeInt('denied', { description: 'DENIED rows (any category).' }),
  }),
});

const ProjectDenialsType = builder.objectRef<ProjectDenials>('ProjectDenials').implement({
  description: 'A project and its license-driven denials.',
  fields: (t) => ({
    project: t.exposeString('project', { description: 'Project.' }),
    denials: t.exposeInt('denials', { description: 'License-driven denials.' }),
  }),
});

const query = (args: { project?: string | null; since?: Date | null; until?: Date | null }): ReportQuery => ({
  project: args.project ?? null,
  since: args.since ?? null,
  until: args.until ?? null,
});

const errors = (what: string) => ({
  types: [DomainError],
  union: { description: `The ${what} report, or why the arguments were refused.` },
  result: { description: `The ${what} report.` },
  dataField: { description: 'The report.' },
});

const LegalReportType = builder.objectRef<LegalReport>('LegalReport').implement({
  description: 'License compliance: license-driven denials and the license mix of every evaluation with a license.',
  fields: (t) => ({
    project: t.exposeString('project', { nullable: true, description: 'The project filter, or null.' }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'Window start, or null.' }),
    until: t.expose('until', { type: 'DateTime', nullable: true, description: 'Window end, or null.' }),
    totalDenials: t.exposeInt('totalDenials', { description: 'DENIED rows whose denial category is `license`.' }),
    recent: t.field({ type: [ReportRowType], description: 'The 100 newest license-driven denials.', resolve: (r) => r.recent }),
    licenseBreakdown: t.field({
      type: [LicenseBreakdownType],
      description: 'Every row with a license, by normalised license (most rows first).',
      resolve: (r) => r.licenseBreakdown,
    }),
    unknownLicense: t.field({ type: VerdictSplitType, description: 'Rows whose license normalised to UNKNOWN.', resolve: (r) => r.unknownLicense }),
    topProjects: t.field({ type: [ProjectDenialsType], description: 'Up to 10 projects by license-driven denials.', resolve: (r) => r.topProjects }),
  }),
});

builder.queryField('legalReport', (t) =>
  t.field({
    type: LegalReportType,
    description: 'The legal report (GET /api/v1/reports/legal).',
    errors: errors('legal'),
    args: {
      project: t.arg.string({ description: 'Only this project (X-LexAlign-Project).', validate: { maxLength: 200 } }),
      since: t.arg({ type: 'DateTime', description: 'Only rows at or after this instant (default: all time).' }),
      until: t.arg({ type: 'DateTime', description: 'Only rows before this instant (default: now).' }),
    },
    resolve: (_root, args, ctx) => ctx.services.reports.legal(ctx.em(), ctx.tenant.id, query(args)),
  }),
);

const SeverityType = builder.objectRef<SeverityDistribution>('SeverityDistribution').implement({
  description: 'CVE-driven denials by max CVSS: critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0, unknown (no score).',
  fields: (t) => ({
    critical: t.exposeInt('critical', { description: 'max CVSS ≥ 9.0.' }),
    high: t.exposeInt('high', { description: '7.0 ≤ max CVSS < 9.0.' }),
    medium: t.exposeInt('medium', { description: '4.0 ≤ max CVSS < 7.0.' }),
    low: t.exposeInt('low', { description: '0 < max CVSS < 4.0.' }),
    unknown: t.exposeInt('unknown', { description: 'No score.' }),
  }),
});

const TopPackageType = builder.objectRef<TopPackage>('CveTopPackage').implement({
  description: 'A package with CVE-driven denials.',
  fields: (t) => ({
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { description: 'Normalised package name.' }),
    denials: t.exposeInt('denials', { description: 'CVE-driven denials.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS seen.' }),
    cveIds: t.exposeStringList('cveIds', { description: 'Up to five advisory ids (sorted).' }),
  }),
});

const TopCveType = builder.objectRef<TopCve>('CveTopAdvisory').implement({
  description: 'An advisory id behind CVE-driven denials.',
  fields: (t) => ({
    cveId: t.exposeString('cveId', { description: 'Advisory id.' }),
    occurrences: t.exposeInt('occurrences', { description: 'Denied rows carrying it.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS of those rows.' }),
    packages: t.exposeStringList('packages', { description: 'Up to five packages it hit (sorted).' }),
  }),
});

const HotType = builder.objectRef<HotRegistryPackage>('HotRegistryPackage').implement({
  description: 'A registry-allowed package with CVE activity (denial or CVE-flagged provisional) in the last 30 days.',
  fields: (t) => ({
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { description: 'Package name as the registry writes it.' }),
    normalizedName: t.exposeString('normalizedName', { description: 'Normalised package name.' }),
    registryStatus: t.exposeString('registryStatus', { description: 'Current registry status.' }),
    denials: t.exposeInt('denials', { description: 'CVE-driven denials.' }),
    provisional: t.exposeInt('provisional', { description: 'Provisional answers with advisories.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS seen.' }),
    cveIds: t.exposeStringList('cveIds', { description: 'Advisory ids seen (sorted).' }),
    latestTs: t.expose('latestTs', { type: 'DateTime', description: 'Newest such row.' }),
  }),
});

const SecurityReportType = builder.objectRef<SecurityReport>('SecurityReport').implement({
  description: 'Vulnerability posture: CVE-driven denials, severities, top packages and advisories, hot registry packages, CVE alerts.',
  fields: (t) => ({
    project: t.exposeString('project', { nullable: true, description: 'The project filter, or null.' }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'Window start, or null.' }),
    until: t.expose('until', { type: 'DateTime', nullable: true, description: 'Window end, or null.' }),
    totalDenials: t.exposeInt('totalDenials', { description: 'DENIED rows whose denial category is `cve`.' }),
    recent: t.field({ type: [ReportRowType], description: 'The 100 newest CVE-driven denials.', resolve: (r) => r.recent }),
    severityDistribution: t.field({ type: SeverityType, description: 'Every CVE-driven denial in scope by severity.', resolve: (r) => r.severityDistribution }),
    topPackages: t.field({ type: [TopPackageType], description: 'Up to 20 packages by max CVSS, then denials.', resolve: (r) => r.topPackages }),
    topCves: t.field({ type: [TopCveType], description: 'Up to 20 advisory ids by max CVSS, then occurrences.', resolve: (r) => r.topCves }),
    hotRegistryPackages: t.field({ type: [HotType], description: 'Registry-allowed packages turning hot.', resolve: (r) => r.hotRegistryPackages }),
    hotSince: t.expose('hotSince', { type: 'DateTime', description: 'Start of the hot-package window.' }),
    cveAlerts: t.field({ type: [ReportRowType], description: 'The 100 newest CVE_ALERT rows of the background re-scan.', resolve: (r) => r.cveAlerts }),
  }),
});

builder.queryField('securityReport', (t) =>
  t.field({
    type: SecurityReportType,
    description: 'The security report (GET /api/v1/reports/security).',
    errors: errors('security'),
    args: {
      project: t.arg.string({ description: 'Only this project (X-LexAlign-Project).', validate: { maxLength: 200 } }),
      since: t.arg({ type: 'DateTime', description: 'Only rows at or after this instant (default: all time).' }),
      until: t.arg({ type: 'DateTime', description: 'Only rows before this instant (default: now).' }),
    },
    resolve: (_root, args, ctx) => ctx.services.reports.security(ctx.em(), ctx.tenant.id, query(args)),
  }),
);

const AgentSummaryType = builder.objectRef<AgentSummary>('AgentSummary').implement({
  description: 'Rows of one (agent model, agent version).',
  fields: (t) => ({
    agentModel: t.exposeString('agentModel', { nullable: true, description: 'Agent model (null when not sent).' }),
    agentVersion: t.exposeString('agentVersion', { nullable: true, description: 'Agent version (null when not sent).' }),
    unknown: t.exposeBoolean('unknown', { description: 'The bucket of rows without any agent identity.' }),
    label: t.exposeString('label', { description: '`model version`, or `unknown`.' }),
    evaluations: t.exposeInt('evaluations', { description: 'Rows.' }),
    denials: t.exposeInt('denials', { description: 'DENIED rows.' }),
    provisional: t.exposeInt('provisional', { description: 'PROVISIONALLY_ALLOWED rows.' }),
    lastSeen: t.expose('lastSeen', { type: 'DateTime', description: 'Newest row.' }),
  }),
});

const AgentsReportType = builder.objectRef<AgentsReport>('AgentsReport').implement({
  description: 'Agent activity: rows by agent identity, and the newest rows.',
  fields: (t) => ({
    project: t.exposeString('project', { nullable: true, description: 'The project filter, or null.' }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'Window start, or null.' }),
    until: t.expose('until', { type: 'DateTime', nullable: true, description: 'Window end, or null.' }),
    agents: t.field({ type: [AgentSummaryType], description: 'By evaluations, most first.', resolve: (r) => r.agents }),
    recent: t.field({ type: [ReportRowType], description: 'The 50 newest rows.', resolve: (r) => r.recent }),
  }),
});

builder.queryField('agentsReport', (t) =>
  t.field({
    type: AgentsReportType,
    description: 'The agents report (GET /api/v1/reports/agents).',
    errors: errors('agents'),
    args: {
      project: t.arg.string({ description: 'Only this project (X-LexAlign-Project).', validate: { maxLength: 200 } }),
      since: t.arg({ type: 'DateTime', description: 'Only rows at or after this instant (default: all time).' }),
      until: t.arg({ type: 'DateTime', description: 'Only rows before this instant (default: now).' }),
    },
    resolve: (_root, args, ctx) => ctx.services.reports.agents(ctx.em(), ctx.tenant.id, query(args)),
  }),
);

const ProjectSummaryType = builder.objectRef<ProjectSummary>('ProjectSummary').implement({
  description: 'One project\'s activity.',
  fields: (t) => ({
    project: t.exposeString('project', { description: 'Project.' }),
    evaluations: t.exposeInt('evaluations', { description: 'Evaluation rows.' }),
    denials: t.exposeInt('denials', { description: 'DENIED rows.' }),
    approvalRequests: t.exposeInt('approvalRequests', { description: 'Approval requests filed.' }),
  }),
});

const ProjectsReportType = builder.objectRef<ProjectsReport>('ProjectsReport').implement({
  description: 'Every project seen, with evaluations, denials and approval requests.',
  fields: (t) => ({
    project: t.exposeString('project', { nullable: true, description: 'The project filter, or null.' }),
    since: t.expose('since', { type: 'DateTime', nullable: true, description: 'Window start, or null.' }),
    until: t.expose('until', { type: 'DateTime', nullable: true, description: 'Window end, or null.' }),
    projects: t.field({ type: [ProjectSummaryType], description: 'By evaluations, most first.', resolve: (r) => r.projects }),
  }),
});

builder.queryField('projectsReport', (t) =>
  t.field({
    type: ProjectsReportType,
    description: 'The projects report (GET /api/v1/reports/projects).',
    errors: errors('projects'),
    args: {
      project: t.arg.string({ description: 'Only this project (X-LexAlign-Project).', validate: { maxLength: 200 } }),
      since: t.arg({ type: 'DateTime', description: 'Only rows at or after this instant (default: all time).' }),
      until: t.arg({ type: 'DateTime', description: 'Only rows before this instant (default: now).' }),
    },
    resolve: (_root, args, ctx) => ctx.services.reports.projects(ctx.em(), ctx.tenant.id, query(args)),
  }),
);
