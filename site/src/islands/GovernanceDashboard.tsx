/**
 * Agent-action governance (Novyx's control dashboard): window and bucket
 * selectors, totals, a time-series chart, violations by policy with their
 * severity breakdown and by agent; choosing an agent lists its violations.
 * `governanceDashboard` (GET /v1/control/dashboard) and `agentViolations`
 * (GET /v1/control/agents/{id}/violations). The window and bucket live in the
 * URL (`?window=&bucket=`) beside the project filter.
 */
import { useState } from 'preact/hooks';
import { Provider, useQuery } from '@urql/preact';
import { graphql } from '../gql';
import { client, isServerRender } from '../lib/urql';
import { Kpi, Legend, Panel, StackedBar, TableWrap, apiHref, errorText, fmt, fmtTime, stateOf, unwrap, type Segment } from '../lib/ui';

const GovernanceDocument = graphql(`
  query GovernanceDashboard($window: String, $bucket: String) {
    governanceDashboard(window: $window, bucket: $bucket) {
      __typename
      ... on DomainError {
        message
        reasonCode
      }
      ... on QueryGovernanceDashboardSuccess {
        data {
          window
          bucket
          backend
          windowStart
          windowEnd
          totals {
            evaluations
            executed
            pendingReview
            approved
            denied
          }
          violationsByPolicy {
            policy
            count
            severityBreakdown {
              severity
              count
            }
          }
          violationsByAgent {
            agentId
            count
          }
          timeSeries {
            bucket
            executed
            pendingReview
            approved
            denied
          }
        }
      }
    }
  }
`);

const ViolationsDocument = graphql(`
  query AgentViolationsDrill($agentId: String!, $since: String) {
    agentViolations(agentId: $agentId, since: $since, limit: 50) {
      __typename
      ... on DomainError {
        message
      }
      ... on QueryAgentViolationsSuccess {
        data {
          agentId
          total
          violations {
            auditId
            actionId
            action
            timestamp
            event
            triggeredPolicy
            severity
            reason
            riskScore
          }
        }
      }
    }
  }
`);

const WINDOWS = ['24h', '7d', '30d'] as const;
const BUCKETS = ['auto', 'hour', 'day'] as const;
type Window = (typeof WINDOWS)[number];
type Bucket = (typeof BUCKETS)[number];

const SERIES: { key: 'executed' | 'pendingReview' | 'approved' | 'denied'; label: string; colour: string }[] = [
  { key: 'executed', label: 'executed', colour: '#047857' },
  { key: 'pendingReview', label: 'pending review', colour: '#b45309' },
  { key: 'approved', label: 'approved', colour: '#1d4ed8' },
  { key: 'denied', label: 'denied', colour: '#b91c1c' },
];

const SEVERITY_TONE: Record<string, Segment['tone']> = { critical: 'critical', high: 'bad', medium: 'warn', low: 'info' };

function readParam<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  if (typeof window === 'undefined') return fallback;
  const v = new URLSearchParams(location.search).get(name);
  return allowed.includes(v as T) ? (v as T) : fallback;
}

function writeParams(win: Window, bucket: Bucket): void {
  const url = new URL(location.href);
  url.searchParams.set('window', win);
  if (bucket === 'auto') url.searchParams.delete('bucket');
  else url.searchParams.set('bucket', bucket);
  history.replaceState(null, '', url);
}

type Point = { bucket: string; executed: number; pendingReview: number; approved: number; denied: number };

