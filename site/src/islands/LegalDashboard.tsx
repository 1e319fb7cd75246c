/**
 * Legal compliance: KPI strip, license breakdown with stacked verdict bars and
 * license-family tags, the unknown-license policy panel, top projects and the
 * recent license-driven denials. One query: `legalReport` (GET /api/v1/reports/legal).
 */
import { Provider, useQuery } from '@urql/preact';
import { graphql } from '../gql';
import { client, isServerRender } from '../lib/urql';
import { currentProject } from '../lib/project';
import { Kpi, Legend, ShowMore, useShowMore, Panel, StackedBar, TableWrap, agentLabel, apiHref, errorText, fmt, fmtTime, stateOf, unwrap } from '../lib/ui';

const LegalDocument = graphql(`
  query LegalDashboard($project: String) {
    legalReport(project: $project) {
      __typename
      ... on DomainError {
        message
      }
      ... on QueryLegalReportSuccess {
        data {
          totalDenials
          licenseBreakdown {
            license
            total
            allowed
            provisional
            denied
          }
          unknownLicense {
            total
            allowed
            provisional
            denied
          }
          topProjects {
            project
            denials
          }
          recent {
            id
            ts
            project
            package
            version
            license
            reason
            agentModel
            agentVersion
          }
        }
      }
    }
    registry {
      globalPolicies {
        unknownLicensePolicy
      }
    }
  }
`);

/** copyleft (red), permissive (green), UNKNOWN (amber), anything else untagged. */
export function licenseFamily(license: string): 'copyleft' | 'permissive' | 'unknown' | null {
  const l = license.toUpperCase();
  if (l === 'UNKNOWN') return 'unknown';
  if (/\b(A?GPL|LGPL)/.test(l)) return 'copyleft';
  if (/\b(MIT|BSD|APACHE|ISC)/.test(l)) return 'permissive';
  return null;
}

function FamilyTag({ license }: { license: string }) {
  const f = licenseFamily(license);
  if (!f) return null;
  const tone = f === 'copyleft' ? 'bad' : f === 'permissive' ? 'ok' : 'warn';
  return <span class={`tag tag-${tone}`}>{f === 'unknown' ? 'unknown' : f}</span>;
}

