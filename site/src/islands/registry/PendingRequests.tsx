/**
 * Pending approval requests (explicit, filtered by `?project=`): approve, which
 * proposes the rule through the configured proposer, or reject with a reason.
 * Below them, the implicit candidates the audit log surfaces, with their reason badge.
 */
import { useState } from 'preact/hooks';
import { Provider, useMutation, useQuery } from '@urql/preact';
import { graphql } from '../../gql';
import { client, isServerRender } from '../../lib/urql';
import { currentProject } from '../../lib/project';
import { Panel, ShowMore, TableWrap, useShowMore, agentLabel, announceChange, apiHref, errorText, fmt, fmtTime, stateOf, useRefetchOnChange } from '../../lib/ui';
import { OutcomeBox, STATUSES, toEnum, type Outcome, type RuleStatus } from './shared';

const PendingDocument = graphql(`
  query WorkshopPending($project: String) {
    approvalRequests(project: $project, status: PENDING_REVIEW, first: 200) {
      id
      package
      ecosystem
      version
      project
      requester
      rationale
      requestCount
      agentModel
      agentVersion
      updatedAt
    }
    pendingTriage {
      implicit {
        package
        ecosystem
        normalizedName
        evaluations
        denials
        provisional
        latestTs
        latestProject
        latestAgentModel
        latestAgentVersion
        projectCount
        reason
        reasonDetail
      }
    }
  }
`);

const ApproveDocument = graphql(`
  mutation WorkshopApprove($id: ID!, $note: String!, $status: RegistryRuleStatus, $minVersion: String, $maxVersion: String) {
    approveRequest(id: $id, note: $note, status: $status, minVersion: $minVersion, maxVersion: $maxVersion) {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationApproveRequestSuccess {
        data {
          live
          request {
            id
            status
            package
          }
          proposal {
            ...ProposalFields
          }
        }
      }
    }
  }
`);

const RejectDocument = graphql(`
  mutation WorkshopReject($id: ID!, $reason: String!) {
    rejectRequest(id: $id, reason: $reason) {
      __typename
      ... on DomainError {
        message
      }
      ... on MutationRejectRequestSuccess {
        data {
          id
          status
          package
        }
      }
    }
  }
`);

const REASON_TONE: Record<string, string> = { 'provisional-no-rationale': 'warn', 'repeatedly-denied': 'bad', 'pre-screened': 'info' };

type Request = { id: string; package: string };

function Decide({ request, onDone }: { request: Request; onDone: (o: Outcome) => void }) {
  const [mode, setMode] = useState<'approve' | 'reject' | null>(null);
  const [status, setStatus] = useState<RuleStatus>('approved');
  const [text, setText] = useState('');
  const [minV, setMinV] = useState('');
  const [maxV, setMaxV] = useState('');
  const [approveState, approve] = useMutation(ApproveDocument);
  const [rejectState, reject] = useMutation(RejectDocument);
  const busy = approveState.fetching || rejectState.fetching;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (mode === 'approve') {
      const r = await approve({ id: request.id, note: text, status: toEnum(status), minVersion: minV || null, maxVersion: maxV || null });
      const a = r.data?.approveRequest;
      if (a?.__typename === 'MutationApproveRequestSuccess') onDone({ kind: 'ok', proposal: a.data.proposal, live: a.data.live, what: `Approved ${a.data.request.package}` });
      else onDone({ kind: 'error', message: a?.__typename === 'DomainError' ? a.message : errorText(r.error) });
    } else if (mode === 'reject') {
      const r = await reject({ id: request.id, reason: text });
      const a = r.data?.rejectRequest;
      if (a?.__typename === 'MutationRejectRequestSuccess') onDone({ kind: 'note', text: `Rejected ${a.data.package}: the agent sees the reason when it asks again.` });
      else onDone({ kind: 'error', message: a?.__typename === 'DomainError' ? a.message : errorText(r.error) });
    }
    setMode(null);
    setText('');
    announceChange();
  };

  if (!mode) {
    return (
      <div class="row-actions">
        <button type="button" class="button" data-testid="approve" onClick={() => setMode('approve')}>Approve…</button>
        <button type="button" class="button-quiet" data-testid="reject" onClick={() => setMode('reject')}>Reject…</button>
      </div>
    );
  }
  const fieldId = `${mode}-${request.id}`;
  return (
    <form class="inline-form" onSubmit={submit} data-testid={`${mode}-form`}>
      {mode === 'approve' && (
        <>
          <label for={`${fieldId}-status`}>As</label>
          <select id={`${fieldId}-status`} value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as RuleStatus)}>
            {STATUSES.filter((s) => s !== 'deprecated' && s !== 'banned').map((s) => <option value={s}>{s}</option>)}
          </select>
          {status === 'version-constrained' && (
            <>
              <label for={`${fieldId}-min`}>min</label>
              <input id={`${fieldId}-min`} size={8} value={minV} onInput={(e) => setMinV((e.target as HTMLInputElement).value)} />
              <label for={`${fieldId}-max`}>max</label>
              <input id={`${fieldId}-max`} size={8} value={maxV} onInput={(e) => setMaxV((e.target as HTMLInputElement).value)} />
            </>
          )}
        </>
      )}
      <label for={fieldId}>{mode === 'approve' ? 'Note' : 'Reason'}</label>
      <input id={fieldId} required value={text} data-testid={`${mode}-text`} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      <button type="submit" class="button" disabled={busy} data-testid={`${mode}-submit`}>{mode === 'approve' ? 'Approve' : 'Reject'}</button>
      <button type="button" class="button-quiet" onClick={() => setMode(null)}>Cancel</button>
    </form>
  );
}

