/**
 * Security posture: a KPI strip where a critical spike stands out, registry
 * packages with new CVE activity, CVE alerts from the background re-scan, top
 * packages and CVE ids, the severity distribution and the recent CVE denials.
 * One query: `securityReport` (GET /api/v1/reports/security).
 */
import { Provider, useQuery } from '@urql/preact';
import { graphql } from '../gql';
import { client, isServerRender } from '../lib/urql';
import { currentProject } from '../lib/project';
import { BarList, Kpi, Panel, ShowMore, useShowMore, TableWrap, agentLabel, apiHref, errorText, fmt, fmtCvss, fmtTime, stateOf, unwrap } from '../lib/ui';

const SecurityDocument = graphql(`
  query SecurityDashboard($project: String) {
    securityReport(project: $project) {
      __typename
      ... on DomainError {
        message
      }
      ... on QuerySecurityReportSuccess {
        data {
          totalDenials
          hotSince
          severityDistribution {
            critical
            high
            medium
            low
            unknown
          }
          topPackages {
            package
            ecosystem
            denials
            maxCvss
            cveIds
          }
          topCves {
            cveId
            occurrences
            maxCvss
            packages
          }
          hotRegistryPackages {
            package
            registryStatus
            denials
            provisional
            maxCvss
            cveIds
            latestTs
          }
          cveAlerts {
            id
            ts
            package
            version
            cveIds
            maxCvss
            registryStatus
          }
          recent {
            id
            ts
            project
            package
            version
            cveIds
            maxCvss
            reason
            agentModel
            agentVersion
          }
        }
      }
    }
  }
`);

function Cves({ ids }: { ids: readonly string[] }) {
  if (ids.length === 0) return <span class="muted">–</span>;
  return <span class="cves">{ids.map((id) => <code>{id}</code>)}</span>;
}

function cvssTone(score: number | null | undefined): string {
  if (score === null || score === undefined) return 'sev sev-unknown';
  if (score >= 9) return 'sev sev-critical';
  if (score >= 7) return 'sev sev-high';
  if (score >= 4) return 'sev sev-medium';
  return 'sev sev-low';
}

