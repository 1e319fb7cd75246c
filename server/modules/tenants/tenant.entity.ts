/** Tenants: every audit row, policy and request belongs to one. Single-user mode has one, `default`. */
import { defineEntity, type InferEntity } from '@mikro-orm/core';

export const TENANT_TIERS = ['free', 'starter', 'pro', 'enterprise'] as const;
export type TenantTier = (typeof TENANT_TIERS)[number];

export const TenantSchema = defineEntity({
  name: 'Tenant',
  tableName: 'tenant',
  properties: (p) => ({
    id: p.string().length(64).primary(),
    name: p.string().length(200),
    tier: p.string().length(16).$type<TenantTier>(),
    createdAt: p.datetime().columnType('timestamptz'),
  }),
});

export type Tenant = InferEntity<typeof TenantSchema>;

export const DEFAULT_TENANT_ID = 'default';
