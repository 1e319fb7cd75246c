/**
 * GraphQL for agent-action governance: the same service calls as the Novyx
 * REST shims (actions, approvals, policies, dashboard, violations, usage).
 */
import { builder } from '../../graphql/builder';
import { DomainError } from '../../shared/errors';
import type { AuditRecord } from '../audit/audit.service';
import type { TenantRecord } from '../tenants/tenant.service';
import type { AgentViolations, Dashboard, ViolationEntry } from './governance-dashboard.service';
import { parseLimit, type ActionExplanation, type GovernanceCaller, type PolicyChange, type StoredAction, type StoredPolicy } from './governance.service';
import type { PolicyEvaluated, PolicyRule, Violation } from './policy/action-policy';

const callerOf = (ctx: { tenant: { id: string }; actor: { id: string } }): GovernanceCaller => ({ tenantId: ctx.tenant.id, requester: ctx.actor.id });

const errors = (what: string) => ({
  types: [DomainError],
  union: { description: `${what}, or why the request was refused.` },
  result: { description: `${what}.` },
  dataField: { description: `${what}.` },
});

builder.objectField(DomainError, 'reasonCode', (t) =>
  t.string({
    nullable: true,
    description: 'The Novyx error code, when there is one (e.g. `novyx_ram.v1.tier.feature_required`).',
    resolve: (e) => (typeof e.details.novyxCode === 'string' ? e.details.novyxCode : null),
  }),
);

const ViolationType = builder.objectRef<Violation>('PolicyViolation').implement({
  description: 'One policy rule that fired.',
  fields: (t) => ({
    policy: t.exposeString('policy', { description: 'The policy name.' }),
    rule: t.exposeInt('rule', { description: 'Index of the rule in the policy (-1: the evaluation budget was spent).' }),
    severity: t.exposeString('severity', { description: '`critical`, `high`, `medium` or `low`.' }),
    onViolation: t.string({ description: '`block`, `require_approval` or `warn`.', resolve: (v) => v.on_violation }),
    message: t.exposeString('message', { description: 'What the rule is about.' }),
  }),
});

const PolicyEvaluatedType = builder.objectRef<PolicyEvaluated>('PolicyEvaluated').implement({
  description: 'How one policy judged an action.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Policy name.' }),
    source: t.exposeString('source', { description: '`builtin` or `custom`.' }),
    version: t.exposeInt('version', { description: 'Policy version used.' }),
    agentId: t.string({ nullable: true, description: 'The agent the policy is scoped to, if any.', resolve: (p) => p.agent_id }),
    result: t.exposeString('result', { description: '`passed`, `violated`, `warned`, `skipped` or `exhausted`.' }),
    rulesFired: t.intList({ description: 'Indexes of the rules that matched.', resolve: (p) => p.rules_fired }),
  }),
});

const AuditTrailEntryType = builder.objectRef<AuditRecord>('ActionAuditTrailEntry').implement({
  description: 'An audit row about an action.',
  fields: (t) => ({
    auditId: t.string({ description: 'Audit row id.', resolve: (r) => r.id }),
    sequenceNumber: t.int({ description: 'Position in the tenant\'s chain.', resolve: (r) => r.seq }),
    timestamp: t.field({ type: 'DateTime', description: 'When it was recorded.', resolve: (r) => r.ts }),
    event: t.string({ description: 'What happened (`action_blocked`, `action_approved`, …).', resolve: (r) => (typeof r.details.event === 'string' ? r.details.event : r.kind.toLowerCase()) }),
    entryHash: t.string({ description: 'The row\'s hash, `sha256:…`.', resolve: (r) => `sha256:${r.hash}` }),
    metadata: t.field({ type: 'JSON', description: 'The row\'s details.', resolve: (r) => r.details }),
  }),
});

