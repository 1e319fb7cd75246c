/**
 * Registry service: owns the live registry of each tenant (read path).
 *
 * Invariants:
 * - YAML on disk is the source of truth; a document that fails validation
 *   never replaces the live registry (the failure is kept for health).
 * - Every accepted document is stored as a registry revision (deduplicated by
 *   content hash) together with a REGISTRY_CHANGE audit row, in one transaction.
 * - Without REGISTRY_PATH a starter registry is written into the data
 *   directory on first start and used, so a fresh install enforces a policy.
 * - The live registry is an immutable object swapped by reference.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import { DomainError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { AuditService } from '../audit/audit.service';
import type { RegistryStatus, RegistryStatusProvider } from '../health/health.service';
import { DEFAULT_TENANT_ID } from '../tenants/tenant.entity';
import { Registry } from './registry';
import { formatIssues, parseRegistryYaml, type RegistryDocument } from './registry-document';
import type { RegistryRevisionSource } from './registry-revision.entity';
import { STARTER_REGISTRY_YAML } from './starter-registry';

export interface AcceptedRevision {
  revision: number;
  version: string;
  sha256: string;
  created: boolean;
}

export interface RegistryRevisionRecord {
  id: string;
  revision: number;
  version: string;
  yaml: string;
  sha256: string;
  source: RegistryRevisionSource;
  author: string;
  packageCount: number;
  createdAt: Date;
}

/** Thrown when a registry document is refused; `message` names the path and line of each problem. */
export class RegistryInvalidError extends DomainError {
  constructor(message: string) {
    super('validation_failed', message, 'registry');
    this.name = 'RegistryInvalidError';
  }
}

interface TenantState {
  registry: Registry;
  loadedAt: Date;
  sourcePath: string | null;
}

