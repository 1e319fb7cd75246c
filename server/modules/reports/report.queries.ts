/**
 * The SQL behind the reports. Aggregates read the daily rollups for whole days
 * and, for the partial days at a window's edges, the same projection computed
 * from the audit log (mirroring the rollup trigger of migration `reports`);
 * lists (`recent`, alerts) read the audit log through partial indexes.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AgentGroup, CveGroup, CvePackageGroup, ReportRow, VerdictGroup } from './report-builders';
import { windowSegments, type ReportWindow } from './report-window';

type Row = Record<string, unknown>;

export interface ReportScope {
  tenantId: string;
  /** Only this project (null: all). */
  project: string | null;
  window: ReportWindow;
}

/** Rows the reports are about (lex-align's audit rows). */
export const REPORT_KINDS_SQL = `kind in ('DEPENDENCY_EVALUATION', 'CVE_ALERT')`;
const CVE_ACTIVITY_SQL = `kind = 'DEPENDENCY_EVALUATION' and (denial_category = 'cve' or (verdict = 'PROVISIONALLY_ALLOWED' and cardinality(cve_ids) > 0))`;

interface RollupDef {
  /** The daily table (`day` column). */
  table: string;
  /** The all-time table (no `day`). */
  total: string;
  /** The table's columns (without tenant and day), in projection order. */
  columns: string;
  /** The projection's select list: the key columns first, then the aggregates. */
  select: string;
  from: string;
  filter: string;
  /** How many leading select items are group keys. */
  keys: number;
}

/** The rollups, each with its columns and the projection that computes them from audit rows. */
const ROLLUPS = {
  verdict: {
    table: 'audit_rollup_verdict',
    total: 'audit_total_verdict',
    columns: 'project, license, verdict, denial_category, n',
    select: `coalesce(project, '') as project, coalesce(license, '') as license, coalesce(verdict, '') as verdict, denial_category, count(*) as n`,
    from: 'audit_log',
    filter: REPORT_KINDS_SQL,
    keys: 4,
  },
  agent: {
    table: 'audit_rollup_agent',
    total: 'audit_total_agent',
    columns: 'project, agent_model, agent_version, evaluations, denials, provisional, last_seen',
    select: `coalesce(project, '') as project, coalesce(agent_model, '') as agent_model, coalesce(agent_version, '') as agent_version,
      count(*) as evaluations, count(*) filter (where verdict = 'DENIED') as denials,
      count(*) filter (where verdict = 'PROVISIONALLY_ALLOWED') as provisional, max(ts) as last_seen`,
    from: 'audit_log',
    filter: REPORT_KINDS_SQL,
    keys: 3,
  },
  cvePackage: {
    table: 'audit_rollup_cve_package',
    total: 'audit_total_cve_package',
    columns: 'project, ecosystem, package, denials, provisional, max_cvss_denied, max_cvss_any, critical, high, medium, low, unknown, last_ts',
    select: `coalesce(project, '') as project, coalesce(ecosystem, '') as ecosystem, coalesce(normalized_name, package, '') as package,
      count(*) filter (where denial_category = 'cve') as denials, count(*) filter (where denial_category <> 'cve') as provisional,
      max(max_cvss) filter (where denial_category = 'cve') as max_cvss_denied, max(max_cvss) as max_cvss_any,
      count(*) filter (where denial_category = 'cve' and max_cvss >= 9) as critical,
      count(*) filter (where denial_category = 'cve' and max_cvss >= 7 and max_cvss < 9) as high,
      count(*) filter (where denial_category = 'cve' and max_cvss >= 4 and max_cvss < 7) as medium,
      count(*) filter (where denial_category = 'cve' and max_cvss > 0 and max_cvss < 4) as low,
      count(*) filter (where denial_category = 'cve' and (max_cvss is null or max_cvss <= 0)) as unknown,
      max(ts) as last_ts`,
    from: 'audit_log',
    filter: CVE_ACTIVITY_SQL,
    keys: 3,
  },
  cve: {
    table: 'audit_rollup_cve',
    total: 'audit_total_cve',
    columns: 'project, cve_id, ecosystem, package, denials, provisional, max_cvss_denied, max_cvss_any',
    select: `coalesce(project, '') as project, c.cve_id, coalesce(ecosystem, '') as ecosystem, coalesce(normalized_name, package, '') as package,
      count(*) filter (where denial_category = 'cve') as denials, count(*) filter (where denial_category <> 'cve') as provisional,
      max(max_cvss) filter (where denial_category = 'cve') as max_cvss_denied, max(max_cvss) as max_cvss_any`,
    from: 'audit_log cross join lateral unnest(cve_ids) as c(cve_id)',
    filter: CVE_ACTIVITY_SQL,
    keys: 4,
  },
} as const satisfies Record<string, RollupDef>;