const AgentActionType = builder.objectRef<StoredAction>('AgentAction').implement({
  description: 'An action an agent submitted, how the policies judged it, and any human decision.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Action id (also the approval id when it was held for review).' }),
    action: t.exposeString('action', { description: 'What the agent wants to do, e.g. `github.merge_pr`.' }),
    agentId: t.exposeString('agentId', { nullable: true, description: 'The agent.' }),
    params: t.field({ type: 'JSON', description: 'The action\'s parameters.', resolve: (a) => a.params }),
    status: t.exposeString('status', { description: 'Now: `allowed`, `blocked`, `pending_review`, `approved` or `denied`.' }),
    decisionStatus: t.string({ description: 'As submitted: `allowed`, `blocked` or `pending_review`.', resolve: (a) => a.decision.status }),
    message: t.exposeString('message', { description: 'A sentence for the agent.' }),
    riskScore: t.float({ description: 'Risk 0..1.', resolve: (a) => a.decision.risk_score }),
    evaluationTimeMs: t.float({ description: 'How long the policies took, in milliseconds.', resolve: (a) => a.decision.evaluation_time_ms }),
    triggeredPolicy: t.string({ nullable: true, description: 'The deciding policy.', resolve: (a) => a.decision.triggered_policy }),
    severity: t.string({ nullable: true, description: 'Severity of the deciding rule.', resolve: (a) => a.decision.severity }),
    reason: t.string({ description: 'Why.', resolve: (a) => a.decision.reason }),
    violations: t.field({ type: [ViolationType], description: 'Rules that blocked or held it.', resolve: (a) => a.decision.violations }),
    warnings: t.stringList({ description: 'Rules that only warned.', resolve: (a) => a.decision.warnings }),
    policiesEvaluated: t.field({ type: [PolicyEvaluatedType], description: 'Every policy that judged it.', resolve: (a) => a.decision.policies_evaluated }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime', description: 'When it was submitted.' }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true, description: 'When a person decided.' }),
    decidedBy: t.exposeString('decidedBy', { nullable: true, description: 'Who decided.' }),
    decisionReason: t.exposeString('decisionReason', { nullable: true, description: 'Why they decided so.' }),
  }),
});

const ActionExplanationType = builder.objectRef<ActionExplanation>('ActionExplanation').implement({
  description: 'An action with its audit trail.',
  fields: (t) => ({
    action: t.field({ type: AgentActionType, description: 'The action.', resolve: (x) => x.action }),
    auditTrail: t.field({ type: [AuditTrailEntryType], description: 'Its audit rows, oldest first.', resolve: (x) => x.trail }),
  }),
});

const RuleType = builder.objectRef<PolicyRule>('ActionPolicyRule').implement({
  description: 'A policy rule.',
  fields: (t) => ({
    match: t.exposeString('match', { description: 'Regex searched (case-insensitively) in the JSON of `{action, params}`.' }),
    contextRequires: t.string({ nullable: true, description: 'A second regex that must also match.', resolve: (r) => r.context_requires }),
    severity: t.exposeString('severity', { description: '`critical`, `high`, `medium` or `low`.' }),
    onViolation: t.string({ description: '`block`, `require_approval` or `warn`.', resolve: (r) => r.on_violation }),
    description: t.exposeString('description', { nullable: true, description: 'What the rule is about.' }),
  }),
});

const ActionPolicyType = builder.objectRef<StoredPolicy>('ActionPolicy').implement({
  description: 'A built-in or custom action policy.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Policy name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What it guards.' }),
    source: t.exposeString('source', { description: '`builtin` or `custom`.' }),
    agentId: t.string({ nullable: true, description: 'The agent it is scoped to; null for tenant-wide.', resolve: (p) => p.agent_id }),
    enabled: t.exposeBoolean('enabled', { description: 'False once deleted (soft delete).' }),
    version: t.exposeInt('version', { description: 'Bumped by every change.' }),
    rules: t.field({ type: [RuleType], description: 'Its rules.', resolve: (p) => p.rules }),
    stepTypes: t.stringList({ description: 'Step types it applies to.', resolve: (p) => p.step_types }),
    whitelistedDomains: t.stringList({ description: 'Domains that bypass it.', resolve: (p) => p.whitelisted_domains }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'Last change (custom policies).' }),
  }),
});

const PolicyChangeType = builder.objectRef<PolicyChange>('PolicyChange').implement({
  description: 'The outcome of a policy change.',
  fields: (t) => ({
    policy: t.field({ type: ActionPolicyType, description: 'The policy after the change.', resolve: (c) => c.policy }),
    change: t.exposeString('change', { description: '`created`, `updated`, `disabled` or `unchanged`.' }),
  }),
});

