/**
 * Per-request context: one EntityManager fork per request, the actor and the
 * tenant, and the services. Both transports build it the same way, so org-mode
 * authentication plugs in here without touching resolvers or handlers.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ANONYMOUS_ACTOR, type Actor } from './modules/auth/actor';
import { DEFAULT_TENANT_ID } from './modules/tenants/tenant.entity';
import type { HeaderLookup } from './shared/headers';
import type { Services } from './services';

export interface TenantRef {
  readonly id: string;
}

export interface RequestContext {
  readonly services: Services;
  readonly actor: Actor;
  readonly tenant: TenantRef;
  /** This request's unit of work (a fresh fork, created on first use). */
  em(): EntityManager;
  /** Request headers (names are case-insensitive). */
  readonly headers: HeaderLookup;
}

/** Selects the tenant in single-user mode (the anonymous actor may act for any tenant); org mode takes it from the API key. */
export const TENANT_HEADER = 'X-Lexgate-Tenant';

/**
 * Build the context for one request. Single-user mode: the anonymous actor in
 * the default tenant, or the tenant named by `X-Lexgate-Tenant` (an unknown one
 * is refused by the service that looks it up).
 */
export function createRequestContext(services: Services, headers: HeaderLookup): RequestContext {
  let em: EntityManager | null = null;
  const named = services.config.auth.enabled ? null : headers.get(TENANT_HEADER)?.trim().slice(0, 64);
  return {
    services,
    actor: ANONYMOUS_ACTOR,
    tenant: { id: named || DEFAULT_TENANT_ID },
    headers,
    em() {
      em ??= services.db.em();
      return em;
    },
  };
}
