/**
 * Registry lifecycle: what people (and GitHub) do to the registry — reload it, propose changes
 * through the configured proposer, triage what is waiting, and decide approval requests.
 *
 * Invariants:
 * - A change is validated as a whole document before any backend writes anything.
 * - Nothing goes live except through a reload of the registry file (a local proposal reloads at
 *   once; a pull request goes live when its merge reaches the webhook). The reload stores the
 *   revision, and the pending requests its new rules settle, in one transaction.
 * - Every proposal is an audit row (REGISTRY_CHANGE, or POLICY_CHANGE for global policies)
 *   naming who and why; every decision on a request is an APPROVAL_DECISION row.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../../context';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import { DomainError, ValidationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { ApprovalRequestRecord } from '../approvals/approval-record';
import { AlreadyDecidedError, type ApprovalService } from '../approvals/approval.service';
import type { AuditService } from '../audit/audit.service';
import type { Ecosystem } from '../evaluation/policy/facts';
import { normalizeName } from '../evaluation/policy/names';
import { formatIssues, parseRegistryYaml, toWireShape, type RegistryWireShape } from './registry-document';
import { validateProposedRule, type PolicyPatch, type ProposedRule, type RegistryChange } from './registry-edit';
import { RegistryInvalidError } from './registry-errors';
import type { ReloadOutcome, RegistryService } from './registry.service';
import type { ProposalResult, Proposer } from './proposers/proposer';
import { IMPLICIT_WINDOW_DAYS, rankCandidates, type ImplicitAggregate, type ImplicitCandidate } from './triage';

/** Explicit pending requests, grouped by normalised name (lex-align's fields first). */
export interface ExplicitPending {
  package: string;
  normalizedName: string;
  ecosystem: Ecosystem;
  latestRationale: string;
  latestTs: Date;
  latestProject: string;
  latestRequester: string;
  /** Requests (distinct project/requester pairs) in the group, as lex-align counts them. */
  requestCount: number;
  /** Every ask, repeats included. */
  totalRequests: number;
  requestIds: string[];
}

export interface PendingTriage {
  explicit: ExplicitPending[];
  implicit: ImplicitCandidate[];
}

export interface ProposalOutcome {
  proposal: ProposalResult;
  /** The reload that made a local proposal live (null when nothing was reloaded). */
  reload: ReloadOutcome | null;
}

export interface ApproveOutcome extends ProposalOutcome {
  request: ApprovalRequestRecord;
  /** Whether the rule is live now (the request is then APPROVED). */
  live: boolean;
}

export interface WebhookOutcome {
  ok: boolean;
  event: string;
  action?: string;
  ignored?: boolean;
  detail?: string;
  reload?: ReloadOutcome;
}

type Row = Record<string, unknown>;
const ALLOWING = new Set(['preferred', 'approved', 'version-constrained']);
const DAY_MS = 24 * 60 * 60 * 1000;

export class RegistryLifecycleService {
  constructor(
    private readonly registry: RegistryService,
    private readonly approvals: ApprovalService,
    private readonly proposer: Proposer,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly webhookSecret: string | null,
  ) {}

  get backend(): string {
    return this.proposer.backend;
  }

  /** The live registry in lex-align's wire shape. */
  wire(tenantId: string): RegistryWireShape {
    const reg = this.registry.current(tenantId);
    if (!reg) throw new DomainError('unavailable', 'No registry is loaded.');
    return toWireShape(reg.document);
  }

  /** The live registry document as YAML (for export). */
  exportYaml(tenantId: string): string {
    const live = this.registry.currentYaml(tenantId);
    if (!live) throw new DomainError('unavailable', 'No registry is loaded.');
    return live.yaml;
  }

  /**
   * Parse and compile a YAML document without storing anything (the workshop's import).
   * @throws RegistryInvalidError naming the path and line of each problem
   */
  parseYaml(text: string): RegistryWireShape {
    if (text.trim() === '') throw new RegistryInvalidError('yaml_text: must not be empty', 'yaml_text');
    const parsed = parseRegistryYaml(text);
    if (!parsed.ok) throw new RegistryInvalidError(formatIssues(parsed.issues), 'yaml_text');
    return toWireShape(parsed.document);
  }