const CountsFields = {
  executed: 'Actions that ran (allowed, or approved).',
  pendingReview: 'Actions held for review.',
  approved: 'Approvals by people.',
  denied: 'Denials by people.',
};

interface Totals {
  evaluations: number;
  executed: number;
  pendingReview: number;
  approved: number;
  denied: number;
}

const TotalsType = builder.objectRef<Totals>('GovernanceTotals').implement({
  description: 'Counts over the dashboard window.',
  fields: (t) => ({
    evaluations: t.exposeInt('evaluations', { description: 'Actions evaluated (agent actions and dependency evaluations).' }),
    executed: t.exposeInt('executed', { description: CountsFields.executed }),
    pendingReview: t.exposeInt('pendingReview', { description: 'Actions of the window still held in the approval queue.' }),
    approved: t.exposeInt('approved', { description: CountsFields.approved }),
    denied: t.exposeInt('denied', { description: CountsFields.denied }),
  }),
});

const SeverityCountType = builder.objectRef<{ severity: string; count: number }>('SeverityCount').implement({
  description: 'How often a severity occurred.',
  fields: (t) => ({
    severity: t.exposeString('severity', { description: 'Severity.' }),
    count: t.exposeInt('count', { description: 'Count.' }),
  }),
});

const PolicyViolationsType = builder.objectRef<Dashboard['violationsByPolicy'][number]>('PolicyViolationCount').implement({
  description: 'Violations of one policy in the window.',
  fields: (t) => ({
    policy: t.exposeString('policy', { description: 'Policy name.' }),
    count: t.exposeInt('count', { description: 'Times it fired.' }),
    severityBreakdown: t.field({
      type: [SeverityCountType],
      description: 'Count per severity, worst first.',
      resolve: (p) => Object.entries(p.severityBreakdown).map(([severity, count]) => ({ severity, count })),
    }),
  }),
});

const AgentViolationCountType = builder.objectRef<Dashboard['violationsByAgent'][number]>('AgentViolationCount').implement({
  description: 'Violations of one agent in the window.',
  fields: (t) => ({
    agentId: t.exposeString('agentId', { description: 'The agent.' }),
    count: t.exposeInt('count', { description: 'Violations.' }),
  }),
});

const SeriesPointType = builder.objectRef<Dashboard['timeSeries'][number]>('GovernanceSeriesPoint').implement({
  description: 'One bucket of the time series.',
  fields: (t) => ({
    bucket: t.expose('bucket', { type: 'DateTime', description: 'Start of the bucket (UTC).' }),
    executed: t.exposeInt('executed', { description: CountsFields.executed }),
    pendingReview: t.exposeInt('pendingReview', { description: 'Actions that entered review in this bucket.' }),
    approved: t.exposeInt('approved', { description: CountsFields.approved }),
    denied: t.exposeInt('denied', { description: CountsFields.denied }),
  }),
});

const DashboardType = builder.objectRef<Dashboard>('GovernanceDashboard').implement({
  description: 'Governance totals, violations by policy and agent, and a time series, from the audit log.',
  fields: (t) => ({
    window: t.exposeString('window', { description: '`24h`, `7d` or `30d`.' }),
    bucket: t.exposeString('bucket', { description: '`hour` or `day` (resolved).' }),
    backend: t.exposeString('backend', { description: 'Always `postgres`.' }),
    windowStart: t.expose('windowStart', { type: 'DateTime', description: 'Start of the first bucket.' }),
    windowEnd: t.expose('windowEnd', { type: 'DateTime', description: 'End of the last bucket.' }),
    totals: t.field({ type: TotalsType, description: 'Counts.', resolve: (d) => d.totals }),
    violationsByPolicy: t.field({ type: [PolicyViolationsType], description: 'By policy, most first.', resolve: (d) => d.violationsByPolicy }),
    violationsByAgent: t.field({ type: [AgentViolationCountType], description: 'By agent, most first.', resolve: (d) => d.violationsByAgent }),
    timeSeries: t.field({ type: [SeriesPointType], description: 'Every bucket of the window, oldest first.', resolve: (d) => d.timeSeries }),
  }),
});

