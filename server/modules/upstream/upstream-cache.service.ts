/**
 * The upstream cache: OSV and package-metadata answers, kept with an expiry.
 *
 * Lookup order: an in-process LRU (bounded, expiry-aware), then the shared `upstream_cache`
 * table (every replica reads and warms it), then the fetcher. Invariants:
 * - Only successful answers (`ok: true`) are stored. A failure (timeout, 5xx, bad JSON) is
 *   returned to the caller as is and never stored, so an outage is never remembered as
 *   "no vulnerabilities" or "UNKNOWN license".
 * - One fetch per key at a time in this process (single-flight): concurrent callers of the
 *   same key, e.g. fifty evaluations of the same package, share one upstream request.
 * - The cache is an optimisation, never a dependency: a database error while reading or
 *   writing is logged and treated as a miss, and the fetched answer is still returned.
 * - Each statement runs on its own fresh EntityManager outside any transaction: embedded
 *   PGlite has one connection, and callers gather facts before they open their unit of work.
 * - Values handed out are deep-frozen (they are shared between callers and the LRU): copy
 *   before changing one.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { UpstreamResult } from './upstream.types';

/** What the cache holds for a key. */
export interface CacheEntry<T> {
  value: T;
  fetchedAt: Date;
  expiresAt: Date;
}

/** A time-to-live in seconds, fixed or chosen per value (e.g. a 404 kept shorter than a hit). */
export type TtlSeconds<T> = number | ((value: T) => number);

export interface UpstreamCacheOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** In-process LRU bound (entries). */
  maxEntries?: number;
}

/** The `upstream_cache.key` column is varchar(600); longer keys are shortened with a hash. */
const MAX_KEY_LENGTH = 600;

/** Map a logical key to the stored key (identity unless it is too long for the column). */
export function storageKey(key: string): string {
  if (key.length <= MAX_KEY_LENGTH) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, MAX_KEY_LENGTH - 72)}#sha256:${digest}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

/** Upstream answers cached in memory and in PostgreSQL. One instance per process. */
export class UpstreamCache {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxEntries: number;
  /** Map iteration order is insertion order: re-inserting on a hit makes it an LRU. */
  private readonly memory = new Map<string, CacheEntry<unknown>>();
  private readonly inflight = new Map<string, Promise<UpstreamResult<unknown>>>();

  constructor(options: UpstreamCacheOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    this.maxEntries = Math.max(1, options.maxEntries ?? 5000);
  }

  /** The live (unexpired) entry for `key`, from memory or the table; null on a miss or a database error. */
  async get<T>(key: string): Promise<CacheEntry<T> | null> {
    const k = storageKey(key);
    return (this.fromMemory(k) ?? (await this.fromTable(k))) as CacheEntry<T> | null;
  }

  /**
   * The cached answer for `key`, or the fetcher's. A successful answer is stored for `ttl`
   * seconds (nothing is stored when the TTL is 0 or less); a failure is passed through and
   * never stored. Concurrent calls for one key share one lookup and one fetch.
   */
  getOrFetch<T>(
    key: string,
    source: string,
    ttl: TtlSeconds<T>,
    fetcher: () => Promise<UpstreamResult<T>>,
  ): Promise<UpstreamResult<T>> {
    const k = storageKey(key);
    const hit = this.fromMemory(k);
    if (hit) return Promise.resolve({ ok: true, value: hit.value as T, cached: true });
    const running = this.inflight.get(k);
    if (running) return running as Promise<UpstreamResult<T>>;
    const p = this.load(k, source, ttl, fetcher).finally(() => this.inflight.delete(k));
    this.inflight.set(k, p);
    return p;
  }

  /** Store a successful answer fetched elsewhere (e.g. a document that answers two keys at once). */
  async set<T>(key: string, source: string, ttlSeconds: number, value: T): Promise<void> {
    await this.store(storageKey(key), source, ttlSeconds, value);
  }

  /** Delete expired rows (and expired memory entries); returns the number of rows deleted. */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    for (const [k, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(k);
    try {
      const rows = await this.db
        .em()
        .execute<Array<{ n: number | string }>>(
          'with d as (delete from upstream_cache where expires_at <= ? returning 1) select count(*)::int as n from d',
          [now],
        );
      return Number(rows[0]?.n ?? 0);
    } catch (err) {
      this.logger.warn('upstream cache purge failed', { err });
      return 0;
    }
  }

  /** Forget the in-process entries (the table is untouched). */
  clearMemory(): void {
    this.memory.clear();
  }

  private async load<T>(
    k: string,
    source: string,
    ttl: TtlSeconds<T>,
    fetcher: () => Promise<UpstreamResult<T>>,
  ): Promise<UpstreamResult<T>> {
    const stored = await this.fromTable(k);
    if (stored) return { ok: true, value: stored.value as T, cached: true };
    const result = await fetcher();
    if (!result.ok) return result;
    const value = deepFreeze(result.value);
    const seconds = typeof ttl === 'function' ? ttl(value) : ttl;
    await this.store(k, source, seconds, value);
    return { ok: true, value, cached: false };
  }

  private fromMemory(k: string): CacheEntry<unknown> | null {
    const entry = this.memory.get(k);
    if (!entry) return null;
    this.memory.delete(k);
    if (entry.expiresAt <= this.clock.now()) return null;
    this.memory.set(k, entry);
    return entry;
  }

  private remember(k: string, entry: CacheEntry<unknown>): void {
    this.memory.delete(k);
    this.memory.set(k, entry);
    while (this.memory.size > this.maxEntries) {
      const oldest = this.memory.keys().next().value as string;
      this.memory.delete(oldest);
    }
  }

  private async fromTable(k: string): Promise<CacheEntry<unknown> | null> {
    try {
      const rows = await this.db
        .em()
        .execute<Array<{ value: unknown; fetched_at: unknown; expires_at: unknown }>>(
          'select value, fetched_at, expires_at from upstream_cache where key = ? and expires_at > ?',
          [k, this.clock.now()],
        );
      const row = rows[0];
      if (!row) return null;
      const value = typeof row.value === 'string' ? (JSON.parse(row.value) as unknown) : row.value;
      const entry: CacheEntry<unknown> = {
        value: deepFreeze(value),
        fetchedAt: toDate(row.fetched_at),
        expiresAt: toDate(row.expires_at),
      };
      this.remember(k, entry);
      return entry;
    } catch (err) {
      this.logger.warn('upstream cache read failed; continuing without the cache', { key: k, err });
      return null;
    }
  }

  private async store(k: string, source: string, ttlSeconds: number, value: unknown): Promise<void> {
    if (!(ttlSeconds > 0)) return;
    const fetchedAt = this.clock.now();
    const expiresAt = new Date(fetchedAt.getTime() + ttlSeconds * 1000);
    const frozen = deepFreeze(value);
    this.remember(k, { value: frozen, fetchedAt, expiresAt });
    try {
      await this.db
        .em()
        .execute(
          `insert into upstream_cache (key, source, value, fetched_at, expires_at) values (?, ?, ?::jsonb, ?, ?)
           on conflict (key) do update set source = excluded.source, value = excluded.value,
             fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
          [k, source, JSON.stringify(frozen), fetchedAt, expiresAt],
        );
    } catch (err) {
      this.logger.warn('upstream cache write failed; the answer is used but not shared', { key: k, err });
    }
  }
}
