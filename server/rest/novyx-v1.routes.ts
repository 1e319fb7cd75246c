/**
 * Novyx-compatible REST shims (SPEC §8): `/v1/actions`, `/v1/approvals`,
 * `/v1/control/...`, `/v1/usage`. Lenient on input where Novyx's own docs
 * disagree (`status` or `status_filter`; decision fields from the body or the
 * query; built-ins with or without the `Policy` suffix), exact on output.
 * Errors are `{error, code, message}`. Thin: one service call each.
 */
import type { RequestContext } from '../context';
import type { GovernanceCaller } from '../modules/governance/governance.service';
import { parseLimit } from '../modules/governance/governance.service';
import {
  actionToWire,
  approvalToWire,
  dashboardToWire,
  explanationToWire,
  policyToWire,
  submissionToWire,
  violationsToWire,
} from '../modules/governance/governance.wire';
import { DomainError } from '../shared/errors';
import { json } from './http-errors';
import type { RestRequest, Route } from './router';

const caller = (ctx: RequestContext): GovernanceCaller => ({ tenantId: ctx.tenant.id, requester: ctx.actor.id });

/** The JSON body (undefined when empty); malformed JSON is a 400 naming the body. */
function readJson(request: RestRequest, code: string): unknown {
  const text = request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('validation_failed', 'the body is not valid JSON', 'body', { novyxCode: code });
  }
}

function one(url: URL, name: string): string | null {
  const all = url.searchParams.getAll(name);
  if (all.length > 1) throw new DomainError('validation_failed', `${name}: give it once`, name);
  return all[0] ?? null;
}

const INVALID_POLICY = 'novyx_ram.v1.control.invalid_policy';
const INVALID_DECISION = 'novyx_ram.v1.control.invalid_decision';
const INVALID_ACTION = 'novyx_ram.v1.actions.invalid_action';

