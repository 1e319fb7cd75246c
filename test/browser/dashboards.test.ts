/**
 * The five dashboards and the home page in a real headless Chromium, against
 * the real gateway started as a process (`server/main.ts serve`) on an
 * embedded database seeded with realistic audit rows. Every page: panels
 * reach a non-loading state without errors, numbers agree with the REST API
 * for the same data and `?project=`, the layout survives a narrow window,
 * the console stays clean, nothing leaves loopback, JS stays in budget, and a
 * screenshot lands in test/artifacts/. The workshop approves and rejects
 * requests, edits a global policy through the proposer, exports YAML and
 * validates an import; governance switches windows and drills into an agent.
 *
 * The site is not built here (`npm run build` first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openDatabase } from '../../server/database';
import { seedAuditRows } from '../../server/modules/ops/seed';
import { DEFAULT_TENANT_ID } from '../../server/modules/tenants/tenant.entity';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SITE_DIR = path.join(ROOT, 'site', 'dist');
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const CHROMIUM = '/usr/bin/chromium';
const JS_BUDGET_GZIP_BYTES = 60 * 1024;
const PROJECT = 'payments-api';

const PAGES = [
  { path: '/', name: 'home' },
  { path: '/dashboard/registry', name: 'registry' },
  { path: '/dashboard/legal', name: 'legal' },
  { path: '/dashboard/security', name: 'security' },
  { path: '/dashboard/agents', name: 'agents' },
  { path: '/dashboard/governance', name: 'governance' },
] as const;

/** Everything a page did wrong, collected while it runs. */
interface Watch {
  consoleErrors: string[];
  pageErrors: string[];
  offLoopback: string[];
  scripts: Map<string, Buffer>;
}

