/**
 * Reports (SPEC §6) on both databases: known audit rows in, every field of
 * every report out, through REST and GraphQL; the rollups the reports read
 * equal the audit log recomputed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditAppendInput } from '../server/modules/audit/audit.service';
import { rollupConsistencyQueries, type RollupName } from '../server/modules/reports/report.queries';
import { ManualClock } from '../server/shared/clock';
import { dbKinds } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `version: "r1"
global_policies:
  auto_approve_licenses: [MIT]
  hard_ban_licenses: [GPL-3.0-only, AGPL-3.0-only]
  cve_threshold: 0.9
packages:
  GoodPkg:
    status: preferred
  approvedpkg:
    status: approved
  constrained:
    status: version-constrained
    min_version: "1.0"
  bannedpkg:
    status: banned
`;

const NOW = new Date('2026-05-01T10:00:00.000Z');
const H = 3_600_000;
const D = 24 * H;
const at = (msAgo: number) => new Date(NOW.getTime() - msAgo);

type Spec = Partial<AuditAppendInput> & { key: string; ts: Date };

/** The rows of the scenario; `key` names a row in the assertions. */
const ROWS: Spec[] = [
  { key: 'r1', ts: at(1 * D), project: 'alpha', agentModel: 'opus', agentVersion: '4.7', package: 'gplpkg', license: 'GPL-3.0-only', verdict: 'DENIED', denialCategory: 'license' },
  { key: 'r2', ts: at(2 * D), project: 'alpha', agentModel: 'opus', agentVersion: '4.7', package: 'gplpkg2', license: 'GPL-3.0-only', verdict: 'DENIED', denialCategory: 'license' },
  { key: 'r3', ts: at(3 * D), project: 'beta', package: 'agplpkg', license: 'AGPL-3.0-only', verdict: 'DENIED', denialCategory: 'license' },
  { key: 'r4', ts: at(1 * H), project: 'alpha', agentModel: 'opus', agentVersion: '4.7', package: 'mitpkg', license: 'MIT', verdict: 'PROVISIONALLY_ALLOWED' },
  { key: 'r5', ts: at(2 * H), project: 'beta', agentModel: 'sonnet', agentVersion: '4.5', package: 'unk1', license: 'UNKNOWN', verdict: 'PROVISIONALLY_ALLOWED' },
  { key: 'r6', ts: at(5 * H), project: 'beta', agentModel: 'sonnet', agentVersion: '4.5', package: 'unk2', license: 'UNKNOWN', verdict: 'DENIED', denialCategory: 'license' },
  { key: 'r7', ts: at(0.5 * H), project: 'alpha', agentModel: 'opus', package: 'GoodPkg', verdict: 'ALLOWED', registryStatus: 'preferred' },
  // CVE denials at the severity edges: 9.0 critical, 7.0 high, 4.0 medium, 0.1 low, no score unknown.
  { key: 'r8', ts: at(2 * D), project: 'alpha', agentModel: 'opus', agentVersion: '4.7', package: 'GoodPkg', verdict: 'DENIED', denialCategory: 'cve', maxCvss: 9.0, cveIds: ['CVE-2026-0001', 'CVE-2026-0002'], registryStatus: 'preferred' },
  { key: 'r9', ts: at(10 * D), project: 'beta', agentModel: 'sonnet', agentVersion: '4.5', package: 'approvedpkg', verdict: 'DENIED', denialCategory: 'cve', maxCvss: 7.0, cveIds: ['CVE-2026-0002'], registryStatus: 'approved' },
  { key: 'r10', ts: at(3 * D), project: 'alpha', agentModel: 'opus', agentVersion: '4.7', package: 'vulnfree', license: 'MIT', verdict: 'DENIED', denialCategory: 'cve', maxCvss: 4.0, cveIds: ['CVE-2026-0003'] },
  { key: 'r11', ts: at(4 * D), project: 'alpha', package: 'bannedpkg', verdict: 'DENIED', denialCategory: 'cve', maxCvss: 0.1, cveIds: ['CVE-2026-0004'] },
  { key: 'r12', ts: at(40 * D), project: 'beta', package: 'constrained', verdict: 'DENIED', denialCategory: 'cve', maxCvss: null, cveIds: ['GHSA-aaaa-bbbb-cccc'], registryStatus: 'version-constrained' },
  // A CVE-flagged provisional answer (advisory below the threshold) of a now-approved package.
  { key: 'r13', ts: at(5 * D), project: 'alpha', agentModel: 'sonnet', agentVersion: '4.5', package: 'approvedpkg', verdict: 'PROVISIONALLY_ALLOWED', maxCvss: 5.0, cveIds: ['CVE-2026-0005'] },
  { key: 'r14', ts: at(1 * D + H), project: 'alpha', agentModel: 'opus', agentVersion: '4.7', package: 'bannedpkg', verdict: 'DENIED', denialCategory: 'registry', registryStatus: 'banned' },
  {
    key: 'r15',
    ts: at(6 * H),
    kind: 'CVE_ALERT',
    action: 'dependency.cve_alert',
    requester: 'cve-scanner',
    project: null,
    package: 'GoodPkg',
    version: '2.0.0',
    verdict: 'CVE_ALERT',
    denialCategory: 'cve_alert',
    maxCvss: 9.8,
    cveIds: ['CVE-2026-0001'],
    registryStatus: 'preferred',
    reason: 'Registered package GoodPkg 2.0.0 now has CVSS 9.8',
  },
];