/** The rollup's projection of the audit rows matching `where` (per UTC day when `perDay`). */
function projection(def: RollupDef, where: string, perDay = false): string {
  const keys = Array.from({ length: def.keys }, (_, i) => i + 1 + (perDay ? 1 : 0));
  if (perDay) keys.unshift(1);
  const select = perDay ? `(ts at time zone 'UTC')::date::text as day, ${def.select}` : def.select;
  return `select ${select} from ${def.from} where ${where} and ${def.filter} group by ${keys.join(', ')}`;
}

export type RollupName = keyof typeof ROLLUPS;

/** A package, as the CVE rollups key it (normalised name). */
export interface PackageKey {
  ecosystem: string;
  package: string;
}

/**
 * A subquery with the rollup's columns for the scope: the all-time table when the window is
 * unbounded; else the daily rows of whole days plus the projection of the audit log for
 * partial days. `packages` narrows the CVE rollups to those packages. Null when nothing can match.
 */
export function rollupSource(name: RollupName, scope: ReportScope, packages?: readonly PackageKey[]): { sql: string; params: unknown[] } | null {
  const r: RollupDef = ROLLUPS[name];
  if (packages && packages.length === 0) return null;
  const filters = (where: string[], params: unknown[], raw: boolean) => {
    if (scope.project !== null) {
      where.push('project = ?');
      params.push(scope.project);
    }
    if (packages) {
      const col = raw ? `(coalesce(ecosystem, ''), coalesce(normalized_name, package, ''))` : '(ecosystem, package)';
      where.push(`${col} in (${packages.map(() => '(?, ?)').join(', ')})`);
      for (const p of packages) params.push(p.ecosystem, p.package);
    }
  };
  const params: unknown[] = [];
  if (!scope.window.since && !scope.window.until) {
    const where = ['tenant_id = ?'];
    params.push(scope.tenantId);
    filters(where, params, false);
    return { sql: `select ${r.columns} from ${r.total} where ${where.join(' and ')}`, params };
  }
  const seg = windowSegments(scope.window);
  const parts: string[] = [];
  if (seg.days) {
    const where = ['tenant_id = ?'];
    params.push(scope.tenantId);
    if (seg.days.from) {
      where.push('day >= ?::date');
      params.push(seg.days.from);
    }
    if (seg.days.to) {
      where.push('day < ?::date');
      params.push(seg.days.to);
    }
    filters(where, params, false);
    parts.push(`select ${r.columns} from ${r.table} where ${where.join(' and ')}`);
  }
  for (const edge of seg.raw) {
    const where = ['tenant_id = ?', 'ts >= ?', 'ts < ?'];
    params.push(scope.tenantId, edge.from, edge.to);
    filters(where, params, true);
    parts.push(projection(r, where.join(' and ')));
  }
  if (parts.length === 0) return null;
  return { sql: parts.map((p) => `(${p})`).join(' union all '), params };
}

/**
 * A rollup's rows for a tenant recomputed from the audit log, and the table's rows in the same
 * shape (daily: with `day` as text): the two must be equal (consistency checks and tests).
 */
