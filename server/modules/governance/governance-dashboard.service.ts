/**
 * The governance dashboard and per-agent violations (Novyx
 * `/v1/control/dashboard`, `/v1/control/agents/{id}/violations`): each one SQL
 * statement over the audit log (the dashboard over its hourly rollups), so both halves show — agent actions
 * (ACTION_EVALUATION / ACTION_DECISION rows) and dependency evaluations
 * (`dependency.add`, DEPENDENCY_EVALUATION rows, with their registry /
 * vulnerability / license policy names and severities).
 *
 * Semantics (documented in the README):
 * - The window is the N most recent whole buckets, the current one included
 *   (24h/hour: 24 hours; 7d/day: 7 days; 30d/day: 30 days; 24h/day: today), in
 *   UTC, so totals are exactly the sum of the time series.
 * - evaluations = evaluated actions; executed = allowed actions plus approvals
 *   (post-approval execution); approved / denied = human decisions;
 *   totals.pending_review = what is held in the approval queues now (agent
 *   actions awaiting a decision plus pending dependency approval requests, a
 *   gauge), while time_series[].pending_review counts evaluations that entered
 *   review in the bucket.
 * - Counts are read from hourly rollups of the audit log that a trigger keeps
 *   in the inserting transaction (migration ..._governance_rollups); buckets
 *   are whole UTC hours or days, so every bucket is a sum of whole hours.
 * - Violations: block / require_approval hits (warnings are not violations);
 *   by policy with a severity breakdown, by agent (rows without an agent id are
 *   left out of the per-agent list), sorted by count descending, then name.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import { requireFeature } from '../tenants/tiers';
import type { TenantService } from '../tenants/tenant.service';
import { AGENT_ID_RE } from './policy/action-policy';

export const DASHBOARD_WINDOWS = ['24h', '7d', '30d'] as const;
export type DashboardWindow = (typeof DASHBOARD_WINDOWS)[number];
export const DASHBOARD_BUCKETS = ['hour', 'day'] as const;
export type DashboardBucket = (typeof DASHBOARD_BUCKETS)[number];

export const INVALID_VIOLATIONS_PARAM = 'novyx_ram.v1.control.invalid_violations_param';
export const INVALID_DASHBOARD_PARAM = 'novyx_ram.v1.control.invalid_dashboard_param';

const HOUR = 3_600_000;
const WINDOW_MS: Record<DashboardWindow, number> = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };
const BUCKET_MS: Record<DashboardBucket, number> = { hour: HOUR, day: 24 * HOUR };

export interface DashboardCounts {
  executed: number;
  pendingReview: number;
  approved: number;
  denied: number;
}

export interface Dashboard {
  window: DashboardWindow;
  bucket: DashboardBucket;
  backend: 'postgres';
  windowStart: Date;
  windowEnd: Date;
  totals: DashboardCounts & { evaluations: number };
  violationsByPolicy: { policy: string; count: number; severityBreakdown: Record<string, number> }[];
  violationsByAgent: { agentId: string; count: number }[];
  timeSeries: (DashboardCounts & { bucket: Date })[];
}

export interface ViolationEntry {
  actionId: string;
  action: string;
  timestamp: Date;
  event: string;
  triggeredPolicy: string | null;
  severity: string | null;
  reason: string | null;
  riskScore: number | null;
  violationCount: number;
  auditId: string;
}

export interface AgentViolations {
  agentId: string;
  backend: 'postgres';
  violations: ViolationEntry[];
}

function paramError(code: string, field: string, message: string): DomainError {
  return new DomainError('validation_failed', message, field, { novyxCode: code });
}

/** Window and bucket, defaults applied (`7d`; hour for 24h, day otherwise). */
export function resolveWindow(windowRaw: string | null | undefined, bucketRaw: string | null | undefined): { window: DashboardWindow; bucket: DashboardBucket } {
  const w = windowRaw === null || windowRaw === undefined || windowRaw.trim() === '' ? '7d' : windowRaw.trim().toLowerCase();
  if (!(DASHBOARD_WINDOWS as readonly string[]).includes(w)) {
    throw paramError(INVALID_DASHBOARD_PARAM, 'window', `window must be one of 24h, 7d, 30d (got ${JSON.stringify(windowRaw)})`);
  }
  const window = w as DashboardWindow;
  const b = bucketRaw === null || bucketRaw === undefined || bucketRaw.trim() === '' || bucketRaw.trim().toLowerCase() === 'auto' ? null : bucketRaw.trim().toLowerCase();
  if (b !== null && !(DASHBOARD_BUCKETS as readonly string[]).includes(b)) {
    throw paramError(INVALID_DASHBOARD_PARAM, 'bucket', `bucket must be hour or day (got ${JSON.stringify(bucketRaw)})`);
  }
  return { window, bucket: (b as DashboardBucket | null) ?? (window === '24h' ? 'hour' : 'day') };
}

