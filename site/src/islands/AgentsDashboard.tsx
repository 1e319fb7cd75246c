/**
 * Agent activity: every audit row grouped by (agent model, version) with the
 * unknown bucket, weekly activity per agent over the last eight weeks (a
 * stacked SVG column chart), and the newest rows. `agentsReport`
 * (GET /api/v1/reports/agents), the weekly columns as windows of the same report.
 */
import { useMemo } from 'preact/hooks';
import { Provider, useQuery } from '@urql/preact';
import { graphql, useFragment } from '../gql';
import { client, isServerRender } from '../lib/urql';
import { currentProject } from '../lib/project';
import { Panel, ShowMore, TableWrap, useShowMore, agentLabel, apiHref, errorText, fmt, fmtTime, stateOf, unwrap } from '../lib/ui';

const AgentsDocument = graphql(`
  query AgentsDashboard($project: String) {
    agentsReport(project: $project) {
      __typename
      ... on DomainError {
        message
      }
      ... on QueryAgentsReportSuccess {
        data {
          agents {
            label
            agentModel
            agentVersion
            unknown
            evaluations
            denials
            provisional
            lastSeen
          }
          recent {
            id
            ts
            kind
            project
            package
            version
            verdict
            reason
            agentModel
            agentVersion
          }
        }
      }
    }
  }
`);

const AgentsWeekFragment = graphql(`
  fragment AgentsWeek on QueryAgentsReportResult {
    __typename
    ... on QueryAgentsReportSuccess {
      data {
        agents {
          label
          evaluations
        }
      }
    }
  }
`);

const AgentsActivityDocument = graphql(`
  query AgentsActivity($project: String, $s0: DateTime!, $u0: DateTime!, $s1: DateTime!, $u1: DateTime!, $s2: DateTime!, $u2: DateTime!, $s3: DateTime!, $u3: DateTime!, $s4: DateTime!, $u4: DateTime!, $s5: DateTime!, $u5: DateTime!, $s6: DateTime!, $u6: DateTime!, $s7: DateTime!, $u7: DateTime!) {
    w0: agentsReport(project: $project, since: $s0, until: $u0) {
      ...AgentsWeek
    }
    w1: agentsReport(project: $project, since: $s1, until: $u1) {
      ...AgentsWeek
    }
    w2: agentsReport(project: $project, since: $s2, until: $u2) {
      ...AgentsWeek
    }
    w3: agentsReport(project: $project, since: $s3, until: $u3) {
      ...AgentsWeek
    }
    w4: agentsReport(project: $project, since: $s4, until: $u4) {
      ...AgentsWeek
    }
    w5: agentsReport(project: $project, since: $s5, until: $u5) {
      ...AgentsWeek
    }
    w6: agentsReport(project: $project, since: $s6, until: $u6) {
      ...AgentsWeek
    }
    w7: agentsReport(project: $project, since: $s7, until: $u7) {
      ...AgentsWeek
    }
  }
`);

const WEEKS = 8;
const WEEK_MS = 7 * 86_400_000;
const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490', '#4d7c0f', '#6b7280'];

/** Eight week-long windows ending now (aligned to the hour so the query is cacheable for a while). */
function weekWindows(now: number): { since: string; until: string }[] {
  const end = Math.ceil(now / 3_600_000) * 3_600_000;
  return Array.from({ length: WEEKS }, (_, i) => {
    const until = end - (WEEKS - 1 - i) * WEEK_MS;
    return { since: new Date(until - WEEK_MS).toISOString(), until: new Date(until).toISOString() };
  });
}

