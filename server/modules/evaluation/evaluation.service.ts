/**
 * Evaluation service: "may this agent add this package?"
 *
 * gather facts (registry, package metadata, OSV — in parallel where
 * independent) → decide (pure gates) → one transaction: the audit row (and the
 * approval request the decision files) → answer.
 *
 * Invariants:
 * - A registry denial short-circuits: no upstream call.
 * - OSV is always asked about a concrete version: the requested one, or the
 *   latest from the metadata; never a version-less "all versions" query.
 * - An upstream failure is never read as "no vulnerabilities": the verdict
 *   follows `global_policies.upstream_unavailable` and says `degraded`.
 * - Every answer has an audit row; no answer is returned if it could not be
 *   recorded. The row (and any approval request) is written through the
 *   audit writer's group commit: committed with the other decisions of that moment.
 */
import type { Caller } from '../../context';
import { DomainError, ValidationError } from '../../shared/errors';
import type { RequestApprovalInput } from '../approvals/approval-record';
import type { AuditWriter } from '../audit/audit-writer';
import type { AuditAppendInput } from '../audit/audit.service';
import type { Registry } from '../registry/registry';
import type { RegistryService } from '../registry/registry.service';
import type { Upstreams } from '../upstream/upstream.types';
import { unavailableReason } from '../upstream/upstreams';
import type { Ecosystem, LicenseEvaluation, LicenseFact, VulnerabilityFact } from './policy/facts';
import { decide, registryGate, type Outcome, type VersionBoundsCheck, type VulnerabilityInput } from './policy/gates';
import { evaluateLicense } from './policy/license';
import { isEcosystem, normalizeName, parsePurl, purlFor, validateName } from './policy/names';
import { schemeFor } from './policy/versions';

/** Who asks, from where. */
export type EvaluationCaller = Caller;

export interface EvaluateInput {
  ecosystem?: string | null;
  package?: string | null;
  version?: string | null;
  purl?: string | null;
}

/** The answer: the decision plus the facts it was made on. */
export interface Evaluation extends Outcome {
  ecosystem: Ecosystem;
  package: string;
  normalizedName: string;
  purl: string;
  version: string | null;
  resolvedVersion: string | null;
  licenseExpression: string | null;
  licenseUnknownReason: string | null;
  licenseElected: string | null;
  auditId: string;
  approvalRequestId: string | null;
  actionStatus: 'executed' | 'pending_review' | 'blocked';
}

export const MAX_VERSION_LENGTH = 200;

/** Resolve and validate what is being asked about. */
export function parseEvaluateInput(input: EvaluateInput): { ecosystem: Ecosystem; name: string; version: string | null } {
  let ecosystem: Ecosystem;
  let name: string;
  let version = input.version?.trim() || null;
  if (input.purl && input.purl.trim() !== '') {
    const p = parsePurl(input.purl.trim());
    if (!p.ok) throw new ValidationError(`purl: ${p.error.message}`, 'purl');
    if (input.ecosystem && input.ecosystem !== p.ecosystem) {
      throw new ValidationError(`ecosystem: "${input.ecosystem}" contradicts the purl's type (${p.ecosystem})`, 'ecosystem');
    }
    if (input.package && normalizeName(p.ecosystem, input.package) !== normalizeName(p.ecosystem, p.name)) {
      throw new ValidationError(`package: "${input.package}" contradicts the purl's name (${p.name})`, 'package');
    }
    ecosystem = p.ecosystem;
    name = p.name;
    if (p.version) {
      if (version && version !== p.version) throw new ValidationError(`version: "${version}" contradicts the purl's version (${p.version})`, 'version');
      version = p.version;
    }
  } else {
    const eco = (input.ecosystem ?? 'pypi').trim().toLowerCase();
    if (!isEcosystem(eco)) throw new ValidationError(`ecosystem: must be one of pypi, npm (got "${input.ecosystem}")`, 'ecosystem');
    ecosystem = eco;
    if (!input.package || input.package.trim() === '') throw new ValidationError('package: is required (or give purl)', 'package');
    name = input.package.trim();
  }
  const check = validateName(ecosystem, name);
  if (!check.ok) throw new ValidationError(`package: ${check.error.message}`, 'package');
  if (version !== null) {
    if (version.length > MAX_VERSION_LENGTH) throw new ValidationError(`version: longer than ${MAX_VERSION_LENGTH} characters`, 'version');
    if (/[\s\u0000]/.test(version)) throw new ValidationError('version: must not contain whitespace', 'version');
  }
  return { ecosystem, name, version };
}

