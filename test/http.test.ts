import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKinds } from './support/databases';
import { createTestApp, type TestApp, type Transport } from './support/harness';

const cases = dbKinds().flatMap((kind) => (['fetch', 'node'] as Transport[]).map((transport) => [kind, transport] as const));

describe.each(cases)('HTTP surface on %s through %s', (kind, transport) => {
  let t: TestApp;
  let siteDir: string;

  beforeAll(async () => {
    siteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-site-'));
    fs.mkdirSync(path.join(siteDir, 'dashboard', 'legal'), { recursive: true });
    fs.mkdirSync(path.join(siteDir, '_astro'), { recursive: true });
    fs.writeFileSync(path.join(siteDir, 'index.html'), '<!doctype html><title>home</title>');
    fs.writeFileSync(path.join(siteDir, '404.html'), '<!doctype html><title>missing</title>');
    fs.writeFileSync(path.join(siteDir, 'dashboard', 'legal', 'index.html'), '<!doctype html><title>legal</title>');
    fs.writeFileSync(path.join(siteDir, '_astro', 'island.abc123.js'), 'export const x = 1;');
    fs.writeFileSync(path.join(siteDir, '_astro', 'style.abc123.css'), 'body{}');
    fs.writeFileSync(path.join(path.dirname(siteDir), 'lexgate-secret.txt'), 'secret');
    t = await createTestApp(kind, { transport, env: { LEXGATE_SITE_DIR: siteDir, LEXGATE_MAX_BODY_BYTES: '4096' } });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(siteDir, { recursive: true, force: true });
  });

  it('answers GET /api/v1/health with lex-align\'s fields and ours', async () => {
    const res = await t.request('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toMatchObject({ db: 'ok', registry_loaded: true, registry_version: '1', registry_package_count: 2, auth_enabled: false });
    expect(body.database).toBe(kind === 'pglite' ? 'memory' : 'postgres');
    expect(typeof body.version).toBe('string');
    expect(body).toHaveProperty('registry_last_reload_error', null);
  });

  it('serves liveness and readiness probes', async () => {
    expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', db: 'ok' });
  });

  it('answers unknown API paths and wrong methods with JSON errors', async () => {
    const nf = await t.request('/api/v1/nothing-here');
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ detail: 'Not Found' });
    const novyx = await t.request('/v1/nothing-here');
    expect(novyx.status).toBe(404);
    expect(await novyx.json()).toMatchObject({ error: 'not_found', code: 'not_found' });
    const wrong = await t.request('/api/v1/health', { method: 'POST', body: '{}' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('refuses request bodies over the limit before buffering them', async () => {
    const res = await t.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ health { db } }`, padding: 'x'.repeat(8000) }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).detail).toMatch(/LEXGATE_MAX_BODY_BYTES/);
    // The same on the REST routes, in each dialect, declared or streamed without a length.
    const rest = await t.request('/api/v1/approval-requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lexalign-project': 'p' },
      body: JSON.stringify({ package: 'x', rationale: 'y'.repeat(8000) }),
    });
    expect(rest.status).toBe(413);
    expect((await rest.json()).detail).toMatch(/LEXGATE_MAX_BODY_BYTES/);
    const chunks = [new TextEncoder().encode('{"action":"'), new Uint8Array(6000).fill(0x61), new TextEncoder().encode('"}')];
    const streamed = await t.request('/v1/actions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        pull(c) {
          const next = chunks.shift();
          if (next) c.enqueue(next);
          else c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: 'payload_too_large', code: 'payload_too_large' });
    // Nothing of either was kept.
    const pending = await (await t.request('/api/v1/reports/approval-requests')).json();
    expect(pending.items).toEqual([]);
  });

  it('answers the health query over GraphQL with the same facts as REST', async () => {
    const r = await t.graphql(`{ health { db registryLoaded registryVersion authEnabled databaseKind version uptimeSeconds startedAt } }`);
    expect(r.errors).toBeUndefined();
    const rest = await (await t.request('/api/v1/health')).json();
    expect(r.data.health).toMatchObject({
      db: rest.db,
      registryLoaded: rest.registry_loaded,
      registryVersion: rest.registry_version,
      authEnabled: rest.auth_enabled,
      databaseKind: rest.database,
      version: rest.version,
    });
    expect(r.data.health.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('pages the audit log newest first with filters and cursors', async () => {
    const { audit } = t.services;
    // Row 1 is the starter registry's REGISTRY_CHANGE; rows 2..8 are appended here.
    const first = await t.graphql(`{ auditLog { ... on QueryAuditLogSuccess { data { totalCount edges { node { seq kind action } } } } } }`);
    expect(first.data.auditLog.data).toEqual({ totalCount: 1, edges: [{ node: { seq: 1, kind: 'REGISTRY_CHANGE', action: 'registry.revision' } }] });
    for (let i = 1; i <= 7; i++) {
      await t.db.em().transactional((tx) =>
        audit.append(tx as EntityManager, {
          tenantId: 'default',
          kind: i % 2 ? 'DEPENDENCY_EVALUATION' : 'CVE_ALERT',
          action: 'dependency.add',
          requester: 'anonymous',
          project: i <= 4 ? 'alpha' : 'beta',
          package: `pkg${i}`,
          verdict: i % 2 ? 'ALLOWED' : 'CVE_ALERT',
          cveIds: i % 2 ? [] : [`CVE-2026-000${i}`],
          maxCvss: i % 2 ? null : 9.1,
        }),
      );
    }
    const q = `query($first: Int, $after: String, $filter: AuditFilterInput) {
      auditLog(first: $first, after: $after, filter: $filter) {
        __typename
        ... on QueryAuditLogSuccess { data { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { seq package project kind cveIds maxCvss hash prevHash } } } }
        ... on DomainError { message code field }
      }
    }`;
    const p1 = await t.graphql(q, { first: 3 });
    expect(p1.errors).toBeUndefined();
    const d1 = p1.data.auditLog.data;
    expect(d1.totalCount).toBe(8);
    expect(d1.edges.map((e: any) => e.node.seq)).toEqual([8, 7, 6]);
    expect(d1.pageInfo.hasNextPage).toBe(true);
    expect(d1.edges[0].node.prevHash).toBe(d1.edges[1].node.hash);
    const p2 = await t.graphql(q, { first: 3, after: d1.pageInfo.endCursor });
    expect(p2.data.auditLog.data.edges.map((e: any) => e.node.seq)).toEqual([5, 4, 3]);
    const p3 = await t.graphql(q, { first: 3, after: p2.data.auditLog.data.pageInfo.endCursor });
    expect(p3.data.auditLog.data.edges.map((e: any) => e.node.seq)).toEqual([2, 1]);
    expect(p3.data.auditLog.data.pageInfo.hasNextPage).toBe(false);

    const alerts = await t.graphql(q, { first: 10, filter: { project: 'alpha', kind: 'CVE_ALERT' } });
    const rows = alerts.data.auditLog.data.edges.map((e: any) => e.node);
    expect(rows.map((r: any) => r.package)).toEqual(['pkg4', 'pkg2']);
    expect(rows[0]).toMatchObject({ kind: 'CVE_ALERT', cveIds: ['CVE-2026-0004'], maxCvss: 9.1 });
  });

  it('refuses bad audit arguments with errors that name the argument', async () => {
    const bad = await t.graphql(`{ auditLog(after: "not-a-cursor") { ... on DomainError { message code field } } }`);
    expect(bad.data.auditLog).toEqual({ message: expect.stringMatching(/^after:/), code: 'validation_failed', field: 'after' });
    const zero = await t.graphql(`{ auditLog(first: 0) { __typename } }`);
    expect(zero.errors?.[0].message).toMatch(/^first: must be at least 1/);
    expect(zero.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const since = await t.graphql(`{ auditLog(filter: { since: "yesterday" }) { __typename } }`);
    expect(since.errors?.[0].message).toMatch(/yesterday.*ISO-8601/);
    const order = await t.graphql(`{ auditLog(filter: { since: "2026-02-01T00:00:00Z", until: "2026-01-01T00:00:00Z" }) { ... on DomainError { field } } }`);
    expect(order.data.auditLog.field).toBe('filter.since');
  });

  it('verifies the chain over GraphQL', async () => {
    const r = await t.graphql(`{ verifyAuditChain { ok checked firstBrokenSeq reason } }`);
    expect(r.data.verifyAuditChain).toEqual({ ok: true, checked: 8, firstBrokenSeq: null, reason: null });
  });

  it('answers REST evaluate, its errors and HEAD with the same headers on every route', async () => {
    // After the audit-paging tests: these add audit rows. A registry denial needs no upstream.
    const ok = await t.request('/api/v1/evaluate?package=PyCrypto&version=2.6.1', {
      headers: { 'X-LexAlign-Project': 'web', 'X-LexAlign-Agent-Model': 'model-a', 'X-LexAlign-Agent-Version': '1' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(ok.headers.get('x-frame-options')).toBe('DENY');
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const body = await ok.json();
    expect(body).toMatchObject({ package: 'PyCrypto', registry_status: 'banned', verdict: 'DENIED' });
    const missing = await t.request('/api/v1/evaluate?package=pycrypto');
    expect(missing.status).toBe(400);
    expect((await missing.json()).detail).toMatch(/X-LexAlign-Project/);
    const twice = await t.request('/api/v1/evaluate?package=a&package=b', { headers: { 'X-LexAlign-Project': 'web' } });
    expect(twice.status).toBe(422);
    expect((await twice.json()).detail[0]).toMatchObject({ loc: ['query', 'package'] });
    const head = await t.request('/api/v1/health', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
    const yaml = await t.request('/api/v1/registry/export');
    expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(yaml.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await yaml.text()).toMatch(/packages:/);
    const audited = await t.graphql(`{ auditLog(first: 1, filter: { kind: DEPENDENCY_EVALUATION }) { ... on QueryAuditLogSuccess { data { edges { node { project agentModel agentVersion package } } } } } }`);
    expect(audited.data.auditLog.data.edges[0].node).toEqual({ project: 'web', agentModel: 'model-a', agentVersion: '1', package: 'PyCrypto' });
  });

  it('refuses queries nested deeper than the limit, fragments included', async () => {
    const query = `{ auditLog { ... on QueryAuditLogSuccess { data { edges { node { id } } } } } }`;
    expect((await t.graphql(query)).errors).toBeUndefined();
    const limited = await createTestApp(kind, { env: { LEXGATE_GRAPHQL_MAX_DEPTH: '3' } });
    try {
      const r = await limited.graphql(query);
      expect(r.errors?.[0].message).toMatch(/nested more than 3 levels/);
      expect(r.data).toBeUndefined();
      const viaFragment = await limited.graphql(`{ ...F } fragment F on Query { auditLog { ... on QueryAuditLogSuccess { data { pageInfo { endCursor } } } } }`);
      expect(viaFragment.errors?.[0].message).toMatch(/nested more than 3 levels/);
      expect((await limited.graphql(`{ health { db } }`)).errors).toBeUndefined();
    } finally {
      await limited.close();
    }
  });

  it('serves GraphiQL from local assets only', async () => {
    const res = await t.request('/graphql', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/i);
  });

  it('serves the built site with content types, HEAD, index files and no escape', async () => {
    const home = await t.request('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toContain('<title>home</title>');
    const legal = await t.request('/dashboard/legal');
    expect(await legal.text()).toContain('<title>legal</title>');
    const legalSlash = await t.request('/dashboard/legal/?project=demo');
    expect(legalSlash.status).toBe(200);
    const js = await t.request('/_astro/island.abc123.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    const css = await t.request('/_astro/style.abc123.css', { method: 'HEAD' });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('content-length')).toBe('6');
    expect(await css.text()).toBe('');
    for (const p of ['/../lexgate-secret.txt', '/%2e%2e/lexgate-secret.txt', '/..%2flexgate-secret.txt', '/%2e%2e%5clexgate-secret.txt', '/%00index.html']) {
      const res = await t.request(p);
      expect(res.status, p).toBe(404);
      expect(await res.text(), p).not.toContain('secret');
    }
    const missing = await t.request('/no/such/page');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<title>missing</title>');
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