/** A row of another kind, which no report counts. */
const NOISE: Partial<AuditAppendInput> = { kind: 'SYSTEM', action: 'noise', project: 'alpha', verdict: 'DENIED', denialCategory: 'license', license: 'MIT' };

describe.each(dbKinds())('reports on %s', (kind) => {
  let t: TestApp;
  let dir: string;
  const ids: Record<string, string> = {};
  const get = async (p: string) => {
    const res = await t.request(p);
    expect(res.status, p).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-reports-'));
    fs.writeFileSync(path.join(dir, 'registry.yml'), REGISTRY);
    const clock = new ManualClock(NOW);
    t = await createTestApp(kind, { env: { REGISTRY_PATH: path.join(dir, 'registry.yml') }, clock });
    // Half the rows one statement each, the other half in one transaction (a group-commit batch).
    for (const [i, spec] of ROWS.entries()) {
      const { key, ts, ...input } = spec;
      clock.set(ts);
      const row = await t.db.em().transactional((em) =>
        t.services.audit.append(em as EntityManager, {
          tenantId: 'default',
          kind: 'DEPENDENCY_EVALUATION',
          action: 'dependency.add',
          requester: 'anonymous',
          ecosystem: 'pypi',
          normalizedName: input.package ? input.package.toLowerCase() : null,
          ...input,
        } as AuditAppendInput),
      );
      ids[key] = row.id;
      if (i === 3) {
        clock.set(at(2 * H));
        await t.db.em().transactional((em) => t.services.audit.append(em as EntityManager, { tenantId: 'default', requester: 'x', ...NOISE } as AuditAppendInput));
      }
    }
    clock.set(NOW);
    const res = await t.request('/api/v1/approval-requests', {
      method: 'POST',
      headers: { 'X-LexAlign-Project': 'gamma', 'content-type': 'application/json' },
      body: JSON.stringify({ package: 'orjson', rationale: 'faster JSON' }),
    });
    expect(res.status).toBe(202);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('legal: license denials, breakdown of every row with a license, UNKNOWN split, top projects', async () => {
    const r = await get('/api/v1/reports/legal');
    expect(r.category).toBe('license');
    expect(r.project).toBeNull();
    expect(r.total_denials).toBe(4);
    expect(r.recent.map((x: { id: string }) => x.id)).toEqual([ids.r6, ids.r1, ids.r2, ids.r3]);
    expect(r.recent[1]).toEqual({
      id: ids.r1,
      ts: at(1 * D).toISOString(),
      project: 'alpha',
      requester: 'anonymous',
      package: 'gplpkg',
      version: null,
      reason: null,
      license: 'GPL-3.0-only',
      cve_ids: [],
      max_cvss: null,
      registry_status: null,
      agent_model: 'opus',
      agent_version: '4.7',
      verdict: 'DENIED',
      denial_category: 'license',
      ecosystem: 'pypi',
      normalized_name: 'gplpkg',
      seq: expect.any(Number),
    });
    expect(r.license_breakdown).toEqual([
      { license: 'GPL-3.0-only', total: 2, allowed: 0, provisional: 0, denied: 2 },
      { license: 'MIT', total: 2, allowed: 0, provisional: 1, denied: 1 },
      { license: 'UNKNOWN', total: 2, allowed: 0, provisional: 1, denied: 1 },
      { license: 'AGPL-3.0-only', total: 1, allowed: 0, provisional: 0, denied: 1 },
    ]);
    expect(r.unknown_license).toEqual({ total: 2, allowed: 0, provisional: 1, denied: 1 });
    expect(r.top_projects).toEqual([
      { project: 'alpha', denials: 2 },
      { project: 'beta', denials: 2 },
    ]);
    expect(r.since).toBeNull();
    expect(r.until).toBeNull();

    const beta = await get('/api/v1/reports/legal?project=beta');
    expect(beta).toMatchObject({
      project: 'beta',
      total_denials: 2,
      license_breakdown: [
        { license: 'UNKNOWN', total: 2, allowed: 0, provisional: 1, denied: 1 },
        { license: 'AGPL-3.0-only', total: 1, allowed: 0, provisional: 0, denied: 1 },
      ],
      unknown_license: { total: 2, allowed: 0, provisional: 1, denied: 1 },
      top_projects: [{ project: 'beta', denials: 2 }],
    });
    expect(beta.recent.map((x: { id: string }) => x.id)).toEqual([ids.r6, ids.r3]);
    const none = await get('/api/v1/reports/legal?project=nobody');
    expect(none).toMatchObject({ total_denials: 0, recent: [], license_breakdown: [], unknown_license: { total: 0, allowed: 0, provisional: 0, denied: 0 }, top_projects: [] });
  });

  it('security: CVE denials, severity edges over all rows, top packages and advisories, hot registry packages, alerts', async () => {
    const r = await get('/api/v1/reports/security');
    expect(r.category).toBe('cve');
    expect(r.total_denials).toBe(5);
    expect(r.recent.map((x: { id: string }) => x.id)).toEqual([ids.r8, ids.r10, ids.r11, ids.r9, ids.r12]);
    expect(r.recent[0]).toMatchObject({ package: 'GoodPkg', cve_ids: ['CVE-2026-0001', 'CVE-2026-0002'], max_cvss: 9, registry_status: 'preferred' });
    expect(r.severity_distribution).toEqual({ critical: 1, high: 1, medium: 1, low: 1, unknown: 1 });
    expect(r.top_packages).toEqual([
      { package: 'goodpkg', ecosystem: 'pypi', denials: 1, max_cvss: 9, cve_ids: ['CVE-2026-0001', 'CVE-2026-0002'] },
      { package: 'approvedpkg', ecosystem: 'pypi', denials: 1, max_cvss: 7, cve_ids: ['CVE-2026-0002'] },
      { package: 'vulnfree', ecosystem: 'pypi', denials: 1, max_cvss: 4, cve_ids: ['CVE-2026-0003'] },
      { package: 'bannedpkg', ecosystem: 'pypi', denials: 1, max_cvss: 0.1, cve_ids: ['CVE-2026-0004'] },
      { package: 'constrained', ecosystem: 'pypi', denials: 1, max_cvss: null, cve_ids: ['GHSA-aaaa-bbbb-cccc'] },
    ]);
    expect(r.top_cves).toEqual([
      { cve_id: 'CVE-2026-0002', occurrences: 2, max_cvss: 9, packages: ['approvedpkg', 'goodpkg'] },
      { cve_id: 'CVE-2026-0001', occurrences: 1, max_cvss: 9, packages: ['goodpkg'] },
      { cve_id: 'CVE-2026-0003', occurrences: 1, max_cvss: 4, packages: ['vulnfree'] },
      { cve_id: 'CVE-2026-0004', occurrences: 1, max_cvss: 0.1, packages: ['bannedpkg'] },
      { cve_id: 'GHSA-aaaa-bbbb-cccc', occurrences: 1, max_cvss: null, packages: ['constrained'] },
    ]);
    // Hot: registry-allowed packages with CVE activity in 30 days — not banned (r11), not
    // unregistered (r10), not older than 30 days (r12); a CVE-flagged provisional counts (r13).
    expect(r.hot_registry_packages).toEqual([
      {
        package: 'GoodPkg',
        normalized_name: 'goodpkg',
        ecosystem: 'pypi',
        registry_status: 'preferred',
        denials: 1,
        provisional: 0,
        max_cvss: 9,
        cve_ids: ['CVE-2026-0001', 'CVE-2026-0002'],
        latest_ts: at(2 * D).toISOString(),
      },
      {
        package: 'approvedpkg',
        normalized_name: 'approvedpkg',
        ecosystem: 'pypi',
        registry_status: 'approved',
        denials: 1,
        provisional: 1,
        max_cvss: 7,
        cve_ids: ['CVE-2026-0002', 'CVE-2026-0005'],
        latest_ts: at(5 * D).toISOString(),
      },
    ]);
    expect(r.hot_since).toBe(at(30 * D).toISOString());
    expect(r.cve_alerts).toEqual([
      {
        id: ids.r15,
        ts: at(6 * H).toISOString(),
        package: 'GoodPkg',
        cve_ids: ['CVE-2026-0001'],
        max_cvss: 9.8,
        reason: 'Registered package GoodPkg 2.0.0 now has CVSS 9.8',
        registry_status: 'preferred',
        project: null,
        ecosystem: 'pypi',
        version: '2.0.0',
      },
    ]);

    const beta = await get('/api/v1/reports/security?project=beta');
    expect(beta).toMatchObject({
      project: 'beta',
      total_denials: 2,
      severity_distribution: { critical: 0, high: 1, medium: 0, low: 0, unknown: 1 },
      top_packages: [
        { package: 'approvedpkg', denials: 1, max_cvss: 7, cve_ids: ['CVE-2026-0002'] },
        { package: 'constrained', denials: 1, max_cvss: null, cve_ids: ['GHSA-aaaa-bbbb-cccc'] },
      ],
      hot_registry_packages: [{ package: 'approvedpkg', denials: 1, provisional: 0, max_cvss: 7, cve_ids: ['CVE-2026-0002'] }],
    });
    expect(beta.recent.map((x: { id: string }) => x.id)).toEqual([ids.r9, ids.r12]);
    // Alerts concern the registry every project shares: visible in every project's view.
    expect(beta.cve_alerts.map((x: { id: string }) => x.id)).toEqual([ids.r15]);
  });

  it('a license denial shows only in legal, a CVE denial only in security, an alert is no denial', async () => {
    const legal = await get('/api/v1/reports/legal');
    const security = await get('/api/v1/reports/security');
    const legalIds = legal.recent.map((x: { id: string }) => x.id);
    const securityIds = security.recent.map((x: { id: string }) => x.id);
    expect(legalIds).toContain(ids.r1);
    expect(securityIds).not.toContain(ids.r1);
    expect(securityIds).toContain(ids.r10);
    expect(legalIds).not.toContain(ids.r10);
    for (const key of ['r14', 'r15']) {
      expect(legalIds).not.toContain(ids[key]);
      expect(securityIds).not.toContain(ids[key]);
    }
  });

  it('agents: by (model, version) with one unknown bucket, and the 50 newest rows', async () => {
    const r = await get('/api/v1/reports/agents');
    expect(r.agents).toEqual([
      { agent_model: 'opus', agent_version: '4.7', evaluations: 6, denials: 5, provisional: 1, last_seen: at(1 * H).toISOString(), unknown: false, label: 'opus 4.7' },
      { agent_model: 'sonnet', agent_version: '4.5', evaluations: 4, denials: 2, provisional: 2, last_seen: at(2 * H).toISOString(), unknown: false, label: 'sonnet 4.5' },
      { agent_model: null, agent_version: null, evaluations: 4, denials: 3, provisional: 0, last_seen: at(6 * H).toISOString(), unknown: true, label: 'unknown' },
      { agent_model: 'opus', agent_version: null, evaluations: 1, denials: 0, provisional: 0, last_seen: at(0.5 * H).toISOString(), unknown: false, label: 'opus' },
    ]);
    // Newest first; rows of the same instant by chain position (the later append first).
    const order = ROWS.map((s, i) => ({ s, i }))
      .sort((a, b) => b.s.ts.getTime() - a.s.ts.getTime() || b.i - a.i)
      .map(({ s }) => ids[s.key]);
    expect(r.recent.map((x: { id: string }) => x.id)).toEqual(order);
    expect(r.recent[0]).toEqual({
      id: ids.r7,
      ts: at(0.5 * H).toISOString(),
      project: 'alpha',
      requester: 'anonymous',
      package: 'GoodPkg',
      version: null,
      verdict: 'ALLOWED',
      denial_category: '',
      reason: null,
      agent_model: 'opus',
      agent_version: null,
      ecosystem: 'pypi',
      license: null,
      cve_ids: [],
      max_cvss: null,
      registry_status: 'preferred',
      seq: expect.any(Number),
    });
    const beta = await get('/api/v1/reports/agents?project=beta');
    expect(beta.agents).toEqual([
      { agent_model: 'sonnet', agent_version: '4.5', evaluations: 3, denials: 2, provisional: 1, last_seen: at(2 * H).toISOString(), unknown: false, label: 'sonnet 4.5' },
      { agent_model: null, agent_version: null, evaluations: 2, denials: 2, provisional: 0, last_seen: at(3 * D).toISOString(), unknown: true, label: 'unknown' },
    ]);
    expect(beta.recent).toHaveLength(5);
  });

  it('projects: evaluations, denials and approval requests per project', async () => {
    const r = await get('/api/v1/reports/projects');
    expect(r.projects).toEqual([
      { project: 'alpha', evaluations: 9, denials: 6, approval_requests: 0 },
      { project: 'beta', evaluations: 5, denials: 4, approval_requests: 0 },
      { project: 'gamma', evaluations: 0, denials: 0, approval_requests: 1 },
    ]);
    const gamma = await get('/api/v1/reports/projects?project=gamma');
    expect(gamma.projects).toEqual([{ project: 'gamma', evaluations: 0, denials: 0, approval_requests: 1 }]);
  });

  it('since/until windows are exact across partial days', async () => {
    // From 2.5 days ago: r1 (1d), r2 (2d) and r6 (5h) are license denials inside; r3 (3d) is not.
    const legal = await get(`/api/v1/reports/legal?since=${at(2.5 * D).toISOString()}`);
    expect(legal.total_denials).toBe(3);
    expect(legal.recent.map((x: { id: string }) => x.id)).toEqual([ids.r6, ids.r1, ids.r2]);
    expect(legal.license_breakdown).toEqual([
      { license: 'GPL-3.0-only', total: 2, allowed: 0, provisional: 0, denied: 2 },
      { license: 'UNKNOWN', total: 2, allowed: 0, provisional: 1, denied: 1 },
      { license: 'MIT', total: 1, allowed: 0, provisional: 1, denied: 0 },
    ]);
    // A window inside one day, and one ending mid-day.
    const sameDay = await get(`/api/v1/reports/agents?since=${at(5.5 * H).toISOString()}&until=${at(1.5 * H).toISOString()}`);
    expect(sameDay.agents.map((a: { label: string; evaluations: number }) => [a.label, a.evaluations])).toEqual([['sonnet 4.5', 2]]);
    const sec = await get(`/api/v1/reports/security?since=2026-04-20&until=${at(2.5 * D).toISOString()}`);
    // r9 (10 days ago), r10 (3 days) and r11 (4 days); r8 (2 days) is after `until`.
    expect(sec.total_denials).toBe(3);
    expect(sec.severity_distribution).toEqual({ critical: 0, high: 1, medium: 1, low: 1, unknown: 0 });
    expect(sec.hot_registry_packages).toEqual([expect.objectContaining({ package: 'approvedpkg', denials: 1, provisional: 1, max_cvss: 7 })]);
    const hotOnly = await get(`/api/v1/reports/security?since=${at(6 * D).toISOString()}&until=${at(2.5 * D).toISOString()}`);
    expect(hotOnly.hot_registry_packages).toEqual([expect.objectContaining({ package: 'approvedpkg', denials: 0, provisional: 1, max_cvss: 5 })]);
  });

  it('refuses a bad window naming the parameter', async () => {
    const bad = await t.request('/api/v1/reports/legal?since=yesterday');
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('since');
    const reversed = await t.request(`/api/v1/reports/security?since=2026-05-02&until=2026-05-01`);
    expect(reversed.status).toBe(422);
    expect(JSON.stringify(await reversed.json())).toContain('since');
  });

  it('GraphQL answers the same reports', async () => {
    const res = await t.graphql(`{
      legalReport(project: "beta") { __typename ... on QueryLegalReportSuccess { data { totalDenials unknownLicense { total provisional denied } topProjects { project denials } } } }
      securityReport { __typename ... on QuerySecurityReportSuccess { data { totalDenials severityDistribution { critical high medium low unknown } hotRegistryPackages { package registryStatus provisional } cveAlerts { id } topCves { cveId occurrences } } } }
      agentsReport { __typename ... on QueryAgentsReportSuccess { data { agents { label unknown evaluations } recent { id } } } }
      projectsReport { __typename ... on QueryProjectsReportSuccess { data { projects { project evaluations denials approvalRequests } } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.legalReport.data).toEqual({
      totalDenials: 2,
      unknownLicense: { total: 2, provisional: 1, denied: 1 },
      topProjects: [{ project: 'beta', denials: 2 }],
    });
    const sec = res.data.securityReport.data;
    expect(sec.totalDenials).toBe(5);
    expect(sec.severityDistribution).toEqual({ critical: 1, high: 1, medium: 1, low: 1, unknown: 1 });
    expect(sec.hotRegistryPackages).toEqual([
      { package: 'GoodPkg', registryStatus: 'preferred', provisional: 0 },
      { package: 'approvedpkg', registryStatus: 'approved', provisional: 1 },
    ]);
    expect(sec.cveAlerts).toEqual([{ id: ids.r15 }]);
    expect(sec.topCves[0]).toEqual({ cveId: 'CVE-2026-0002', occurrences: 2 });
    expect(res.data.agentsReport.data.agents.map((a: { label: string }) => a.label)).toEqual(['opus 4.7', 'sonnet 4.5', 'unknown', 'opus']);
    expect(res.data.agentsReport.data.recent).toHaveLength(15);
    expect(res.data.projectsReport.data.projects[0]).toEqual({ project: 'alpha', evaluations: 9, denials: 6, approvalRequests: 0 });
    const bad = await t.graphql(`{ legalReport(since: "2026-05-02T00:00:00Z", until: "2026-05-01T00:00:00Z") { __typename ... on DomainError { message field } } }`);
    expect(JSON.stringify(bad)).toContain('since');
  });

  it('the rollups equal the audit log recomputed', async () => {
    for (const [name, daily] of (['verdict', 'agent', 'cvePackage', 'cve'] as RollupName[]).flatMap((n) => [[n, true], [n, false]] as const)) {
      const q = rollupConsistencyQueries(name, 'default', daily);
      const norm = (rows: Record<string, unknown>[]) =>
        rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v === null ? null : String(v)]))).sort();
      const fromLog = norm(await t.db.em().execute(q.fromLog, q.params));
      const fromTable = norm(await t.db.em().execute(q.fromTable, q.params));
      expect(fromTable.length, name).toBeGreaterThan(0);
      expect(fromTable, `${name} ${daily ? 'daily' : 'all-time'}`).toEqual(fromLog);
    }
  });
});
