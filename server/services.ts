/**
 * The service container: built once per process from config and the database,
 * shared by both transports (REST and GraphQL call the same functions).
 */
import type { Config } from './config';
import type { Database } from './db/orm';
import { AuditService } from './modules/audit/audit.service';
import { HealthService, NO_REGISTRY, type RegistryStatusProvider } from './modules/health/health.service';
import type { Clock } from './shared/clock';
import type { Logger } from './shared/logger';

export interface Services {
  readonly config: Config;
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: AuditService;
  readonly health: HealthService;
}

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  registryStatus?: RegistryStatusProvider;
}

export function createServices(deps: ServiceDeps): Services {
  const audit = new AuditService(deps.clock);
  const health = new HealthService(deps.db, deps.clock, deps.registryStatus ?? NO_REGISTRY, deps.config.auth.enabled);
  return { config: deps.config, db: deps.db, clock: deps.clock, logger: deps.logger, audit, health };
}
