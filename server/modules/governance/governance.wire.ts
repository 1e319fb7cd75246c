/** Novyx wire shapes (snake_case JSON) for the governance records; REST only, GraphQL has its own types. */
import type { AuditRecord } from '../audit/audit.service';
import type { Dashboard, AgentViolations } from './governance-dashboard.service';
import type { ActionExplanation, StoredAction, StoredPolicy } from './governance.service';

/** ISO 8601 in UTC without a zero millisecond part (`2026-04-04T00:00:00Z`, as the Novyx samples). */
export function isoUtc(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}

const connectorOf = (action: string) => {
  const i = action.indexOf('.');
  return i > 0 ? { connector: action.slice(0, i), operation: action.slice(i + 1) } : { connector: null, operation: action };
};

export function policyResultToWire(a: StoredAction) {
  const d = a.decision;
  return {
    risk_score: d.risk_score,
    evaluation_time_ms: d.evaluation_time_ms,
    triggered_policy: d.triggered_policy,
    reason: d.reason,
    severity: d.severity,
    violations: d.violations,
    warnings: d.warnings,
    action_id: a.id,
  };
}

/** POST /v1/actions answer. */
export function submissionToWire(a: StoredAction) {
  return {
    action: a.action,
    status: a.decision.status,
    policy_result: policyResultToWire(a),
    message: a.message,
    // --- additive ---
    action_id: a.id,
    agent_id: a.agentId,
  };
}

function approvalOf(a: StoredAction) {
  if (a.decision.status !== 'pending_review') return null;
  return {
    approval_id: a.id,
    status: a.status,
    decided_at: a.decidedAt ? isoUtc(a.decidedAt) : null,
    decided_by: a.decidedBy,
    reason: a.decisionReason,
  };
}

/** GET /v1/actions/{id} (and list items). */
export function actionToWire(a: StoredAction) {
  return {
    action_id: a.id,
    action: a.action,
    agent_id: a.agentId,
    ...connectorOf(a.action),
    status: a.status,
    params: a.params,
    policy_result: policyResultToWire(a),
    message: a.message,
    reason: a.status === 'approved' || a.status === 'denied' ? a.decisionReason ?? a.decision.reason : a.decision.reason,
    submitted_at: isoUtc(a.submittedAt),
    approval: approvalOf(a),
  };
}

function trailEvent(r: AuditRecord): string {
  const e = r.details.event;
  return typeof e === 'string' ? e : r.kind.toLowerCase();
}

/** GET /v1/actions/{id}/explain. */
export function explanationToWire(x: ActionExplanation) {
  const a = x.action;
  const d = a.decision;
  const fired = d.policies_evaluated.filter((p) => p.result === 'violated' || p.result === 'warned').map((p) => p.name);
  const summary =
    `${a.action} by ${a.agentId ?? 'an unnamed agent'} was ${d.status.replace('_', ' ')}` +
    (d.triggered_policy ? ` by ${d.triggered_policy} (${d.severity}): ${d.reason}` : '') +
    (a.status === 'approved' || a.status === 'denied' ? `; then ${a.status} by ${a.decidedBy}${a.decisionReason ? ` (${a.decisionReason})` : ''}` : '') +
    `. ${d.policies_evaluated.length} policies evaluated${fired.length ? `, fired: ${fired.join(', ')}` : ''}.`;
  return {
    action_id: a.id,
    action: a.action,
    agent_id: a.agentId,
    ...connectorOf(a.action),
    submitted_at: isoUtc(a.submittedAt),
    status: a.status,
    policy_result: {
      status: d.status,
      policies_evaluated: d.policies_evaluated,
      risk_score: d.risk_score,
      violations: d.violations,
      warnings: d.warnings,
      triggered_policy: d.triggered_policy,
      severity: d.severity,
      reason: d.reason,
      evaluation_time_ms: d.evaluation_time_ms,
    },
    approval: approvalOf(a),
    memories_at_time: [],
    audit_trail: x.trail.map((r) => ({
      sequence_number: r.seq,
      timestamp: isoUtc(r.ts),
      event: trailEvent(r),
      entry_hash: `sha256:${r.hash}`,
      prev_hash: `sha256:${r.prevHash}`,
      audit_id: r.id,
      metadata: { kind: r.kind, status: r.status, requester: r.requester, reason: r.reason, ...r.details },
    })),
    summary,
  };
}

