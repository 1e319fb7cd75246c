/** lex-align compatible REST shims under /api/v1 (SPEC §4, §6, §7). */
import type { HealthReport } from '../modules/health/health.service';
import { json } from './http-errors';
import type { Route } from './router';

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
  };
}

export const apiV1Routes: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/health',
    dialect: 'lexalign',
    handler: async ({ ctx }) => json(healthToWire(await ctx.services.health.report())),
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