const ViolationEntryType = builder.objectRef<ViolationEntry>('AgentViolationEntry').implement({
  description: 'An audit entry with violations.',
  fields: (t) => ({
    actionId: t.exposeString('actionId', { description: 'The action (or the audit row of a dependency evaluation).' }),
    action: t.exposeString('action', { description: 'The action, e.g. `dependency.add`.' }),
    timestamp: t.expose('timestamp', { type: 'DateTime', description: 'When.' }),
    event: t.exposeString('event', { description: '`action_blocked` or `action_pending_review`.' }),
    triggeredPolicy: t.exposeString('triggeredPolicy', { nullable: true, description: 'The deciding policy.' }),
    severity: t.exposeString('severity', { nullable: true, description: 'Its severity.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why.' }),
    riskScore: t.exposeFloat('riskScore', { nullable: true, description: 'Risk 0..1.' }),
    violationCount: t.exposeInt('violationCount', { description: 'Rules that fired.' }),
    auditId: t.exposeString('auditId', { description: 'The audit row.' }),
  }),
});

const AgentViolationsType = builder.objectRef<AgentViolations>('AgentViolations').implement({
  description: 'An agent\'s violations, newest first.',
  fields: (t) => ({
    agentId: t.exposeString('agentId', { description: 'The agent.' }),
    total: t.int({ description: 'Entries returned.', resolve: (v) => v.violations.length }),
    backend: t.exposeString('backend', { description: 'Always `postgres`.' }),
    violations: t.field({ type: [ViolationEntryType], description: 'The entries.', resolve: (v) => v.violations }),
  }),
});

interface Usage {
  tenant: TenantRecord;
  features: Record<string, boolean>;
  limits: { draftPolicies: number | null };
  usage: { draftPolicies: number };
}

const TenantType = builder.objectRef<TenantRecord>('Tenant').implement({
  description: 'A tenant and its tier.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Tenant id.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    tier: t.exposeString('tier', { description: '`free`, `starter`, `pro` or `enterprise`.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'Created.' }),
  }),
});

const UsageType = builder.objectRef<Usage>('Usage').implement({
  description: 'The tenant\'s plan, feature flags and custom-policy use.',
  fields: (t) => ({
    tenant: t.field({ type: TenantType, description: 'The tenant.', resolve: (u) => u.tenant }),
    governanceDashboard: t.boolean({ description: 'Dashboard and violations (Starter+).', resolve: (u) => u.features.governance_dashboard }),
    draftPolicies: t.boolean({ description: 'Custom policies (Starter+).', resolve: (u) => u.features.draft_policies }),
    agentScopedPolicies: t.boolean({ description: 'Agent-scoped policies (Pro+).', resolve: (u) => u.features.agent_scoped_policies }),
    draftPolicyLimit: t.int({ nullable: true, description: 'Enabled custom policies allowed; null = unlimited.', resolve: (u) => u.limits.draftPolicies }),
    draftPoliciesUsed: t.int({ description: 'Enabled custom policies.', resolve: (u) => u.usage.draftPolicies }),
  }),
});

// --- inputs ---

const SubmitActionInput = builder.inputType('SubmitActionInput', {
  description: 'An action for the policies to judge.',
  fields: (t) => ({
    action: t.string({ required: true, description: 'What the agent wants to do, e.g. `http.transfer_funds`.' }),
    params: t.field({ type: 'JSON', description: 'Its parameters (a JSON object).' }),
    agentId: t.string({ description: 'The agent.' }),
  }),
});

const DecideApprovalInput = builder.inputType('DecideApprovalInput', {
  description: 'A human decision on a held action.',
  fields: (t) => ({
    approvalId: t.string({ required: true, description: 'The approval (action) id.' }),
    decision: t.string({ required: true, description: '`approve` or `deny` (also `approved`, `denied`).' }),
    reason: t.string({ description: 'Why.' }),
    approverId: t.string({ description: 'Who decides (defaults to the caller).' }),
  }),
});

const PolicyRuleInput = builder.inputType('ActionPolicyRuleInput', {
  description: 'A policy rule.',
  fields: (t) => ({
    match: t.string({ required: true, description: 'Regex (linear-time subset: no backreferences or lookaround).' }),
    contextRequires: t.string({ description: 'A second regex that must also match.' }),
    severity: t.string({ description: '`critical`, `high`, `medium` (default) or `low`.' }),
    onViolation: t.string({ description: '`block`, `require_approval` or `warn`; defaults from the severity.' }),
    description: t.string({ description: 'What the rule is about.' }),
  }),
});

