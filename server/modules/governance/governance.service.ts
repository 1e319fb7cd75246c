/**
 * Agent-action governance (Novyx's control plane): actions evaluated against
 * the effective policies, the approval queue, and custom policy CRUD.
 *
 * Invariants:
 * - Every submission, human decision and policy change is an audit row in the
 *   same transaction as the change it records (details carry `action_id`).
 * - Decisions are immutable: `pending_review` → `approved | denied` happens
 *   once, by a conditional update; a second decision is a 409.
 * - Built-in policies are code: always on, never stored, never deletable.
 * - Policy changes of a tenant are serialised on its tenant row, so tier
 *   limits hold under concurrent creates.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '../../db/orm';
import type { Clock } from '../../shared/clock';
import { DomainError, ValidationError } from '../../shared/errors';
import type { AuditRecord, AuditService } from '../audit/audit.service';
import { rowToRecord } from '../audit/audit.service';
import { featureFlags, DRAFT_POLICY_LIMIT, requireFeature, requireWithinLimit } from '../tenants/tiers';
import type { TenantService } from '../tenants/tenant.service';
import type { AgentActionStatus } from './agent-action.entity';
import {
  actionText,
  AGENT_ID_RE,
  BUILTIN_POLICIES,
  builtinNamed,
  decideAction,
  effectivePolicies,
  parseAgentId,
  parsePolicyDocument,
  PolicyInvalid,
  type ActionDecision,
  type EffectivePolicy,
  type PolicyDocument,
} from './policy/action-policy';

/** Who acts: tenant and requester (the actor). */
export interface GovernanceCaller {
  tenantId: string;
  requester: string;
}

export const NOVYX = {
  invalidPolicy: 'novyx_ram.v1.control.invalid_policy',
  policyNotFound: 'novyx_ram.v1.control.policy_not_found',
  cannotDeleteBuiltin: 'novyx_ram.v1.control.cannot_delete_builtin',
  invalidDecision: 'novyx_ram.v1.control.invalid_decision',
  approvalNotFound: 'novyx_ram.v1.control.approval_not_found',
  alreadyDecided: 'novyx_ram.v1.control.approval_already_decided',
  actionNotFound: 'novyx_ram.v1.actions.not_found',
  invalidAction: 'novyx_ram.v1.actions.invalid_action',
} as const;

function novyxError(kind: 'validation_failed' | 'not_found' | 'conflict' | 'forbidden', code: string, message: string, field: string | null = null) {
  return new DomainError(kind, message, field, { novyxCode: code });
}

/** Largest `{action, params}` JSON evaluated (bytes of text); larger actions are refused, never half-checked. */
export const MAX_ACTION_TEXT = 256 * 1024;
const ACTION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/;

