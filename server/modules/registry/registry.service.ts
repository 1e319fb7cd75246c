/**
 * Registry service: owns the live registry of each tenant: loading, reloading (file watcher,
 * poll, explicit reload) and propagation between replicas.
 *
 * Invariants:
 * - YAML on disk is the source of truth; a document that fails validation
 *   never replaces the live registry (the failure is kept for health).
 * - Every accepted document is stored as a registry revision (deduplicated by
 *   content hash against the newest revision) together with a REGISTRY_CHANGE
 *   audit row and whatever the revision hook decides (approval requests the new
 *   rules settle), in one transaction.
 * - Replicas on one database converge on the newest stored revision: each polls
 *   `registry_revision` (every LEXGATE_REGISTRY_SYNC_INTERVAL seconds) and, on
 *   PostgreSQL, is woken at once by NOTIFY on the `lexgate_registry` channel.
 *   Without REGISTRY_PATH each replica's data-directory file is its own copy and
 *   is rewritten with every revision picked up (so local proposals edit what is
 *   live); with REGISTRY_PATH the file is the operator's and is never rewritten
 *   except by a proposer.
 * - Reloads in one process are serialised; the live registry is an immutable
 *   object swapped by reference, so an evaluation sees the old or the new one.
 * - Without REGISTRY_PATH a starter registry is written into the data
 *   directory on first start and used, so a fresh install enforces a policy.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { AuditService } from '../audit/audit.service';
import type { RegistryStatus, RegistryStatusProvider } from '../health/health.service';
import { DEFAULT_TENANT_ID } from '../tenants/tenant.entity';
import { Registry } from './registry';
import { formatIssues, parseRegistryYaml, type RegistryDocument } from './registry-document';
import { RegistryInvalidError, RegistryReloadError } from './registry-errors';
import type { RegistryRevisionSource } from './registry-revision.entity';
import { STARTER_REGISTRY_YAML } from './starter-registry';
import { writeFileAtomic } from './proposers/atomic-write';
import { listenForRevisions } from './revision-listener';
import type { Ecosystem } from '../packages/facts';
import { normalizeName } from '../packages/names';

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

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

export { RegistryInvalidError, RegistryReloadError } from './registry-errors';

interface TenantState {
  registry: Registry;
  /** The YAML text of the live document (what `exportRegistryYaml` returns). */
  yaml: string;
  /** The stored revision it came from. */
  revision: number;
  sha256: string;
  loadedAt: Date;
}

/** What a new revision did, as the revision hook reports it. */
export interface RevisionEffects {
  approvedRequests: number;
  rejectedRequests: number;
}

/** Called inside the transaction that stores a new revision. */
export type RevisionHook = (
  em: EntityManager,
  change: { tenantId: string; previous: RegistryDocument | null; next: RegistryDocument; revision: number; author: string },
) => Promise<RevisionEffects>;

/** The outcome of a (re)load: lex-align's ReloadResult fields, plus ours. */
export interface ReloadOutcome {
  previousVersion: string | null;
  newVersion: string;
  packageCount: number;
  addedPackages: number;
  approvedRequests: number;
  rejectedRequests: number;
  revision: number;
  /** False when the document was already the newest revision (nothing new was stored). */
  created: boolean;
}

const NOTIFY_CHANNEL = 'lexgate_registry';

const sha256Of = (text: string) => createHash('sha256').update(text).digest('hex');
const identityOf = (r: { ecosystem: string; name: string }) => `${r.ecosystem}\u0000${normalizeName(r.ecosystem as Ecosystem, r.name)}`;

/** Rule identities in `next` that `previous` did not have (lex-align's `added_packages`). */
export function addedIdentities(previous: RegistryDocument | null, next: RegistryDocument): string[] {
  const before = new Set((previous?.packages ?? []).map(identityOf));
  return [...new Set(next.packages.map(identityOf))].filter((id) => !before.has(id));
}