describe('dashboards in Chromium against `lexgate serve` on a seeded database', () => {
  let dataDir: string;
  let server: ChildProcess | undefined;
  let origin = '';
  let browser: Browser | undefined;
  const jsSizes: Record<string, number> = {};

  const api = async <T>(p: string, init?: RequestInit): Promise<T> => {
    const res = await fetch(`${origin}${p}`, init);
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${p}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const body = await api<{ data: T; errors?: unknown[] }>('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    expect(body.errors).toBeUndefined();
    return body.data;
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(SITE_DIR, 'dashboard', 'governance', 'index.html'))) {
      throw new Error(`The site is not built (${SITE_DIR}): run \`npm run build\` first.`);
    }
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (as root).`);

    // Seed the embedded database the server will open (one process at a time holds it).
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-dash-'));
    const db = await openDatabase({ kind: 'embedded', dir: path.join(dataDir, 'pgdata') });
    try {
      await db.migrate();
      await seedAuditRows(db, { rows: 1500, days: 30, tenantId: DEFAULT_TENANT_ID, seed: 7 });
    } finally {
      await db.close();
    }

    const dead = 'http://127.0.0.1:9/';
    server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'serve'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        LEXGATE_DATA_DIR: dataDir,
        LEXGATE_SITE_DIR: SITE_DIR,
        BIND_HOST: '127.0.0.1',
        BIND_PORT: '0',
        REGISTRY_PROPOSER: 'local_file',
        LEXALIGN_CVE_SCAN_INTERVAL_HOURS: '0',
        OSV_API_URL: dead,
        PYPI_API_URL: dead,
        NPM_REGISTRY_URL: dead,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lexgate serve did not start in 90 s:\n${log}`)), 90_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        const m = /lexgate listening on (http:\/\/[^\s]+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/$/, ''));
        }
      };
      server!.stdout!.on('data', onData);
      server!.stderr!.on('data', onData);
      server!.once('exit', (code) => reject(new Error(`lexgate serve exited (${code}):\n${log}`)));
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    if (Object.keys(jsSizes).length > 0) fs.writeFileSync(path.join(ARTIFACTS, 'js-sizes.json'), JSON.stringify(jsSizes, null, 2) + '\n');
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function openContext(width = 1280, height = 800): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
    const context = await browser!.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const watch: Watch = { consoleErrors: [], pageErrors: [], offLoopback: [], scripts: new Map() };
    page.on('console', (msg) => {
      if (msg.type() === 'error') watch.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => watch.pageErrors.push(err.stack ?? err.message));
    page.on('response', async (res) => {
      if (res.request().resourceType() === 'script') watch.scripts.set(res.url(), await res.body().catch(() => Buffer.alloc(0)));
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      watch.offLoopback.push(url);
      return route.abort('blockedbyclient');
    });
    return { context, page, watch };
  }

  /** Wait until every panel has left `loading`; none may show `error`. */
  async function settled(page: Page): Promise<void> {
    await page.waitForFunction(() => {
      const panels = [...document.querySelectorAll('[data-state]')];
      return panels.length > 0 && panels.every((p) => p.getAttribute('data-state') !== 'loading');
    }, undefined, { timeout: 20_000 });
    const broken = await page.locator('[data-state="error"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-testid')}: ${e.textContent}`));
    expect(broken, 'panels in the error state').toEqual([]);
  }

  const num = async (page: Page, testId: string) => Number(await page.getByTestId(testId).first().getAttribute('data-value'));

  function expectClean(watch: Watch): void {
    expect(watch.offLoopback, 'requests that left loopback').toEqual([]);
    expect(watch.pageErrors, 'uncaught page errors').toEqual([]);
    expect(watch.consoleErrors, 'console errors').toEqual([]);
  }

  it('every page renders at 1280×800 and narrow, with a clean console, JS in budget and a screenshot', async () => {
    for (const { path: p, name } of PAGES) {
      const { context, page, watch } = await openContext();
      const res = await page.goto(`${origin}${p}?project=${PROJECT}`, { waitUntil: 'load' });
      expect(res?.status(), p).toBe(200);
      await settled(page);
      // The project filter is read from the URL and carried by the navigation.
      expect(await page.getByTestId('project-filter').inputValue()).toBe(PROJECT);
      expect(await page.locator(`nav.site-nav a[href="/dashboard/legal?project=${PROJECT}"]`).count()).toBe(1);
      // Every panel links the raw JSON behind it.
      const raws = await page.locator('[data-testid$="-raw"], [data-testid="raw-json"]').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
      expect(raws.length, `${p} raw JSON links`).toBeGreaterThan(0);
      for (const href of raws) expect(href, `${p} raw link`).toMatch(/^\/(api\/v1|v1|graphql)/);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

      // Keyboard: the skip link is the first stop and moves focus to the content.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');

      const inline = await page.locator('script:not([src])').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
      const gzip = [...watch.scripts.values()].reduce((n, b) => n + gzipSync(b).length, 0) + inline.reduce((n, s) => n + gzipSync(Buffer.from(s)).length, 0);
      jsSizes[p] = gzip;
      expect(gzip, `${p} JS gzip bytes`).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);

      // Narrow window: the document itself never scrolls sideways (wide tables scroll in their panel).
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(50);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${p} horizontal overflow at 390 px`).toBeLessThanOrEqual(1);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-narrow.png`), fullPage: false });
      expectClean(watch);
      await context.close();
    }
  });

  it('home, legal, security and agents show the numbers the REST API gives for the same project', async () => {
    const { context, page, watch } = await openContext();
    const q = `?project=${PROJECT}`;

    await page.goto(`${origin}/${q}`);
    await settled(page);
    const projects = await api<{ projects: { evaluations: number; denials: number }[] }>(`/api/v1/reports/projects${q}`);
    expect(await num(page, 'count-evaluations')).toBe(projects.projects.reduce((n, p) => n + p.evaluations, 0));
    expect(await num(page, 'count-denials')).toBe(projects.projects.reduce((n, p) => n + p.denials, 0));
    expect(await num(page, 'count-evaluations')).toBeGreaterThan(0);

    await page.goto(`${origin}/dashboard/legal${q}`);
    await settled(page);
    const legal = await api<{ total_denials: number; unknown_license: { total: number }; license_breakdown: { license: string; total: number }[]; top_projects: unknown[] }>(`/api/v1/reports/legal${q}`);
    expect(await num(page, 'kpi-license-denials')).toBe(legal.total_denials);
    expect(await num(page, 'kpi-unknown-license')).toBe(legal.unknown_license.total);
    expect(await num(page, 'kpi-distinct-licenses')).toBe(legal.license_breakdown.length);
    expect(await num(page, 'kpi-with-license')).toBe(legal.license_breakdown.reduce((n, l) => n + l.total, 0));
    const rows = page.getByTestId('license-row');
    expect(await rows.count()).toBe(legal.license_breakdown.length);
    expect(await rows.first().getAttribute('data-license')).toBe(legal.license_breakdown[0].license);
    expect(Number(await rows.first().getByTestId('license-total').getAttribute('data-value'))).toBe(legal.license_breakdown[0].total);
    // The filter really filters: the unfiltered report is larger.
    const all = await api<{ license_breakdown: { total: number }[] }>('/api/v1/reports/legal');
    expect(all.license_breakdown.reduce((n, l) => n + l.total, 0)).toBeGreaterThan(await num(page, 'kpi-with-license'));

    await page.goto(`${origin}/dashboard/security${q}`);
    await settled(page);
    const sec = await api<{ total_denials: number; severity_distribution: Record<string, number>; top_packages: { package: string; denials: number }[] }>(`/api/v1/reports/security${q}`);
    expect(await num(page, 'kpi-cve-denials')).toBe(sec.total_denials);
    for (const s of ['critical', 'high', 'medium', 'low', 'unknown']) expect(await num(page, `kpi-${s}`), s).toBe(sec.severity_distribution[s]);
    const top = page.getByTestId('top-package-row');
    expect(await top.count()).toBe(sec.top_packages.length);
    if (sec.top_packages.length > 0) expect(await top.first().getAttribute('data-package')).toBe(sec.top_packages[0].package);

    await page.goto(`${origin}/dashboard/agents${q}`);
    await settled(page);
    const agents = await api<{ agents: { label: string; evaluations: number }[] }>(`/api/v1/reports/agents${q}`);
    const agentRows = page.getByTestId('agent-row');
    expect(await agentRows.count()).toBe(agents.agents.length);
    for (const [i, a] of agents.agents.entries()) {
      expect(await agentRows.nth(i).getAttribute('data-label')).toBe(a.label);
      expect(Number(await agentRows.nth(i).getByTestId('agent-evaluations').getAttribute('data-value'))).toBe(a.evaluations);
    }
    expect(await page.getByTestId('agents-chart').locator('rect').count()).toBeGreaterThan(0);
    expectClean(watch);
    await context.close();
  });

  it('governance switches windows and buckets, matches /v1/control/dashboard, and drills into an agent', async () => {
    const { context, page, watch } = await openContext();
    await page.goto(`${origin}/dashboard/governance`);
    await settled(page);
    for (const w of ['24h', '30d', '7d'] as const) {
      await page.getByTestId(`window-${w}`).click();
      await page.waitForSelector(`[data-testid="gov-window"][data-window="${w}"]`);
      await settled(page);
      const wire = await api<{ bucket: string; totals: Record<string, number>; time_series: unknown[] }>(`/v1/control/dashboard?window=${w}`);
      expect(await num(page, 'gov-evaluations'), w).toBe(wire.totals.evaluations);
      expect(await num(page, 'gov-executed'), w).toBe(wire.totals.executed);
      expect(await num(page, 'gov-pending'), w).toBe(wire.totals.pending_review);
      expect(Number(await page.getByTestId('gov-chart').getAttribute('data-points')), w).toBe(wire.time_series.length);
      expect(new URL(page.url()).searchParams.get('window')).toBe(w);
    }
    await page.getByTestId('bucket-hour').click();
    await page.waitForSelector('[data-testid="gov-window"][data-bucket="hour"]');
    const hourly = await api<{ time_series: unknown[] }>('/v1/control/dashboard?window=7d&bucket=hour');
    expect(Number(await page.getByTestId('gov-chart').getAttribute('data-points'))).toBe(hourly.time_series.length);
    expect(hourly.time_series.length).toBeGreaterThanOrEqual(7 * 24);

    const wire = await api<{ violations_by_agent: { agent_id: string; count: number }[] }>('/v1/control/dashboard?window=7d');
    expect(await page.getByTestId('gov-agent-row').count()).toBe(wire.violations_by_agent.length);
    const firstAgent = page.getByTestId('gov-agent-row').first().getByRole('button');
    await firstAgent.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('agent-violations').and(page.locator('[data-state="ready"]')).waitFor();
    expect(await page.getByTestId('violation-row').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'governance-drilldown.png'), fullPage: true });
    expectClean(watch);
    await context.close();
  });

  it('workshop: approve and reject requests, edit a global policy, export and import YAML', async () => {
    const file = (pkg: string, project: string) =>
      api<{ id: string }>('/api/v1/approval-requests', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lexalign-project': project },
        body: JSON.stringify({ package: pkg, rationale: `the ${pkg} client for the payments flow`, ecosystem: 'pypi' }),
      });
    await file('stripe', PROJECT);
    await file('leftpadder', PROJECT);
    await file('otherproj-only', 'docs-site');

    const { context, page, watch } = await openContext();
    await page.goto(`${origin}/dashboard/registry?project=${PROJECT}`);
    await settled(page);
    // Only this project's requests.
    const pending = page.getByTestId('pending-row');
    expect(await pending.evaluateAll((els) => els.map((e) => e.getAttribute('data-package')).sort())).toEqual(['leftpadder', 'stripe']);

    // Approve stripe: the proposer writes the file, the registry reloads, the table shows it.
    const stripe = page.locator('[data-testid="pending-row"][data-package="stripe"]');
    await stripe.getByTestId('approve').click();
    await stripe.getByTestId('approve-text').fill('vetted by the payments team');
    await stripe.getByTestId('approve-submit').click();
    const outcome = page.getByTestId('pending-requests').getByTestId('outcome');
    await outcome.waitFor();
    expect(await outcome.getAttribute('data-backend')).toBe('local_file');
    await page.locator('[data-testid="package-row"][data-package="stripe"][data-status="approved"]').waitFor();
    const registry = await api<{ packages: Record<string, { status: string }> }>('/api/v1/registry');
    expect(registry.packages.stripe?.status).toBe('approved');
    expect(fs.readFileSync(path.join(dataDir, 'registry.yml'), 'utf8')).toMatch(/^\s+stripe:/m);

    // Reject leftpadder with a reason: it leaves the queue.
    const left = page.locator('[data-testid="pending-row"][data-package="leftpadder"]');
    await left.getByTestId('reject').click();
    await left.getByTestId('reject-text').fill('not maintained, use the standard library');
    await left.getByTestId('reject-submit').click();
    await page.locator('[data-testid="pending-row"][data-package="leftpadder"]').waitFor({ state: 'detached' });
    expect(await page.getByTestId('pending-row').count()).toBe(0);

    const audit = await gql<{ auditLog: { data: { edges: { node: { package: string; status: string; reason: string } }[] } } }>(
      `query { auditLog(filter: { kind: APPROVAL_DECISION }, first: 20) { ... on QueryAuditLogSuccess { data { edges { node { package status reason } } } } } }`,
    );
    const decisions = audit.auditLog.data.edges.map((e) => e.node);
    expect(decisions).toContainEqual(expect.objectContaining({ package: 'stripe', status: 'approved' }));
    expect(decisions).toContainEqual(expect.objectContaining({ package: 'leftpadder', status: 'denied', reason: expect.stringContaining('not maintained, use the standard library') }));
    const requests = await gql<{ approvalRequests: { package: string; status: string; decisionReason: string | null }[] }>(
      `query($p: String) { approvalRequests(project: $p) { package status decisionReason } }`,
      { p: PROJECT },
    );
    expect(requests.approvalRequests.find((r) => r.package === 'leftpadder')).toMatchObject({ status: 'REJECTED', decisionReason: 'not maintained, use the standard library' });
    expect(requests.approvalRequests.find((r) => r.package === 'stripe')?.status).toBe('APPROVED');

    // Global policy edit through the proposer.
    await page.getByTestId('policy-cve-threshold').fill('0.75');
    await page.getByTestId('policy-unknown').selectOption('block');
    await page.getByTestId('policy-rationale').fill('tighter CVE gate for the audit');
    await page.getByTestId('policy-submit').click();
    await page.getByTestId('policies-editor').getByTestId('outcome').waitFor();
    expect(await page.getByTestId('policies-editor').getByTestId('outcome').getAttribute('data-outcome')).not.toBe('error');
    const after = await api<{ global_policies: { cve_threshold: number; unknown_license_policy: string } }>('/api/v1/registry');
    expect(after.global_policies.cve_threshold).toBe(0.75);
    expect(after.global_policies.unknown_license_policy).toBe('block');
    const changes = await gql<{ auditLog: { data: { totalCount: number } } }>(
      `query { auditLog(filter: { kind: REGISTRY_CHANGE }, first: 1) { ... on QueryAuditLogSuccess { data { totalCount } } } }`,
    );
    expect(changes.auditLog.data.totalCount).toBeGreaterThanOrEqual(2);

    // Export YAML and parse it back.
    await page.getByTestId('export-yaml').click();
    const exported = page.getByTestId('exported-yaml');
    await exported.waitFor();
    const doc = parseYaml(await exported.inputValue()) as { version: unknown; global_policies: { cve_threshold: number }; packages: Record<string, { status: string }> };
    expect(doc.global_policies.cve_threshold).toBe(0.75);
    expect(doc.packages.stripe.status).toBe('approved');
    expect(await page.getByTestId('download-yaml').getAttribute('href')).toMatch(/^blob:/);

    // Import: the server names the problem; a valid file fills the policy editor.
    await page.getByTestId('import-yaml').fill('version: "9"\npackages:\n  foo:\n    status: nonsense\n');
    await page.getByTestId('import-submit').click();
    await expect.poll(() => page.getByTestId('import-error').innerText()).toMatch(/status/);
    const reimport = (await exported.inputValue()).replace(/cve_threshold: 0\.75/, 'cve_threshold: 0.6');
    await page.getByTestId('import-yaml').fill(reimport);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-ok').waitFor();
    expect(await page.getByTestId('policy-cve-threshold').inputValue()).toBe('0.6');

    // History: the newest revision's diff shows the policy change.
    const rev = page.getByTestId('revision-row').first();
    await rev.getByRole('button').click();
    expect(await page.getByTestId('revision-diff').innerText()).toMatch(/\+ .*cve_threshold: 0\.75/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'registry-after-changes.png'), fullPage: true });
    expectClean(watch);
    await context.close();
  });
});
