import { builder } from '../../graphql/builder';
import { hasRole } from '../auth/actor';
import { DomainError } from '../../shared/errors';
import type { RescanAlert, RescanFailure, RescanStatusReport, RescanTickResult } from './rescan.service';

const RescanAlertType = builder.objectRef<RescanAlert>('RescanAlert').implement({
  description: 'A CVE_ALERT row written by a re-scan tick.',
  fields: (t) => ({
    auditId: t.exposeID('auditId', { description: 'The audit row.' }),
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { description: 'Package name as the registry writes it.' }),
    version: t.exposeString('version', { description: 'The newest version its rule allows (the one scanned).' }),
    cveIds: t.exposeStringList('cveIds', { description: 'Advisory ids at or over the threshold.' }),
    newIds: t.exposeStringList('newIds', { description: 'Those the previous alert did not carry.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS among them.' }),
    registryStatus: t.exposeString('registryStatus', { description: 'Current registry status (unchanged by the scan).' }),
  }),
});

const RescanFailureType = builder.objectRef<RescanFailure>('RescanFailure').implement({
  description: 'A package a tick could not check.',
  fields: (t) => ({
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { description: 'Package.' }),
    reason: t.exposeString('reason', { description: 'Why (upstream outage, not configured, not published).' }),
  }),
});

const RescanTickType = builder.objectRef<RescanTickResult>('RescanTick').implement({
  description: 'The outcome of one CVE re-scan tick.',
  fields: (t) => ({
    ran: t.exposeBoolean('ran', { description: 'False when it was skipped (another tick holds the lock).' }),
    skippedReason: t.exposeString('skippedReason', { nullable: true, description: 'Why it was skipped.' }),
    trigger: t.exposeString('trigger', { description: '`schedule` or `manual`.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'Start.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', description: 'End.' }),
    packagesScanned: t.exposeInt('packagesScanned', { description: 'Registry packages checked against OSV.' }),
    alertsWritten: t.exposeInt('alertsWritten', { description: 'CVE_ALERT rows written.' }),
    alerts: t.field({ type: [RescanAlertType], description: 'The alerts written.', resolve: (r) => r.alerts }),
    failures: t.field({ type: [RescanFailureType], description: 'Packages that could not be checked.', resolve: (r) => r.failures }),
  }),
});

const RescanStatusType = builder.objectRef<RescanStatusReport>('RescanStatus').implement({
  description: 'The background CVE re-scan: settings and the last tick (from whichever replica ran it).',
  fields: (t) => ({
    enabled: t.exposeBoolean('enabled', { description: 'LEXALIGN_CVE_SCAN_INTERVAL_HOURS > 0.' }),
    intervalHours: t.exposeFloat('intervalHours', { description: 'Hours between ticks.' }),
    running: t.exposeBoolean('running', { description: 'A tick is running in this process.' }),
    lastTickAt: t.expose('lastTickAt', { type: 'DateTime', nullable: true, description: 'Start of the last tick.' }),
    lastFinishedAt: t.expose('lastFinishedAt', { type: 'DateTime', nullable: true, description: 'End of the last tick.' }),
    packagesScanned: t.exposeInt('packagesScanned', { nullable: true, description: 'Packages the last tick checked.' }),
    alertsWritten: t.exposeInt('alertsWritten', { nullable: true, description: 'Alerts the last tick wrote.' }),
    failures: t.exposeInt('failures', { nullable: true, description: 'Packages the last tick could not check.' }),
    lastTrigger: t.exposeString('lastTrigger', { nullable: true, description: '`schedule` or `manual`.' }),
  }),
});

builder.queryField('rescanStatus', (t) =>
  t.field({
    type: RescanStatusType,
    description: 'The background CVE re-scan\'s state.',
    resolve: (_root, _args, ctx) => ctx.services.rescan.status(ctx.tenant.id),
  }),
);

builder.mutationField('runRescan', (t) =>
  t.field({
    type: RescanTickType,
    description: 'Run a CVE re-scan tick now (admin). Alert-only: never changes the registry.',
    errors: {
      types: [DomainError],
      union: { description: 'The tick, or why it was refused.' },
      result: { description: 'The tick.' },
      dataField: { description: 'The tick.' },
    },
    resolve: (_root, _args, ctx) => {
      if (!hasRole(ctx.actor, 'admin')) throw new DomainError('forbidden', 'runRescan needs the admin role');
      return ctx.services.rescan.tick('manual', ctx.tenant.id);
    },
  }),
);