function Pending() {
  const project = currentProject();
  const [res, reexecute] = useQuery({ query: PendingDocument, variables: { project }, pause: isServerRender });
  useRefetchOnChange(reexecute);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [limit, more] = useShowMore();
  const requests = res.data?.approvalRequests;
  const implicit = res.data?.pendingTriage.implicit;
  const state = stateOf({ fetching: res.fetching, error: res.error, hasData: !!res.data, isEmpty: requests?.length === 0 });
  const iState = stateOf({ fetching: res.fetching, error: res.error, hasData: !!res.data, isEmpty: implicit?.length === 0 });
  return (
    <>
      <Panel id="pending-requests" title="Pending approval requests" state={outcome && state === 'empty' ? 'ready' : state} errorText={errorText(res.error)} raw={apiHref('/api/v1/reports/approval-requests?status=pending_review')} emptyText="No request is waiting for a decision." wide>
        <OutcomeBox outcome={outcome} />
        {requests?.length === 0 && <p class="notice">No other request is waiting for a decision.</p>}
        {requests && requests.length > 0 && (
          <TableWrap label="Pending approval requests">
            <table class="data">
              <thead><tr><th scope="col">Package</th><th scope="col">Project</th><th scope="col">Rationale</th><th scope="col" class="num">Asks</th><th scope="col">Agent</th><th scope="col">Decide</th></tr></thead>
              <tbody>
                {requests.map((r) => (
                  <tr data-testid="pending-row" data-package={r.package} data-id={r.id}>
                    <th scope="row">{r.package}{r.version && <span class="muted"> {r.version}</span>} <span class="muted small">{r.ecosystem}</span></th>
                    <td>{r.project}</td>
                    <td class="reason">{r.rationale}</td>
                    <td class="num">{fmt(r.requestCount)}</td>
                    <td>{agentLabel(r.agentModel, r.agentVersion)}</td>
                    <td><Decide request={r} onDone={setOutcome} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Panel>
      <Panel id="implicit-candidates" title="Implicit candidates (last 30 days, all projects)" state={iState} errorText={errorText(res.error)} raw="/api/v1/registry/pending" emptyText="The audit log surfaces no unregistered package." wide>
        <TableWrap label="Implicit candidates">
          <table class="data">
            <thead><tr><th scope="col">Package</th><th scope="col">Why</th><th scope="col" class="num">Evaluations</th><th scope="col" class="num">Denials</th><th scope="col" class="num">Provisional</th><th scope="col" class="num">Projects</th><th scope="col">Latest</th></tr></thead>
            <tbody>
              {implicit?.slice(0, limit).map((c) => (
                <tr data-testid="implicit-row" data-package={c.package}>
                  <th scope="row">{c.package} <span class="muted small">{c.ecosystem}</span></th>
                  <td><span class={`tag tag-${REASON_TONE[c.reason] ?? 'info'}`} title={c.reasonDetail}>{c.reason}</span></td>
                  <td class="num" data-value={c.evaluations}>{fmt(c.evaluations)}</td>
                  <td class="num">{fmt(c.denials)}</td>
                  <td class="num">{fmt(c.provisional)}</td>
                  <td class="num">{fmt(c.projectCount)}</td>
                  <td class="small">{fmtTime(c.latestTs)} · {c.latestProject ?? '–'} · {agentLabel(c.latestAgentModel, c.latestAgentVersion)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        <ShowMore shown={Math.min(limit, implicit?.length ?? 0)} total={implicit?.length ?? 0} onMore={more} testId="implicit-more" />
      </Panel>
    </>
  );
}

export default function PendingRequests() {
  return (
    <Provider value={client}>
      <Pending />
    </Provider>
  );
}