const UNKNOWN_REQUEST_RATIONALE = 'Auto-submitted: license unknown, pending human review of the registry entry.';
const REVIEW_REQUEST_RATIONALE = 'Auto-submitted: the license requires legal review before this package can be used.';

export class EvaluationService {
  private readonly licenseMemo = new WeakMap<Registry, Map<string, LicenseEvaluation>>();

  constructor(
    private readonly writer: Pick<AuditWriter<RequestApprovalInput>, 'append' | 'appendFiling'>,
    private readonly registry: RegistryService,
    private readonly upstreams: Upstreams,
  ) {}

  /** Evaluate one package for a caller; records the answer in the audit log. */
  async evaluate(caller: EvaluationCaller, input: EvaluateInput): Promise<Evaluation> {
    const { ecosystem, name, version } = parseEvaluateInput(input);
    const registry = this.registry.current(caller.tenantId);
    if (!registry) {
      // A tenant created next to the default one has no registry of its own yet.
      throw new DomainError('conflict', `tenant "${caller.tenantId}" has no registry loaded; dependency evaluation needs one`, 'tenant');
    }
    const scheme = schemeFor(ecosystem);
    const bounds: VersionBoundsCheck = (v, b) => {
      const r = scheme.satisfiesBounds(v, b);
      return r.ok ? r.within : 'invalid';
    };
    const rule = registry.lookup(ecosystem, name);
    const gate = registryGate({ rule, requestedVersion: version, bounds });

    let outcome: Outcome;
    let resolvedVersion: string | null = version;
    let license: LicenseFact | null = null;
    let licenseEvaluation: LicenseEvaluation | null = null;
    let vulnerabilities: VulnerabilityFact | null = null;
    if (gate.kind === 'denied') {
      outcome = gate.outcome;
      resolvedVersion = null;
    } else {
      const facts = await this.gatherFacts(ecosystem, name, version, rule === null);
      resolvedVersion = facts.resolvedVersion;
      license = facts.license;
      vulnerabilities = 'advisories' in (facts.vulnerabilities ?? {}) ? (facts.vulnerabilities as VulnerabilityFact) : null;
      const policies = registry.globalPolicies;
      licenseEvaluation = license ? this.licenseVerdict(registry, license) : null;
      outcome = decide({
        ecosystem,
        package: name,
        requestedVersion: version,
        resolvedVersion,
        rule,
        policies,
        license,
        licenseEvaluation,
        vulnerabilities: facts.vulnerabilities,
        metadataUnavailable: facts.metadataUnavailable,
        bounds,
      });
    }

    const normalizedName = normalizeName(ecosystem, name);
    const purl = purlFor(ecosystem, name, version);
    const actionStatus: Evaluation['actionStatus'] =
      outcome.verdict === 'DENIED' ? 'blocked' : outcome.fileApprovalRequest ? 'pending_review' : 'executed';

    const auditRow: AuditAppendInput = {
      tenantId: caller.tenantId,
      kind: 'DEPENDENCY_EVALUATION',
      action: 'dependency.add',
      requester: caller.requester,
      project: caller.project,
      agentModel: caller.agentModel,
      agentVersion: caller.agentVersion,
      agentId: caller.agentId ?? caller.agentModel ?? null,
      ecosystem,
      package: name,
      normalizedName,
      version,
      resolvedVersion,
      verdict: outcome.verdict,
      status: actionStatus,
      denialCategory: outcome.category,
      reason: outcome.reason,
      license: outcome.license,
      cveIds: outcome.cveIds,
      maxCvss: outcome.maxCvss,
      registryStatus: outcome.registryStatus,
      triggeredPolicy: outcome.policy,
      severity: outcome.severity,
      riskScore: outcome.riskScore,
      violations:
        outcome.verdict === 'DENIED' && outcome.policy
          ? [{ policy: outcome.policy, severity: outcome.severity, message: outcome.reason }]
          : [],
      details: {
        purl,
        registryVersion: registry.version,
        rule: rule ? { key: rule.key, status: rule.status } : null,
        license: license
          ? {
              raw: license.raw && license.raw.length > 500 ? `${license.raw.slice(0, 500)}…` : license.raw,
              source: license.source,
              expression: license.expression,
              unknownReason: license.unknownReason,
              class: licenseEvaluation?.class ?? null,
              elected: licenseEvaluation?.elected ?? null,
              offending: licenseEvaluation?.offending ?? [],
            }
          : null,
        advisories: vulnerabilities
          ? vulnerabilities.advisories.map((a) => ({ id: a.id, ids: a.ids, score: a.score, source: a.scoreSource, vector: a.vector, label: a.label }))
          : null,
        degraded: outcome.degraded,
        degradedReason: outcome.degradedReason,
        warnings: outcome.verdict === 'PROVISIONALLY_ALLOWED' ? [outcome.reason] : [],
      },
    };
    // Most answers are only an audit row: those join the batch's one multi-row
    // statement. An answer that files an approval request also joins the
    // batch's one upsert of requests.
    let auditId: string;
    let approvalRequestId: string | null = null;
    if (!outcome.fileApprovalRequest) {
      auditId = (await this.writer.append(auditRow)).id;
    } else {
      const { record, filedId } = await this.writer.appendFiling(auditRow, {
        tenantId: caller.tenantId,
        project: caller.project,
        requester: caller.requester,
        ecosystem,
        package: name,
        version,
        rationale: outcome.category === 'license' && outcome.policy === 'license.review' ? REVIEW_REQUEST_RATIONALE : UNKNOWN_REQUEST_RATIONALE,
        source: 'auto',
        agentModel: caller.agentModel,
        agentVersion: caller.agentVersion,
      });
      auditId = record.id;
      approvalRequestId = filedId;
    }

    return {
      ...outcome,
      ecosystem,
      package: name,
      normalizedName,
      purl,
      version,
      resolvedVersion,
      licenseExpression: license?.expression ?? null,
      licenseUnknownReason: license?.unknownReason ?? null,
      licenseElected: licenseEvaluation?.elected ?? null,
      auditId,
      approvalRequestId,
      actionStatus,
    };
  }