  /** Re-read the registry file (REST/GraphQL reload). @throws RegistryReloadError (409) */
  reload(requester: string): Promise<ReloadOutcome> {
    return this.registry.reload('reload', requester);
  }

  /**
   * Propose a change through the configured proposer; a local proposal is reloaded at once.
   * @throws RegistryInvalidError (400) for an invalid change; ProposerError (502) when the backend fails
   */
  async propose(caller: Caller, change: RegistryChange, rationale: string): Promise<ProposalOutcome> {
    const p = await this.proposeOnly(caller, change, rationale);
    const reload = await this.reloadAfter(p, caller.requester);
    return { proposal: p, reload };
  }

  private async proposeOnly(caller: Caller, change: RegistryChange, rationale: string): Promise<ProposalResult> {
    const why = rationale.trim();
    if (why === '') throw new ValidationError('rationale is required: say why the registry should change', 'rationale');
    if (change.kind === 'set_package') validateProposedRule(change.rule);
    const proposal = await this.proposer.propose(change, {
      source: 'operator',
      project: caller.project,
      requester: caller.requester,
      rationale: why,
      agentModel: caller.agentModel,
      agentVersion: caller.agentVersion,
    });
    await this.db.em().transactional(async (tx) => {
      const subject =
        change.kind === 'set_package'
          ? { ecosystem: change.rule.ecosystem, package: change.rule.name, normalizedName: normalizeName(change.rule.ecosystem, change.rule.name) }
          : change.kind === 'remove_package'
            ? { ecosystem: change.ecosystem, package: change.name, normalizedName: normalizeName(change.ecosystem, change.name) }
            : {};
      await this.audit.append(tx as EntityManager, {
        tenantId: caller.tenantId,
        kind: change.kind === 'set_policies' ? 'POLICY_CHANGE' : 'REGISTRY_CHANGE',
        action: `registry.${change.kind}`,
        requester: caller.requester,
        project: caller.project,
        agentModel: caller.agentModel,
        agentVersion: caller.agentVersion,
        ...subject,
        registryStatus: change.kind === 'set_package' ? change.rule.status : null,
        status: proposal.status,
        reason: `${proposal.detail} Rationale: ${why}`,
        details: { change, proposal },
      });
    });
    return proposal;
  }

  private async reloadAfter(proposal: ProposalResult, requester: string): Promise<ReloadOutcome | null> {
    if (!this.proposer.writesRegistryFile || proposal.status !== 'applied') return null;
    return this.registry.reload('proposal', requester);
  }

  /** Propose a package rule. */
  proposeRule(caller: Caller, rule: ProposedRule, rationale: string): Promise<ProposalOutcome> {
    return this.propose(caller, { kind: 'set_package', rule }, rationale);
  }

  /** Propose a global-policy edit. */
  updateGlobalPolicies(caller: Caller, patch: PolicyPatch, rationale: string): Promise<ProposalOutcome> {
    return this.propose(caller, { kind: 'set_policies', patch }, rationale);
  }

  /** Propose removing a package rule. */
  removePackageRule(caller: Caller, ecosystem: Ecosystem, name: string, rationale: string): Promise<ProposalOutcome> {
    return this.propose(caller, { kind: 'remove_package', ecosystem, name }, rationale);
  }

