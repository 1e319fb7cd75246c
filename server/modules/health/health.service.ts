/**
 * Health: what an operator (and lex-align's clients) need to know about a
 * running gateway. `db` comes from a bounded `SELECT 1`; the registry fields
 * come from whoever owns the live registry.
 */
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import { LEXGATE_VERSION } from '../../shared/version';

/** What the registry owner reports; the registry module implements it. */
export interface RegistryStatus {
  loaded: boolean;
  version: string | null;
  packageCount: number;
  lastReloadAt: Date | null;
  lastReloadError: string | null;
}

export interface RegistryStatusProvider {
  status(): RegistryStatus;
}

export const NO_REGISTRY: RegistryStatusProvider = {
  status: () => ({ loaded: false, version: null, packageCount: 0, lastReloadAt: null, lastReloadError: null }),
};

/** The CVE re-scan's state, as its owner reports it. */
export interface RescanHealth {
  enabled: boolean;
  intervalHours: number;
  running: boolean;
  lastTickAt: Date | null;
  packagesScanned: number | null;
  alertsWritten: number | null;
}

export interface RescanStatusProvider {
  status(): Promise<RescanHealth>;
}

export interface HealthReport {
  db: 'ok' | 'down';
  registryLoaded: boolean;
  registryVersion: string | null;
  registryPackageCount: number;
  registryLastReloadAt: Date | null;
  registryLastReloadError: string | null;
  authEnabled: boolean;
  databaseKind: 'embedded' | 'memory' | 'postgres';
  version: string;
  startedAt: Date;
  uptimeSeconds: number;
  /** Null when no re-scan is wired (tools) or the database is down. */
  cveRescan: RescanHealth | null;
}

export class HealthService {
  private readonly startedAt: Date;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly registry: RegistryStatusProvider,
    private readonly authEnabled: boolean,
    private readonly rescan: RescanStatusProvider | null = null,
  ) {
    this.startedAt = clock.now();
  }

  async report(): Promise<HealthReport> {
    const dbOk = await this.db.ping();
    const reg = this.registry.status();
    const cveRescan = dbOk && this.rescan ? await this.rescan.status().catch(() => null) : null;
    const now = this.clock.now();
    return {
      db: dbOk ? 'ok' : 'down',
      registryLoaded: reg.loaded,
      registryVersion: reg.version,
      registryPackageCount: reg.packageCount,
      registryLastReloadAt: reg.lastReloadAt,
      registryLastReloadError: reg.lastReloadError,
      authEnabled: this.authEnabled,
      databaseKind: this.db.kind,
      version: LEXGATE_VERSION,
      startedAt: this.startedAt,
      uptimeSeconds: Math.max(0, Math.round((now.getTime() - this.startedAt.getTime()) / 1000)),
      cveRescan,
    };
  }

  /** Ready to serve traffic: the database answers. */
  async ready(): Promise<boolean> {
    return this.db.ping();
  }
}