export interface StoredAction {
  id: string;
  tenantId: string;
  agentId: string | null;
  action: string;
  params: Record<string, unknown>;
  status: AgentActionStatus;
  decision: StoredDecision;
  message: string;
  requester: string;
  submittedAt: Date;
  auditSeq: number;
  decidedAt: Date | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

/** What was decided at submission (stored with the action). */
export interface StoredDecision extends Omit<ActionDecision, 'steps'> {
  evaluation_time_ms: number;
}

export interface ActionSubmission {
  action: StoredAction;
  auditId: string;
}

export interface ActionExplanation {
  action: StoredAction;
  trail: AuditRecord[];
}

export interface StoredPolicy extends EffectivePolicy {
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface PolicyChange {
  policy: StoredPolicy;
  change: 'created' | 'updated' | 'disabled' | 'unchanged';
}

export interface DecisionResult {
  action: StoredAction;
  decision: 'approved' | 'denied';
}

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const jsonOf = <T>(v: unknown, fb: T): T => (v === null || v === undefined ? fb : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

function actionFromRow(r: Row): StoredAction {
  return {
    id: String(r.id),
    tenantId: String(r.tenant_id),
    agentId: (r.agent_id as string | null) ?? null,
    action: String(r.action),
    params: jsonOf<Record<string, unknown>>(r.params, {}),
    status: r.status as AgentActionStatus,
    decision: jsonOf<StoredDecision>(r.decision, {} as StoredDecision),
    message: String(r.message),
    requester: String(r.requester),
    submittedAt: date(r.submitted_at)!,
    auditSeq: Number(r.audit_seq),
    decidedAt: date(r.decided_at),
    decidedBy: (r.decided_by as string | null) ?? null,
    decisionReason: (r.decision_reason as string | null) ?? null,
  };
}

function policyFromRow(r: Row): StoredPolicy {
  const agent = String(r.agent_id ?? '');
  return {
    name: String(r.name),
    description: (r.description as string | null) ?? null,
    rules: jsonOf(r.rules, []),
    step_types: jsonOf(r.step_types, ['ACTION']),
    whitelisted_domains: jsonOf(r.whitelisted_domains, []),
    enabled: r.enabled === true || r.enabled === 't',
    agent_id: agent === '' ? null : agent,
    source: 'custom',
    version: Number(r.version),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

const builtinStored = (p: EffectivePolicy): StoredPolicy => ({ ...p, createdAt: null, updatedAt: null });

/** `approve|approved` → approved, `deny|denied` → denied; anything else is a 400 `invalid_decision`. */
export function parseDecision(v: unknown): 'approved' | 'denied' {
  if (v === undefined || v === null || v === '') {
    throw novyxError('validation_failed', NOVYX.invalidDecision, 'decision is required: approve or deny', 'decision');
  }
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (s === 'approve' || s === 'approved') return 'approved';
  if (s === 'deny' || s === 'denied') return 'denied';
  throw novyxError('validation_failed', NOVYX.invalidDecision, `decision must be approve or deny (also approved, denied); got ${JSON.stringify(v)}`, 'decision');
}

/** Validate a submission body `{action, params, agent_id}`. */
export function parseActionInput(body: unknown): { action: string; params: Record<string, unknown>; agentId: string | null } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw novyxError('validation_failed', NOVYX.invalidAction, 'the body must be a JSON object with action, params and agent_id', 'body');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.action !== 'string' || b.action.trim() === '') {
    throw novyxError('validation_failed', NOVYX.invalidAction, 'action is required (e.g. "github.merge_pr")', 'action');
  }
  const action = b.action.trim();
  if (!ACTION_NAME_RE.test(action)) {
    throw novyxError('validation_failed', NOVYX.invalidAction, 'action must be 1-200 characters of letters, digits and _ . : / -', 'action');
  }
  let params: Record<string, unknown> = {};
  if (b.params !== undefined && b.params !== null) {
    if (typeof b.params !== 'object' || Array.isArray(b.params)) throw novyxError('validation_failed', NOVYX.invalidAction, 'params must be a JSON object', 'params');
    params = b.params as Record<string, unknown>;
  }
  let agentId: string | null;
  try {
    agentId = parseAgentId(b.agent_id, 'agent_id');
  } catch (e) {
    if (e instanceof PolicyInvalid) throw novyxError('validation_failed', NOVYX.invalidAction, e.message, e.field);
    throw e;
  }
  return { action, params, agentId };
}

/** A `limit` query value: integer in [1, max], default when absent. */
export function parseLimit(v: string | number | null | undefined, def: number, max: number, code: string | null = null): number {
  if (v === null || v === undefined || v === '') return def;
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    const msg = `limit must be an integer from 1 to ${max} (got ${JSON.stringify(v)})`;
    throw code ? new DomainError('validation_failed', msg, 'limit', { novyxCode: code }) : new ValidationError(msg, 'limit');
  }
  return n;
}

export class GovernanceService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly tenants: TenantService,
  ) {}

  // --- actions ---