function Activity({ project }: { project: string | null }) {
  const windows = useMemo(() => weekWindows(Date.now()), []);
  const variables: Record<string, string | null> = { project };
  windows.forEach((w, i) => {
    variables[`s${i}`] = w.since;
    variables[`u${i}`] = w.until;
  });
  const [res] = useQuery({ query: AgentsActivityDocument, variables: variables as never, pause: isServerRender });
  const d = res.data;
  const weeks = d ? [d.w0, d.w1, d.w2, d.w3, d.w4, d.w5, d.w6, d.w7].map((w) => useFragment(AgentsWeekFragment, w)) : [];
  const columns = weeks.map((w) => (w.__typename === 'QueryAgentsReportSuccess' ? w.data.agents : []));
  const totals = new Map<string, number>();
  for (const col of columns) for (const a of col) totals.set(a.label, (totals.get(a.label) ?? 0) + a.evaluations);
  const labels = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([l]) => l);
  const top = labels.slice(0, PALETTE.length - 1);
  const colour = (label: string) => PALETTE[top.includes(label) ? top.indexOf(label) : PALETTE.length - 1];
  const max = Math.max(1, ...columns.map((c) => c.reduce((n, a) => n + a.evaluations, 0)));
  const state = stateOf({ fetching: res.fetching, error: res.error, hasData: !!d, isEmpty: labels.length === 0 });
  const W = 640;
  const H = 200;
  const colW = W / WEEKS;

  return (
    <Panel id="agents-activity" title="Activity over the last 8 weeks" state={state} errorText={errorText(res.error)} raw={apiHref('/api/v1/reports/agents')} emptyText="No activity in the last 8 weeks." wide>
      <svg class="chart" viewBox={`0 0 ${W} ${H + 24}`} role="img" aria-labelledby="agents-activity-desc" data-testid="agents-chart">
        <desc id="agents-activity-desc">Evaluations per week by agent identity; the table below has the same numbers.</desc>
        {columns.map((col, i) => {
          let y = H;
          return (
            <g>
              {col.map((a) => {
                const h = (a.evaluations / max) * (H - 8);
                y -= h;
                return (
                  <rect x={i * colW + 8} y={y} width={colW - 16} height={h} fill={colour(a.label)}>
                    <title>{`${a.label}: ${a.evaluations} (week ending ${windows[i].until.slice(0, 10)})`}</title>
                  </rect>
                );
              })}
              <text x={i * colW + colW / 2} y={H + 16} text-anchor="middle" class="axis">{windows[i].until.slice(5, 10)}</text>
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {[...top, ...(labels.length > top.length ? ['other'] : [])].map((l) => (
          <li><span class="swatch" style={{ background: l === 'other' ? PALETTE[PALETTE.length - 1] : colour(l) }} aria-hidden="true" />{l}</li>
        ))}
      </ul>
    </Panel>
  );
}

function Agents() {
  const project = currentProject();
  const [limit, more] = useShowMore();
  const [res] = useQuery({ query: AgentsDocument, variables: { project }, pause: isServerRender });
  const { data: r, problem } = unwrap(res.data?.agentsReport);
  const state = stateOf({ fetching: res.fetching, error: res.error, problem, hasData: r !== null, isEmpty: r?.agents.length === 0 });
  const err = problem ?? errorText(res.error);
  const raw = apiHref('/api/v1/reports/agents');
  return (
    <div class="stack">
      <Panel id="agents-table" title="By model and version" state={state} errorText={err} raw={raw} emptyText="No agent has asked anything yet." wide>
        <TableWrap label="Agents">
          <table class="data">
            <thead>
              <tr><th scope="col">Agent</th><th scope="col" class="num">Evaluations</th><th scope="col" class="num">Denials</th><th scope="col" class="num">Provisional</th><th scope="col">Last seen</th></tr>
            </thead>
            <tbody>
              {r?.agents.map((a) => (
                <tr data-testid="agent-row" data-label={a.label}>
                  <th scope="row">{a.unknown ? <span class="tag tag-warn">unknown</span> : a.label}</th>
                  <td class="num" data-testid="agent-evaluations" data-value={a.evaluations}>{fmt(a.evaluations)}</td>
                  <td class="num" data-value={a.denials}>{fmt(a.denials)}</td>
                  <td class="num" data-value={a.provisional}>{fmt(a.provisional)}</td>
                  <td class="nowrap">{fmtTime(a.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
      <Activity project={project} />
      <Panel id="agents-recent" title="Recent rows" state={r && r.recent.length === 0 ? 'empty' : state} errorText={err} raw={raw} emptyText="No rows yet." wide>
        <TableWrap label="Recent rows">
          <table class="data">
            <thead><tr><th scope="col">When</th><th scope="col">Agent</th><th scope="col">Project</th><th scope="col">Package</th><th scope="col">Verdict</th><th scope="col">Reason</th></tr></thead>
            <tbody>
              {r?.recent.slice(0, limit).map((row) => (
                <tr data-testid="agents-recent-row">
                  <td class="nowrap">{fmtTime(row.ts)}</td>
                  <td>{agentLabel(row.agentModel, row.agentVersion)}</td>
                  <td>{row.project ?? '–'}</td>
                  <td>{row.package ?? row.kind}{row.version && <span class="muted"> {row.version}</span>}</td>
                  <td>{row.verdict ?? '–'}</td>
                  <td class="reason">{row.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        <ShowMore shown={Math.min(limit, r?.recent.length ?? 0)} total={r?.recent.length ?? 0} onMore={more} />
      </Panel>
    </div>
  );
}

export default function AgentsDashboard() {
  return (
    <Provider value={client}>
      <Agents />
    </Provider>
  );
}
