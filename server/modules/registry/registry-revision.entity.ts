/**
 * Every accepted registry document, as written (YAML text), with who and
 * where it came from. The newest revision of a tenant is the live registry;
 * replicas pick new revisions up from here.
 */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const REGISTRY_REVISION_SOURCES = ['file', 'starter', 'reload', 'webhook', 'proposal', 'api'] as const;
export type RegistryRevisionSource = (typeof REGISTRY_REVISION_SOURCES)[number];

export const RegistryRevisionSchema = defineEntity({
  name: 'RegistryRevision',
  tableName: 'registry_revision',
  properties: (p) => ({
    id: p.uuid().primary(),
    tenantId: p.string().length(64),
    /** Monotonic per tenant, from 1. */
    revision: p.integer(),
    version: p.string().length(200),
    yaml: p.text(),
    sha256: p.string().length(64),
    source: p.string().length(32).$type<RegistryRevisionSource>(),
    author: p.string().length(200),
    packageCount: p.integer(),
    createdAt: p.datetime().columnType('timestamptz'),
  }),
  uniques: [{ name: 'registry_revision_tenant_revision_unique', properties: ['tenantId', 'revision'] }],
  indexes: [{ name: 'registry_revision_tenant_sha_idx', properties: ['tenantId', 'sha256'] }],
});

export type RegistryRevision = InferEntity<typeof RegistryRevisionSchema>;
