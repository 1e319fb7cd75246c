/** lex-align compatible REST shims under /api/v1 (SPEC §4, §6, §7): thin, one service call each. */
import type { z } from 'zod';
import type { HealthReport } from '../modules/health/health.service';
import { approvalStatusSchema, requestApprovalSchema } from '../modules/approvals/approval.inputs';
import { approvalRequestToWire } from '../modules/approvals/approval.wire';
import { parseEvaluateInput } from '../modules/evaluation/evaluation.service';
import { evaluationToWire } from '../modules/evaluation/evaluation.wire';
import { UnprocessableError, ValidationError } from '../shared/errors';
import { json } from './http-errors';
import { lexAlignCaller } from './lexalign-caller';
import type { RestRequest, Route } from './router';

/** lex-align's health fields first, then ours (additive). */
export function healthToWire(h: HealthReport) {
  return {
    db: h.db,
    registry_loaded: h.registryLoaded,
    registry_version: h.registryVersion,
    auth_enabled: h.authEnabled,
    registry_package_count: h.registryPackageCount,
    registry_last_reload_at: h.registryLastReloadAt?.toISOString() ?? null,
    registry_last_reload_error: h.registryLastReloadError,
    database: h.databaseKind,
    version: h.version,
    started_at: h.startedAt.toISOString(),
    uptime_seconds: h.uptimeSeconds,
    cve_rescan: h.cveRescan
      ? {
          enabled: h.cveRescan.enabled,
          interval_hours: h.cveRescan.intervalHours,
          running: h.cveRescan.running,
          last_tick_at: h.cveRescan.lastTickAt?.toISOString() ?? null,
          packages_scanned: h.cveRescan.packagesScanned,
          alerts_written: h.cveRescan.alertsWritten,
        }
      : null,
  };
}

/** Parse a JSON body with a zod schema; problems become FastAPI-style 422s naming the field. */
export function parseBody<S extends z.ZodType>(request: RestRequest, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    const text = request.text();
    raw = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    throw new UnprocessableError('body is not valid JSON', 'body', 'body');
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue.path.map(String).join('.') || 'body';
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : `${field}: ${issue.message}`;
    throw new UnprocessableError(message, field, 'body');
  }
  return r.data;
}

export function queryParam(url: URL, name: string): string | null {
  const all = url.searchParams.getAll(name);
  if (all.length > 1) throw new UnprocessableError(`${name}: give it once`, name, 'query', all);
  return all[0] ?? null;
}

export const apiV1Routes: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/health',
    dialect: 'lexalign',
    handler: async ({ ctx }) => json(healthToWire(await ctx.services.health.report())),
  },
  {
    method: 'GET',
    path: '/api/v1/evaluate',
    dialect: 'lexalign',
    handler: async ({ ctx, url }) => {
      const caller = lexAlignCaller(ctx);
      const input = {
        package: queryParam(url, 'package'),
        version: queryParam(url, 'version'),
        ecosystem: queryParam(url, 'ecosystem'),
        purl: queryParam(url, 'purl'),
      };
      try {
        parseEvaluateInput(input);
      } catch (e) {
        if (e instanceof ValidationError) {
          const field = e.field ?? 'package';
          throw new UnprocessableError(e.message, field, 'query', input[field as keyof typeof input] ?? null);
        }
        throw e;
      }
      const result = await ctx.services.evaluation.evaluate(caller, input);
      return json(evaluationToWire(result, input.package ?? result.package));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/approval-requests',
    dialect: 'lexalign',
    handler: async ({ ctx, request }) => {
      const caller = lexAlignCaller(ctx);
      const body = parseBody(request, requestApprovalSchema);
      const res = await ctx.services.approvals.requestForCaller(caller, { ...body, version: body.version ?? null, source: 'agent' });
      const r = res.request;
      return json(
        {
          request_id: r.id,
          status: r.status,
          package: body.package,
          project: r.project,
          agent_model: r.agentModel,
          agent_version: r.agentVersion,
          proposal: { backend: 'review_queue', status: r.status === 'PENDING_REVIEW' ? 'queued' : 'decided' },
          // --- additive ---
          ecosystem: r.ecosystem,
          normalized_name: r.normalizedName,
          request_count: r.requestCount,
          created: res.created,
          decision_reason: r.decisionReason,
        },
        202,
      );
    },
  },
  {
    method: 'GET',
    path: '/api/v1/reports/approval-requests',
    dialect: 'lexalign',
    handler: async ({ ctx, url }) => {
      const project = queryParam(url, 'project')?.trim() || null;
      const statusRaw = queryParam(url, 'status')?.trim() || null;
      let status: z.infer<typeof approvalStatusSchema> | null = null;
      if (statusRaw) {
        const s = approvalStatusSchema.safeParse(statusRaw.toUpperCase());
        if (!s.success) throw new UnprocessableError(`status: must be one of PENDING_REVIEW, APPROVED, REJECTED`, 'status', 'query', statusRaw);
        status = s.data;
      }
      const items = await ctx.services.approvals.list(ctx.em(), ctx.tenant.id, { project, status });
      return json({ project, status, items: items.map(approvalRequestToWire) });
    },
  },
];

/** Probes for orchestrators: liveness never touches the database; readiness does. */
export const probeRoutes: Route[] = [
  { method: 'GET', path: '/healthz', dialect: 'lexalign', handler: () => json({ status: 'ok' }) },
  {
    method: 'GET',
    path: '/readyz',
    dialect: 'lexalign',
    handler: async ({ ctx }) => {
      const ready = await ctx.services.health.ready();
      return json({ status: ready ? 'ready' : 'not_ready', db: ready ? 'ok' : 'down' }, ready ? 200 : 503);
    },
  },
];
