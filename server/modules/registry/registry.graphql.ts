/** GraphQL for the registry lifecycle: each resolver one service call (the same ones REST uses). */
import type { RequestContext } from '../../context';
import { callerFor } from '../auth/caller';
import { builder } from '../../graphql/builder';
import { DomainError } from '../../shared/errors';
import { ApprovalRequestType } from '../approvals/approval.graphql';
import type { RegistryRule } from './registry-document';
import type { ExplicitPending, ProposalOutcome, ApproveOutcome, PendingTriage } from './registry-lifecycle.service';
import type { RegistryRevisionRecord, ReloadOutcome } from './registry.service';
import type { ProposalResult } from './proposers/proposer';
import type { ImplicitCandidate } from './triage';
import type { Registry } from './registry';

const errors = (what: string) => ({
  types: [DomainError],
  union: { description: `${what}, or why it was refused.` },
  result: { description: `${what}.` },
  dataField: { description: `${what}.` },
});

const RegistryStatusEnum = builder.enumType('RegistryRuleStatus', {
  description: 'How the registry classifies a package.',
  values: {
    preferred: { description: 'Use it: ALLOWED.' },
    approved: { description: 'Allowed with a rationale: ALLOWED, needs_rationale.' },
    version_constrained: { value: 'version-constrained', description: 'Allowed within min_version (inclusive) .. max_version (exclusive).' },
    deprecated: { description: 'Denied; use the replacement.' },
    banned: { description: 'Denied.' },
  } as const,
});

const EcosystemEnum = builder.enumType('RegistryEcosystem', {
  description: 'Package ecosystem of a registry rule.',
  values: { pypi: { description: 'PyPI (bare keys).' }, npm: { description: 'npm (keys written as pkg:npm/...).' } } as const,
});

const RegistryRuleType = builder.objectRef<RegistryRule>('RegistryRule').implement({
  description: 'One package rule of the registry.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The YAML key as written.' }),
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    name: t.exposeString('name', { description: 'The package name (purl prefix removed, percent-decoded).' }),
    status: t.exposeString('status', { description: 'preferred, approved, version-constrained, deprecated or banned.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why.' }),
    replacement: t.exposeString('replacement', { nullable: true, description: 'What to use instead (deprecated).' }),
    minVersion: t.exposeString('minVersion', { nullable: true, description: 'Inclusive lower bound.' }),
    maxVersion: t.exposeString('maxVersion', { nullable: true, description: 'Exclusive upper bound.' }),
  }),
});

const GlobalPoliciesType = builder.objectRef<Registry['globalPolicies']>('GlobalPolicies').implement({
  description: 'The registry\'s global policies.',
  fields: (t) => ({
    autoApproveLicenses: t.stringList({ description: 'Licenses that let an unknown package pass provisionally.', resolve: (g) => [...g.autoApproveLicenses] }),
    hardBanLicenses: t.stringList({ description: 'Licenses that deny.', resolve: (g) => [...g.hardBanLicenses] }),
    requireHumanReviewLicenses: t.stringList({ description: 'Licenses that need legal review.', resolve: (g) => [...g.requireHumanReviewLicenses] }),
    unknownLicensePolicy: t.exposeString('unknownLicensePolicy', { description: 'allow, pending_approval or block.' }),
    cveThreshold: t.exposeFloat('cveThreshold', { description: 'Deny at CVSS >= threshold x 10.' }),
    upstreamUnavailable: t.exposeString('upstreamUnavailable', { description: 'provisional or deny when upstreams fail.' }),
  }),
});

interface LiveRegistry {
  registry: Registry;
  revision: number;
}