export const novyxV1Routes: Route[] = [
  // --- actions ---
  {
    method: 'POST',
    path: '/v1/actions',
    dialect: 'novyx',
    handler: async ({ ctx, request }) => {
      const body = readJson(request, INVALID_ACTION);
      const res = await ctx.services.governance.submitAction(caller(ctx), body);
      return json(submissionToWire(res.action));
    },
  },
  {
    method: 'GET',
    path: '/v1/actions',
    dialect: 'novyx',
    handler: async ({ ctx, url }) => {
      const limit = parseLimit(one(url, 'limit'), 50, 1000);
      const actions = await ctx.services.governance.listActions(ctx.em(), ctx.tenant.id, { status: one(url, 'status'), limit });
      return json({ actions: actions.map(actionToWire), total: actions.length });
    },
  },
  {
    method: 'GET',
    path: '/v1/actions/:id',
    dialect: 'novyx',
    handler: async ({ ctx, params }) => json(actionToWire(await ctx.services.governance.getAction(ctx.em(), ctx.tenant.id, params.id))),
  },
  {
    method: 'GET',
    path: '/v1/actions/:id/explain',
    dialect: 'novyx',
    handler: async ({ ctx, params }) => json(explanationToWire(await ctx.services.governance.explainAction(ctx.em(), ctx.tenant.id, params.id))),
  },

  // --- approvals ---
  {
    method: 'GET',
    path: '/v1/approvals',
    dialect: 'novyx',
    handler: async ({ ctx, url }) => {
      const limit = parseLimit(one(url, 'limit'), 50, 1000);
      const status = one(url, 'status') ?? one(url, 'status_filter');
      const items = await ctx.services.governance.listApprovals(ctx.em(), ctx.tenant.id, { status, limit });
      return json({ approvals: items.map(approvalToWire), total: items.length });
    },
  },
  {
    method: 'POST',
    path: '/v1/approvals/:id/decision',
    dialect: 'novyx',
    handler: async ({ ctx, request, url, params }) => {
      const raw = readJson(request, INVALID_DECISION);
      if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
        throw new DomainError('validation_failed', 'the body must be a JSON object {decision, reason, approver_id}', 'body', { novyxCode: INVALID_DECISION });
      }
      const body = (raw ?? {}) as Record<string, unknown>;
      const res = await ctx.services.governance.decide(caller(ctx), params.id, {
        decision: body.decision ?? one(url, 'decision'),
        reason: body.reason ?? one(url, 'reason'),
        approverId: body.approver_id ?? one(url, 'approver_id'),
      });
      const a = res.action;
      return json({
        approval_id: a.id,
        decision: res.decision,
        reason: a.decisionReason,
        status: a.status,
        // --- additive ---
        action_id: a.id,
        approver_id: a.decidedBy,
        decided_at: a.decidedAt?.toISOString().replace('.000Z', 'Z') ?? null,
      });
    },
  },

  // --- policies ---
  {
    method: 'GET',
    path: '/v1/control/policies',
    dialect: 'novyx',
    handler: async ({ ctx, url }) => {
      const policies = await ctx.services.governance.listPolicies(ctx.em(), ctx.tenant.id, one(url, 'agent_id'));
      return json({
        policies: policies.map((p) => policyToWire(p, { detail: false })),
        mode: 'enforcement',
        connectors: ['github', 'slack', 'linear', 'pagerduty', 'http', 'dependency'],
        approval_modes: ['solo'],
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/control/policies',
    dialect: 'novyx',
    handler: async ({ ctx, request }) => {
      const body = readJson(request, INVALID_POLICY);
      const res = await ctx.services.governance.upsertPolicy(caller(ctx), body, { nameFromPath: null, mode: 'create' });
      return json(policyChangeToWire(res), res.change === 'created' ? 201 : 200);
    },
  },
  {
    method: 'GET',
    path: '/v1/control/policies/:name',
    dialect: 'novyx',
    handler: async ({ ctx, params, url }) =>
      json(policyToWire(await ctx.services.governance.getPolicy(ctx.em(), ctx.tenant.id, params.name, one(url, 'agent_id')), { detail: true })),
  },
  {
    method: 'PUT',
    path: '/v1/control/policies/:name',
    dialect: 'novyx',
    handler: async ({ ctx, request, params }) => {
      const body = readJson(request, INVALID_POLICY);
      const res = await ctx.services.governance.upsertPolicy(caller(ctx), body, { nameFromPath: params.name, mode: 'update' });
      return json(policyChangeToWire(res));
    },
  },
  {
    method: 'DELETE',
    path: '/v1/control/policies/:name',
    dialect: 'novyx',
    handler: async ({ ctx, params, url }) => {
      const res = await ctx.services.governance.deletePolicy(caller(ctx), params.name, one(url, 'agent_id'));
      return json(policyChangeToWire({ ...res, change: 'disabled' }));
    },
  },

  // --- dashboard, violations, usage ---
  {
    method: 'GET',
    path: '/v1/control/dashboard',
    dialect: 'novyx',
    handler: async ({ ctx, url }) =>
      json(dashboardToWire(await ctx.services.governanceDashboard.dashboard(ctx.em(), ctx.tenant.id, { window: one(url, 'window'), bucket: one(url, 'bucket') }))),
  },
  {
    method: 'GET',
    path: '/v1/control/agents/:agentId/violations',
    dialect: 'novyx',
    handler: async ({ ctx, url, params }) =>
      json(
        violationsToWire(
          await ctx.services.governanceDashboard.agentViolations(ctx.em(), ctx.tenant.id, params.agentId, {
            limit: one(url, 'limit'),
            since: one(url, 'since'),
            until: one(url, 'until'),
          }),
        ),
      ),
  },
  {
    method: 'GET',
    path: '/v1/usage',
    dialect: 'novyx',
    handler: async ({ ctx }) => {
      const u = await ctx.services.governance.usage(ctx.em(), ctx.tenant.id);
      return json({
        tenant_id: u.tenant.id,
        plan: u.tenant.tier,
        tier: u.tenant.tier,
        features: u.features,
        limits: { draft_policies: u.limits.draftPolicies },
        usage: { draft_policies: u.usage.draftPolicies },
      });
    },
  },
];

function policyChangeToWire(res: { policy: import('../modules/governance/governance.service').StoredPolicy; change: string }) {
  const p = res.policy;
  return {
    policy_name: p.name,
    agent_id: p.agent_id,
    action: res.change,
    version: p.version,
    message: `Policy ${p.name}${p.agent_id ? ` (agent ${p.agent_id})` : ''} ${res.change}; version ${p.version}.`,
    // --- additive ---
    enabled: p.enabled,
    scope: p.agent_id ? 'agent' : 'tenant',
  };
}