/** Four lines over the buckets, as inline SVG. */
function SeriesChart({ points, bucket }: { points: readonly Point[]; bucket: string }) {
  const W = 720;
  const H = 200;
  const max = Math.max(1, ...points.flatMap((p) => SERIES.map((s) => p[s.key])));
  const x = (i: number) => (points.length <= 1 ? W / 2 : (i / (points.length - 1)) * (W - 20) + 10);
  const y = (v: number) => H - 6 - (v / max) * (H - 16);
  const tickEvery = Math.max(1, Math.ceil(points.length / 8));
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H + 22}`} role="img" aria-labelledby="gov-series-desc" data-testid="gov-chart" data-points={points.length}>
      <desc id="gov-series-desc">Executed, pending-review, approved and denied actions per {bucket}; peak {max}.</desc>
      <line x1="0" x2={W} y1={H - 6} y2={H - 6} class="axis-line" />
      <text x="4" y="12" class="axis">{fmt(max)}</text>
      {SERIES.map((s) => (
        <polyline fill="none" stroke={s.colour} stroke-width="2" points={points.map((p, i) => `${x(i).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join(' ')}>
          <title>{s.label}</title>
        </polyline>
      ))}
      {points.map((p, i) =>
        i % tickEvery === 0 ? (
          <text x={x(i)} y={H + 16} text-anchor="middle" class="axis">
            {bucket === 'hour' ? p.bucket.slice(11, 16) : p.bucket.slice(5, 10)}
          </text>
        ) : null,
      )}
    </svg>
  );
}

