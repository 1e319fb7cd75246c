/**
 * lex-align's registry endpoints under /api/v1/registry (SPEC §5), plus our additive decision
 * and edit routes. Thin: parse, one service call, map.
 */
import { approvalRequestToWire } from '../modules/approvals/approval.wire';
import type { Ecosystem } from '../modules/packages/facts';
import type { ProposedRule } from '../modules/registry/registry-edit';
import { RegistryInvalidError } from '../modules/registry/registry-errors';
import type { ProposalOutcome } from '../modules/registry/registry-lifecycle.service';
import { approveSchema, parseYamlSchema, policyPatchSchema, proposalSchema, rejectSchema, removeRuleSchema } from '../modules/registry/registry.inputs';
import { pendingToWire, reloadToWire, webhookToWire } from '../modules/registry/registry.wire';
import { UnprocessableError } from '../shared/errors';
import { parseBody } from './api-v1.routes';
import { json } from './http-errors';
import { lexAlignCaller } from './lexalign-caller';
import type { Route, RouteInput } from './router';
import { callerFor } from '../modules/auth/caller';

/** Our additive operator routes: the project header is optional (the dashboard's `dashboard` by default). */
function operatorCaller(ctx: RouteInput['ctx']) {
  const given = ctx.headers.get('x-lexalign-project')?.trim();
  return given ? lexAlignCaller(ctx) : callerFor(ctx, { project: 'dashboard' });
}

/** The proposal result, plus the reload that made a local proposal live (additive). */
function proposalToWire(o: ProposalOutcome) {
  return { ...o.proposal, reload: o.reload ? reloadToWire(o.reload) : null };
}

/** lex-align answers 400 `{detail}` for a bad body here, not FastAPI's 422. */
function parse400<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnprocessableError) throw new RegistryInvalidError(e.message, e.field);
    throw e;
  }
}

export const registryRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/registry',
    dialect: 'lexalign',
    handler: ({ ctx }) => json(ctx.services.registryLifecycle.wire(ctx.tenant.id)),
  },
  {
    method: 'GET',
    path: '/api/v1/registry/pending',
    dialect: 'lexalign',
    handler: async ({ ctx }) => json(pendingToWire(await ctx.services.registryLifecycle.pending(ctx.em(), ctx.tenant.id))),
  },
  {
    method: 'GET',
    path: '/api/v1/registry/export',
    dialect: 'lexalign',
    handler: ({ ctx }) =>
      ({
        status: 200,
        headers: { 'content-type': 'application/yaml; charset=utf-8', 'content-disposition': 'attachment; filename="registry.yml"', 'cache-control': 'no-store' },
        body: ctx.services.registryLifecycle.exportYaml(ctx.tenant.id),
      }),
  },
  {
    method: 'POST',
    path: '/api/v1/registry/proposals',
    dialect: 'lexalign',
    handler: async ({ ctx, request }) => {
      const caller = lexAlignCaller(ctx);
      const body = parse400(() => parseBody(request, proposalSchema));
      const rule: ProposedRule = {
        ecosystem: body.ecosystem,
        name: body.name,
        status: body.status.trim().toLowerCase() as ProposedRule['status'],
        reason: body.reason ?? null,
        replacement: body.replacement ?? null,
        min_version: body.min_version ?? null,
        max_version: body.max_version ?? null,
      };
      const out = await ctx.services.registryLifecycle.proposeRule(caller, rule, body.rationale?.trim() || 'Operator-driven registry change.');
      return json(proposalToWire(out));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/registry/global-policies',
    dialect: 'lexalign',
    handler: async ({ ctx, request }) => {
      const caller = operatorCaller(ctx);
      const { rationale, ...patch } = parse400(() => parseBody(request, policyPatchSchema));
      const out = await ctx.services.registryLifecycle.updateGlobalPolicies(caller, patch, rationale?.trim() || 'Global policy change.');
      return json(proposalToWire(out));
    },
  },
  {
    method: 'DELETE',
    path: '/api/v1/registry/packages/:name',
    dialect: 'lexalign',
    handler: async ({ ctx, request, params }) => {
      const caller = operatorCaller(ctx);
      const body = parse400(() => parseBody(request, removeRuleSchema.optional().default({ ecosystem: 'pypi' })));
      const out = await ctx.services.registryLifecycle.removePackageRule(
        caller,
        body.ecosystem as Ecosystem,
        params.name,
        body.rationale?.trim() || `Remove the rule for ${params.name}.`,
      );
      return json(proposalToWire(out));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/registry/parse-yaml',
    dialect: 'lexalign',
    handler: async ({ ctx, request }) => {
      const body = parse400(() => parseBody(request, parseYamlSchema));
      return json(ctx.services.registryLifecycle.parseYaml(body.yaml_text));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/registry/reload',
    dialect: 'lexalign',
    handler: async ({ ctx }) => json(reloadToWire(await ctx.services.registryLifecycle.reload(ctx.actor.id))),
  },
  {
    method: 'POST',
    path: '/api/v1/registry/webhook',
    dialect: 'lexalign',
    handler: async ({ ctx, request }) => {
      const raw = request.body;
      const out = await ctx.services.registryLifecycle.webhook(raw, ctx.headers.get('x-hub-signature-256'), ctx.headers.get('x-github-event'));
      return json(webhookToWire(out));
    },
  },
  {
    method: 'POST',
    path: '/api/v1/approval-requests/:id/approve',
    dialect: 'lexalign',
    handler: async ({ ctx, request, params }) => {
      const caller = operatorCaller(ctx);
      const body = parse400(() => parseBody(request, approveSchema));
      const out = await ctx.services.registryLifecycle.approve(caller, params.id, body);
      return json({ request: approvalRequestToWire(out.request), proposal: proposalToWire(out), live: out.live });
    },
  },
  {
    method: 'POST',
    path: '/api/v1/approval-requests/:id/reject',
    dialect: 'lexalign',
    handler: async ({ ctx, request, params }) => {
      const caller = operatorCaller(ctx);
      const body = parse400(() => parseBody(request, rejectSchema));
      const out = await ctx.services.registryLifecycle.reject(caller, params.id, body.reason);
      return json({ request: approvalRequestToWire(out) });
    },
  },
];