  /** Evaluate an action against the effective policies; record it; hold it for review when a rule says so. */
  async submitAction(caller: GovernanceCaller, body: unknown): Promise<ActionSubmission> {
    const input = parseActionInput(body);
    const text = actionText(input);
    if (text.length > MAX_ACTION_TEXT) {
      throw novyxError('validation_failed', NOVYX.invalidAction, `params are too large to evaluate (over ${MAX_ACTION_TEXT} characters of JSON)`, 'params');
    }
    const em = this.db.em();
    await this.tenants.get(em, caller.tenantId);
    const custom = await this.customPolicies(em, caller.tenantId, input.agentId, true);
    const started = performance.now();
    const decided = decideAction(input, effectivePolicies(custom, input.agentId));
    const evaluationTimeMs = Math.round((performance.now() - started) * 1000) / 1000;
    const { steps: _steps, ...rest } = decided;
    const decision: StoredDecision = { ...rest, evaluation_time_ms: evaluationTimeMs };
    const id = `act_${randomBytes(12).toString('hex')}`;
    const message =
      decided.status === 'allowed'
        ? decided.warnings.length > 0
          ? `Action allowed with ${decided.warnings.length} warning(s).`
          : 'Action allowed.'
        : decided.status === 'blocked'
          ? `Action blocked by ${decided.triggered_policy}: ${decided.reason}`
          : `Action held for human approval (${decided.triggered_policy}); approval_id ${id}.`;
    const event = `action_${decided.status}`;
    const now = this.clock.now();
    return this.db.em().transactional(async (tx) => {
      const t = tx as EntityManager;
      const row = await this.audit.append(t, {
        tenantId: caller.tenantId,
        kind: 'ACTION_EVALUATION',
        action: input.action,
        requester: caller.requester,
        agentId: input.agentId,
        status: decided.status,
        reason: decided.reason,
        triggeredPolicy: decided.triggered_policy,
        severity: decided.severity,
        riskScore: decided.risk_score,
        violations: decided.violations,
        details: {
          action_id: id,
          event,
          params: input.params,
          warnings: decided.warnings,
          policies_evaluated: decided.policies_evaluated,
          evaluation_time_ms: evaluationTimeMs,
          // Matcher work (linear in the action's size): for capacity planning and to prove no rule stalls.
          evaluation_steps: decided.steps,
          evaluated_chars: text.length,
        },
      });
      await t.execute(
        `insert into agent_action (id, tenant_id, agent_id, action, params, status, decision, message, requester, submitted_at, audit_seq)
         values (?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?, ?, ?)`,
        [id, caller.tenantId, input.agentId, input.action, JSON.stringify(input.params), decided.status, JSON.stringify(decision), message, caller.requester, now, row.seq],
        'run',
      );
      return {
        auditId: row.id,
        action: {
          id,
          tenantId: caller.tenantId,
          agentId: input.agentId,
          action: input.action,
          params: input.params,
          status: decided.status,
          decision,
          message,
          requester: caller.requester,
          submittedAt: now,
          auditSeq: row.seq,
          decidedAt: null,
          decidedBy: null,
          decisionReason: null,
        },
      };
    });
  }

  /** One action, or 404 `actions.not_found`. */
  async getAction(em: EntityManager, tenantId: string, id: string): Promise<StoredAction> {
    const rows = await em.execute<Row[]>(`select * from agent_action where tenant_id = ? and id = ?`, [tenantId, id]);
    if (rows.length === 0) throw novyxError('not_found', NOVYX.actionNotFound, `no action "${id}"`, 'action_id');
    return actionFromRow(rows[0]);
  }

  /** Recent actions, newest first. */
  async listActions(em: EntityManager, tenantId: string, filter: { status?: string | null; limit: number }): Promise<StoredAction[]> {
    const status = filter.status?.trim().toLowerCase() || null;
    const statuses = ['allowed', 'blocked', 'pending_review', 'approved', 'denied'];
    if (status && !statuses.includes(status)) throw new ValidationError(`status must be one of ${statuses.join(', ')}`, 'status');
    const rows = await em.execute<Row[]>(
      `select * from agent_action where tenant_id = ? ${status ? 'and status = ?' : ''} order by audit_seq desc limit ?`,
      status ? [tenantId, status, filter.limit] : [tenantId, filter.limit],
    );
    return rows.map(actionFromRow);
  }