const RegistryType = builder.objectRef<LiveRegistry>('Registry').implement({
  description: 'The live registry.',
  fields: (t) => ({
    version: t.string({ description: 'The document\'s `version`.', resolve: (r) => r.registry.version }),
    revision: t.exposeInt('revision', { description: 'The stored revision it came from.' }),
    packageCount: t.int({ description: 'Package rules.', resolve: (r) => r.registry.packageCount }),
    globalPolicies: t.field({ type: GlobalPoliciesType, description: 'Global policies.', resolve: (r) => r.registry.globalPolicies }),
    packages: t.field({ type: [RegistryRuleType], description: 'Package rules, in document order.', resolve: (r) => [...r.registry.rules()] }),
  }),
});

const RegistryRevisionType = builder.objectRef<RegistryRevisionRecord>('RegistryRevision').implement({
  description: 'An accepted registry document.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Revision id.' }),
    revision: t.exposeInt('revision', { description: 'Monotonic number per tenant.' }),
    version: t.exposeString('version', { description: 'The document\'s `version`.' }),
    yaml: t.exposeString('yaml', { description: 'The YAML text as accepted.' }),
    sha256: t.exposeString('sha256', { description: 'SHA-256 of the text.' }),
    source: t.exposeString('source', { description: 'file, starter, reload, webhook, proposal or api.' }),
    author: t.exposeString('author', { description: 'Who caused it.' }),
    packageCount: t.exposeInt('packageCount', { description: 'Package rules.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was accepted.' }),
  }),
});

const ReloadResultType = builder.objectRef<ReloadOutcome>('RegistryReloadResult').implement({
  description: 'What a reload did.',
  fields: (t) => ({
    previousVersion: t.exposeString('previousVersion', { nullable: true, description: 'Version live before.' }),
    newVersion: t.exposeString('newVersion', { description: 'Version live now.' }),
    packageCount: t.exposeInt('packageCount', { description: 'Package rules now.' }),
    addedPackages: t.exposeInt('addedPackages', { description: 'Packages the new revision added.' }),
    approvedRequests: t.exposeInt('approvedRequests', { description: 'Pending requests approved by new rules.' }),
    rejectedRequests: t.exposeInt('rejectedRequests', { description: 'Pending requests rejected by new ban/deprecation rules.' }),
    revision: t.exposeInt('revision', { description: 'The revision now live.' }),
    created: t.exposeBoolean('created', { description: 'A new revision was stored (false: the document was unchanged).' }),
  }),
});

const ProposalResultType = builder.objectRef<ProposalResult>('ProposalResult').implement({
  description: 'What the proposer did (lex-align\'s ProposalResult).',
  fields: (t) => ({
    backend: t.exposeString('backend', { description: 'log_only, local_file, local_git or github.' }),
    status: t.exposeString('status', { description: 'opened, amended, applied, logged or failed.' }),
    url: t.exposeString('url', { nullable: true, description: 'The pull request or file.' }),
    branch: t.exposeString('branch', { nullable: true, description: 'The proposal branch (github).' }),
    commitSha: t.exposeString('commit_sha', { nullable: true, description: 'The commit made (local_git, github).' }),
    detail: t.exposeString('detail', { description: 'What happened, for people.' }),
  }),
});

const ProposalOutcomeType = builder.objectRef<ProposalOutcome>('RegistryProposal').implement({
  description: 'A proposal and, for local backends, the reload that made it live.',
  fields: (t) => ({
    proposal: t.field({ type: ProposalResultType, description: 'The proposer\'s result.', resolve: (o) => o.proposal }),
    reload: t.field({ type: ReloadResultType, nullable: true, description: 'The reload (null: not live yet, e.g. a pull request).', resolve: (o) => o.reload }),
  }),
});

const ApproveOutcomeType = builder.objectRef<ApproveOutcome>('ApproveRequestResult').implement({
  description: 'An approval: the proposal made and where the request stands.',
  fields: (t) => ({
    request: t.field({ type: ApprovalRequestType, description: 'The request (APPROVED once the rule is live).', resolve: (o) => o.request }),
    proposal: t.field({ type: ProposalResultType, description: 'The proposer\'s result.', resolve: (o) => o.proposal }),
    reload: t.field({ type: ReloadResultType, nullable: true, description: 'The reload, for local backends.', resolve: (o) => o.reload }),
    live: t.exposeBoolean('live', { description: 'The rule is live and the request APPROVED.' }),
  }),
});