const PolicyInput = builder.inputType('ActionPolicyInput', {
  description: 'A custom policy.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name: 1-64 of A-Z a-z 0-9 _ -.' }),
    description: t.string({ description: 'What it guards.' }),
    rules: t.field({ type: [PolicyRuleInput], required: true, description: 'Its rules (1..50).' }),
    stepTypes: t.stringList({ description: 'Step types (default `action`).' }),
    whitelistedDomains: t.stringList({ description: 'Domains that bypass it.' }),
    enabled: t.boolean({ description: 'Default true.' }),
    agentId: t.string({ description: 'Scope it to one agent (Pro+).' }),
  }),
});

type PolicyInputShape = {
  name: string;
  description?: string | null;
  rules: { match: string; contextRequires?: string | null; severity?: string | null; onViolation?: string | null; description?: string | null }[];
  stepTypes?: string[] | null;
  whitelistedDomains?: string[] | null;
  enabled?: boolean | null;
  agentId?: string | null;
};

/** The GraphQL input as the REST body the service validates (one validator for both transports). */
const policyBody = (i: PolicyInputShape) => ({
  name: i.name,
  description: i.description ?? undefined,
  rules: i.rules.map((r) => ({
    match: r.match,
    context_requires: r.contextRequires ?? undefined,
    severity: r.severity ?? undefined,
    on_violation: r.onViolation ?? undefined,
    description: r.description ?? undefined,
  })),
  step_types: i.stepTypes ?? undefined,
  whitelisted_domains: i.whitelistedDomains ?? undefined,
  enabled: i.enabled ?? undefined,
  agent_id: i.agentId ?? undefined,
});

// --- queries ---

