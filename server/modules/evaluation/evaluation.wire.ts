/**
 * The lex-align wire shape of an evaluation (GET /api/v1/evaluate): lex-align's
 * fields first, with their names and meanings, then our additive fields.
 */
import type { Evaluation } from './evaluation.service';

export function evaluationToWire(e: Evaluation, packageAsSent: string) {
  return {
    verdict: e.verdict,
    reason: e.reason,
    package: packageAsSent,
    version: e.version,
    resolved_version: e.resolvedVersion,
    registry_status: e.registryStatus,
    replacement: e.replacement,
    version_constraint: e.versionConstraint,
    license: e.license,
    cve_ids: e.cveIds,
    max_cvss: e.maxCvss,
    is_requestable: e.isRequestable,
    needs_rationale: e.needsRationale,
    auto_request_approval: e.autoRequestApproval,
    // --- additive ---
    ecosystem: e.ecosystem,
    purl: e.purl,
    normalized_name: e.normalizedName,
    denial_category: e.category,
    license_expression: e.licenseExpression,
    license_unknown_reason: e.licenseUnknownReason,
    license_elected: e.licenseElected,
    policy: e.policy,
    severity: e.severity,
    risk_score: e.riskScore,
    degraded: e.degraded,
    degraded_reason: e.degradedReason,
    approval_request_id: e.approvalRequestId,
    audit_id: e.auditId,
  };
}