const ExplicitPendingType = builder.objectRef<ExplicitPending>('ExplicitPending').implement({
  description: 'Pending approval requests for one package.',
  fields: (t) => ({
    package: t.exposeString('package', { description: 'Name from the newest request.' }),
    normalizedName: t.exposeString('normalizedName', { description: 'Normalised name.' }),
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    latestRationale: t.exposeString('latestRationale', { description: 'Newest rationale.' }),
    latestTs: t.expose('latestTs', { type: 'DateTime', description: 'Newest request time.' }),
    latestProject: t.exposeString('latestProject', { description: 'Project of the newest request.' }),
    latestRequester: t.exposeString('latestRequester', { description: 'Requester of the newest request.' }),
    requestCount: t.exposeInt('requestCount', { description: 'Requests (project/requester pairs).' }),
    totalRequests: t.exposeInt('totalRequests', { description: 'Every ask, repeats included.' }),
    requestIds: t.exposeStringList('requestIds', { description: 'The requests, newest first.' }),
  }),
});

const ImplicitCandidateType = builder.objectRef<ImplicitCandidate>('ImplicitCandidate').implement({
  description: 'A package the audit log has seen that nobody asked approval for.',
  fields: (t) => ({
    package: t.exposeString('package', { description: 'Name from the newest row.' }),
    normalizedName: t.exposeString('normalizedName', { description: 'Normalised name.' }),
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    evaluations: t.exposeInt('evaluations', { description: 'Evaluations in the last 30 days.' }),
    denials: t.exposeInt('denials', { description: 'DENIED among them.' }),
    provisional: t.exposeInt('provisional', { description: 'PROVISIONALLY_ALLOWED among them.' }),
    latestTs: t.expose('latestTs', { type: 'DateTime', description: 'Newest evaluation.' }),
    latestProject: t.exposeString('latestProject', { nullable: true, description: 'Its project.' }),
    latestAgentModel: t.exposeString('latestAgentModel', { nullable: true, description: 'Its agent model.' }),
    latestAgentVersion: t.exposeString('latestAgentVersion', { nullable: true, description: 'Its agent version.' }),
    projectCount: t.exposeInt('projectCount', { description: 'Distinct projects.' }),
    reason: t.exposeString('reason', { description: 'provisional-no-rationale, repeatedly-denied or pre-screened.' }),
    reasonDetail: t.exposeString('reasonDetail', { description: 'Why, in words.' }),
  }),
});

const PendingTriageType = builder.objectRef<PendingTriage>('PendingTriage').implement({
  description: 'What waits for triage.',
  fields: (t) => ({
    explicit: t.field({ type: [ExplicitPendingType], description: 'Pending approval requests by package.', resolve: (p) => p.explicit }),
    implicit: t.field({ type: [ImplicitCandidateType], description: 'Implicit candidates, ranked.', resolve: (p) => p.implicit }),
  }),
});

const ProposeRuleInput = builder.inputType('ProposeRegistryChangeInput', {
  description: 'A package rule to propose.',
  fields: (t) => ({
    ecosystem: t.field({ type: EcosystemEnum, description: 'Ecosystem (default pypi).' }),
    name: t.string({ required: true, description: 'Package name.', validate: { minLength: [1, { message: 'is required' }], maxLength: 300 } }),
    status: t.field({ type: RegistryStatusEnum, required: true, description: 'Classification.' }),
    reason: t.string({ description: 'Why.', validate: { maxLength: 2000 } }),
    replacement: t.string({ description: 'Replacement (deprecated).', validate: { maxLength: 300 } }),
    minVersion: t.string({ description: 'Inclusive lower bound.', validate: { maxLength: 200 } }),
    maxVersion: t.string({ description: 'Exclusive upper bound.', validate: { maxLength: 200 } }),
    rationale: t.string({ required: true, description: 'Why the registry should change (commit/PR note, audit).', validate: { minLength: [1, { message: 'is required' }], maxLength: 4000 } }),
    project: t.string({ description: 'Project the change is made for (default `dashboard`).', validate: { maxLength: 200 } }),
  }),
});

