import { builder } from '../../graphql/builder';
import type { HealthReport, RescanHealth } from './health.service';

const RescanHealthType = builder.objectRef<RescanHealth>('RescanHealth').implement({
  description: 'The background CVE re-scan as health reports it.',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled', { description: 'LEXALIGN_CVE_SCAN_INTERVAL_HOURS > 0.' }),
    intervalHours: t.exposeFloat('intervalHours', { description: 'Hours between ticks.' }),
    running: t.exposeBoolean('running', { description: 'A tick is running in this process.' }),
    lastTickAt: t.expose('lastTickAt', { type: 'DateTime', nullable: true, description: 'Start of the last tick (any replica).' }),
    packagesScanned: t.exposeInt('packagesScanned', { nullable: true, description: 'Packages the last tick checked.' }),
    alertsWritten: t.exposeInt('alertsWritten', { nullable: true, description: 'Alerts the last tick wrote.' }),
  }),
});

const Health = builder.objectRef<HealthReport>('Health').implement({
  description: 'The state of this gateway process and what it depends on.',
  fields: (t) => ({
    db: t.exposeString('db', { description: '`ok` when the database answered `SELECT 1`, else `down`.' }),
    registryLoaded: t.exposeBoolean('registryLoaded', { description: 'Whether a registry document is live.' }),
    registryVersion: t.exposeString('registryVersion', { nullable: true, description: 'The live registry document\'s `version`.' }),
    registryPackageCount: t.exposeInt('registryPackageCount', { description: 'Package rules in the live registry.' }),
    registryLastReloadAt: t.expose('registryLastReloadAt', { type: 'DateTime', nullable: true, description: 'When the registry was last (re)loaded.' }),
    registryLastReloadError: t.exposeString('registryLastReloadError', {
      nullable: true,
      description: 'Why the last reload failed (the previous registry stays live), or null.',
    }),
    authEnabled: t.exposeBoolean('authEnabled', { description: 'Org mode: every request needs credentials.' }),
    databaseKind: t.exposeString('databaseKind', { description: '`embedded` (PGlite in the data directory), `memory` (PGlite without files, tests and tools) or `postgres`.' }),
    version: t.exposeString('version', { description: 'The lexgate version.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When this process started.' }),
    uptimeSeconds: t.exposeInt('uptimeSeconds', { description: 'Seconds since start.' }),
    cveRescan: t.field({ type: RescanHealthType, nullable: true, description: 'The background CVE re-scan (null when the database is down).', resolve: (h) => h.cveRescan }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    type: Health,
    description: 'Health of this gateway: database, registry, auth mode.',
    resolve: (_root, _args, ctx) => ctx.services.health.report(),
  }),
);