  /**
   * Approve a pending request: propose its registry rule (status `approved` unless the approver
   * picks another allowing status); the request becomes APPROVED when the rule is live.
   * @throws NotFoundError; AlreadyDecidedError (409); RegistryInvalidError; ProposerError
   */
  async approve(
    caller: Caller,
    id: string,
    input: { note: string; status?: ProposedRule['status']; reason?: string | null; min_version?: string | null; max_version?: string | null },
  ): Promise<ApproveOutcome> {
    const note = input.note.trim();
    if (note === '') throw new ValidationError('note is required: say why the package is approved', 'note');
    const request = await this.approvals.get(this.db.em(), caller.tenantId, id);
    if (request.status !== 'PENDING_REVIEW') throw new AlreadyDecidedError(id, request.status);
    const status = input.status ?? 'approved';
    if (!ALLOWING.has(status)) {
      throw new ValidationError(`status: approving lets the package in (preferred, approved or version-constrained); to refuse it, reject the request with a reason`, 'status');
    }
    const rule: ProposedRule = {
      ecosystem: request.ecosystem,
      name: request.package,
      status,
      reason: input.reason ?? note,
      min_version: input.min_version ?? null,
      max_version: input.max_version ?? null,
    };
    const change: RegistryChange = { kind: 'set_package', rule };
    const proposal = await this.proposeOnly(caller, change, `Approval request ${id} (${request.project}, ${request.requester}: ${request.rationale}). ${note}`);
    await this.approvals.recordApproval(caller.tenantId, id, caller.requester, note, proposal);
    const reload = await this.reloadAfter(proposal, caller.requester);
    // The rule may have been live already (no new revision): settle the request against it.
    const live = this.registry.current(caller.tenantId)?.lookup(request.ecosystem, request.package);
    let refreshed = await this.approvals.get(this.db.em(), caller.tenantId, id);
    if (refreshed.status === 'PENDING_REVIEW' && live && ALLOWING.has(live.status) && reload !== null) {
      const doc = this.registry.current(caller.tenantId)!.document;
      const revision = this.registry.currentYaml(caller.tenantId)!.revision;
      await this.db.em().transactional((tx) =>
        this.approvals.settleByRegistry(tx as EntityManager, {
          tenantId: caller.tenantId,
          previous: null,
          next: { ...doc, packages: [live] },
          revision,
          author: caller.requester,
        }),
      );
      refreshed = await this.approvals.get(this.db.em(), caller.tenantId, id);
    }
    return { request: refreshed, proposal, reload, live: refreshed.status === 'APPROVED' };
  }

  /** Reject a pending request with a reason. @throws NotFoundError; AlreadyDecidedError (409); ValidationError */
  reject(caller: Caller, id: string, reason: string): Promise<ApprovalRequestRecord> {
    return this.approvals.reject(caller.tenantId, id, caller.requester, reason);
  }

  /** What waits for triage: explicit pending requests and implicit candidates (SPEC §5). */
  async pending(em: EntityManager, tenantId: string): Promise<PendingTriage> {
    const reg = this.registry.current(tenantId);
    const inRegistry = (ecosystem: string, name: string) => reg?.has(ecosystem as Ecosystem, name) ?? false;
    const explicitRows = await em.execute<Row[]>(
      `select ecosystem, normalized_name, count(*) as request_count, sum(request_count) as total_requests,
              (array_agg(package order by updated_at desc, id))[1] as package,
              (array_agg(rationale order by updated_at desc, id))[1] as latest_rationale,
              max(updated_at) as latest_ts,
              (array_agg(project order by updated_at desc, id))[1] as latest_project,
              (array_agg(requester order by updated_at desc, id))[1] as latest_requester,
              array_agg(id order by updated_at desc, id) as request_ids
         from approval_request
        where tenant_id = ? and status = 'PENDING_REVIEW'
        group by ecosystem, normalized_name
        order by max(updated_at) desc, normalized_name`,
      [tenantId],
    );
    const explicit: ExplicitPending[] = explicitRows
      .map((r) => ({
        package: String(r.package),
        normalizedName: String(r.normalized_name),
        ecosystem: r.ecosystem as Ecosystem,
        latestRationale: String(r.latest_rationale),
        latestTs: toDate(r.latest_ts),
        latestProject: String(r.latest_project),
        latestRequester: String(r.latest_requester),
        requestCount: Number(r.request_count),
        totalRequests: Number(r.total_requests),
        requestIds: toArray(r.request_ids).map(String),
      }))
      .filter((e) => !inRegistry(e.ecosystem, e.package));
    const explicitNames = new Set(explicit.map((e) => `${e.ecosystem}\u0000${e.normalizedName}`));

    const since = new Date(this.clock.now().getTime() - IMPLICIT_WINDOW_DAYS * DAY_MS);
    const implicitRows = await em.execute<Row[]>(
      `select a.ecosystem, a.normalized_name,
              count(*) as evaluations,
              count(*) filter (where a.verdict = 'DENIED') as denials,
              count(*) filter (where a.verdict = 'PROVISIONALLY_ALLOWED') as provisional,
              count(distinct a.project) as project_count,
              (array_agg(a.package order by a.ts desc, a.seq desc))[1] as package,
              max(a.ts) as latest_ts,
              (array_agg(a.project order by a.ts desc, a.seq desc))[1] as latest_project,
              (array_agg(a.agent_model order by a.ts desc, a.seq desc))[1] as latest_agent_model,
              (array_agg(a.agent_version order by a.ts desc, a.seq desc))[1] as latest_agent_version
         from audit_log a
        where a.tenant_id = ? and a.kind = 'DEPENDENCY_EVALUATION' and a.ts >= ?
          and a.normalized_name is not null and a.ecosystem is not null
          and not exists (select 1 from approval_request r
                           where r.tenant_id = a.tenant_id and r.ecosystem = a.ecosystem and r.normalized_name = a.normalized_name)
        group by a.ecosystem, a.normalized_name`,
      [tenantId, since],
    );
    const aggregates: ImplicitAggregate[] = implicitRows
      .map((r) => ({
        ecosystem: String(r.ecosystem),
        package: String(r.package),
        normalizedName: String(r.normalized_name),
        evaluations: Number(r.evaluations),
        denials: Number(r.denials),
        provisional: Number(r.provisional),
        latestTs: toDate(r.latest_ts),
        latestProject: (r.latest_project as string | null) ?? null,
        latestAgentModel: (r.latest_agent_model as string | null) ?? null,
        latestAgentVersion: (r.latest_agent_version as string | null) ?? null,
        projectCount: Number(r.project_count),
      }))
      .filter((a) => !inRegistry(a.ecosystem, a.package) && !explicitNames.has(`${a.ecosystem}\u0000${a.normalizedName}`));
    return { explicit, implicit: rankCandidates(aggregates) };
  }