  /**
   * How a license fares against a registry's lists. Pure but not cheap (SPDX
   * parsing and range expansion), so memoised per live registry object: a new
   * registry is a new object and starts a fresh memo.
   */
  private licenseVerdict(registry: Registry, license: LicenseFact): LicenseEvaluation {
    let memo = this.licenseMemo.get(registry);
    if (!memo) {
      memo = new Map();
      this.licenseMemo.set(registry, memo);
    }
    const key = license.expression ?? `UNKNOWN\u0000${license.unknownReason ?? ''}`;
    let result = memo.get(key);
    if (!result) {
      const p = registry.globalPolicies;
      result = evaluateLicense(license, { autoApprove: p.autoApproveLicenses, hardBan: p.hardBanLicenses, review: p.requireHumanReviewLicenses });
      if (memo.size < 10_000) memo.set(key, result);
    }
    return result;
  }

  /**
   * Package metadata (for the license of unregistered packages and the latest
   * version when none was asked) and OSV, in parallel when the version is known.
   */
  private async gatherFacts(
    ecosystem: Ecosystem,
    name: string,
    version: string | null,
    needLicense: boolean,
  ): Promise<{ resolvedVersion: string | null; license: LicenseFact | null; vulnerabilities: VulnerabilityInput; metadataUnavailable: string | null }> {
    const metaClient = this.upstreams.metadata[ecosystem];
    const needMetadata = needLicense || version === null;
    const metadataPromise = needMetadata
      ? metaClient
        ? metaClient.metadata(name, version)
        : Promise.resolve({ ok: false as const, reason: unavailableReason(ecosystem) })
      : null;
    const osv = (v: string): Promise<VulnerabilityInput> => {
      const client = this.upstreams.vulnerabilities;
      if (!client) return Promise.resolve({ unavailable: unavailableReason('osv') });
      return client.vulnerabilities(ecosystem, name, v).then((r) => (r.ok ? r.value : { unavailable: r.reason }));
    };
    const vulnPromise = version !== null ? osv(version) : null;
    const meta = metadataPromise ? await metadataPromise : null;
    let metadataUnavailable: string | null = null;
    let license: LicenseFact | null = null;
    let resolvedVersion = version;
    if (meta && !meta.ok) metadataUnavailable = meta.reason;
    if (meta && meta.ok) {
      if (needLicense) license = meta.value.license;
      if (version === null) resolvedVersion = meta.value.latestVersion;
    }
    let vulnerabilities: VulnerabilityInput;
    if (vulnPromise) vulnerabilities = await vulnPromise;
    else if (resolvedVersion !== null) vulnerabilities = await osv(resolvedVersion);
    else if (meta && meta.ok && !meta.value.exists) {
      // No such package upstream: there is no version to ask OSV about, and nothing to install.
      vulnerabilities = { advisories: [], cveIds: [], maxCvss: null, maxAdvisory: null };
    } else {
      vulnerabilities = { unavailable: metadataUnavailable ? `the latest version is unknown (${metadataUnavailable})` : 'the latest version is unknown' };
    }
    return { resolvedVersion, license, vulnerabilities, metadataUnavailable: needLicense ? metadataUnavailable : null };
  }
}