export function rollupConsistencyQueries(name: RollupName, tenantId: string, daily: boolean): { fromLog: string; fromTable: string; params: unknown[] } {
  const r: RollupDef = ROLLUPS[name];
  return {
    fromLog: projection(r, 'tenant_id = ?', daily),
    fromTable: daily ? `select day::text as day, ${r.columns} from ${r.table} where tenant_id = ?` : `select ${r.columns} from ${r.total} where tenant_id = ?`,
    params: [tenantId],
  };
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const orNull = (v: unknown): string | null => (v === '' || v === null || v === undefined ? null : String(v));

/** Verdict rollup grouped by (project, license, verdict, denial category). */
export async function verdictGroups(em: EntityManager, scope: ReportScope, categories?: readonly string[]): Promise<VerdictGroup[]> {
  const src = rollupSource('verdict', scope);
  if (!src) return [];
  const filter = categories ? `where denial_category in (${categories.map(() => '?').join(', ')})` : '';
  const rows = await em.execute<Row[]>(
    `select project, license, verdict, denial_category, sum(n) as n from (${src.sql}) s ${filter} group by 1, 2, 3, 4`,
    [...src.params, ...(categories ?? [])],
  );
  return rows.map((r) => ({
    project: orNull(r.project),
    license: orNull(r.license),
    verdict: orNull(r.verdict),
    denialCategory: String(r.denial_category),
    n: num(r.n),
  }));
}

/** Agent rollup grouped by (agent model, agent version). */
export async function agentGroups(em: EntityManager, scope: ReportScope): Promise<AgentGroup[]> {
  const src = rollupSource('agent', scope);
  if (!src) return [];
  const rows = await em.execute<Row[]>(
    `select agent_model, agent_version, sum(evaluations) as evaluations, sum(denials) as denials, sum(provisional) as provisional, max(last_seen) as last_seen
     from (${src.sql}) s group by 1, 2`,
    src.params,
  );
  return rows.map((r) => ({
    agentModel: orNull(r.agent_model),
    agentVersion: orNull(r.agent_version),
    evaluations: num(r.evaluations),
    denials: num(r.denials),
    provisional: num(r.provisional),
    lastSeen: date(r.last_seen),
  }));
}

/** Agent rollup grouped by project (rows without a project left out). */
export async function projectActivity(em: EntityManager, scope: ReportScope): Promise<{ project: string; evaluations: number; denials: number }[]> {
  const src = rollupSource('agent', scope);
  if (!src) return [];
  const rows = await em.execute<Row[]>(
    `select project, sum(evaluations) as evaluations, sum(denials) as denials from (${src.sql}) s where project <> '' group by 1`,
    src.params,
  );
  return rows.map((r) => ({ project: String(r.project), evaluations: num(r.evaluations), denials: num(r.denials) }));
}

/** CVE activity grouped by package (only `packages` when given). */
export async function cvePackageGroups(em: EntityManager, scope: ReportScope, packages?: readonly PackageKey[]): Promise<CvePackageGroup[]> {
  const src = rollupSource('cvePackage', scope, packages);
  if (!src) return [];
  const rows = await em.execute<Row[]>(
    `select ecosystem, package, sum(denials) as denials, sum(provisional) as provisional, max(max_cvss_denied) as max_cvss_denied,
       max(max_cvss_any) as max_cvss_any, sum(critical) as critical, sum(high) as high, sum(medium) as medium, sum(low) as low,
       sum(unknown) as unknown, max(last_ts) as last_ts
     from (${src.sql}) s group by 1, 2`,
    src.params,
  );
  return rows.map((r) => ({
    ecosystem: String(r.ecosystem),
    package: String(r.package),
    denials: num(r.denials),
    provisional: num(r.provisional),
    maxCvssDenied: numOrNull(r.max_cvss_denied),
    maxCvssAny: numOrNull(r.max_cvss_any),
    critical: num(r.critical),
    high: num(r.high),
    medium: num(r.medium),
    low: num(r.low),
    unknown: num(r.unknown),
    lastTs: date(r.last_ts),
  }));
}

/** CVE activity grouped by (advisory id, package). */
export async function cveGroups(em: EntityManager, scope: ReportScope, packages?: readonly PackageKey[]): Promise<CveGroup[]> {
  const src = rollupSource('cve', scope, packages);
  if (!src) return [];
  const rows = await em.execute<Row[]>(
    `select cve_id, ecosystem, package, sum(denials) as denials, sum(provisional) as provisional,
       max(max_cvss_denied) as max_cvss_denied, max(max_cvss_any) as max_cvss_any
     from (${src.sql}) s group by 1, 2, 3`,
    src.params,
  );
  return rows.map((r) => ({
    cveId: String(r.cve_id),
    ecosystem: String(r.ecosystem),
    package: String(r.package),
    denials: num(r.denials),
    provisional: num(r.provisional),
    maxCvssDenied: numOrNull(r.max_cvss_denied),
    maxCvssAny: numOrNull(r.max_cvss_any),
  }));
}

const ROW_COLUMNS = `id, seq, ts, kind, project, requester, ecosystem, package, normalized_name, version, verdict, denial_category, reason,
  license, cve_ids, max_cvss, registry_status, agent_model, agent_version`;

function toReportRow(r: Row): ReportRow {
  const cve = r.cve_ids;
  return {
    id: String(r.id),
    seq: Number(r.seq),
    ts: date(r.ts),
    kind: String(r.kind),
    project: (r.project as string | null) ?? null,
    requester: String(r.requester),
    ecosystem: (r.ecosystem as string | null) ?? null,
    package: (r.package as string | null) ?? null,
    normalizedName: (r.normalized_name as string | null) ?? null,
    version: (r.version as string | null) ?? null,
    verdict: (r.verdict as string | null) ?? null,
    denialCategory: String(r.denial_category ?? ''),
    reason: (r.reason as string | null) ?? null,
    license: (r.license as string | null) ?? null,
    cveIds: Array.isArray(cve) ? (cve as string[]) : [],
    maxCvss: numOrNull(r.max_cvss),
    registryStatus: (r.registry_status as string | null) ?? null,
    agentModel: (r.agent_model as string | null) ?? null,
    agentVersion: (r.agent_version as string | null) ?? null,
  };
}

function windowWhere(scope: ReportScope, where: string[], params: unknown[]): void {
  if (scope.window.since) {
    where.push('ts >= ?');
    params.push(scope.window.since);
  }
  if (scope.window.until) {
    where.push('ts < ?');
    params.push(scope.window.until);
  }
}

/** The newest report rows in scope that also meet `extra` (with its parameters), newest first. */
async function newestRows(em: EntityManager, scope: ReportScope, extra: string[], extraParams: unknown[], limit: number): Promise<ReportRow[]> {
  const where = ['tenant_id = ?', ...extra, REPORT_KINDS_SQL];
  const params: unknown[] = [scope.tenantId, ...extraParams];
  if (scope.project !== null) {
    where.push('project = ?');
    params.push(scope.project);
  }
  windowWhere(scope, where, params);
  const rows = await em.execute<Row[]>(
    `select ${ROW_COLUMNS.replace('cve_ids', 'array_to_json(cve_ids) as cve_ids')} from audit_log where ${where.join(' and ')}
     order by ts desc, seq desc limit ?`,
    [...params, limit],
  );
  return rows.map(toReportRow);
}

/** The newest rows of a denial category (`license`, `cve`), through the partial denial indexes. */
export function recentOfCategory(em: EntityManager, scope: ReportScope, category: string, limit: number): Promise<ReportRow[]> {
  return newestRows(em, scope, [`denial_category <> ''`, 'denial_category = ?'], [category], limit);
}

/** The newest report rows (evaluations and CVE alerts) of any verdict. */
export function recentRows(em: EntityManager, scope: ReportScope, limit: number): Promise<ReportRow[]> {
  return newestRows(em, scope, [], [], limit);
}

/**
 * The newest CVE_ALERT rows. Alerts are about the tenant's registry, which every project shares,
 * so a project-scoped report shows them too (lex-align filed them under a project nobody asks for).
 */
export async function recentCveAlerts(em: EntityManager, scope: ReportScope, limit: number): Promise<ReportRow[]> {
  const where = ['tenant_id = ?', `denial_category <> ''`, `denial_category = 'cve_alert'`, `kind = 'CVE_ALERT'`];
  const params: unknown[] = [scope.tenantId];
  if (scope.project !== null) {
    where.push('(project = ? or project is null)');
    params.push(scope.project);
  }
  windowWhere(scope, where, params);
  const rows = await em.execute<Row[]>(
    `select ${ROW_COLUMNS.replace('cve_ids', 'array_to_json(cve_ids) as cve_ids')} from audit_log where ${where.join(' and ')}
     order by ts desc, seq desc limit ?`,
    [...params, limit],
  );
  return rows.map(toReportRow);
}

/** Approval requests per project (for the projects report), created inside the window. */
export async function approvalRequestCounts(em: EntityManager, scope: ReportScope): Promise<{ project: string; n: number }[]> {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [scope.tenantId];
  if (scope.project !== null) {
    where.push('project = ?');
    params.push(scope.project);
  }
  if (scope.window.since) {
    where.push('created_at >= ?');
    params.push(scope.window.since);
  }
  if (scope.window.until) {
    where.push('created_at < ?');
    params.push(scope.window.until);
  }
  const rows = await em.execute<Row[]>(`select project, count(*) as n from approval_request where ${where.join(' and ')} group by 1`, params);
  return rows.map((r) => ({ project: String(r.project), n: num(r.n) }));
}
