/**
 * Who is asking. Resolvers and handlers read the actor from the request
 * context; single-user mode gives every request the `anonymous` actor with
 * every right, and org mode (API keys, trusted headers) plugs in here without
 * touching resolvers.
 */
export const ROLES = ['agent', 'viewer', 'reviewer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** Recorded as `requester` in the audit log. */
  readonly id: string;
  readonly kind: 'anonymous' | 'apikey' | 'header';
  readonly roles: ReadonlySet<Role>;
  /** Projects the actor is restricted to; null means all. */
  readonly projects: readonly string[] | null;
}

export const ANONYMOUS_ACTOR: Actor = Object.freeze({
  id: 'anonymous',
  kind: 'anonymous' as const,
  roles: new Set<Role>(ROLES),
  projects: null,
});

export function hasRole(actor: Actor, role: Role): boolean {
  return actor.roles.has(role) || actor.roles.has('admin');
}