export class RegistryService implements RegistryStatusProvider {
  private readonly live = new Map<string, TenantState>();
  private lastError: string | null = null;
  /** The file the registry is read from (REGISTRY_PATH, or the starter file in the data directory). */
  readonly filePath: string;

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.filePath = config.registry.path ?? path.join(config.dataDir, 'registry.yml');
  }

  /** The live registry of a tenant, or null before one is loaded. */
  current(tenantId: string = DEFAULT_TENANT_ID): Registry | null {
    return this.live.get(tenantId)?.registry ?? null;
  }

  status(): RegistryStatus {
    const s = this.live.get(DEFAULT_TENANT_ID);
    return {
      loaded: !!s,
      version: s?.registry.version ?? null,
      packageCount: s?.registry.packageCount ?? 0,
      lastReloadAt: s?.loadedAt ?? null,
      lastReloadError: this.lastError,
    };
  }

  /**
   * Load the registry at start: the file (writing the starter registry first
   * when REGISTRY_PATH is unset and none exists). When the file is invalid the
   * newest stored revision stays live; with none stored, start fails with the
   * validation errors.
   */
  async loadAtStart(): Promise<void> {
    if (!this.config.registry.path && !fs.existsSync(this.filePath)) {
      fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
      fs.writeFileSync(this.filePath, STARTER_REGISTRY_YAML, { flag: 'wx' });
      this.logger.info('wrote the starter registry', { path: this.filePath });
    }
    const source: RegistryRevisionSource = this.config.registry.path ? 'file' : 'starter';
    try {
      await this.loadFile(source, 'lexgate');
    } catch (e) {
      const stored = await this.latestRevision(DEFAULT_TENANT_ID);
      if (!stored) throw e;
      const parsed = parseRegistryYaml(stored.yaml);
      if (!parsed.ok) throw e;
      this.swap(DEFAULT_TENANT_ID, Registry.fromDocument(parsed.document), null);
      this.logger.warn('registry file refused; serving the last stored revision', {
        revision: stored.revision,
        error: (e as Error).message,
      });
    }
  }

  /**
   * Read, validate and (when valid) make live the registry file. An invalid or
   * unreadable file leaves the live registry in place and is reported in health.
   */
  async loadFile(source: RegistryRevisionSource, author: string): Promise<{ registry: Registry; accepted: AcceptedRevision }> {
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (e) {
      const msg = `Cannot read the registry file ${this.filePath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
      this.lastError = msg;
      throw new RegistryInvalidError(msg);
    }
    return this.accept(DEFAULT_TENANT_ID, text, source, author);
  }

  /**
   * Validate a document and make it the tenant's live registry, storing it as
   * a revision (with an audit row) when its content is new.
   */
  async accept(tenantId: string, yamlText: string, source: RegistryRevisionSource, author: string): Promise<{ registry: Registry; accepted: AcceptedRevision }> {
    const parsed = parseRegistryYaml(yamlText);
    if (!parsed.ok) {
      const msg = `Registry ${this.filePath} is invalid; keeping the previous registry:\n${formatIssues(parsed.issues)}`;
      this.lastError = msg;
      throw new RegistryInvalidError(msg);
    }
    const registry = Registry.fromDocument(parsed.document);
    const accepted = await this.storeRevision(tenantId, yamlText, parsed.document, source, author);
    this.swap(tenantId, registry, null);
    return { registry, accepted };
  }

  private swap(tenantId: string, registry: Registry, sourcePath: string | null): void {
    this.live.set(tenantId, { registry, loadedAt: this.clock.now(), sourcePath: sourcePath ?? this.filePath });
    this.lastError = null;
  }

  private async storeRevision(
    tenantId: string,
    yamlText: string,
    doc: RegistryDocument,
    source: RegistryRevisionSource,
    author: string,
  ): Promise<AcceptedRevision> {
    const sha256 = createHash('sha256').update(yamlText).digest('hex');
    return this.db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      // Serialise revision numbering per tenant on the tenant row.
      await em.execute(`select id from tenant where id = ? for update`, [tenantId]);
      const last = await em.execute<{ revision: number; sha256: string }[]>(
        `select revision, sha256 from registry_revision where tenant_id = ? order by revision desc limit 1`,
        [tenantId],
      );
      if (last.length > 0 && last[0].sha256 === sha256) {
        return { revision: Number(last[0].revision), version: doc.version, sha256, created: false };
      }
      const revision = (last.length > 0 ? Number(last[0].revision) : 0) + 1;
      const now = this.clock.now();
      await em.execute(
        `insert into registry_revision (id, tenant_id, revision, version, yaml, sha256, source, author, package_count, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [randomUUID(), tenantId, revision, doc.version, yamlText, sha256, source, author, doc.packages.length, now],
        'run',
      );
      await this.audit.append(em, {
        tenantId,
        kind: 'REGISTRY_CHANGE',
        action: 'registry.revision',
        requester: author,
        reason: `Registry version ${doc.version} accepted from ${source} (revision ${revision}, ${doc.packages.length} package rules).`,
        details: { revision, version: doc.version, sha256, source, packageCount: doc.packages.length },
      });
      return { revision, version: doc.version, sha256, created: true };
    });
  }

  /** The newest stored revision of a tenant, or null. */
  async latestRevision(tenantId: string): Promise<RegistryRevisionRecord | null> {
    const rows = await this.listRevisions(tenantId, 1);
    return rows[0] ?? null;
  }

  /** Stored revisions, newest first. */
  async listRevisions(tenantId: string, limit = 50): Promise<RegistryRevisionRecord[]> {
    const rows = await this.db
      .em()
      .execute<Record<string, unknown>[]>(
        `select id, revision, version, yaml, sha256, source, author, package_count, created_at
         from registry_revision where tenant_id = ? order by revision desc limit ?`,
        [tenantId, limit],
      );
    return rows.map((r) => ({
      id: String(r.id),
      revision: Number(r.revision),
      version: String(r.version),
      yaml: String(r.yaml),
      sha256: String(r.sha256),
      source: r.source as RegistryRevisionSource,
      author: String(r.author),
      packageCount: Number(r.package_count),
      createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
    }));
  }
}