function Legal() {
  const project = currentProject();
  const [limit, more] = useShowMore();
  const [res] = useQuery({ query: LegalDocument, variables: { project }, pause: isServerRender });
  const { data: report, problem } = unwrap(res.data?.legalReport);
  const state = stateOf({ fetching: res.fetching, error: res.error, problem, hasData: report !== null, isEmpty: report?.licenseBreakdown.length === 0 && report?.totalDenials === 0 });
  const err = problem ?? errorText(res.error);
  const raw = apiHref('/api/v1/reports/legal');
  const withLicense = report?.licenseBreakdown.reduce((n, l) => n + l.total, 0) ?? 0;
  const policy = res.data?.registry?.globalPolicies.unknownLicensePolicy ?? null;
  const u = report?.unknownLicense;
  const sub = (s: typeof state) => (s === 'ready' && report ? s : state);

  return (
    <div class="stack">
      <Panel id="legal-kpis" title="License posture" state={state} errorText={err} raw={raw} emptyText="No evaluations with a license yet." wide>
        {report && (
          <div class="kpis">
            <Kpi label="Evaluations with a license" value={withLicense} testId="kpi-with-license" />
            <Kpi label="License-driven denials" value={report.totalDenials} testId="kpi-license-denials" tone="bad" />
            <Kpi label="Unknown-license rows" value={report.unknownLicense.total} testId="kpi-unknown-license" tone="warn" />
            <Kpi label="Distinct licenses" value={report.licenseBreakdown.length} testId="kpi-distinct-licenses" />
          </div>
        )}
      </Panel>
      <div class="grid">
        <Panel id="license-breakdown" title="License breakdown" state={sub(state)} errorText={err} raw={raw} emptyText="No licenses seen yet." wide>
          <Legend items={[{ label: 'allowed', tone: 'ok' }, { label: 'provisional', tone: 'warn' }, { label: 'denied', tone: 'bad' }]} />
          <TableWrap label="License breakdown">
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">License</th>
                  <th scope="col" class="num">Total</th>
                  <th scope="col">Verdicts</th>
                  <th scope="col" class="num">Allowed</th>
                  <th scope="col" class="num">Provisional</th>
                  <th scope="col" class="num">Denied</th>
                </tr>
              </thead>
              <tbody>
                {report?.licenseBreakdown.map((l) => (
                  <tr data-testid="license-row" data-license={l.license}>
                    <th scope="row">
                      <code>{l.license}</code> <FamilyTag license={l.license} />
                    </th>
                    <td class="num" data-testid="license-total" data-value={l.total}>{fmt(l.total)}</td>
                    <td>
                      <StackedBar segments={[{ label: 'allowed', value: l.allowed, tone: 'ok' }, { label: 'provisional', value: l.provisional, tone: 'warn' }, { label: 'denied', value: l.denied, tone: 'bad' }]} />
                    </td>
                    <td class="num">{fmt(l.allowed)}</td>
                    <td class="num">{fmt(l.provisional)}</td>
                    <td class="num">{fmt(l.denied)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Panel>
        <Panel id="unknown-license" title="Unknown-license policy" state={sub(state)} errorText={err} raw={raw}>
          {u && (
            <>
              <p>
                Configured policy: <strong data-testid="unknown-policy">{policy ?? 'no registry loaded'}</strong>
              </p>
              <dl class="kv">
                <div class="kv-row"><dt>Rows</dt><dd data-testid="unknown-total" data-value={u.total}>{fmt(u.total)}</dd></div>
                <div class="kv-row"><dt>Allowed</dt><dd>{fmt(u.allowed)}</dd></div>
                <div class="kv-row"><dt>Provisional</dt><dd>{fmt(u.provisional)}</dd></div>
                <div class="kv-row"><dt>Denied</dt><dd>{fmt(u.denied)}</dd></div>
              </dl>
              <StackedBar width={260} segments={[{ label: 'allowed', value: u.allowed, tone: 'ok' }, { label: 'provisional', value: u.provisional, tone: 'warn' }, { label: 'denied', value: u.denied, tone: 'bad' }]} />
              {u.total > 0 && u.provisional / u.total > 0.5 && (
                <p class="notice notice-warn">Most unknown-license rows pass provisionally: consider tightening the policy to <code>block</code> in the registry workshop.</p>
              )}
            </>
          )}
        </Panel>
        <Panel id="top-projects" title="Top projects by license denials" state={report && report.topProjects.length === 0 ? 'empty' : sub(state)} errorText={err} raw={raw} emptyText="No license-driven denials.">
          <ol class="ranked">
            {report?.topProjects.map((p) => (
              <li data-testid="top-project" data-value={p.denials}>
                <span>{p.project}</span> <span class="num">{fmt(p.denials)}</span>
              </li>
            ))}
          </ol>
        </Panel>
      </div>
      <Panel id="legal-recent" title="Recent license denials" state={report && report.recent.length === 0 ? 'empty' : sub(state)} errorText={err} raw={raw} emptyText="No license-driven denials." wide>
        <TableWrap label="Recent license denials">
          <table class="data">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Project</th>
                <th scope="col">Package</th>
                <th scope="col">License</th>
                <th scope="col">Reason</th>
                <th scope="col">Agent</th>
              </tr>
            </thead>
            <tbody>
              {report?.recent.slice(0, limit).map((r) => (
                <tr data-testid="legal-recent-row">
                  <td class="nowrap">{fmtTime(r.ts)}</td>
                  <td>{r.project ?? '–'}</td>
                  <td>
                    {r.package}
                    {r.version && <span class="muted"> {r.version}</span>}
                  </td>
                  <td><code>{r.license ?? '–'}</code></td>
                  <td class="reason">{r.reason ?? ''}</td>
                  <td>{agentLabel(r.agentModel, r.agentVersion)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        <ShowMore shown={Math.min(limit, report?.recent.length ?? 0)} total={report?.recent.length ?? 0} onMore={more} />
      </Panel>
    </div>
  );
}

export default function LegalDashboard() {
  return (
    <Provider value={client}>
      <Legal />
    </Provider>
  );
}
