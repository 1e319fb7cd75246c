/** lex-align wire shapes of the registry lifecycle (snake_case; lex-align's fields first, ours after). */
import type { ExplicitPending, PendingTriage, WebhookOutcome } from './registry-lifecycle.service';
import type { ReloadOutcome } from './registry.service';
import type { ImplicitCandidate } from './triage';

export function reloadToWire(r: ReloadOutcome) {
  return {
    ok: true,
    previous_version: r.previousVersion,
    new_version: r.newVersion,
    package_count: r.packageCount,
    added_packages: r.addedPackages,
    approved_requests: r.approvedRequests,
    detail: 'ok',
    // --- additive ---
    rejected_requests: r.rejectedRequests,
    revision: r.revision,
    created: r.created,
  };
}

function explicitToWire(e: ExplicitPending) {
  return {
    package: e.package,
    normalized_name: e.normalizedName,
    latest_rationale: e.latestRationale,
    latest_ts: e.latestTs.toISOString(),
    latest_project: e.latestProject,
    latest_requester: e.latestRequester,
    request_count: e.requestCount,
    // --- additive ---
    ecosystem: e.ecosystem,
    total_requests: e.totalRequests,
    request_ids: e.requestIds,
  };
}

function implicitToWire(c: ImplicitCandidate) {
  return {
    package: c.package,
    normalized_name: c.normalizedName,
    evaluations: c.evaluations,
    denials: c.denials,
    provisional: c.provisional,
    latest_ts: c.latestTs.toISOString(),
    latest_project: c.latestProject,
    latest_agent_model: c.latestAgentModel,
    latest_agent_version: c.latestAgentVersion,
    project_count: c.projectCount,
    reason: c.reason,
    reason_detail: c.reasonDetail,
    // --- additive ---
    ecosystem: c.ecosystem,
  };
}

export function pendingToWire(p: PendingTriage) {
  return { explicit: p.explicit.map(explicitToWire), implicit: p.implicit.map(implicitToWire) };
}

export function webhookToWire(w: WebhookOutcome) {
  if (w.reload) return { event: w.event, ...reloadToWire(w.reload), ok: w.ok };
  return {
    ok: w.ok,
    event: w.event,
    ...(w.action !== undefined ? { action: w.action } : {}),
    ...(w.ignored ? { ignored: true } : {}),
    ...(w.detail !== undefined ? { detail: w.detail } : {}),
  };
}