/** The buckets of a window ending with the bucket that holds `now`. */
export function windowBuckets(now: Date, window: DashboardWindow, bucket: DashboardBucket): { start: Date; end: Date; count: number; bucketMs: number } {
  const bucketMs = BUCKET_MS[bucket];
  const count = Math.ceil(WINDOW_MS[window] / bucketMs);
  const endMs = Math.floor(now.getTime() / bucketMs) * bucketMs + bucketMs;
  return { start: new Date(endMs - count * bucketMs), end: new Date(endMs), count, bucketMs };
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** A `since` / `until` value: full ISO 8601 with a zone, or a 400 naming the field. */
export function parseIsoParam(raw: string | null | undefined, field: 'since' | 'until'): Date | null {
  if (raw === null || raw === undefined) return null;
  const v = raw.trim();
  if (v === '') return null;
  const d = new Date(v);
  if (!ISO_RE.test(v) || Number.isNaN(d.getTime())) {
    throw paramError(INVALID_VIOLATIONS_PARAM, field, `${field} must be an ISO 8601 timestamp with a time zone, e.g. 2026-04-01T00:00:00Z (got ${JSON.stringify(raw)})`);
  }
  return d;
}

/** `limit` for the violations list: 1..1000, default 50, or a 400 naming `limit`. */
export function parseViolationsLimit(raw: string | number | null | undefined): number {
  if (raw === null || raw === undefined || raw === '') return 50;
  const n = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw paramError(INVALID_VIOLATIONS_PARAM, 'limit', `limit must be an integer from 1 to 1000 (got ${JSON.stringify(raw)})`);
  }
  return n;
}

const EVALS = `('ACTION_EVALUATION', 'DEPENDENCY_EVALUATION')`;
const DECISIONS = `('ACTION_DECISION', 'APPROVAL_DECISION')`;

/**
 * The whole dashboard in one statement; see the module header for the
 * semantics. Counts come from the hourly rollups of the audit log (kept by a
 * trigger on every audit insert), so the cost depends on the window's hours,
 * not on how many audit rows they hold; the queue gauge reads the two queues.
 */
export const DASHBOARD_SQL = `
with series as (
  select floor((date_part('epoch', hour) - ?) / ?)::int as b,
    sum(evaluations) as evaluations, sum(executed) as executed, sum(entered_review) as pending_review,
    sum(approved) as approved, sum(denied) as denied
  from governance_rollup_hour
  where tenant_id = ? and hour >= ? and hour < ?
  group by 1
),
viol as (
  select dimension, key, severity, sum(count)::bigint as n
  from governance_violation_rollup
  where tenant_id = ? and grain = ? and bucket >= ? and bucket < ?
  group by 1, 2, 3
)
select
  (select coalesce(json_agg(json_build_array(g, coalesce(s.evaluations, 0), coalesce(s.executed, 0), coalesce(s.pending_review, 0),
      coalesce(s.approved, 0), coalesce(s.denied, 0)) order by g), '[]'::json)
     from generate_series(0, ? - 1) g left join series s on s.b = g) as series,
  (select coalesce(json_agg(json_build_array(key, severity, n)), '[]'::json) from viol where dimension = 'policy') as by_policy,
  (select coalesce(json_agg(json_build_array(key, n)), '[]'::json) from viol where dimension = 'agent') as by_agent,
  (select count(*)::int from agent_action where tenant_id = ? and status = 'pending_review') as pending_actions,
  (select count(*)::int from approval_request where tenant_id = ? and status = 'PENDING_REVIEW') as pending_dependencies`;

const VIOLATIONS_SQL = (since: boolean, until: boolean) => `
select id, ts, kind, action, status, triggered_policy, severity, reason, risk_score,
  jsonb_array_length(violations) as violation_count, details ->> 'action_id' as action_id
from audit_log
where tenant_id = ? and agent_id = ? and violations <> '[]'::jsonb and kind in ${EVALS}
  ${since ? 'and ts >= ?' : ''} ${until ? 'and ts <= ?' : ''}
order by ts desc, seq desc
limit ?`;

type Row = Record<string, unknown>;
const jsonOf = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

const byCountThenName = <T extends { count: number }>(key: (t: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b));

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

export class GovernanceDashboardService {
  constructor(
    private readonly tenants: TenantService,
    private readonly clock: Clock,
  ) {}

