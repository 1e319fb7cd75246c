import { callerFor } from '../../context';
import { builder } from '../../graphql/builder';
import { DomainError } from '../../shared/errors';
import type { ApprovalRequestRecord, RequestApprovalResult } from './approval-record';

const ApprovalStatusEnum = builder.enumType('ApprovalStatus', {
  description: 'Where an approval request stands.',
  values: {
    PENDING_REVIEW: { description: 'Waiting for a person.' },
    APPROVED: { description: 'A person approved it; the registry rule was proposed.' },
    REJECTED: { description: 'A person rejected it, with a reason.' },
  } as const,
});

export const ApprovalRequestType = builder.objectRef<ApprovalRequestRecord>('ApprovalRequest').implement({
  description: 'A request to classify a package in the registry.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Request id.' }),
    project: t.exposeString('project', { description: 'The project it was requested for.' }),
    requester: t.exposeString('requester', { description: 'Who asked.' }),
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { description: 'Package name as asked.' }),
    normalizedName: t.exposeString('normalizedName', { description: 'Normalised package name.' }),
    version: t.exposeString('version', { nullable: true, description: 'Version asked about, if any.' }),
    rationale: t.exposeString('rationale', { description: 'Why the package is wanted.' }),
    status: t.field({ type: ApprovalStatusEnum, description: 'Where the request stands.', resolve: (r) => r.status }),
    source: t.exposeString('source', { description: '`agent` (asked for) or `auto` (filed by an evaluation).' }),
    agentModel: t.exposeString('agentModel', { nullable: true, description: 'Agent model that asked.' }),
    agentVersion: t.exposeString('agentVersion', { nullable: true, description: 'Agent version that asked.' }),
    requestCount: t.exposeInt('requestCount', { description: 'How often it was asked for.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'First asked.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'Last asked or changed.' }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime', nullable: true, description: 'When a person decided.' }),
    decidedBy: t.exposeString('decidedBy', { nullable: true, description: 'Who decided.' }),
    decisionReason: t.exposeString('decisionReason', { nullable: true, description: 'Why (rejections always say).' }),
    lastAuditId: t.exposeString('lastAuditId', { nullable: true, description: 'The latest audit row about this request.' }),
  }),
});

const RequestApprovalResultType = builder.objectRef<RequestApprovalResult>('RequestApprovalResult').implement({
  description: 'The outcome of asking for approval.',
  fields: (t) => ({
    request: t.field({ type: ApprovalRequestType, description: 'The request (new or existing).', resolve: (r) => r.request }),
    created: t.exposeBoolean('created', { description: 'A new request was filed (false: an existing one was found).' }),
    alreadyDecided: t.exposeBoolean('alreadyDecided', { description: 'The request had been decided already and stays decided.' }),
  }),
});

const RequestApprovalInput = builder.inputType('RequestApprovalInput', {
  description: 'Ask for a package to be added to the registry.',
  fields: (t) => ({
    project: t.string({ required: true, description: 'The project it is for.', validate: { minLength: [1, { message: 'is required' }], maxLength: 200 } }),
    ecosystem: t.string({ description: '`pypi` (default) or `npm`.' }),
    package: t.string({ required: true, description: 'The package name.', validate: { minLength: [1, { message: 'is required' }], maxLength: 300 } }),
    version: t.string({ description: 'The version wanted.', validate: { maxLength: 200 } }),
    rationale: t.string({ required: true, description: 'Why the package is needed.', validate: { minLength: [1, { message: 'is required' }], maxLength: 4000 } }),
    agentModel: t.string({ description: 'The agent\'s model.', validate: { maxLength: 200 } }),
    agentVersion: t.string({ description: 'The agent\'s version.', validate: { maxLength: 200 } }),
  }),
});

builder.mutationField('requestApproval', (t) =>
  t.field({
    type: RequestApprovalResultType,
    description: 'File (or repeat) an approval request. Never writes the registry; a person decides.',
    errors: {
      types: [DomainError],
      union: { description: 'The request, or why it was refused.' },
      result: { description: 'The request.' },
      dataField: { description: 'The request.' },
    },
    args: { input: t.arg({ type: RequestApprovalInput, required: true, description: 'The request.' }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.approvals.requestForCaller(callerFor(ctx, input), {
        ecosystem: input.ecosystem ?? 'pypi',
        package: input.package,
        version: input.version ?? null,
        rationale: input.rationale,
        source: 'agent',
      }),
  }),
);

builder.queryField('approvalRequests', (t) =>
  t.field({
    type: [ApprovalRequestType],
    description: 'Approval requests of the caller\'s tenant, newest first.',
    args: {
      project: t.arg.string({ description: 'Only this project.' }),
      status: t.arg({ type: ApprovalStatusEnum, description: 'Only this status.' }),
      first: t.arg.int({ defaultValue: 200, description: 'At most this many (1..5000).', validate: { int: true, min: 1, max: 5000 } }),
    },
    resolve: (_root, args, ctx) =>
      ctx.services.approvals.list(ctx.em(), ctx.tenant.id, { project: args.project ?? null, status: args.status ?? null, limit: args.first ?? 200 }),
  }),
);