function Security() {
  const project = currentProject();
  const [limit, more] = useShowMore();
  const [res] = useQuery({ query: SecurityDocument, variables: { project }, pause: isServerRender });
  const { data: r, problem } = unwrap(res.data?.securityReport);
  const state = stateOf({ fetching: res.fetching, error: res.error, problem, hasData: r !== null });
  const err = problem ?? errorText(res.error);
  const raw = apiHref('/api/v1/reports/security');
  const s = r?.severityDistribution;
  const part = <T,>(list: readonly T[] | undefined) => (state === 'ready' && list && list.length === 0 ? 'empty' : state);

  return (
    <div class="stack">
      <Panel id="security-kpis" title="CVE denials" state={state} errorText={err} raw={raw} wide>
        {r && s && (
          <div class="kpis kpis-security">
            <Kpi label="CVE denials" value={r.totalDenials} testId="kpi-cve-denials" />
            <Kpi label="Critical (≥ 9.0)" value={s.critical} testId="kpi-critical" tone="critical" hint={s.critical > 0 ? 'act now' : undefined} />
            <Kpi label="High (≥ 7.0)" value={s.high} testId="kpi-high" tone="bad" />
            <Kpi label="Medium (≥ 4.0)" value={s.medium} testId="kpi-medium" tone="warn" />
            <Kpi label="Low" value={s.low} testId="kpi-low" />
            <Kpi label="Unknown score" value={s.unknown} testId="kpi-unknown" />
          </div>
        )}
      </Panel>
      <Panel id="hot-packages" title="Already-approved packages with new CVE activity" state={part(r?.hotRegistryPackages)} errorText={err} raw={raw} emptyText="No registry-allowed package had CVE activity in the last 30 days." wide>
        <p class="muted small">Since {fmtTime(r?.hotSince)}. Pin a safe version or ban the package in the registry workshop.</p>
        <TableWrap label="Hot registry packages">
          <table class="data">
            <thead>
              <tr><th scope="col">Package</th><th scope="col">Registry status</th><th scope="col" class="num">Denials</th><th scope="col" class="num">Provisional</th><th scope="col" class="num">Max CVSS</th><th scope="col">CVE ids</th><th scope="col">Latest</th></tr>
            </thead>
            <tbody>
              {r?.hotRegistryPackages.map((h) => (
                <tr data-testid="hot-row">
                  <th scope="row">{h.package}</th>
                  <td><span class="tag tag-ok">{h.registryStatus}</span></td>
                  <td class="num">{fmt(h.denials)}</td>
                  <td class="num">{fmt(h.provisional)}</td>
                  <td class="num"><span class={cvssTone(h.maxCvss)}>{fmtCvss(h.maxCvss)}</span></td>
                  <td><Cves ids={h.cveIds} /></td>
                  <td class="nowrap">{fmtTime(h.latestTs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
      <Panel id="cve-alerts" title="CVE alerts from the re-scan" state={part(r?.cveAlerts)} errorText={err} raw={raw} emptyText="The background re-scan has raised no alerts." wide>
        <TableWrap label="CVE alerts">
          <table class="data">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Package</th><th scope="col">Registry status</th><th scope="col" class="num">Max CVSS</th><th scope="col">CVE ids</th></tr>
            </thead>
            <tbody>
              {r?.cveAlerts.map((a) => (
                <tr data-testid="alert-row">
                  <td class="nowrap">{fmtTime(a.ts)}</td>
                  <th scope="row">{a.package}{a.version && <span class="muted"> {a.version}</span>}</th>
                  <td>{a.registryStatus ?? '–'}</td>
                  <td class="num"><span class={cvssTone(a.maxCvss)}>{fmtCvss(a.maxCvss)}</span></td>
                  <td><Cves ids={a.cveIds} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
      <div class="grid">
        <Panel id="severity" title="Severity distribution" state={state} errorText={err} raw={raw}>
          {s && (
            <BarList
              testId="severity-bars"
              items={[
                { label: 'critical', value: s.critical, tone: 'critical' },
                { label: 'high', value: s.high, tone: 'bad' },
                { label: 'medium', value: s.medium, tone: 'warn' },
                { label: 'low', value: s.low, tone: 'info' },
                { label: 'unknown', value: s.unknown, tone: 'muted' },
              ]}
            />
          )}
        </Panel>
        <Panel id="top-cves" title="Top CVE identifiers" state={part(r?.topCves)} errorText={err} raw={raw} emptyText="No CVE ids yet.">
          <TableWrap label="Top CVE identifiers">
            <table class="data">
              <thead><tr><th scope="col">CVE</th><th scope="col" class="num">Rows</th><th scope="col">Packages</th></tr></thead>
              <tbody>
                {r?.topCves.map((c) => (
                  <tr data-testid="top-cve-row">
                    <th scope="row"><code>{c.cveId}</code></th>
                    <td class="num" data-value={c.occurrences}>{fmt(c.occurrences)}</td>
                    <td>{c.packages.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Panel>
      </div>
      <Panel id="top-packages" title="Top packages by CVE denials" state={part(r?.topPackages)} errorText={err} raw={raw} emptyText="No CVE-driven denials." wide>
        <TableWrap label="Top packages">
          <table class="data">
            <thead><tr><th scope="col">Package</th><th scope="col">Ecosystem</th><th scope="col" class="num">Max CVSS</th><th scope="col" class="num">Denials</th><th scope="col">CVE ids</th></tr></thead>
            <tbody>
              {r?.topPackages.map((p) => (
                <tr data-testid="top-package-row" data-package={p.package}>
                  <th scope="row">{p.package}</th>
                  <td>{p.ecosystem}</td>
                  <td class="num"><span class={cvssTone(p.maxCvss)}>{fmtCvss(p.maxCvss)}</span></td>
                  <td class="num" data-value={p.denials}>{fmt(p.denials)}</td>
                  <td><Cves ids={p.cveIds} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
      <Panel id="security-recent" title="Recent CVE denials" state={part(r?.recent)} errorText={err} raw={raw} emptyText="No CVE-driven denials." wide>
        <TableWrap label="Recent CVE denials">
          <table class="data">
            <thead><tr><th scope="col">When</th><th scope="col">Project</th><th scope="col">Package</th><th scope="col" class="num">Max CVSS</th><th scope="col">CVE ids</th><th scope="col">Agent</th></tr></thead>
            <tbody>
              {r?.recent.slice(0, limit).map((row) => (
                <tr data-testid="security-recent-row">
                  <td class="nowrap">{fmtTime(row.ts)}</td>
                  <td>{row.project ?? '–'}</td>
                  <td>{row.package}{row.version && <span class="muted"> {row.version}</span>}</td>
                  <td class="num"><span class={cvssTone(row.maxCvss)}>{fmtCvss(row.maxCvss)}</span></td>
                  <td><Cves ids={row.cveIds} /></td>
                  <td>{agentLabel(row.agentModel, row.agentVersion)}</td>
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

export default function SecurityDashboard() {
  return (
    <Provider value={client}>
      <Security />
    </Provider>
  );
}
