/**
 * The service container: built once per process from config and the database,
 * shared by both transports (REST and GraphQL call the same functions).
 */
import type { Config } from './config';
import type { Database } from './db/orm';
import { AuditWriter } from './modules/audit/audit-writer';
import { ApprovalFiling } from './modules/approvals/approval-filing';
import { ApprovalService } from './modules/approvals/approval.service';
import { AuditService } from './modules/audit/audit.service';
import { EvaluationService } from './modules/evaluation/evaluation.service';
import { GovernanceDashboardService } from './modules/governance/governance-dashboard.service';
import { GovernanceService } from './modules/governance/governance.service';
import { HealthService } from './modules/health/health.service';
import type { AtomicWriteHooks } from './modules/registry/proposers/atomic-write';
import { createProposer } from './modules/registry/proposers/select-proposer';
import { RegistryLifecycleService } from './modules/registry/registry-lifecycle.service';
import { RegistryService } from './modules/registry/registry.service';
import { LEXGATE_VERSION } from './shared/version';
import { createHttpClient } from './shared/http-client';
import { ReportsService } from './modules/reports/reports.service';
import { RescanScheduler } from './modules/rescan/rescan.scheduler';
import { RescanService } from './modules/rescan/rescan.service';
import { TenantService } from './modules/tenants/tenant.service';
import type { Upstreams } from './modules/upstream/upstream.types';
import { createUpstreams } from './modules/upstream/upstreams';
import { timersOf, type Clock, type Timers } from './shared/clock';
import type { Logger } from './shared/logger';

export interface Services {
  readonly config: Config;
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditService;
  readonly health: HealthService;
  readonly registry: RegistryService;
  readonly approvals: ApprovalService;
  readonly evaluation: EvaluationService;
  /** Reload, proposals, triage and decisions on requests. */
  readonly registryLifecycle: RegistryLifecycleService;
  readonly reports: ReportsService;
  readonly rescan: RescanService;
  readonly rescanScheduler: RescanScheduler;
  readonly tenants: TenantService;
  readonly governance: GovernanceService;
  readonly governanceDashboard: GovernanceDashboardService;
  /** Load what the services need before serving (the live registry), then start the registry watchers and the re-scan scheduler. */
  start(): Promise<void>;
  /** Stop background work (watchers, polls, LISTEN; waits for a running re-scan tick); call before closing the database. */
  stop(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Upstream clients; built from config when not given (tests pass their own). */
  upstreams?: Upstreams;
  /** Hooks into the proposers' atomic file writes (tests inject crashes). */
  registryWriteHooks?: AtomicWriteHooks;
  /** Timers for the scheduler; the clock's own when it has them (ManualClock), else real ones. */
  timers?: Timers;
}

export function createServices(deps: ServiceDeps): Services {
  const upstreams = deps.upstreams ?? createUpstreams({ config: deps.config, db: deps.db, clock: deps.clock, logger: deps.logger });
  const audit = new AuditService(deps.clock);
  const approvalFiling = new ApprovalFiling(audit, deps.clock);
  const approvals = new ApprovalService(deps.db, audit, approvalFiling, deps.clock);
  const auditWriter = new AuditWriter(deps.db, audit, approvalFiling);
  const registry = new RegistryService(deps.config, deps.db, audit, deps.clock, deps.logger);
  const rescan = new RescanService(deps.db, registry, upstreams, audit, deps.clock, deps.logger, deps.config.cveScanIntervalHours);
  const rescanScheduler = new RescanScheduler(deps.timers ?? timersOf(deps.clock), deps.config.cveScanIntervalHours, {
    run: () => rescan.tick('schedule'),
    requestStop: () => rescan.requestStop(),
    idle: () => rescan.idle(),
  }, deps.logger);
  const health = new HealthService(deps.db, deps.clock, registry, deps.config.auth.enabled, rescan);
  const evaluation = new EvaluationService(auditWriter, registry, upstreams);
  registry.onRevision((em, change) => approvals.settleByRegistry(em, change));
  // The proposers' own HTTP client (the GitHub API), through the one fetch wrapper.
  const proposerHttp = createHttpClient({ timeoutMs: deps.config.upstream.timeoutMs, concurrency: 4, logger: deps.logger, userAgent: `lexgate/${LEXGATE_VERSION}` });
  const proposer = createProposer({
    config: deps.config,
    filePath: registry.filePath,
    http: proposerHttp,
    logger: deps.logger,
    currentText: () => registry.currentYaml()?.yaml ?? null,
    hooks: deps.registryWriteHooks,
  });
  const registryLifecycle = new RegistryLifecycleService(registry, approvals, proposer, audit, deps.db, deps.clock, deps.logger, deps.config.registry.webhookSecret);
  const tenants = new TenantService(deps.db, audit, deps.clock);
  const governance = new GovernanceService(deps.db, audit, deps.clock, tenants);
  const governanceDashboard = new GovernanceDashboardService(tenants, deps.clock);
  return {
    config: deps.config,
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    audit,
    health,
    registry,
    approvals,
    evaluation,
    registryLifecycle,
    reports: new ReportsService(registry, deps.clock),
    rescan,
    rescanScheduler,
    tenants,
    governance,
    governanceDashboard,
    async start() {
      await registry.loadAtStart();
      await registry.startBackground();
      rescanScheduler.start();
    },
    async stop() {
      await rescanScheduler.stop();
      await registry.stop();
    },
  };
}