  /** The action with its audit trail (submission, decision), oldest first. */
  async explainAction(em: EntityManager, tenantId: string, id: string): Promise<ActionExplanation> {
    const action = await this.getAction(em, tenantId, id);
    const rows = await em.execute<Row[]>(
      `select * from audit_log where tenant_id = ? and (details ->> 'action_id') = ? order by seq asc`,
      [tenantId, id],
    );
    return { action, trail: rows.map(rowToRecord) };
  }

  // --- approvals ---

  /** The approval queue (default: pending), in submission order (audit sequence, not wall clock). */
  async listApprovals(em: EntityManager, tenantId: string, filter: { status?: string | null; limit: number }): Promise<StoredAction[]> {
    const raw = filter.status?.trim().toLowerCase() || 'pending';
    const map: Record<string, string[]> = {
      pending: ['pending_review'],
      pending_review: ['pending_review'],
      approved: ['approved'],
      denied: ['denied'],
      decided: ['approved', 'denied'],
      all: ['pending_review', 'approved', 'denied'],
    };
    const statuses = map[raw];
    if (!statuses) throw new ValidationError(`status must be one of ${Object.keys(map).join(', ')}`, 'status');
    const rows = await em.execute<Row[]>(
      `select * from agent_action where tenant_id = ? and status in (${statuses.map(() => '?').join(', ')}) order by audit_seq asc limit ?`,
      [tenantId, ...statuses, filter.limit],
    );
    return rows.map(actionFromRow);
  }

  /** Approve or deny a held action, once. */
  async decide(
    caller: GovernanceCaller,
    approvalId: string,
    input: { decision: unknown; reason?: unknown; approverId?: unknown },
  ): Promise<DecisionResult> {
    const decision = parseDecision(input.decision);
    const reason = input.reason === undefined || input.reason === null ? null : String(input.reason).trim() || null;
    if (reason && reason.length > 2000) throw new ValidationError('reason is longer than 2000 characters', 'reason');
    const approverRaw = input.approverId === undefined || input.approverId === null ? '' : String(input.approverId).trim();
    if (approverRaw.length > 200) throw new ValidationError('approver_id is longer than 200 characters', 'approver_id');
    const approver = approverRaw || caller.requester;
    const now = this.clock.now();
    return this.db.em().transactional(async (tx) => {
      const t = tx as EntityManager;
      const updated = await t.execute<Row[]>(
        `update agent_action set status = ?, decided_at = ?, decided_by = ?, decision_reason = ?
         where tenant_id = ? and id = ? and status = 'pending_review' returning *`,
        [decision, now, approver, reason, caller.tenantId, approvalId],
      );
      if (updated.length === 0) {
        const rows = await t.execute<Row[]>(`select status, decided_at from agent_action where tenant_id = ? and id = ?`, [caller.tenantId, approvalId]);
        const status = rows[0]?.status as string | undefined;
        if (status === 'approved' || status === 'denied') {
          throw novyxError('conflict', NOVYX.alreadyDecided, `approval ${approvalId} was already ${status}; decisions are immutable`, 'approval_id');
        }
        throw novyxError('not_found', NOVYX.approvalNotFound, `no approval "${approvalId}"`, 'approval_id');
      }
      const action = actionFromRow(updated[0]);
      await this.audit.append(t, {
        tenantId: caller.tenantId,
        kind: 'ACTION_DECISION',
        action: action.action,
        requester: caller.requester,
        agentId: action.agentId,
        status: decision,
        reason: reason ?? `${decision === 'approved' ? 'Approved' : 'Denied'} by ${approver}.`,
        triggeredPolicy: action.decision.triggered_policy ?? null,
        severity: action.decision.severity ?? null,
        details: { action_id: action.id, approval_id: action.id, event: `action_${decision}`, decision, approver_id: approver },
      });
      return { action, decision };
    });
  }

  // --- policies ---

  private async customPolicies(em: EntityManager, tenantId: string, agentId: string | null, enabledOnly: boolean): Promise<StoredPolicy[]> {
    const rows = await em.execute<Row[]>(
      `select * from action_policy where tenant_id = ? and (agent_id = '' or agent_id = ?) ${enabledOnly ? 'and enabled' : ''} order by agent_id desc, name asc`,
      [tenantId, agentId ?? ''],
    );
    return rows.map(policyFromRow);
  }

