/**
 * CVE re-scan (SPEC §7): re-query OSV for every registry package that some
 * version is allowed for, at the newest version its rule allows, through the
 * shared upstream cache (a tick warms the cache the evaluate path reads), and
 * write one CVE_ALERT audit row per package whose advisories over the
 * threshold include one not alerted before.
 *
 * Invariants:
 * - alert-only: the registry is never changed;
 * - one tick at a time: in this process (a flag) and across replicas (the
 *   advisory lock of rescan-lock.ts); a tick that cannot have the lock skips;
 * - the audit log is the dedupe state: the last CVE_ALERT of a package says
 *   which advisories were alerted;
 * - no transaction is held across upstream calls (the embedded database has
 *   one connection); each alert row commits on its own;
 * - alerts are about the tenant's registry, which every project shares: they
 *   carry no project and every project-scoped report shows them.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { AuditService } from '../audit/audit.service';
import type { VulnerabilityFact } from '../packages/facts';
import { cvssSeverity } from '../evaluation/policy/gates';
import { normalizeName } from '../packages/names';
import { schemeFor } from '../packages/versions';
import type { RegistryRule } from '../registry/registry-document';
import type { RegistryService } from '../registry/registry.service';
import { DEFAULT_TENANT_ID } from '../tenants/tenant.entity';
import type { Upstreams } from '../upstream/upstream.types';
import { unavailableReason } from '../upstream/upstreams';
import { alertReason, decideAlert, scannable, versionToScan } from './rescan-policy';
import { withRescanLock } from './rescan-lock';

export type RescanTrigger = 'schedule' | 'manual';

export interface RescanAlert {
  auditId: string;
  ecosystem: string;
  package: string;
  version: string;
  cveIds: string[];
  newIds: string[];
  maxCvss: number | null;
  registryStatus: string;
}

export interface RescanFailure {
  ecosystem: string;
  package: string;
  reason: string;
}

export interface RescanTickResult {
  /** False when the tick did not run (another tick holds the lock, or no registry is loaded). */
  ran: boolean;
  skippedReason: string | null;
  trigger: RescanTrigger;
  startedAt: Date;
  finishedAt: Date;
  packagesScanned: number;
  alertsWritten: number;
  alerts: RescanAlert[];
  failures: RescanFailure[];
}

/** The last tick of a tenant (from any replica) and this process's scheduler settings. */
export interface RescanStatusReport {
  enabled: boolean;
  intervalHours: number;
  running: boolean;
  lastTickAt: Date | null;
  lastFinishedAt: Date | null;
  packagesScanned: number | null;
  alertsWritten: number | null;
  failures: number | null;
  lastTrigger: string | null;
}

type Row = Record<string, unknown>;

