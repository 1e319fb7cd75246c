/**
 * Key counts on the home page: evaluations, denials and approval requests
 * (from the projects report, honouring `?project=`), registry size, requests
 * waiting for a person and held actions.
 */
import { Provider, useQuery } from '@urql/preact';
import { graphql } from '../gql';
import { client, isServerRender } from '../lib/urql';
import { currentProject } from '../lib/project';
import { Kpi, Panel, apiHref, errorText, stateOf, unwrap } from '../lib/ui';

const KeyCountsDocument = graphql(`
  query KeyCounts($project: String) {
    projectsReport(project: $project) {
      __typename
      ... on DomainError {
        message
      }
      ... on QueryProjectsReportSuccess {
        data {
          projects {
            project
            evaluations
            denials
            approvalRequests
          }
        }
      }
    }
    pending: approvalRequests(project: $project, status: PENDING_REVIEW, first: 5000) {
      id
    }
    registry {
      packageCount
      version
    }
  }
`);

function Counts() {
  const project = currentProject();
  const [res] = useQuery({ query: KeyCountsDocument, variables: { project }, pause: isServerRender });
  const { data: report, problem } = unwrap(res.data?.projectsReport);
  const state = stateOf({ fetching: res.fetching, error: res.error, problem, hasData: report !== null });
  const sum = (k: 'evaluations' | 'denials' | 'approvalRequests') => report?.projects.reduce((n, p) => n + p[k], 0) ?? 0;
  return (
    <Panel id="key-counts" title={project ? `Key counts for ${project}` : 'Key counts'} state={state} errorText={problem ?? errorText(res.error)} raw={apiHref('/api/v1/reports/projects')}>
      <div class="kpis kpis-compact">
        <Kpi label="Evaluations" value={sum('evaluations')} testId="count-evaluations" />
        <Kpi label="Denials" value={sum('denials')} testId="count-denials" tone="bad" />
        <Kpi label="Projects" value={report?.projects.length ?? 0} testId="count-projects" />
        <Kpi label="Waiting for review" value={res.data?.pending.length ?? 0} testId="count-pending" tone="warn" />
        <Kpi label="Registry packages" value={res.data?.registry?.packageCount ?? 0} testId="count-registry" />
      </div>
    </Panel>
  );
}

export default function KeyCounts() {
  return (
    <Provider value={client}>
      <Counts />
    </Provider>
  );
}