function Violations({ agentId, since, onClose }: { agentId: string; since: string | undefined; onClose: () => void }) {
  const [res] = useQuery({ query: ViolationsDocument, variables: { agentId, since }, pause: isServerRender });
  const { data, problem } = unwrap(res.data?.agentViolations);
  const state = stateOf({ fetching: res.fetching, error: res.error, problem, hasData: data !== null, isEmpty: data?.violations.length === 0 });
  return (
    <Panel
      id="agent-violations"
      title={`Violations of ${agentId}`}
      state={state}
      errorText={problem ?? errorText(res.error)}
      raw={`/v1/control/agents/${encodeURIComponent(agentId)}/violations${since ? `?since=${encodeURIComponent(since)}` : ''}`}
      emptyText="No violations in this window."
      actions={<button type="button" class="button-quiet" onClick={onClose}>Close</button>}
      wide
    >
      <p class="muted small" data-testid="agent-violations-total" data-value={data?.total}>{fmt(data?.total)} entries, newest first.</p>
      <TableWrap label="Agent violations">
        <table class="data">
          <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Event</th><th scope="col">Policy</th><th scope="col">Severity</th><th scope="col">Reason</th></tr></thead>
          <tbody>
            {data?.violations.map((v) => (
              <tr data-testid="violation-row">
                <td class="nowrap">{fmtTime(v.timestamp)}</td>
                <td><code>{v.action}</code></td>
                <td>{v.event}</td>
                <td>{v.triggeredPolicy ?? '–'}</td>
                <td>{v.severity ? <span class={`sev sev-${v.severity}`}>{v.severity}</span> : '–'}</td>
                <td class="reason">{v.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </Panel>
  );
}

function Governance() {
  const [win, setWin] = useState<Window>(() => readParam('window', WINDOWS, '7d'));
  const [bucket, setBucket] = useState<Bucket>(() => readParam('bucket', BUCKETS, 'auto'));
  const [agent, setAgent] = useState<string | null>(null);
  const [res] = useQuery({ query: GovernanceDocument, variables: { window: win, bucket: bucket === 'auto' ? null : bucket }, pause: isServerRender });
  const { data: d, problem } = unwrap(res.data?.governanceDashboard);
  const state = stateOf({ fetching: res.fetching, error: res.error, problem, hasData: d !== null });
  const err = problem ?? errorText(res.error);
  const raw = `/v1/control/dashboard?window=${win}${bucket === 'auto' ? '' : `&bucket=${bucket}`}`;
  const choose = (w: Window, b: Bucket) => {
    setWin(w);
    setBucket(b);
    writeParams(w, b);
  };
  const part = <T,>(list: readonly T[] | undefined) => (state === 'ready' && list && list.length === 0 ? 'empty' : state);

  return (
    <div class="stack">
      <div class="toolbar" role="group" aria-label="Window and bucket">
        <fieldset class="segmented">
          <legend>Window</legend>
          {WINDOWS.map((w) => (
            <button type="button" aria-pressed={w === win} data-testid={`window-${w}`} onClick={() => choose(w, bucket)}>
              {w}
            </button>
          ))}
        </fieldset>
        <fieldset class="segmented">
          <legend>Bucket</legend>
          {BUCKETS.map((b) => (
            <button type="button" aria-pressed={b === bucket} data-testid={`bucket-${b}`} onClick={() => choose(win, b)}>
              {b}
            </button>
          ))}
        </fieldset>
        <p class="muted small" aria-live="polite" data-testid="gov-window" data-window={d?.window} data-bucket={d?.bucket}>
          {d ? `${fmtTime(d.windowStart)} – ${fmtTime(d.windowEnd)}, per ${d.bucket} (backend ${d.backend})` : res.fetching ? 'Loading…' : ''}
        </p>
      </div>
      <Panel id="gov-totals" title="Totals" state={state} errorText={err} raw={raw} wide>
        {d && (
          <div class="kpis">
            <Kpi label="Evaluations" value={d.totals.evaluations} testId="gov-evaluations" />
            <Kpi label="Executed" value={d.totals.executed} testId="gov-executed" tone="ok" />
            <Kpi label="Pending review" value={d.totals.pendingReview} testId="gov-pending" tone="warn" />
            <Kpi label="Approved" value={d.totals.approved} testId="gov-approved" />
            <Kpi label="Denied" value={d.totals.denied} testId="gov-denied" tone="bad" />
          </div>
        )}
      </Panel>
      <Panel id="gov-series" title="Activity over time" state={state} errorText={err} raw={raw} wide>
        {d && (
          <>
            <SeriesChart points={d.timeSeries} bucket={d.bucket} />
            <ul class="legend">
              {SERIES.map((s) => (
                <li><span class="swatch" style={{ background: s.colour }} aria-hidden="true" />{s.label}</li>
              ))}
            </ul>
          </>
        )}
      </Panel>
      <div class="grid">
        <Panel id="gov-by-policy" title="Violations by policy" state={part(d?.violationsByPolicy)} errorText={err} raw={raw} emptyText="No policy fired in this window.">
          <Legend items={[{ label: 'critical', tone: 'critical' }, { label: 'high', tone: 'bad' }, { label: 'medium', tone: 'warn' }, { label: 'low', tone: 'info' }]} />
          <TableWrap label="Violations by policy">
            <table class="data">
              <thead><tr><th scope="col">Policy</th><th scope="col" class="num">Count</th><th scope="col">Severity</th></tr></thead>
              <tbody>
                {d?.violationsByPolicy.map((p) => (
                  <tr data-testid="policy-row" data-policy={p.policy}>
                    <th scope="row"><code>{p.policy}</code></th>
                    <td class="num" data-value={p.count}>{fmt(p.count)}</td>
                    <td>
                      <StackedBar segments={p.severityBreakdown.map((s) => ({ label: s.severity, value: s.count, tone: SEVERITY_TONE[s.severity] ?? 'muted' }))} width={120} />
                      <span class="small muted"> {p.severityBreakdown.map((s) => `${s.severity} ${s.count}`).join(', ')}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Panel>
        <Panel id="gov-by-agent" title="Violations by agent" state={part(d?.violationsByAgent)} errorText={err} raw={raw} emptyText="No agent hit a violation in this window.">
          <ul class="ranked">
            {d?.violationsByAgent.map((a) => (
              <li data-testid="gov-agent-row" data-value={a.count}>
                <button type="button" class="linklike" aria-pressed={agent === a.agentId} onClick={() => setAgent(agent === a.agentId ? null : a.agentId)}>
                  {a.agentId}
                </button>
                <span class="num">{fmt(a.count)}</span>
              </li>
            ))}
          </ul>
        </Panel>
      </div>
      {agent && <Violations agentId={agent} since={d?.windowStart} onClose={() => setAgent(null)} />}
    </div>
  );
}

export default function GovernanceDashboard() {
  return (
    <Provider value={client}>
      <Governance />
    </Provider>
  );
}
