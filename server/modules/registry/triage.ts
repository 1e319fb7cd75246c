/**
 * Implicit candidates (SPEC §5, lex-align's `list_implicit_candidates`): packages the audit log
 * has seen in the last 30 days that nobody asked approval for and the registry does not list,
 * classified by why they surface. Pure: aggregates in, classified and ordered rows out.
 */

export const IMPLICIT_WINDOW_DAYS = 30;

export const IMPLICIT_REASONS = ['provisional-no-rationale', 'repeatedly-denied', 'pre-screened'] as const;
export type ImplicitReason = (typeof IMPLICIT_REASONS)[number];

/** Per normalised name, from the audit rows of the window. */
export interface ImplicitAggregate {
  ecosystem: string;
  package: string;
  normalizedName: string;
  evaluations: number;
  denials: number;
  provisional: number;
  latestTs: Date;
  latestProject: string | null;
  latestAgentModel: string | null;
  latestAgentVersion: string | null;
  projectCount: number;
}

export interface ImplicitCandidate extends ImplicitAggregate {
  reason: ImplicitReason;
  reasonDetail: string;
}


/**
 * Classify one aggregate; the first matching rule wins:
 * provisional > 0 → provisional-no-rationale; else denials ≥ 3 → repeatedly-denied;
 * else pre-screened (which includes packages with one or two denials).
 */
export function classifyCandidate(a: ImplicitAggregate): ImplicitCandidate {
  if (a.provisional > 0) {
    return { ...a, reason: 'provisional-no-rationale', reasonDetail: `${a.provisional} provisional verdict(s); no \`request-approval\` follow-up.` };
  }
  if (a.denials >= 3) {
    return {
      ...a,
      reason: 'repeatedly-denied',
      reasonDetail: `${a.denials} denials across ${a.projectCount} project(s); an explicit registry rule would short-circuit future checks.`,
    };
  }
  return { ...a, reason: 'pre-screened', reasonDetail: `${a.evaluations} \`check\` call(s) across ${a.projectCount} project(s); never proposed.` };
}

/** Classify and order: by reason rank, then evaluations descending (then name, for a stable order). */
export function rankCandidates(aggregates: readonly ImplicitAggregate[]): ImplicitCandidate[] {
  const rank = (r: ImplicitReason) => IMPLICIT_REASONS.indexOf(r);
  return aggregates
    .map(classifyCandidate)
    .sort(
      (x, y) =>
        rank(x.reason) - rank(y.reason) ||
        y.evaluations - x.evaluations ||
        (x.normalizedName < y.normalizedName ? -1 : x.normalizedName > y.normalizedName ? 1 : 0) ||
        (x.ecosystem < y.ecosystem ? -1 : x.ecosystem > y.ecosystem ? 1 : 0),
    );
}