  /** Built-ins, then the tenant's enabled policies (and the agent's, when asked). */
  async listPolicies(em: EntityManager, tenantId: string, agentIdRaw: string | null): Promise<StoredPolicy[]> {
    const agentId = this.agentParam(agentIdRaw);
    await this.tenants.get(em, tenantId);
    const custom = await this.customPolicies(em, tenantId, agentId, true);
    return [...BUILTIN_POLICIES.map(builtinStored), ...custom];
  }

  /** One policy (built-in by either spelling; custom scope-aware, disabled ones included). */
  async getPolicy(em: EntityManager, tenantId: string, name: string, agentIdRaw: string | null): Promise<StoredPolicy> {
    const agentId = this.agentParam(agentIdRaw);
    const builtin = builtinNamed(name);
    if (builtin) return builtinStored(builtin);
    const rows = await em.execute<Row[]>(
      `select * from action_policy where tenant_id = ? and name = ? and agent_id in (?, '') order by agent_id desc limit 1`,
      [tenantId, name, agentId ?? ''],
    );
    if (rows.length === 0) throw novyxError('not_found', NOVYX.policyNotFound, `no policy "${name}"${agentId ? ` for agent ${agentId} or the tenant` : ''}`, 'name');
    return policyFromRow(rows[0]);
  }

  /**
   * Create or update (upsert by name and scope, version bump). `mode: 'update'`
   * (PUT) requires the policy to exist.
   */
  async upsertPolicy(caller: GovernanceCaller, body: unknown, opts: { nameFromPath: string | null; mode: 'create' | 'update' }): Promise<PolicyChange> {
    if (opts.nameFromPath !== null && builtinNamed(opts.nameFromPath)) {
      throw novyxError('forbidden', NOVYX.cannotDeleteBuiltin, `"${opts.nameFromPath}" is a built-in policy; built-ins cannot be changed or deleted`, 'name');
    }
    let doc: PolicyDocument;
    try {
      doc = parsePolicyDocument(body, opts.nameFromPath);
    } catch (e) {
      if (e instanceof PolicyInvalid) throw novyxError('validation_failed', NOVYX.invalidPolicy, e.message, e.field);
      throw e;
    }
    const now = this.clock.now();
    return this.db.em().transactional(async (tx) => {
      const t = tx as EntityManager;
      const tenant = await this.lockTenant(t, caller.tenantId);
      requireFeature(tenant.tier, 'draft_policies');
      if (doc.agent_id) requireFeature(tenant.tier, 'agent_scoped_policies');
      const existing = await t.execute<Row[]>(`select * from action_policy where tenant_id = ? and name = ? and agent_id = ?`, [
        caller.tenantId,
        doc.name,
        doc.agent_id ?? '',
      ]);
      if (opts.mode === 'update' && existing.length === 0) {
        throw novyxError('not_found', NOVYX.policyNotFound, `no policy "${doc.name}"${doc.agent_id ? ` for agent ${doc.agent_id}` : ''} to update`, 'name');
      }
      const wasEnabled = existing.length > 0 && policyFromRow(existing[0]).enabled;
      if (doc.enabled && !wasEnabled) {
        const used = await t.execute<Row[]>(`select count(*)::int as n from action_policy where tenant_id = ? and enabled`, [caller.tenantId]);
        requireWithinLimit(tenant.tier, Number(used[0].n));
      }
      const rows = await t.execute<Row[]>(
        `insert into action_policy as p (id, tenant_id, name, agent_id, description, rules, step_types, whitelisted_domains, enabled, version, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, 1, ?, ?)
         on conflict (tenant_id, name, agent_id) do update set
           description = excluded.description, rules = excluded.rules, step_types = excluded.step_types,
           whitelisted_domains = excluded.whitelisted_domains, enabled = excluded.enabled,
           version = p.version + 1, updated_at = excluded.updated_at
         returning *`,
        [
          randomUUID(),
          caller.tenantId,
          doc.name,
          doc.agent_id ?? '',
          doc.description,
          JSON.stringify(doc.rules),
          JSON.stringify(doc.step_types),
          JSON.stringify(doc.whitelisted_domains),
          doc.enabled,
          now,
          now,
        ],
      );
      const policy = policyFromRow(rows[0]);
      const change = existing.length === 0 ? 'created' : 'updated';
      await this.auditPolicy(t, caller, policy, change);
      return { policy, change };
    });
  }