export class RegistryService implements RegistryStatusProvider {
  private readonly live = new Map<string, TenantState>();
  private lastError: string | null = null;
  private revisionHook: RevisionHook | null = null;
  private reloadTail: Promise<unknown> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];
  private watcher: fs.FSWatcher | null = null;
  private watchDebounce: NodeJS.Timeout | null = null;
  private listener: { close(): Promise<void> } | null = null;
  private lastSeenMtimeMs: number | null = null;
  private stopped = false;
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

  /** Set the hook run inside the transaction of every new revision (approval requests settle there). */
  onRevision(hook: RevisionHook): void {
    this.revisionHook = hook;
  }

  /** The live registry of a tenant, or null before one is loaded. */
  current(tenantId: string = DEFAULT_TENANT_ID): Registry | null {
    return this.live.get(tenantId)?.registry ?? null;
  }

  /** The live document's YAML text and revision, or null before one is loaded. */
  currentYaml(tenantId: string = DEFAULT_TENANT_ID): { yaml: string; revision: number } | null {
    const s = this.live.get(tenantId);
    return s ? { yaml: s.yaml, revision: s.revision } : null;
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
   *
   * The data directory's own file (no REGISTRY_PATH) belongs to one replica; when
   * it holds an older stored revision than the newest, another replica moved on
   * and the newest revision is used (and written back to the file).
   */
  async loadAtStart(): Promise<void> {
    const latest = await this.latestRevision(DEFAULT_TENANT_ID);
    if (!this.config.registry.path && !fs.existsSync(this.filePath)) {
      fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
      fs.writeFileSync(this.filePath, latest?.yaml ?? STARTER_REGISTRY_YAML, { flag: 'wx' });
      this.logger.info(latest ? 'wrote the newest stored registry revision' : 'wrote the starter registry', { path: this.filePath });
    }
    if (!this.config.registry.path && latest) {
      const text = readText(this.filePath);
      if (text !== null && sha256Of(text) !== latest.sha256 && (await this.isStoredRevision(DEFAULT_TENANT_ID, sha256Of(text)))) {
        const parsed = parseRegistryYaml(latest.yaml);
        if (parsed.ok) {
          this.swap(DEFAULT_TENANT_ID, Registry.fromDocument(parsed.document), latest.yaml, latest.revision, latest.sha256);
          writeFileAtomic(this.filePath, latest.yaml);
          this.rememberMtime();
          this.logger.info('registry file was an older revision; using the newest stored one', { revision: latest.revision });
          return;
        }
      }
    }
    const source: RegistryRevisionSource = this.config.registry.path ? 'file' : 'starter';
    try {
      await this.loadFile(source, 'lexgate');
    } catch (e) {
      const stored = await this.latestRevision(DEFAULT_TENANT_ID);
      if (!stored) throw e;
      const parsed = parseRegistryYaml(stored.yaml);
      if (!parsed.ok) throw e;
      const failure = this.lastError;
      this.swap(DEFAULT_TENANT_ID, Registry.fromDocument(parsed.document), stored.yaml, stored.revision, stored.sha256);
      // Keep the refusal visible in health: the file on disk is not what is live.
      this.fail(failure ?? (e as Error).message);
      this.logger.warn('registry file refused; serving the last stored revision', {
        revision: stored.revision,
        error: (e as Error).message,
      });
    }
  }

  /** Start the file watcher, the file poll and the replica sync (none of them keeps the process alive). */
  async startBackground(): Promise<void> {
    const { reloadIntervalSeconds } = this.config.registry;
    this.rememberMtime();
    if (this.config.registry.watch) this.startWatcher();
    if (reloadIntervalSeconds > 0) this.every(reloadIntervalSeconds * 1000, () => this.pollFile());
    const sync = this.config.registry.syncIntervalSeconds;
    if (sync > 0) this.every(sync * 1000, () => this.syncFromDatabase());
    if (this.db.kind === 'postgres') {
      this.listener = await listenForRevisions(this.db, NOTIFY_CHANNEL, () => void this.syncFromDatabase().catch(() => undefined), this.logger);
    }
  }

  /** Stop watching and polling. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    if (this.watchDebounce) clearTimeout(this.watchDebounce);
    this.watcher?.close();
    this.watcher = null;
    await this.listener?.close().catch(() => undefined);
    this.listener = null;
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.stopped) return;
      running = true;
      fn()
        .catch((err) => this.logger.warn('registry background task failed', { err: (err as Error).message }))
        .finally(() => (running = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private startWatcher(): void {
    // Watch the directory: an atomic replace (rename over the file) ends a watch on the file itself.
    const dir = path.dirname(this.filePath);
    const base = path.basename(this.filePath);
    try {
      this.watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && name !== base) return;
        if (this.watchDebounce) clearTimeout(this.watchDebounce);
        this.watchDebounce = setTimeout(() => {
          void this.reloadIfChanged('file watcher').catch(() => undefined);
        }, 150);
        this.watchDebounce.unref();
      });
      this.watcher.on('error', (err) => this.logger.warn('registry file watcher failed; the poll still runs', { err: err.message }));
    } catch (err) {
      this.logger.warn('cannot watch the registry directory; the poll still runs', { dir, err: (err as Error).message });
    }
  }

  private rememberMtime(): void {
    try {
      this.lastSeenMtimeMs = fs.statSync(this.filePath).mtimeMs;
    } catch {
      this.lastSeenMtimeMs = null;
    }
  }

  /** The poll: reload when the file's modification time moved. */
  private async pollFile(): Promise<void> {
    let mtime: number | null = null;
    try {
      mtime = fs.statSync(this.filePath).mtimeMs;
    } catch {
      mtime = null;
    }
    if (mtime === null || mtime === this.lastSeenMtimeMs) return;
    await this.reloadIfChanged('poll');
  }

  /** Reload when the file's content differs from the live document (watcher and poll). */
  async reloadIfChanged(trigger: string): Promise<ReloadOutcome | null> {
    this.rememberMtime();
    const text = readText(this.filePath);
    const live = this.live.get(DEFAULT_TENANT_ID);
    if (text === null || (live && sha256Of(text) === live.sha256)) return null;
    try {
      return await this.reload('reload', 'lexgate');
    } catch (err) {
      this.logger.warn(`registry ${trigger} reload refused; the previous registry stays live`, { err: (err as Error).message });
      return null;
    }
  }

  /**
   * Re-read the registry file and make it live (serialised with every other reload).
   * @throws RegistryReloadError (409) when the file is missing, unreadable or invalid; the previous registry stays live
   */
  reload(source: RegistryRevisionSource, author: string): Promise<ReloadOutcome> {
    const run = async (): Promise<ReloadOutcome> => {
      const previous = this.live.get(DEFAULT_TENANT_ID)?.registry ?? null;
      let result: { accepted: AcceptedRevision; added: number; effects: RevisionEffects };
      try {
        result = await this.loadFileUnlocked(source, author);
      } catch (e) {
        if (e instanceof RegistryInvalidError) throw new RegistryReloadError(e.message);
        throw e;
      }
      const live = this.live.get(DEFAULT_TENANT_ID)!;
      return {
        previousVersion: previous?.version ?? null,
        newVersion: live.registry.version,
        packageCount: live.registry.packageCount,
        addedPackages: result.added,
        approvedRequests: result.effects.approvedRequests,
        rejectedRequests: result.effects.rejectedRequests,
        revision: result.accepted.revision,
        created: result.accepted.created,
      };
    };
    const next = this.reloadTail.then(run, run);
    this.reloadTail = next.catch(() => undefined);
    return next;
  }

  /**
   * Read, validate and (when valid) make live the registry file. An invalid or
   * unreadable file leaves the live registry in place and is reported in health.
   */
  async loadFile(source: RegistryRevisionSource, author: string): Promise<{ registry: Registry; accepted: AcceptedRevision }> {
    const r = await this.loadFileUnlocked(source, author);
    return { registry: this.current(DEFAULT_TENANT_ID)!, accepted: r.accepted };
  }

  private async loadFileUnlocked(source: RegistryRevisionSource, author: string) {
    this.rememberMtime();
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const msg =
        code === 'ENOENT'
          ? `The registry file ${this.filePath} does not exist; keeping the previous registry.`
          : `Cannot read the registry file ${this.filePath}: ${code ?? (e as Error).message}; keeping the previous registry.`;
      this.fail(msg);
      throw new RegistryInvalidError(msg);
    }
    return this.acceptWithEffects(DEFAULT_TENANT_ID, text, source, author);
  }

  /**
   * Validate a document and make it the tenant's live registry, storing it as
   * a revision (with an audit row) when its content is new.
   */
  async accept(tenantId: string, yamlText: string, source: RegistryRevisionSource, author: string): Promise<{ registry: Registry; accepted: AcceptedRevision }> {
    const r = await this.acceptWithEffects(tenantId, yamlText, source, author);
    return { registry: this.current(tenantId)!, accepted: r.accepted };
  }

  private async acceptWithEffects(tenantId: string, yamlText: string, source: RegistryRevisionSource, author: string) {
    const parsed = parseRegistryYaml(yamlText);
    if (!parsed.ok) {
      const msg = `Validation failed; keeping previous registry: ${this.filePath}:\n${formatIssues(parsed.issues)}`;
      this.fail(msg);
      throw new RegistryInvalidError(msg);
    }
    const registry = Registry.fromDocument(parsed.document);
    const stored = await this.storeRevision(tenantId, yamlText, parsed.document, source, author);
    this.swap(tenantId, registry, yamlText, stored.accepted.revision, stored.accepted.sha256);
    return stored;
  }

  /**
   * Make the newest stored revision live when it is newer than ours (another replica accepted
   * it). Cheap when nothing changed: one indexed read of the newest revision number.
   * @returns the revision now live when it changed, else null
   */
  async syncFromDatabase(tenantId: string = DEFAULT_TENANT_ID): Promise<number | null> {
    const live = this.live.get(tenantId);
    const rows = await this.db
      .em()
      .execute<{ revision: number }[]>(`select revision from registry_revision where tenant_id = ? order by revision desc limit 1`, [tenantId]);
    if (rows.length === 0) return null;
    const newest = Number(rows[0].revision);
    if (live && newest <= live.revision) return null;
    const stored = await this.latestRevision(tenantId);
    if (!stored) return null;
    const parsed = parseRegistryYaml(stored.yaml);
    if (!parsed.ok) {
      this.logger.error('a stored registry revision does not parse; keeping the live registry', { revision: stored.revision });
      return null;
    }
    const current = this.live.get(tenantId);
    if (current && current.revision >= stored.revision) return null;
    this.swap(tenantId, Registry.fromDocument(parsed.document), stored.yaml, stored.revision, stored.sha256);
    if (!this.config.registry.path && tenantId === DEFAULT_TENANT_ID) {
      // The data directory's file is this replica's copy: keep it on the newest revision, so a
      // proposal made here edits what is live and never reverts another replica's change.
      try {
        writeFileAtomic(this.filePath, stored.yaml);
        this.rememberMtime();
      } catch (err) {
        this.logger.warn('cannot update the local registry file with the newest revision', { err: (err as Error).message });
      }
    }
    this.logger.info('registry revision picked up from the database', { revision: stored.revision, version: parsed.document.version });
    return stored.revision;
  }

  private fail(message: string): void {
    this.lastError = message;
  }

  private swap(tenantId: string, registry: Registry, yaml: string, revision: number, sha256: string): void {
    this.live.set(tenantId, { registry, yaml, revision, sha256, loadedAt: this.clock.now() });
    this.lastError = null;
  }

  private async storeRevision(
    tenantId: string,
    yamlText: string,
    doc: RegistryDocument,
    source: RegistryRevisionSource,
    author: string,
  ): Promise<{ accepted: AcceptedRevision; added: number; effects: RevisionEffects }> {
    const sha256 = sha256Of(yamlText);
    return this.db.em().transactional(async (tx) => {
      const em = tx as EntityManager;
      // Serialise revision numbering per tenant on the tenant row.
      await em.execute(`select id from tenant where id = ? for update`, [tenantId]);
      const last = await em.execute<{ revision: number; sha256: string; yaml: string }[]>(
        `select revision, sha256, yaml from registry_revision where tenant_id = ? order by revision desc limit 1`,
        [tenantId],
      );
      const previousParsed = last.length > 0 ? parseRegistryYaml(String(last[0].yaml)) : null;
      const previous = previousParsed?.ok ? previousParsed.document : null;
      const none: RevisionEffects = { approvedRequests: 0, rejectedRequests: 0 };
      if (last.length > 0 && last[0].sha256 === sha256) {
        return { accepted: { revision: Number(last[0].revision), version: doc.version, sha256, created: false }, added: 0, effects: none };
      }
      const revision = (last.length > 0 ? Number(last[0].revision) : 0) + 1;
      const now = this.clock.now();
      await em.execute(
        `insert into registry_revision (id, tenant_id, revision, version, yaml, sha256, source, author, package_count, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [randomUUID(), tenantId, revision, doc.version, yamlText, sha256, source, author, doc.packages.length, now],
        'run',
      );
      const added = addedIdentities(previous, doc);
      await this.audit.append(em, {
        tenantId,
        kind: 'REGISTRY_CHANGE',
        action: 'registry.revision',
        requester: author,
        reason: `Registry version ${doc.version} accepted from ${source} (revision ${revision}, ${doc.packages.length} package rules, ${added.length} added).`,
        details: { revision, version: doc.version, previousVersion: previous?.version ?? null, sha256, source, packageCount: doc.packages.length, addedPackages: added.length },
      });
      const effects = this.revisionHook ? await this.revisionHook(em, { tenantId, previous, next: doc, revision, author }) : none;
      if (this.db.kind === 'postgres') {
        // Delivered at commit: other replicas pick the revision up at once.
        await em.execute(`select pg_notify(?, ?)`, [NOTIFY_CHANNEL, `${tenantId}:${revision}`]);
      }
      return { accepted: { revision, version: doc.version, sha256, created: true }, added: added.length, effects };
    });
  }

  private async isStoredRevision(tenantId: string, sha256: string): Promise<boolean> {
    const rows = await this.db.em().execute(`select 1 from registry_revision where tenant_id = ? and sha256 = ? limit 1`, [tenantId, sha256]);
    return rows.length > 0;
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
