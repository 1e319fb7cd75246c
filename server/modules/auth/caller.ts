/**
 * The caller vocabulary every audited use case takes: who acts (the actor's
 * audit name), for which tenant, from which project and agent. Built from the
 * request context by the transports; services never see headers.
 */
import type { Actor } from './actor';

/** Who asks, from where: the identity every audited decision records. */
export interface Caller {
  tenantId: string;
  requester: string;
  project: string;
  agentModel: string | null;
  agentVersion: string | null;
  agentId?: string | null;
}

/** What a caller is built from: the authenticated actor and its tenant (the request context has both). */
export interface CallerSource {
  readonly actor: Actor;
  readonly tenant: { readonly id: string };
}

const cleanText = (v?: string | null) => (v && v.trim() !== '' ? v.trim() : null);

/** The caller of a request: actor and tenant from the context, project and agent as given (trimmed, blank → null). */
export function callerFor(ctx: CallerSource, given: { project: string; agentModel?: string | null; agentVersion?: string | null }): Caller {
  return {
    tenantId: ctx.tenant.id,
    requester: ctx.actor.id,
    project: given.project.trim(),
    agentModel: cleanText(given.agentModel),
    agentVersion: cleanText(given.agentVersion),
  };
}
