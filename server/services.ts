/**
 * The service container: built once per process from config and the database,
 * shared by both transports (REST and GraphQL call the same functions).
 */
import type { Config } from './config';
import type { Database } from './db/orm';
import { TransactionBatcher } from './db/transaction-batcher';
import { ApprovalService } from './modules/approvals/approval.service';
import { AuditService } from './modules/audit/audit.service';
import { EvaluationService } from './modules/evaluation/evaluation.service';
import { HealthService } from './modules/health/health.service';
import { RegistryService } from './modules/registry/registry.service';
import { ReportsService } from './modules/reports/reports.service';
import { RescanScheduler } from './modules/rescan/rescan.scheduler';
import { RescanService } from './modules/rescan/rescan.service';
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
  readonly reports: ReportsService;
  readonly rescan: RescanService;
  readonly rescanScheduler: RescanScheduler;
  /** Load what the services need before serving (the live registry), then start the background scheduler. */
  start(): Promise<void>;
  /** Stop background work (waits for a running re-scan tick); call before closing the database. */
  stop(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Upstream clients; built from config when not given (tests pass their own). */
  upstreams?: Upstreams;
  /** Timers for the scheduler; the clock's own when it has them (ManualClock), else real ones. */
  timers?: Timers;
}

export function createServices(deps: ServiceDeps): Services {
  const upstreams = deps.upstreams ?? createUpstreams({ config: deps.config, db: deps.db, clock: deps.clock, logger: deps.logger });
  const audit = new AuditService(deps.clock);
  const batcher = new TransactionBatcher(deps.db, audit);
  const registry = new RegistryService(deps.config, deps.db, audit, deps.clock, deps.logger);
  const rescan = new RescanService(deps.db, registry, upstreams, audit, deps.clock, deps.logger, deps.config.cveScanIntervalHours);
  const rescanScheduler = new RescanScheduler(deps.timers ?? timersOf(deps.clock), deps.config.cveScanIntervalHours, {
    run: () => rescan.tick('schedule'),
    requestStop: () => rescan.requestStop(),
    idle: () => rescan.idle(),
  }, deps.logger);
  const health = new HealthService(deps.db, deps.clock, registry, deps.config.auth.enabled, rescan);
  const approvals = new ApprovalService(deps.db, audit, deps.clock);
  const evaluation = new EvaluationService(batcher, registry, upstreams, audit, approvals);
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
    reports: new ReportsService(registry, deps.clock),
    rescan,
    rescanScheduler,
    async start() {
      await registry.loadAtStart();
      rescanScheduler.start();
    },
    async stop() {
      await rescanScheduler.stop();
    },
  };
}
