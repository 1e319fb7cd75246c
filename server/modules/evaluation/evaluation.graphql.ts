import { builder } from '../../graphql/builder';
import { DomainError } from '../../shared/errors';
import { callerFor } from '../auth/caller';
import type { EvaluateInput, Evaluation } from './evaluation.service';

export const VerdictEnum = builder.enumType('Verdict', {
  description: 'The answer to "may this package be added?".',
  values: {
    ALLOWED: { description: 'The registry allows it and no blocking advisory was found.' },
    PROVISIONALLY_ALLOWED: { description: 'Not in the registry but passes the policy; use it and request approval.' },
    DENIED: { description: 'Do not add it; the reason says why and what to do instead.' },
  } as const,
});

const EvaluationType = builder.objectRef<Evaluation>('Evaluation').implement({
  description: 'A dependency evaluation: the verdict and the facts it was made on. Recorded in the audit log.',
  fields: (t) => ({
    verdict: t.field({ type: VerdictEnum, description: 'The verdict.', resolve: (e) => e.verdict }),
    reason: t.exposeString('reason', { description: 'Why, and what to do next, in words an agent can act on.' }),
    ecosystem: t.exposeString('ecosystem', { description: '`pypi` or `npm`.' }),
    package: t.exposeString('package', { description: 'The package name as asked.' }),
    normalizedName: t.exposeString('normalizedName', { description: 'The name normalised for its ecosystem (PEP 503 for PyPI).' }),
    purl: t.exposeString('purl', { description: 'Package URL of the package (and version, when one was asked).' }),
    version: t.exposeString('version', { nullable: true, description: 'The requested version.' }),
    resolvedVersion: t.exposeString('resolvedVersion', { nullable: true, description: 'The version the facts are about (the requested one, or the latest).' }),
    registryStatus: t.exposeString('registryStatus', { nullable: true, description: 'The registry rule\'s status, if the registry knows the package.' }),
    replacement: t.exposeString('replacement', { nullable: true, description: 'What to use instead (deprecated packages).' }),
    versionConstraint: t.exposeString('versionConstraint', { nullable: true, description: 'Allowed versions, e.g. `>=42.0.0,<44`.' }),
    license: t.exposeString('license', { nullable: true, description: 'Normalised license (SPDX expression or `UNKNOWN`), when it was looked up.' }),
    licenseExpression: t.exposeString('licenseExpression', { nullable: true, description: 'The SPDX expression, when the license is known.' }),
    licenseUnknownReason: t.exposeString('licenseUnknownReason', { nullable: true, description: 'Why the license is UNKNOWN.' }),
    licenseElected: t.exposeString('licenseElected', { nullable: true, description: 'The branch of an OR expression the decision relied on.' }),
    cveIds: t.exposeStringList('cveIds', { description: 'Advisories affecting the resolved version.' }),
    maxCvss: t.exposeFloat('maxCvss', { nullable: true, description: 'Highest CVSS base score among them.' }),
    isRequestable: t.exposeBoolean('isRequestable', { description: 'An approval request makes sense for this package.' }),
    needsRationale: t.exposeBoolean('needsRationale', { description: 'The registry allows it only with a stated rationale (`approved`).' }),
    autoRequestApproval: t.exposeBoolean('autoRequestApproval', { description: 'An approval request was filed for the caller.' }),
    denialCategory: t.string({ description: '`registry`, `cve`, `license`, or empty when not denied.', resolve: (e) => e.category }),
    policy: t.exposeString('policy', { nullable: true, description: 'The policy that decided a denial (e.g. `license.hard_ban`).' }),
    severity: t.exposeString('severity', { nullable: true, description: '`critical`, `high`, `medium` or `low`.' }),
    riskScore: t.exposeFloat('riskScore', { description: 'Risk 0..1.' }),
    degraded: t.exposeBoolean('degraded', { description: 'An upstream could not be reached; the verdict followed `upstream_unavailable`.' }),
    degradedReason: t.exposeString('degradedReason', { nullable: true, description: 'What could not be reached.' }),
    actionStatus: t.exposeString('actionStatus', { description: 'As a governed action: `executed`, `pending_review` or `blocked`.' }),
    approvalRequestId: t.exposeString('approvalRequestId', { nullable: true, description: 'The approval request filed with this decision.' }),
    auditId: t.exposeString('auditId', { description: 'The audit row recording this answer.' }),
  }),
});

const PackageRefInput = builder.inputType('PackageRefInput', {
  description: 'A package: a name (with ecosystem) or a purl, and optionally a version.',
  fields: (t) => ({
    ecosystem: t.string({ description: '`pypi` (default) or `npm`.' }),
    package: t.string({ description: 'The package name.', validate: { maxLength: 300 } }),
    version: t.string({ description: 'The version to be added; the latest when omitted.', validate: { maxLength: 200 } }),
    purl: t.string({ description: 'A package URL instead of ecosystem/package/version, e.g. `pkg:npm/%40scope/name@1.2.3`.', validate: { maxLength: 600 } }),
  }),
});

