import { describe, expect, it } from 'vitest';
import { classifyCandidate, rankCandidates, type ImplicitAggregate } from './triage';

const agg = (name: string, evaluations: number, denials: number, provisional: number, projectCount = 1): ImplicitAggregate => ({
  ecosystem: 'pypi',
  package: name,
  normalizedName: name,
  evaluations,
  denials,
  provisional,
  latestTs: new Date('2026-01-01T00:00:00Z'),
  latestProject: 'p',
  latestAgentModel: null,
  latestAgentVersion: null,
  projectCount,
});

describe('classifyCandidate', () => {
  it.each([
    [agg('a', 5, 4, 1), 'provisional-no-rationale', '1 provisional verdict(s); no `request-approval` follow-up.'],
    [agg('b', 3, 3, 0, 2), 'repeatedly-denied', '3 denials across 2 project(s); an explicit registry rule would short-circuit future checks.'],
    [agg('c', 2, 2, 0), 'pre-screened', '2 `check` call(s) across 1 project(s); never proposed.'],
    [agg('d', 1, 0, 0), 'pre-screened', '1 `check` call(s) across 1 project(s); never proposed.'],
  ])('%#', (a, reason, detail) => {
    const c = classifyCandidate(a);
    expect(c.reason).toBe(reason);
    expect(c.reasonDetail).toBe(detail);
  });
});

describe('rankCandidates', () => {
  it('orders by reason rank, then evaluations descending', () => {
    const out = rankCandidates([agg('pre-big', 9, 0, 0), agg('den', 3, 3, 0), agg('prov-small', 1, 0, 1), agg('prov-big', 4, 0, 2), agg('pre-small', 1, 1, 0)]);
    expect(out.map((c) => c.package)).toEqual(['prov-big', 'prov-small', 'den', 'pre-big', 'pre-small']);
  });
});
