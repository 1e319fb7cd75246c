/**
 * Pieces the registry workshop islands share: the proposal result box (file
 * written, commit, PR link or logged), status badges, and the fragment every
 * mutation answer selects for it.
 */
import { graphql, useFragment, type FragmentType } from '../../gql';

export const ProposalFields = graphql(`
  fragment ProposalFields on ProposalResult {
    backend
    status
    detail
    branch
    commitSha
    url
  }
`);

export const STATUSES = ['preferred', 'approved', 'version-constrained', 'deprecated', 'banned'] as const;
export type RuleStatus = (typeof STATUSES)[number];
/** The GraphQL enum spells the hyphen as an underscore. */
export const toEnum = (s: RuleStatus) => (s === 'version-constrained' ? 'version_constrained' : s) as 'preferred' | 'approved' | 'version_constrained' | 'deprecated' | 'banned';

export function StatusBadge({ status }: { status: string }) {
  const tone = status === 'banned' ? 'bad' : status === 'deprecated' ? 'warn' : status === 'version-constrained' ? 'info' : 'ok';
  return <span class={`tag tag-${tone}`} data-status={status}>{status}</span>;
}

export type Outcome = { kind: 'ok'; proposal: FragmentType<typeof ProposalFields>; live: boolean; what: string } | { kind: 'error'; message: string }
  | { kind: 'note'; text: string };

/** What the proposer did, in words, with the commit or PR when there is one. */
export function OutcomeBox({ outcome }: { outcome: Outcome | null }) {
  const p = useFragment(ProposalFields, outcome?.kind === 'ok' ? outcome.proposal : null);
  if (!outcome) return null;
  if (outcome.kind === 'note') {
    return (
      <p class="notice notice-ok" role="status" data-testid="outcome" data-outcome="note">
        {outcome.text}
      </p>
    );
  }
  if (outcome.kind === 'error') {
    return (
      <p class="notice notice-error" role="alert" data-testid="outcome" data-outcome="error">
        {outcome.message}
      </p>
    );
  }
  return (
    <div class="notice notice-ok" role="status" data-testid="outcome" data-outcome={p?.status} data-backend={p?.backend}>
      <strong>{outcome.what}</strong>: {p?.detail}{' '}
      <span class="muted">
        ({p?.backend}
        {outcome.live ? ', live now' : ', not live until merged and reloaded'})
      </span>
      {p?.commitSha && <> · commit <code>{p.commitSha.slice(0, 10)}</code></>}
      {p?.branch && <> · branch <code>{p.branch}</code></>}
      {p?.url && (
        <>
          {' · '}
          <a href={p.url} rel="noopener">
            pull request
          </a>
        </>
      )}
    </div>
  );
}
