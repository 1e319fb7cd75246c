import { builder } from '../../graphql/builder';
import { DomainError, ValidationError } from '../../shared/errors';
import { AUDIT_KINDS, type AuditRecord } from './audit.service';

const AuditKindEnum = builder.enumType('AuditKind', {
  description: 'What an audit row records.',
  values: AUDIT_KINDS,
});

const AuditEntry = builder.objectRef<AuditRecord>('AuditEntry').implement({
  description: 'One row of the hash-chained audit log.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Row id (UUID).' }),
    seq: t.exposeInt('seq', { description: 'Position in the tenant\'s chain, from 1.' }),
    ts: t.expose('ts', { type: 'DateTime', description: 'When the decision was made.' }),
    kind: t.field({ type: AuditKindEnum, description: 'What the row records.', resolve: (r) => r.kind as (typeof AUDIT_KINDS)[number] }),
    action: t.exposeString('action', { description: 'The action decided on, e.g. `dependency.add` or `github.merge_pr`.' }),
    project: t.exposeString('project', { nullable: true, description: 'The project (X-LexAlign-Project) the request came from.' }),
    requester: t.exposeString('requester', { description: 'Who asked (`anonymous` in single-user mode).' }),
    agentModel: t.exposeString('agentModel', { nullable: true, description: 'The agent model header, if sent.' }),
    agentVersion: t.exposeString('agentVersion', { nullable: true, description: 'The agent version header, if sent.' }),
    agentId: t.exposeString('agentId', { nullable: true, description: 'The Novyx-style agent id, if any.' }),
    ecosystem: t.exposeString('ecosystem', { nullable: true, description: 'Package ecosystem (`pypi`, `npm`).' }),
    package: t.exposeString('package', { nullable: true, description: 'Package name as sent.' }),
    normalizedName: t.exposeString('normalizedName', { nullable: true, description: 'Package name normalised for its ecosystem.' }),
    version: t.exposeString('version', { nullable: true, description: 'Requested version.' }),
    resolvedVersion: t.exposeString('resolvedVersion', { nullable: true, description: 'Version the decision was made on.' }),
    verdict: t.exposeString('verdict', { nullable: true, description: '`ALLOWED`, `PROVISIONALLY_ALLOWED`, `DENIED` or `CVE_ALERT`.' }),
    status: t.exposeString('status', { nullable: true, description: 'Action status (`allowed`, `blocked`, `pending_review`, `executed`, `approved`, `denied`).' }),
    denialCategory: t.exposeString('denialCategory', { description: '`registry`, `license`, `cve`, `cve_alert`, or empty.' }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why, in words an agent can act on.' }),
    license: t.exposeString('license', { nullable: true, description: 'Normalised license (SPDX expression or `UNKNOWN`).' }),
    cveIds: t.exposeStringList('cveIds', { description: 'Advisory ids involved.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS base score involved.' }),
    registryStatus: t.exposeString('registryStatus', { nullable: true, description: 'Registry status of the package at decision time.' }),
    triggeredPolicy: t.exposeString('triggeredPolicy', { nullable: true, description: 'The policy that decided, if one was violated.' }),
    severity: t.exposeString('severity', { nullable: true, description: '`critical`, `high`, `medium` or `low`.' }),
    riskScore: t.exposeFloat('riskScore', { nullable: true, description: 'Risk score 0..1.' }),
    violations: t.expose('violations', { type: 'JSON', description: 'Violations found (policy, severity, message).' }),
    details: t.expose('details', { type: 'JSON', description: 'Facts kept to reproduce the decision.' }),
    prevHash: t.exposeString('prevHash', { description: 'Hash of the previous row in the chain.' }),
    hash: t.exposeString('hash', { description: 'SHA-256 of this row\'s content and prevHash.' }),
  }),
});

interface Edge {
  cursor: string;
  node: AuditRecord;
}
interface Connection {
  edges: Edge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

const AuditEdge = builder.objectRef<Edge>('AuditEntryEdge').implement({
  description: 'An audit row and its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Pass as `after` to continue after this row.' }),
    node: t.field({ type: AuditEntry, description: 'The row.', resolve: (e) => e.node }),
  }),
});

const PageInfo = builder.objectRef<Connection['pageInfo']>('PageInfo').implement({
  description: 'Where a page ends and whether more follow.',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'More rows follow this page.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Cursor of the last row of this page.' }),
  }),
});

