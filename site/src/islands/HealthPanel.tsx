/**
 * Health of the gateway this page is served by: the `health` query, shown as
 * a definition list. Each value carries a `data-testid` and its raw value in
 * `data-value`, so the browser test compares it with /api/v1/health exactly.
 */
import type { ComponentChildren } from 'preact';
import { Provider, useQuery } from '@urql/preact';
import { graphql } from '../gql';
import type { HealthPanelQuery } from '../gql/graphql';
import { client, isServerRender } from '../lib/urql';

const HealthPanelDocument = graphql(`
  query HealthPanel {
    health {
      db
      databaseKind
      registryLoaded
      registryVersion
      registryPackageCount
      registryLastReloadAt
      registryLastReloadError
      cveRescan {
        enabled
        intervalHours
        lastTickAt
        alertsWritten
      }
      authEnabled
      version
      startedAt
      uptimeSeconds
    }
  }
`);

type Health = HealthPanelQuery['health'];

/** "3d 4h", "2h 5m", "4m 10s", "12s": two units are enough to read at a glance. */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

function Row(props: { label: string; testId: string; value: string | number | boolean | null; children: ComponentChildren }) {
  return (
    <div class="kv-row">
      <dt>{props.label}</dt>
      <dd data-testid={props.testId} data-value={props.value === null ? '' : String(props.value)}>
        {props.children}
      </dd>
    </div>
  );
}

function Status(props: { ok: boolean; children: ComponentChildren }) {
  return <span class={props.ok ? 'badge badge-ok' : 'badge badge-bad'}>{props.children}</span>;
}

function HealthValues({ health }: { health: Health }) {
  return (
    <dl class="kv">
      <Row label="Database" testId="health-db" value={health.db}>
        <Status ok={health.db === 'ok'}>{health.db}</Status>
      </Row>
      <Row label="Database kind" testId="health-db-kind" value={health.databaseKind}>
        {health.databaseKind}
      </Row>
      <Row label="Registry loaded" testId="health-registry-loaded" value={health.registryLoaded}>
        <Status ok={health.registryLoaded}>{health.registryLoaded ? 'yes' : 'no'}</Status>
      </Row>
      <Row label="Registry version" testId="health-registry-version" value={health.registryVersion ?? null}>
        {health.registryVersion ?? <span class="muted">none</span>}
      </Row>
      <Row label="Registry packages" testId="health-registry-packages" value={health.registryPackageCount}>
        {health.registryPackageCount}
      </Row>
      <Row label="Last reload" testId="health-registry-reloaded" value={health.registryLastReloadAt ?? null}>
        {health.registryLastReloadAt ? new Date(health.registryLastReloadAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : <span class="muted">never</span>}
      </Row>
      <Row label="Last CVE scan" testId="health-cve-scan" value={health.cveRescan?.lastTickAt ?? null}>
        {!health.cveRescan || !health.cveRescan.enabled ? (
          <span class="muted">re-scan disabled</span>
        ) : health.cveRescan.lastTickAt ? (
          `${new Date(health.cveRescan.lastTickAt).toISOString().replace('T', ' ').slice(0, 19)} UTC (${health.cveRescan.alertsWritten ?? 0} alerts)`
        ) : (
          <span class="muted">not yet (every {health.cveRescan.intervalHours} h)</span>
        )}
      </Row>
      <Row label="Last reload error" testId="health-registry-error" value={health.registryLastReloadError ?? null}>
        {health.registryLastReloadError ? (
          <span class="error-text">{health.registryLastReloadError}</span>
        ) : (
          <span class="muted">none</span>
        )}
      </Row>
      <Row label="Auth mode" testId="health-auth" value={health.authEnabled}>
        {health.authEnabled ? 'org (credentials required)' : 'single-user (no credentials)'}
      </Row>
      <Row label="Version" testId="health-version" value={health.version}>
        {health.version}
      </Row>
      <Row label="Uptime" testId="health-uptime" value={health.uptimeSeconds}>
        <span title={`since ${health.startedAt}`}>{formatUptime(health.uptimeSeconds)}</span>
      </Row>
    </dl>
  );
}

function HealthQuery() {
  const [result, reexecute] = useQuery({ query: HealthPanelDocument, pause: isServerRender });
  const { data, error, fetching } = result;
  // Asking again must reach the server: the cache would answer with the same numbers.
  const refresh = () => reexecute({ requestPolicy: 'network-only' });

  let state: 'loading' | 'error' | 'empty' | 'ready';
  let body: ComponentChildren;
  if (data?.health) {
    state = 'ready';
    body = <HealthValues health={data.health} />;
  } else if (error) {
    state = 'error';
    body = (
      <p class="notice notice-error" role="alert" data-testid="health-error">
        Could not read health: {error.networkError ? 'the server did not answer' : error.message}
      </p>
    );
  } else if (fetching || isServerRender) {
    state = 'loading';
    body = (
      <p class="notice" data-testid="health-loading">
        Loading health…
      </p>
    );
  } else {
    state = 'empty';
    body = (
      <p class="notice" data-testid="health-empty">
        The server returned no health data.
      </p>
    );
  }

  return (
    <section class="panel" aria-labelledby="health-title" aria-busy={state === 'loading'} data-testid="health-panel" data-state={state}>
      <div class="panel-head">
        <h2 id="health-title">Gateway health</h2>
        <button type="button" class="button-quiet" onClick={refresh} disabled={fetching}>
          {fetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {body}
    </section>
  );
}

export default function HealthPanel() {
  return (
    <Provider value={client}>
      <HealthQuery />
    </Provider>
  );
}
