/**
 * Pure decisions of the CVE re-scan (SPEC §7): which version of a registry
 * package to scan, and whether its advisories call for a new CVE_ALERT.
 */
import { cvssSeverity, meetsCveThreshold, thresholdScore } from '../evaluation/policy/gates';
import type { Advisory, VulnerabilityFact } from '../packages/facts';
import type { VersionScheme } from '../packages/versions';
import type { RegistryRule } from '../registry/registry-document';

/** Rules that allow some version: the ones worth scanning (banned and deprecated allow none). */
export function scannable(rule: RegistryRule): boolean {
  return rule.status === 'preferred' || rule.status === 'approved' || rule.status === 'version-constrained';
}

/**
 * The newest version the rule allows: the latest release when it is inside the rule's bounds,
 * else the highest published version inside them (pre-releases only when nothing else is).
 * Null when no published version is allowed.
 */
export function versionToScan(
  rule: RegistryRule,
  latest: string | null,
  published: readonly string[],
  scheme: VersionScheme,
): string | null {
  const bounds = { min: rule.minVersion ?? null, max: rule.maxVersion ?? null };
  const inside = (v: string) => {
    const r = scheme.satisfiesBounds(v, bounds);
    return r.ok && r.within;
  };
  if (rule.status !== 'version-constrained') return latest;
  if (latest !== null && inside(latest)) return latest;
  return scheme.latest(published.filter((v) => scheme.valid(v) && inside(v)));
}

export interface AlertDecision {
  /** Write an alert now. */
  alert: boolean;
  /** Advisory ids at or over the threshold, sorted (what the alert carries). */
  overThreshold: string[];
  /** Ids in `overThreshold` that the last alert did not carry. */
  newIds: string[];
  /** Highest score among them (null when none). */
  maxCvss: number | null;
  advisories: Advisory[];
}

/**
 * Alert when the advisories over the threshold include one the package's last alert did not
 * carry: the same set is not alerted again every tick, a new advisory is.
 */
export function decideAlert(fact: VulnerabilityFact, threshold: number, lastAlerted: readonly string[] | null): AlertDecision {
  const over = fact.advisories.filter((a) => a.score !== null && meetsCveThreshold(a.score, threshold));
  const overThreshold = [...new Set(over.map((a) => a.id))].sort();
  const seen = new Set(lastAlerted ?? []);
  const newIds = overThreshold.filter((id) => !seen.has(id));
  const maxCvss = over.reduce<number | null>((m, a) => (m === null || (a.score ?? 0) > m ? a.score : m), null);
  return { alert: newIds.length > 0, overThreshold, newIds, maxCvss, advisories: over };
}

/** The alert's reason, for people and agents. */
export function alertReason(name: string, version: string, d: AlertDecision, threshold: number): string {
  const score = d.maxCvss === null ? 'an unscored advisory' : `CVSS ${Number.isInteger(d.maxCvss) ? d.maxCvss.toFixed(1) : d.maxCvss}`;
  const sev = cvssSeverity(d.maxCvss);
  return (
    `Registered package ${name} ${version} now has ${score}${sev ? ` (${sev})` : ''} (>= configured denial threshold ${thresholdScore(threshold).toFixed(1)}): ` +
    `${d.overThreshold.join(', ')}` +
    (d.newIds.length < d.overThreshold.length ? `; new since the last alert: ${d.newIds.join(', ')}` : '') +
    '. The registry is unchanged; pin a fixed version or ban the package.'
  );
}