  /** GET /v1/control/dashboard. Tier first (403), then parameters (400). */
  async dashboard(em: EntityManager, tenantId: string, params: { window?: string | null; bucket?: string | null }): Promise<Dashboard> {
    const tenant = await this.tenants.get(em, tenantId);
    requireFeature(tenant.tier, 'governance_dashboard');
    const { window, bucket } = resolveWindow(params.window, params.bucket);
    const { start, end, count, bucketMs } = windowBuckets(this.clock.now(), window, bucket);
    // Day-aligned windows read the day rows of the violation rollup; hour-aligned ones the hour rows.
    const grain = bucket === 'day' ? 'd' : 'h';
    const args = [start.getTime() / 1000, bucketMs / 1000, tenantId, start, end, tenantId, grain, start, end, count, tenantId, tenantId];
    const rows = await em.execute<Row[]>(DASHBOARD_SQL, args);
    const r = rows[0];
    const series = jsonOf<[number, number, number, number, number, number][]>(r.series);
    const timeSeries = series.map(([i, , executed, pendingReview, approved, denied]) => ({
      bucket: new Date(start.getTime() + i * bucketMs),
      executed: Number(executed),
      pendingReview: Number(pendingReview),
      approved: Number(approved),
      denied: Number(denied),
    }));
    const sum = (k: 1 | 2 | 4 | 5) => series.reduce((acc, s) => acc + Number(s[k]), 0);
    const policies = new Map<string, { policy: string; count: number; severityBreakdown: Record<string, number> }>();
    for (const [policy, severity, n] of jsonOf<[string | null, string, number][]>(r.by_policy)) {
      const name = policy ?? 'unknown';
      const p = policies.get(name) ?? { policy: name, count: 0, severityBreakdown: {} };
      p.count += Number(n);
      p.severityBreakdown[severity] = (p.severityBreakdown[severity] ?? 0) + Number(n);
      policies.set(name, p);
    }
    for (const p of policies.values()) {
      const ordered = Object.entries(p.severityBreakdown).sort(
        ([a], [b]) => (SEVERITY_ORDER.indexOf(a) + 1 || 99) - (SEVERITY_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
      );
      p.severityBreakdown = Object.fromEntries(ordered);
    }
    return {
      window,
      bucket,
      backend: 'postgres',
      windowStart: start,
      windowEnd: end,
      totals: {
        evaluations: sum(1),
        executed: sum(2),
        pendingReview: Number(r.pending_actions) + Number(r.pending_dependencies),
        approved: sum(4),
        denied: sum(5),
      },
      violationsByPolicy: [...policies.values()].sort(byCountThenName((p) => p.policy)),
      violationsByAgent: jsonOf<[string, number][]>(r.by_agent)
        .map(([agentId, n]) => ({ agentId, count: Number(n) }))
        .sort(byCountThenName((a) => a.agentId)),
      timeSeries,
    };
  }

  /** GET /v1/control/agents/{agent_id}/violations: newest first; `total` is what is returned. */
  async agentViolations(
    em: EntityManager,
    tenantId: string,
    agentIdRaw: string,
    params: { limit?: string | number | null; since?: string | null; until?: string | null },
  ): Promise<AgentViolations> {
    const tenant = await this.tenants.get(em, tenantId);
    requireFeature(tenant.tier, 'governance_dashboard');
    const agentId = agentIdRaw.trim();
    if (!AGENT_ID_RE.test(agentId)) {
      throw paramError(INVALID_VIOLATIONS_PARAM, 'agent_id', 'agent_id must be 1-200 characters of letters, digits and . _ : @ / -');
    }
    const limit = parseViolationsLimit(params.limit);
    const since = parseIsoParam(params.since, 'since');
    const until = parseIsoParam(params.until, 'until');
    if (since && until && since.getTime() > until.getTime()) {
      throw paramError(INVALID_VIOLATIONS_PARAM, 'since', 'since must not be after until');
    }
    const args: unknown[] = [tenantId, agentId];
    if (since) args.push(since);
    if (until) args.push(until);
    args.push(limit);
    const rows = await em.execute<Row[]>(VIOLATIONS_SQL(!!since, !!until), args);
    return {
      agentId,
      backend: 'postgres',
      violations: rows.map((r) => ({
        actionId: (r.action_id as string | null) ?? String(r.id),
        action: String(r.action),
        timestamp: r.ts instanceof Date ? r.ts : new Date(String(r.ts)),
        event: `action_${String(r.status ?? 'blocked')}`,
        triggeredPolicy: (r.triggered_policy as string | null) ?? null,
        severity: (r.severity as string | null) ?? null,
        reason: (r.reason as string | null) ?? null,
        riskScore: r.risk_score === null || r.risk_score === undefined ? null : Number(r.risk_score),
        violationCount: Number(r.violation_count),
        auditId: String(r.id),
      })),
    };
  }
}