const AuditConnection = builder.objectRef<Connection>('AuditEntryConnection').implement({
  description: 'A page of audit rows, newest first.',
  fields: (t) => ({
    edges: t.field({ type: [AuditEdge], description: 'The rows of this page.', resolve: (c) => c.edges }),
    pageInfo: t.field({ type: PageInfo, description: 'Paging state.', resolve: (c) => c.pageInfo }),
    totalCount: t.exposeInt('totalCount', { description: 'Rows matching the filter, over all pages.' }),
  }),
});

const AuditFilterInput = builder.inputType('AuditFilterInput', {
  description: 'Narrow the audit log; every field is optional and they combine with AND.',
  fields: (t) => ({
    project: t.string({ description: 'Only this project.' }),
    kind: t.field({ type: AuditKindEnum, description: 'Only this kind of row.' }),
    verdict: t.string({ description: 'Only this verdict.' }),
    status: t.string({ description: 'Only this action status.' }),
    agentId: t.string({ description: 'Only this agent id.' }),
    package: t.string({ description: 'Only this package (as sent or normalised).' }),
    since: t.field({ type: 'DateTime', description: 'Rows at or after this time.' }),
    until: t.field({ type: 'DateTime', description: 'Rows before this time.' }),
  }),
});

const cursorOf = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');
function seqOfCursor(cursor: string): number {
  const m = /^seq:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ValidationError('after: not a cursor returned by auditLog', 'after');
  return Number(m[1]);
}

builder.queryField('auditLog', (t) =>
  t.field({
    type: AuditConnection,
    description: 'The audit log of the caller\'s tenant, newest first, with cursor paging.',
    errors: {
      types: [DomainError],
      union: { description: 'A page of the audit log, or why the arguments were refused.' },
      result: { description: 'A page of the audit log.' },
      dataField: { description: 'The page.' },
    },
    args: {
      filter: t.arg({ type: AuditFilterInput, required: false, description: 'Which rows.' }),
      first: t.arg.int({
        required: false,
        defaultValue: 50,
        description: 'Page size (1..500).',
        validate: { int: true, min: [1, { message: 'must be at least 1' }], max: [500, { message: 'must be at most 500' }] },
      }),
      after: t.arg.string({ required: false, description: 'Cursor to continue after.' }),
    },
    resolve: async (_root, args, ctx) => {
      const afterSeq = args.after ? seqOfCursor(args.after) : null;
      const f = args.filter ?? {};
      if (f.since && f.until && f.since > f.until) throw new ValidationError('filter.since must not be after filter.until', 'filter.since');
      const page = await ctx.services.audit.list(
        ctx.em(),
        ctx.tenant.id,
        {
          project: f.project ?? null,
          kind: f.kind ?? null,
          verdict: f.verdict ?? null,
          status: f.status ?? null,
          agentId: f.agentId ?? null,
          package: f.package ?? null,
          since: f.since ?? null,
          until: f.until ?? null,
        },
        args.first ?? 50,
        afterSeq,
      );
      return {
        edges: page.rows.map((r) => ({ cursor: cursorOf(r.seq), node: r })),
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endSeq === null ? null : cursorOf(page.endSeq) },
        totalCount: page.totalCount,
      };
    },
  }),
);

const ChainVerification = builder
  .objectRef<{ ok: boolean; checked: number; headHash: string; firstBroken: { seq: number; id: string | null; reason: string } | null }>(
    'ChainVerification',
  )
  .implement({
    description: 'The result of recomputing the audit chain.',
    fields: (t) => ({
      ok: t.exposeBoolean('ok', { description: 'Every row matches its hash and links to its predecessor.' }),
      checked: t.exposeInt('checked', { description: 'Rows verified before the first break (all when ok).' }),
      headHash: t.exposeString('headHash', { description: 'Hash of the last verified row.' }),
      firstBrokenSeq: t.int({ nullable: true, description: 'Sequence number of the first broken row.', resolve: (v) => v.firstBroken?.seq ?? null }),
      firstBrokenId: t.string({ nullable: true, description: 'Id of the first broken row.', resolve: (v) => v.firstBroken?.id ?? null }),
      reason: t.string({ nullable: true, description: 'Why the chain is broken there.', resolve: (v) => v.firstBroken?.reason ?? null }),
    }),
  });

builder.queryField('verifyAuditChain', (t) =>
  t.field({
    type: ChainVerification,
    description: 'Recompute the caller\'s tenant chain and name the first broken row.',
    resolve: (_root, _args, ctx) => ctx.services.audit.verifyChain(ctx.em(), ctx.tenant.id),
  }),
);