builder.queryField('actions', (t) =>
  t.field({
    type: [AgentActionType],
    description: 'Recent actions, newest first.',
    errors: errors('The actions'),
    args: {
      status: t.arg.string({ description: '`allowed`, `blocked`, `pending_review`, `approved` or `denied`.' }),
      limit: t.arg.int({ description: '1..1000, default 50.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.governance.listActions(ctx.em(), ctx.tenant.id, { status: a.status ?? null, limit: parseLimit(a.limit, 50, 1000) }),
  }),
);

builder.queryField('action', (t) =>
  t.field({
    type: ActionExplanationType,
    description: 'One action with its audit trail (why it was decided so).',
    errors: errors('The action'),
    args: { id: t.arg.string({ required: true, description: 'Action id.' }) },
    resolve: (_r, a, ctx) => ctx.services.governance.explainAction(ctx.em(), ctx.tenant.id, a.id),
  }),
);

builder.queryField('approvals', (t) =>
  t.field({
    type: [AgentActionType],
    description: 'The approval queue, in submission order.',
    errors: errors('The approvals'),
    args: {
      status: t.arg.string({ description: '`pending` (default), `approved`, `denied`, `decided` or `all`.' }),
      limit: t.arg.int({ description: '1..1000, default 50.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.governance.listApprovals(ctx.em(), ctx.tenant.id, { status: a.status ?? null, limit: parseLimit(a.limit, 50, 1000) }),
  }),
);

builder.queryField('policies', (t) =>
  t.field({
    type: [ActionPolicyType],
    description: 'Built-in and enabled custom policies (and an agent\'s own, when asked).',
    errors: errors('The policies'),
    args: { agentId: t.arg.string({ description: 'Include this agent\'s policies.' }) },
    resolve: (_r, a, ctx) => ctx.services.governance.listPolicies(ctx.em(), ctx.tenant.id, a.agentId ?? null),
  }),
);

builder.queryField('governanceDashboard', (t) =>
  t.field({
    type: DashboardType,
    description: 'Governance dashboard (Starter+): one query over the audit log.',
    errors: errors('The dashboard'),
    args: {
      window: t.arg.string({ description: '`24h`, `7d` (default) or `30d`.' }),
      bucket: t.arg.string({ description: '`hour` or `day`; default hour for 24h, day otherwise.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.governanceDashboard.dashboard(ctx.em(), ctx.tenant.id, { window: a.window ?? null, bucket: a.bucket ?? null }),
  }),
);

builder.queryField('agentViolations', (t) =>
  t.field({
    type: AgentViolationsType,
    description: 'An agent\'s violations, newest first (Starter+).',
    errors: errors('The violations'),
    args: {
      agentId: t.arg.string({ required: true, description: 'The agent.' }),
      limit: t.arg.int({ description: '1..1000, default 50.' }),
      since: t.arg.string({ description: 'ISO 8601 lower bound (with zone).' }),
      until: t.arg.string({ description: 'ISO 8601 upper bound (with zone).' }),
    },
    resolve: (_r, a, ctx) =>
      ctx.services.governanceDashboard.agentViolations(ctx.em(), ctx.tenant.id, a.agentId, { limit: a.limit ?? null, since: a.since ?? null, until: a.until ?? null }),
  }),
);

builder.queryField('usage', (t) =>
  t.field({
    type: UsageType,
    description: 'The caller\'s tenant: plan and feature flags.',
    errors: errors('The usage'),
    resolve: (_r, _a, ctx) => ctx.services.governance.usage(ctx.em(), ctx.tenant.id),
  }),
);

// --- mutations ---

builder.mutationField('submitAction', (t) =>
  t.field({
    type: AgentActionType,
    description: 'Submit an action: judged by the policies, recorded in the audit log, held for review when a rule says so.',
    errors: errors('The judged action'),
    args: { input: t.arg({ type: SubmitActionInput, required: true, description: 'The action.' }) },
    resolve: async (_r, { input }, ctx) =>
      (await ctx.services.governance.submitAction(callerOf(ctx), { action: input.action, params: input.params ?? {}, agent_id: input.agentId ?? undefined })).action,
  }),
);

builder.mutationField('decideApproval', (t) =>
  t.field({
    type: AgentActionType,
    description: 'Approve or deny a held action. Decisions are immutable.',
    errors: errors('The decided action'),
    args: { input: t.arg({ type: DecideApprovalInput, required: true, description: 'The decision.' }) },
    resolve: async (_r, { input }, ctx) =>
      (await ctx.services.governance.decide(callerOf(ctx), input.approvalId, { decision: input.decision, reason: input.reason, approverId: input.approverId })).action,
  }),
);

builder.mutationField('createPolicy', (t) =>
  t.field({
    type: PolicyChangeType,
    description: 'Create or update (upsert by name and scope) a custom policy.',
    errors: errors('The change'),
    args: { input: t.arg({ type: PolicyInput, required: true, description: 'The policy.' }) },
    resolve: (_r, { input }, ctx) => ctx.services.governance.upsertPolicy(callerOf(ctx), policyBody(input), { nameFromPath: null, mode: 'create' }),
  }),
);

builder.mutationField('updatePolicy', (t) =>
  t.field({
    type: PolicyChangeType,
    description: 'Replace an existing custom policy (version bump).',
    errors: errors('The change'),
    args: { input: t.arg({ type: PolicyInput, required: true, description: 'The policy.' }) },
    resolve: (_r, { input }, ctx) => ctx.services.governance.upsertPolicy(callerOf(ctx), policyBody(input), { nameFromPath: input.name, mode: 'update' }),
  }),
);

builder.mutationField('deletePolicy', (t) =>
  t.field({
    type: PolicyChangeType,
    description: 'Disable (soft-delete) a custom policy. Built-ins cannot be deleted.',
    errors: errors('The change'),
    args: {
      name: t.arg.string({ required: true, description: 'Policy name.' }),
      agentId: t.arg.string({ description: 'The agent scope, if it is agent-scoped.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.governance.deletePolicy(callerOf(ctx), a.name, a.agentId ?? null),
  }),
);

builder.mutationField('createTenant', (t) =>
  t.field({
    type: TenantType,
    description: 'Create a tenant on a tier, with its own audit chain. Address it with the X-Lexgate-Tenant header (single-user mode).',
    errors: errors('The tenant'),
    args: {
      id: t.arg.string({ required: true, description: 'Tenant id: 1-64 of a-z 0-9 _ -.' }),
      name: t.arg.string({ description: 'Display name (default: the id).' }),
      tier: t.arg.string({ required: true, description: '`free`, `starter`, `pro` or `enterprise`.' }),
    },
    resolve: (_r, a, ctx) => ctx.services.tenants.create({ id: a.id, name: a.name, tier: a.tier }, ctx.actor.id),
  }),
);