const GlobalPoliciesInput = builder.inputType('UpdateGlobalPoliciesInput', {
  description: 'Global-policy edits; only the fields given change.',
  fields: (t) => ({
    version: t.string({ description: 'New document version.', validate: { maxLength: 200 } }),
    autoApproveLicenses: t.stringList({ description: 'Licenses that let unknown packages pass.' }),
    hardBanLicenses: t.stringList({ description: 'Licenses that deny.' }),
    requireHumanReviewLicenses: t.stringList({ description: 'Licenses that need legal review.' }),
    unknownLicensePolicy: t.string({ description: 'allow, pending_approval or block.' }),
    cveThreshold: t.float({ description: '0..1.', validate: { min: 0, max: 1 } }),
    upstreamUnavailable: t.string({ description: 'provisional or deny.' }),
    rationale: t.string({ required: true, description: 'Why.', validate: { minLength: [1, { message: 'is required' }], maxLength: 4000 } }),
  }),
});

const operator = (ctx: RequestContext, project?: string | null) => callerFor(ctx, { project: project?.trim() || 'dashboard' });

builder.queryField('registry', (t) =>
  t.field({
    type: RegistryType,
    nullable: true,
    description: 'The live registry of the caller\'s tenant (null before one is loaded).',
    resolve: (_r, _a, ctx) => {
      const registry = ctx.services.registry.current(ctx.tenant.id);
      const live = ctx.services.registry.currentYaml(ctx.tenant.id);
      return registry && live ? { registry, revision: live.revision } : null;
    },
  }),
);

builder.queryField('registryRevisions', (t) =>
  t.field({
    type: [RegistryRevisionType],
    description: 'Accepted registry documents, newest first.',
    args: { first: t.arg.int({ defaultValue: 50, description: 'At most this many (1..500).', validate: { int: true, min: 1, max: 500 } }) },
    resolve: (_r, args, ctx) => ctx.services.registry.listRevisions(ctx.tenant.id, args.first ?? 50),
  }),
);

builder.queryField('pendingTriage', (t) =>
  t.field({
    type: PendingTriageType,
    description: 'Explicit pending requests and implicit candidates (SPEC §5).',
    resolve: (_r, _a, ctx) => ctx.services.registryLifecycle.pending(ctx.em(), ctx.tenant.id),
  }),
);