  /** Soft delete (disable). Built-ins: 403 `cannot_delete_builtin`. */
  async deletePolicy(caller: GovernanceCaller, name: string, agentIdRaw: string | null): Promise<PolicyChange> {
    if (builtinNamed(name)) {
      throw novyxError('forbidden', NOVYX.cannotDeleteBuiltin, `"${name}" is a built-in policy; built-ins are always on and cannot be deleted`, 'name');
    }
    const agentId = this.agentParam(agentIdRaw);
    const now = this.clock.now();
    return this.db.em().transactional(async (tx) => {
      const t = tx as EntityManager;
      await this.lockTenant(t, caller.tenantId);
      const rows = await t.execute<Row[]>(
        `update action_policy set enabled = false, version = version + 1, updated_at = ?
         where tenant_id = ? and name = ? and agent_id = ? and enabled returning *`,
        [now, caller.tenantId, name, agentId ?? ''],
      );
      if (rows.length === 0) {
        const found = await t.execute<Row[]>(`select * from action_policy where tenant_id = ? and name = ? and agent_id = ?`, [caller.tenantId, name, agentId ?? '']);
        if (found.length === 0) throw novyxError('not_found', NOVYX.policyNotFound, `no policy "${name}"${agentId ? ` for agent ${agentId}` : ''}`, 'name');
        return { policy: policyFromRow(found[0]), change: 'unchanged' as const };
      }
      const policy = policyFromRow(rows[0]);
      await this.auditPolicy(t, caller, policy, 'disabled');
      return { policy, change: 'disabled' as const };
    });
  }

  /** Plan, feature flags and what is used (GET /v1/usage). */
  async usage(em: EntityManager, tenantId: string) {
    const tenant = await this.tenants.get(em, tenantId);
    const used = await em.execute<Row[]>(`select count(*)::int as n from action_policy where tenant_id = ? and enabled`, [tenantId]);
    return {
      tenant,
      features: featureFlags(tenant.tier),
      limits: { draftPolicies: DRAFT_POLICY_LIMIT[tenant.tier] },
      usage: { draftPolicies: Number(used[0].n) },
    };
  }

  private agentParam(raw: string | null): string | null {
    if (raw === null) return null;
    const t = raw.trim();
    if (t === '') return null;
    if (!AGENT_ID_RE.test(t)) throw new ValidationError('agent_id must be 1-200 characters of letters, digits and . _ : @ / -', 'agent_id');
    return t;
  }

  private async lockTenant(em: EntityManager, tenantId: string) {
    const rows = await em.execute<Row[]>(`select id, tier from tenant where id = ? for update`, [tenantId]);
    if (rows.length === 0) throw new DomainError('not_found', `unknown tenant "${tenantId}"`, 'tenant');
    return { id: String(rows[0].id), tier: rows[0].tier as import('../tenants/tenant.entity').TenantTier };
  }

  private async auditPolicy(em: EntityManager, caller: GovernanceCaller, p: StoredPolicy, change: 'created' | 'updated' | 'disabled'): Promise<void> {
    await this.audit.append(em, {
      tenantId: caller.tenantId,
      kind: 'POLICY_CHANGE',
      action: `policy.${change}`,
      requester: caller.requester,
      agentId: p.agent_id,
      reason: `Policy ${p.name}${p.agent_id ? ` (agent ${p.agent_id})` : ''} ${change}; version ${p.version}.`,
      details: {
        policy_name: p.name,
        scope: p.agent_id ? 'agent' : 'tenant',
        version: p.version,
        enabled: p.enabled,
        rules: p.rules,
        step_types: p.step_types,
        whitelisted_domains: p.whitelisted_domains,
      },
    });
  }
}