  /**
   * GitHub-style webhook: HMAC-SHA256 of the raw body in `X-Hub-Signature-256`, compared in
   * constant time; a merged pull request refreshes the local file and reloads.
   * @throws DomainError 503 without a secret, 401 on a missing or bad signature, 400 on a body that is not JSON
   */
  async webhook(rawBody: Uint8Array, signature: string | null, event: string | null): Promise<WebhookOutcome> {
    if (!this.webhookSecret) throw new DomainError('unavailable', 'REGISTRY_WEBHOOK_SECRET is not configured; the registry webhook is disabled.');
    if (!verifySignature(this.webhookSecret, rawBody, signature)) throw new DomainError('unauthorized', 'Invalid webhook signature.', 'X-Hub-Signature-256');
    const name = (event ?? '').trim() || 'unknown';
    if (name === 'ping') return { ok: true, event: 'ping' };
    if (name !== 'pull_request') return { ok: true, event: name, ignored: true };
    let body: any;
    try {
      body = JSON.parse(Buffer.from(rawBody).toString('utf8'));
    } catch {
      throw new ValidationError('Webhook body is not valid JSON.', 'body');
    }
    const action = typeof body?.action === 'string' ? body.action : '';
    if (action !== 'closed' || body?.pull_request?.merged !== true) return { ok: true, event: 'pull_request', action, ignored: true };
    try {
      await this.proposer.refreshLocalYaml?.();
    } catch (err) {
      this.logger.warn('webhook: refreshing the registry file failed', { err: (err as Error).message });
      return { ok: false, event: 'pull_request.merged', detail: `Refreshing the registry file failed: ${(err as Error).message}` };
    }
    try {
      const reload = await this.registry.reload('webhook', 'webhook');
      return { ok: true, event: 'pull_request.merged', reload };
    } catch (err) {
      return { ok: false, event: 'pull_request.merged', detail: (err as Error).message };
    }
  }
}

/** `sha256=<hex>` of HMAC-SHA256(secret, body), compared in constant time. */
export function verifySignature(secret: string, body: Uint8Array, header: string | null): boolean {
  if (!header) return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(m[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

function toArray(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return [];
}