export class RescanService {
  private running: Promise<RescanTickResult> | null = null;
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly registry: RegistryService,
    private readonly upstreams: Upstreams,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly intervalHours: number,
  ) {}

  /** A tick is running in this process. */
  isRunning(): boolean {
    return this.running !== null;
  }

  /** Ask a running tick to stop after the package it is on (shutdown). */
  requestStop(): void {
    this.stopping = true;
  }

  /** Settle when no tick runs in this process. */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /** Run one tick now (the scheduler's job and the `runRescan` mutation). */
  async tick(trigger: RescanTrigger, tenantId: string = DEFAULT_TENANT_ID): Promise<RescanTickResult> {
    const startedAt = this.clock.now();
    const skipped = (reason: string): RescanTickResult => ({
      ran: false,
      skippedReason: reason,
      trigger,
      startedAt,
      finishedAt: this.clock.now(),
      packagesScanned: 0,
      alertsWritten: 0,
      alerts: [],
      failures: [],
    });
    if (this.running) return skipped('a re-scan tick is already running in this process');
    const run = (async () => {
      const locked = await withRescanLock(this.db, () => this.scan(trigger, tenantId, startedAt));
      return locked.locked ? locked.value : skipped('another replica holds the re-scan lock');
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      this.running = null;
    }
  }

  private async scan(trigger: RescanTrigger, tenantId: string, startedAt: Date): Promise<RescanTickResult> {
    const registry = this.registry.current(tenantId);
    const result: RescanTickResult = {
      ran: true,
      skippedReason: null,
      trigger,
      startedAt,
      finishedAt: startedAt,
      packagesScanned: 0,
      alertsWritten: 0,
      alerts: [],
      failures: [],
    };
    if (registry) {
      const threshold = registry.globalPolicies.cveThreshold;
      const lastAlerted = await this.lastAlertedSets(tenantId);
      for (const rule of registry.rules().filter(scannable)) {
        if (this.stopping) break;
        const outcome = await this.scanOne(rule);
        if ('failure' in outcome) {
          result.failures.push({ ecosystem: rule.ecosystem, package: rule.name, reason: outcome.failure });
          continue;
        }
        if (!('fact' in outcome)) continue;
        result.packagesScanned += 1;
        const key = `${rule.ecosystem}\u0000${normalizeName(rule.ecosystem, rule.name)}`;
        const decision = decideAlert(outcome.fact, threshold, lastAlerted.get(key) ?? null);
        if (!decision.alert) continue;
        const row = await this.db.em().transactional((em) =>
          this.audit.append(em as EntityManager, {
            tenantId,
            kind: 'CVE_ALERT',
            action: 'dependency.cve_alert',
            requester: 'cve-scanner',
            project: null,
            ecosystem: rule.ecosystem,
            package: rule.name,
            normalizedName: normalizeName(rule.ecosystem, rule.name),
            version: outcome.version,
            resolvedVersion: outcome.version,
            verdict: 'CVE_ALERT',
            denialCategory: 'cve_alert',
            reason: alertReason(rule.name, outcome.version, decision, threshold),
            cveIds: decision.overThreshold,
            maxCvss: decision.maxCvss,
            registryStatus: rule.status,
            triggeredPolicy: 'vulnerability.cvss_threshold',
            severity: cvssSeverity(decision.maxCvss),
            details: {
              trigger,
              registryVersion: registry.version,
              rule: { key: rule.key, status: rule.status },
              threshold,
              newIds: decision.newIds,
              advisories: decision.advisories.map((a) => ({ id: a.id, ids: a.ids, score: a.score, source: a.scoreSource, vector: a.vector, label: a.label })),
            },
          }),
        );
        lastAlerted.set(key, decision.overThreshold);
        result.alertsWritten += 1;
        result.alerts.push({
          auditId: row.id,
          ecosystem: rule.ecosystem,
          package: rule.name,
          version: outcome.version,
          cveIds: decision.overThreshold,
          newIds: decision.newIds,
          maxCvss: decision.maxCvss,
          registryStatus: rule.status,
        });
      }
    }
    result.finishedAt = this.clock.now();
    await this.recordTick(tenantId, result);
    this.logger.info('cve re-scan tick', {
      trigger,
      packagesScanned: result.packagesScanned,
      alertsWritten: result.alertsWritten,
      failures: result.failures.length,
    });
    return result;
  }

  /** OSV's facts about the newest version the rule allows. */
  private async scanOne(rule: RegistryRule): Promise<{ failure: string } | { version: null } | { version: string; fact: VulnerabilityFact }> {
    const meta = this.upstreams.metadata[rule.ecosystem];
    if (!meta) return { failure: unavailableReason(rule.ecosystem) };
    const osv = this.upstreams.vulnerabilities;
    if (!osv) return { failure: unavailableReason('osv') };
    const m = await meta.metadata(rule.name, null);
    if (!m.ok) return { failure: m.reason };
    if (!m.value.exists) return { failure: `${rule.name} is not published` };
    const version = versionToScan(rule, m.value.latestVersion, m.value.versions ?? [], schemeFor(rule.ecosystem));
    if (version === null) return { version: null };
    const v = await osv.vulnerabilities(rule.ecosystem, rule.name, version);
    if (!v.ok) return { failure: v.reason };
    return { version, fact: v.value };
  }

  /** The advisory ids of each package's last CVE_ALERT. */
  private async lastAlertedSets(tenantId: string): Promise<Map<string, string[]>> {
    const rows = await this.db.em().execute<Row[]>(
      `select distinct on (ecosystem, normalized_name) ecosystem, normalized_name, array_to_json(cve_ids) as cve_ids
       from audit_log where tenant_id = ? and kind = 'CVE_ALERT'
       order by ecosystem, normalized_name, seq desc`,
      [tenantId],
    );
    const m = new Map<string, string[]>();
    for (const r of rows) {
      const ids = typeof r.cve_ids === 'string' ? (JSON.parse(r.cve_ids) as string[]) : ((r.cve_ids as string[] | null) ?? []);
      m.set(`${r.ecosystem}\u0000${r.normalized_name}`, ids);
    }
    return m;
  }

  private async recordTick(tenantId: string, r: RescanTickResult): Promise<void> {
    await this.db.em().execute(
      `insert into rescan_status (tenant_id, last_tick_at, finished_at, packages_scanned, alerts_written, failures, trigger)
       values (?, ?, ?, ?, ?, ?, ?)
       on conflict (tenant_id) do update set last_tick_at = excluded.last_tick_at, finished_at = excluded.finished_at,
         packages_scanned = excluded.packages_scanned, alerts_written = excluded.alerts_written,
         failures = excluded.failures, trigger = excluded.trigger`,
      [tenantId, r.startedAt, r.finishedAt, r.packagesScanned, r.alertsWritten, r.failures.length, r.trigger],
      'run',
    );
  }

  /** The last tick (from whichever replica ran it) and this process's settings. */
  async status(tenantId: string = DEFAULT_TENANT_ID): Promise<RescanStatusReport> {
    const rows = await this.db.em().execute<Row[]>(
      `select last_tick_at, finished_at, packages_scanned, alerts_written, failures, trigger from rescan_status where tenant_id = ?`,
      [tenantId],
    );
    const r = rows[0];
    const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));
    return {
      enabled: this.intervalHours > 0,
      intervalHours: this.intervalHours,
      running: this.isRunning(),
      lastTickAt: r ? date(r.last_tick_at) : null,
      lastFinishedAt: r ? date(r.finished_at) : null,
      packagesScanned: r ? Number(r.packages_scanned) : null,
      alertsWritten: r ? Number(r.alerts_written) : null,
      failures: r ? Number(r.failures) : null,
      lastTrigger: r ? String(r.trigger) : null,
    };
  }
}