const CallerFields = {
  project: 'The project the package is for (lex-align\'s X-LexAlign-Project).',
  agentModel: 'The agent\'s model, if an agent is asking.',
  agentVersion: 'The agent\'s version.',
} as const;

const EvaluatePackageInput = builder.inputType('EvaluatePackageInput', {
  description: 'Ask whether one package may be added.',
  fields: (t) => ({
    project: t.string({ required: true, description: CallerFields.project, validate: { minLength: [1, { message: 'is required' }], maxLength: 200 } }),
    agentModel: t.string({ description: CallerFields.agentModel, validate: { maxLength: 200 } }),
    agentVersion: t.string({ description: CallerFields.agentVersion, validate: { maxLength: 200 } }),
    package: t.field({ type: PackageRefInput, required: true, description: 'The package.' }),
  }),
});

const EvaluatePackagesInput = builder.inputType('EvaluatePackagesInput', {
  description: 'Ask about many packages at once (evaluated concurrently).',
  fields: (t) => ({
    project: t.string({ required: true, description: CallerFields.project, validate: { minLength: [1, { message: 'is required' }], maxLength: 200 } }),
    agentModel: t.string({ description: CallerFields.agentModel, validate: { maxLength: 200 } }),
    agentVersion: t.string({ description: CallerFields.agentVersion, validate: { maxLength: 200 } }),
    packages: t.field({
      type: [PackageRefInput],
      required: true,
      description: 'The packages (1..200).',
      validate: { minLength: [1, { message: 'must not be empty' }], maxLength: [200, { message: 'at most 200 packages per call' }] },
    }),
  }),
});

const toEvaluateInput = (p: { ecosystem?: string | null; package?: string | null; version?: string | null; purl?: string | null }): EvaluateInput => ({
  ecosystem: p.ecosystem ?? null,
  package: p.package ?? null,
  version: p.version ?? null,
  purl: p.purl ?? null,
});

builder.mutationType({ description: 'Changes: evaluations (recorded), approval requests, decisions.' });

builder.mutationField('evaluatePackage', (t) =>
  t.field({
    type: EvaluationType,
    description: 'Evaluate one package against the registry, OSV and the license policy. The answer is recorded in the audit log.',
    errors: {
      types: [DomainError],
      union: { description: 'An evaluation, or why the request was refused.' },
      result: { description: 'The evaluation.' },
      dataField: { description: 'The evaluation.' },
    },
    args: { input: t.arg({ type: EvaluatePackageInput, required: true, description: 'What to evaluate, for whom.' }) },
    resolve: (_root, { input }, ctx) => ctx.services.evaluation.evaluate(callerFor(ctx, input), toEvaluateInput(input.package)),
  }),
);

/** A refusal as plain data (graphql-js treats a returned Error instance as a thrown one). */
interface Refusal {
  message: string;
  code: string;
  field: string | null;
}

interface BatchItem {
  index: number;
  evaluation: Evaluation | null;
  error: Refusal | null;
}

const RefusalType = builder.objectRef<Refusal>('EvaluationRefusal').implement({
  description: 'Why one package of a batch could not be evaluated.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What was wrong with the request for this package.' }),
    code: t.exposeString('code', { description: 'A stable machine-readable code.' }),
    field: t.exposeString('field', { nullable: true, description: 'The input field at fault.' }),
  }),
});

const BatchItemType = builder.objectRef<BatchItem>('BatchEvaluationItem').implement({
  description: 'One package of a batch: its evaluation, or why it could not be evaluated.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the package in the request.' }),
    evaluation: t.field({ type: EvaluationType, nullable: true, description: 'The evaluation, when the package could be evaluated.', resolve: (i) => i.evaluation }),
    error: t.field({ type: RefusalType, nullable: true, description: 'Why the package was refused (e.g. a bad name).', resolve: (i) => i.error }),
  }),
});

/** Evaluations of one batch run at most this many at a time. */
const BATCH_CONCURRENCY = 16;

builder.mutationField('evaluatePackages', (t) =>
  t.field({
    type: [BatchItemType],
    description: 'Evaluate many packages in one call, concurrently; each answer is recorded in the audit log.',
    args: { input: t.arg({ type: EvaluatePackagesInput, required: true, description: 'What to evaluate, for whom.' }) },
    resolve: async (_root, { input }, ctx) => {
      const caller = callerFor(ctx, input);
      const results: BatchItem[] = new Array(input.packages.length);
      let next = 0;
      const worker = async () => {
        for (;;) {
          const index = next++;
          if (index >= input.packages.length) return;
          try {
            results[index] = { index, evaluation: await ctx.services.evaluation.evaluate(caller, toEvaluateInput(input.packages[index])), error: null };
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            results[index] = { index, evaluation: null, error: { message: e.message, code: e.code, field: e.field } };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, input.packages.length) }, worker));
      return results;
    },
  }),
);
