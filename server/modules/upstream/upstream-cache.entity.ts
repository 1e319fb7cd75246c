/**
 * Upstream responses (OSV, PyPI, npm metadata) cached in PostgreSQL with an
 * expiry, shared by every replica; an in-process LRU sits in front. Only
 * successful answers are stored: failures are never cached.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const UpstreamCacheEntrySchema = defineEntity({
  name: 'UpstreamCacheEntry',
  tableName: 'upstream_cache',
  properties: (p) => ({
    key: p.string().length(600).primary(),
    source: p.string().length(32),
    value: p.json<unknown>().columnType('jsonb'),
    fetchedAt: p.datetime().columnType('timestamptz'),
    expiresAt: p.datetime().columnType('timestamptz'),
  }),
  indexes: [{ name: 'upstream_cache_expires_at_idx', properties: ['expiresAt'] }],
});

export type UpstreamCacheEntry = InferEntity<typeof UpstreamCacheEntrySchema>;