/** GET /v1/approvals items. */
export function approvalToWire(a: StoredAction) {
  return {
    approval_id: a.id,
    action_id: a.id,
    action: a.action,
    ...connectorOf(a.action),
    agent_id: a.agentId,
    status: a.status,
    submitted_at: isoUtc(a.submittedAt),
    risk_score: a.decision.risk_score,
    triggered_policy: a.decision.triggered_policy,
    severity: a.decision.severity,
    reason: a.decision.reason,
    decided_at: a.decidedAt ? isoUtc(a.decidedAt) : null,
    decided_by: a.decidedBy,
    decision_reason: a.decisionReason,
  };
}

/** Policies: built-ins carry their short name in lists (Novyx's checklist) and the canonical one alongside. */
export function policyToWire(p: StoredPolicy, opts: { detail: boolean }) {
  if (p.source === 'builtin') {
    return {
      name: opts.detail ? p.name : p.name.replace(/Policy$/, ''),
      canonical_name: p.name,
      description: p.description,
      enabled: true,
      source: 'builtin' as const,
      agent_id: null,
      scope: 'builtin',
      version: p.version,
      rules: p.rules,
      ...(opts.detail ? { config: { rules: p.rules, step_types: p.step_types, whitelisted_domains: p.whitelisted_domains } } : {}),
    };
  }
  return {
    name: p.name,
    description: p.description,
    enabled: p.enabled,
    source: 'custom' as const,
    agent_id: p.agent_id,
    scope: p.agent_id ? 'agent' : 'tenant',
    version: p.version,
    rules: p.rules,
    step_types: p.step_types.map((s) => s.toLowerCase()),
    whitelisted_domains: p.whitelisted_domains,
    created_at: p.createdAt ? isoUtc(p.createdAt) : null,
    updated_at: p.updatedAt ? isoUtc(p.updatedAt) : null,
    ...(opts.detail ? { config: { rules: p.rules, step_types: p.step_types.map((s) => s.toLowerCase()), whitelisted_domains: p.whitelisted_domains } } : {}),
  };
}

export function dashboardToWire(d: Dashboard) {
  return {
    window: d.window,
    bucket: d.bucket,
    backend: d.backend,
    totals: {
      evaluations: d.totals.evaluations,
      executed: d.totals.executed,
      pending_review: d.totals.pendingReview,
      approved: d.totals.approved,
      denied: d.totals.denied,
    },
    violations_by_policy: d.violationsByPolicy.map((p) => ({ policy: p.policy, count: p.count, severity_breakdown: p.severityBreakdown })),
    violations_by_agent: d.violationsByAgent.map((a) => ({ agent_id: a.agentId, count: a.count })),
    time_series: d.timeSeries.map((s) => ({
      bucket: isoUtc(s.bucket),
      executed: s.executed,
      pending_review: s.pendingReview,
      approved: s.approved,
      denied: s.denied,
    })),
    // --- additive ---
    window_start: isoUtc(d.windowStart),
    window_end: isoUtc(d.windowEnd),
  };
}

export function violationsToWire(v: AgentViolations) {
  return {
    agent_id: v.agentId,
    total: v.violations.length,
    backend: v.backend,
    violations: v.violations.map((e) => ({
      action_id: e.actionId,
      action: e.action,
      timestamp: isoUtc(e.timestamp),
      event: e.event,
      triggered_policy: e.triggeredPolicy,
      severity: e.severity,
      reason: e.reason,
      risk_score: e.riskScore,
      violation_count: e.violationCount,
      audit_id: e.auditId,
    })),
  };
}