builder.mutationField('proposeRegistryChange', (t) =>
  t.field({
    type: ProposalOutcomeType,
    description: 'Propose a package rule through the configured proposer.',
    errors: errors('The proposal'),
    args: { input: t.arg({ type: ProposeRuleInput, required: true, description: 'The rule.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.registryLifecycle.proposeRule(
        operator(ctx, input.project),
        {
          ecosystem: input.ecosystem ?? 'pypi',
          name: input.name,
          status: input.status,
          reason: input.reason ?? null,
          replacement: input.replacement ?? null,
          min_version: input.minVersion ?? null,
          max_version: input.maxVersion ?? null,
        },
        input.rationale,
      ),
  }),
);

builder.mutationField('updateGlobalPolicies', (t) =>
  t.field({
    type: ProposalOutcomeType,
    description: 'Propose global-policy edits through the configured proposer.',
    errors: errors('The proposal'),
    args: { input: t.arg({ type: GlobalPoliciesInput, required: true, description: 'The edits.' }) },
    resolve: (_r, { input }, ctx) =>
      ctx.services.registryLifecycle.updateGlobalPolicies(
        operator(ctx),
        {
          version: input.version ?? undefined,
          auto_approve_licenses: input.autoApproveLicenses ?? undefined,
          hard_ban_licenses: input.hardBanLicenses ?? undefined,
          require_human_review_licenses: input.requireHumanReviewLicenses ?? undefined,
          unknown_license_policy: (input.unknownLicensePolicy ?? undefined) as never,
          cve_threshold: input.cveThreshold ?? undefined,
          upstream_unavailable: (input.upstreamUnavailable ?? undefined) as never,
        },
        input.rationale,
      ),
  }),
);

builder.mutationField('removePackageRule', (t) =>
  t.field({
    type: ProposalOutcomeType,
    description: 'Propose removing a package rule.',
    errors: errors('The proposal'),
    args: {
      ecosystem: t.arg({ type: EcosystemEnum, description: 'Ecosystem (default pypi).' }),
      name: t.arg.string({ required: true, description: 'Package name.' }),
      rationale: t.arg.string({ required: true, description: 'Why.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.registryLifecycle.removePackageRule(operator(ctx), args.ecosystem ?? 'pypi', args.name, args.rationale),
  }),
);

builder.mutationField('approveRequest', (t) =>
  t.field({
    type: ApproveOutcomeType,
    description: 'Approve a pending request: propose its rule; the request is APPROVED when the rule is live.',
    errors: errors('The approval'),
    args: {
      id: t.arg.id({ required: true, description: 'The request.' }),
      note: t.arg.string({ required: true, description: 'Why it is approved.' }),
      status: t.arg({ type: RegistryStatusEnum, description: 'preferred, approved (default) or version-constrained.' }),
      minVersion: t.arg.string({ description: 'Inclusive lower bound (version-constrained).' }),
      maxVersion: t.arg.string({ description: 'Exclusive upper bound (version-constrained).' }),
    },
    resolve: (_r, args, ctx) =>
      ctx.services.registryLifecycle.approve(operator(ctx), String(args.id), {
        note: args.note,
        status: args.status ?? undefined,
        min_version: args.minVersion ?? null,
        max_version: args.maxVersion ?? null,
      }),
  }),
);

builder.mutationField('rejectRequest', (t) =>
  t.field({
    type: ApprovalRequestType,
    description: 'Reject a pending request with a reason (the agent sees it when it asks again).',
    errors: errors('The request'),
    args: {
      id: t.arg.id({ required: true, description: 'The request.' }),
      reason: t.arg.string({ required: true, description: 'Why.' }),
    },
    resolve: (_r, args, ctx) => ctx.services.registryLifecycle.reject(operator(ctx), String(args.id), args.reason),
  }),
);

builder.mutationField('reloadRegistry', (t) =>
  t.field({
    type: ReloadResultType,
    description: 'Re-read the registry file and make it live (refused, with the reason, when it is invalid).',
    errors: errors('The reload'),
    resolve: (_r, _a, ctx) => ctx.services.registryLifecycle.reload(ctx.actor.id),
  }),
);

builder.mutationField('exportRegistryYaml', (t) =>
  t.string({
    description: 'The live registry document as YAML, as accepted (comments included), for a manual save.',
    errors: errors('The YAML'),
    resolve: (_r, _a, ctx) => ctx.services.registryLifecycle.exportYaml(ctx.tenant.id),
  }),
);

builder.mutationField('parseRegistryYaml', (t) =>
  t.field({
    type: 'JSON',
    description:
      'Validate a registry YAML document without storing anything (the workshop\'s import): the document in lex-align\'s wire shape ({version, global_policies, packages}), or the problems with their paths and lines.',
    errors: errors('The parsed document'),
    args: { yaml: t.arg.string({ required: true, description: 'The YAML text (at most 1 MiB).', validate: { maxLength: 1_048_576 } }) },
    resolve: (_r, args, ctx) => {
      return ctx.services.registryLifecycle.parseYaml(args.yaml);
    },
  }),
);
