/**
 * Agent-action governance end to end (SPEC §8, seed novyx-governance-dashboard):
 * actions, approvals, policies, tiers, the dashboard and per-agent violations,
 * through the Novyx REST shims and GraphQL, on both databases. Each test works
 * in its own tenant (X-Lexgate-Tenant), so counts are exact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../server/shared/clock';
import { dbKinds } from './support/databases';
import { createTestApp, type TestApp } from './support/harness';

const REGISTRY = `version: "gov-1"
global_policies:
  auto_approve_licenses: [MIT]
  hard_ban_licenses: [GPL-3.0-only]
  unknown_license_policy: block
packages:
  leftpad-evil:
    status: banned
    reason: Typosquat of a popular package.
`;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Res {
  status: number;
  body: any;
}

describe.each(dbKinds())('agent-action governance on %s', (kind) => {
  let t: TestApp;
  let clock: ManualClock;
  let dir: string;

  const call = async (tenant: string, method: string, url: string, body?: unknown): Promise<Res> => {
    const res = await t.request(url, {
      method,
      headers: { 'x-lexgate-tenant': tenant, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const submit = (tenant: string, action: string, params: Record<string, unknown>, agentId?: string) =>
    call(tenant, 'POST', '/v1/actions', { action, params, ...(agentId ? { agent_id: agentId } : {}) });
  const gql = async (tenant: string, query: string, variables?: Record<string, unknown>) => {
    const res = await t.request('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-lexgate-tenant': tenant },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: { message: string }[] };
  };
  const tenant = (id: string, tier: string) => t.services.tenants.create({ id, tier }, 'test');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-gov-'));
    fs.writeFileSync(path.join(dir, 'registry.yml'), REGISTRY);
    clock = new ManualClock(new Date('2026-04-04T09:00:00.000Z'));
    t = await createTestApp(kind, { clock, env: { REGISTRY_PATH: path.join(dir, 'registry.yml') } });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays the seed sample: dashboard and per-agent violations from the audit log', async () => {
    clock.set(new Date('2026-04-04T09:00:00.000Z'));
    await tenant('acme', 'starter');
    const created = await call('acme', 'POST', '/v1/control/policies', {
      name: 'pii_protection',
      description: 'Customer personal data',
      rules: [
        { match: 'ssn|social_security', severity: 'critical' },
        { match: 'email_address|phone_number', severity: 'high' },
        { match: 'postal_code', severity: 'medium', on_violation: 'block' },
      ],
    });
    expect(created).toEqual({
      status: 201,
      body: expect.objectContaining({ policy_name: 'pii_protection', agent_id: null, action: 'created', version: 1, message: expect.any(String) }),
    });

    // Day 1: three critical PII hits (blocked) and two harmless billing reads (allowed).
    for (let i = 0; i < 3; i++) expect((await submit('acme', 'support.reply', { text: `customer ssn ${i}` }, 'support-bot')).body.status).toBe('blocked');
    for (let i = 0; i < 2; i++) expect((await submit('acme', 'billing.read_balance', { account: `A${i}` }, 'billing-bot')).body.status).toBe('allowed');
    // Day 3: eight high PII hits and four transfers, all held for review.
    clock.set(new Date('2026-04-06T10:30:00.000Z'));
    const held: { support: string[]; billing: string[] } = { support: [], billing: [] };
    for (let i = 0; i < 8; i++) {
      const r = await submit('acme', 'crm.update_contact', { field: 'email_address', value: `u${i}@example.org` }, 'support-bot');
      expect(r.body.status).toBe('pending_review');
      held.support.push(r.body.policy_result.action_id);
    }
    for (let i = 0; i < 4; i++) {
      const r = await submit('acme', 'http.transfer_funds', { amount: 100 + i, to: 'acct-9' }, 'billing-bot');
      expect(r.body).toMatchObject({ status: 'pending_review', policy_result: { triggered_policy: 'FinancialSafetyPolicy', severity: 'high' } });
      held.billing.push(r.body.policy_result.action_id);
    }
    // Day 5: two medium PII hits (blocked by an explicit on_violation), and people decide.
    clock.set(new Date('2026-04-08T16:00:00.000Z'));
    for (let i = 0; i < 2; i++) expect((await submit('acme', 'crm.lookup', { field: 'postal_code' }, 'support-bot')).body.status).toBe('blocked');
    for (const id of held.support.slice(0, 5)) expect((await call('acme', 'POST', `/v1/approvals/${id}/decision`, { decision: 'approve' })).status).toBe(200);
    for (const id of held.billing.slice(0, 2)) expect((await call('acme', 'POST', `/v1/approvals/${id}/decision`, { decision: 'approved' })).status).toBe(200);
    expect((await call('acme', 'POST', `/v1/approvals/${held.support[5]}/decision`, { decision: 'deny', reason: 'no consent' })).status).toBe(200);
    expect((await call('acme', 'POST', `/v1/approvals/${held.billing[2]}/decision?decision=denied&reason=over%20budget`)).status).toBe(200);

    clock.set(new Date('2026-04-10T12:00:00.000Z'));
    const dash = await call('acme', 'GET', '/v1/control/dashboard?window=7d');
    expect(dash.status).toBe(200);
    const days = ['04', '05', '06', '07', '08', '09', '10'].map((d) => `2026-04-${d}T00:00:00Z`);
    const zero = { executed: 0, pending_review: 0, approved: 0, denied: 0 };
    expect(dash.body).toEqual({
      window: '7d',
      bucket: 'day',
      backend: 'postgres',
      totals: { evaluations: 19, executed: 2 + 7, pending_review: 12 - 9, approved: 7, denied: 2 },
      violations_by_policy: [
        { policy: 'pii_protection', count: 13, severity_breakdown: { critical: 3, high: 8, medium: 2 } },
        { policy: 'FinancialSafetyPolicy', count: 4, severity_breakdown: { high: 4 } },
      ],
      violations_by_agent: [
        { agent_id: 'support-bot', count: 13 },
        { agent_id: 'billing-bot', count: 4 },
      ],
      time_series: days.map((bucket) => ({
        bucket,
        ...zero,
        ...(bucket.startsWith('2026-04-04') ? { executed: 2 } : {}),
        ...(bucket.startsWith('2026-04-06') ? { pending_review: 12 } : {}),
        ...(bucket.startsWith('2026-04-08') ? { executed: 7, approved: 7, denied: 2 } : {}),
      })),
      window_start: '2026-04-04T00:00:00Z',
      window_end: '2026-04-11T00:00:00Z',
    });
    // Defaults: 7d; 24h is hourly (24 zero-filled hours ending with the current one).
    expect((await call('acme', 'GET', '/v1/control/dashboard')).body).toEqual(dash.body);
    const day = await call('acme', 'GET', '/v1/control/dashboard?window=24h');
    // pending_review is a gauge of the queue now, whatever the window.
    expect(day.body).toMatchObject({ window: '24h', bucket: 'hour', totals: { evaluations: 0, executed: 0, pending_review: 3, approved: 0, denied: 0 } });
    expect(day.body.time_series).toHaveLength(24);
    expect(day.body.time_series[0].bucket).toBe('2026-04-09T13:00:00Z');
    expect(day.body.time_series[23].bucket).toBe('2026-04-10T12:00:00Z');
    const month = await call('acme', 'GET', '/v1/control/dashboard?window=30d&bucket=hour');
    expect(month.body.time_series).toHaveLength(720);
    expect(month.body.totals).toEqual(dash.body.totals);
    const buckets = month.body.time_series.map((s: { bucket: string }) => Date.parse(s.bucket));
    expect(buckets.every((b: number, i: number) => i === 0 || b - buckets[i - 1] === HOUR)).toBe(true);
    expect(month.body.time_series.filter((s: { pending_review: number }) => s.pending_review > 0)).toEqual([
      { bucket: '2026-04-06T10:00:00Z', executed: 0, pending_review: 12, approved: 0, denied: 0 },
    ]);
    for (const [q, field] of [
      ['window=1y', 'window'],
      ['window=7d&bucket=minute', 'bucket'],
    ]) {
      const bad = await call('acme', 'GET', `/v1/control/dashboard?${q}`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: 'novyx_ram.v1.control.invalid_dashboard_param', code: 'novyx_ram.v1.control.invalid_dashboard_param' });
      expect(bad.body.message).toContain(field);
    }

    // Per-agent violations: newest first, total = entries returned.
    const v = await call('acme', 'GET', '/v1/control/agents/support-bot/violations');
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ agent_id: 'support-bot', total: 13, backend: 'postgres' });
    expect(v.body.violations).toHaveLength(13);
    expect(Object.keys(v.body.violations[0]).sort()).toEqual(
      ['action', 'action_id', 'audit_id', 'event', 'reason', 'risk_score', 'severity', 'timestamp', 'triggered_policy', 'violation_count'].sort(),
    );
    expect(v.body.violations[0]).toMatchObject({
      action: 'crm.lookup',
      timestamp: '2026-04-08T16:00:00Z',
      event: 'action_blocked',
      triggered_policy: 'pii_protection',
      severity: 'medium',
      risk_score: 0.4,
      violation_count: 1,
    });
    expect(v.body.violations[0].action_id).toMatch(/^act_[0-9a-f]{24}$/);
    expect(v.body.violations.at(-1)).toMatchObject({ severity: 'critical', event: 'action_blocked', timestamp: '2026-04-04T09:00:00Z' });
    const times = v.body.violations.map((e: { timestamp: string }) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await call('acme', 'GET', '/v1/control/agents/support-bot/violations?limit=5')).body.total).toBe(5);
    expect((await call('acme', 'GET', '/v1/control/agents/support-bot/violations?since=2026-04-06T00:00:00Z')).body.total).toBe(10);
    expect((await call('acme', 'GET', '/v1/control/agents/support-bot/violations?until=2026-04-05T00:00:00%2B00:00')).body.total).toBe(3);
    const billing = await call('acme', 'GET', '/v1/control/agents/billing-bot/violations');
    expect(billing.body.violations.every((e: { event: string }) => e.event === 'action_pending_review')).toBe(true);
    for (const [q, field] of [
      ['since=yesterday', 'since'],
      ['until=2026-04-01', 'until'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['since=2026-04-09T00:00:00Z&until=2026-04-01T00:00:00Z', 'since'],
    ]) {
      const bad = await call('acme', 'GET', `/v1/control/agents/support-bot/violations?${q}`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: 'novyx_ram.v1.control.invalid_violations_param', code: 'novyx_ram.v1.control.invalid_violations_param' });
      expect(bad.body.message.startsWith(field)).toBe(true);
    }

    const verified = await t.services.audit.verifyChain(t.db.em(), 'acme');
    expect(verified).toMatchObject({ ok: true });
  });

  it('answers actions in the Novyx shape, explains them with their audit trail and keeps decisions immutable', async () => {
    await tenant('ops', 'enterprise');
    const warn = await call('ops', 'POST', '/v1/control/policies', {
      name: 'prod-caution',
      rules: [{ match: 'production', severity: 'low' }, { match: 'drop_table', context_requires: 'production', severity: 'critical' }],
    });
    expect(warn.status).toBe(201);

    const ok = await submit('ops', 'github.merge_pr', { repo: 'acme/api', pr: 7 }, 'coder');
    expect(ok).toEqual({
      status: 200,
      body: {
        action: 'github.merge_pr',
        status: 'allowed',
        policy_result: {
          risk_score: 0,
          evaluation_time_ms: expect.any(Number),
          triggered_policy: null,
          reason: 'No policy objected.',
          severity: null,
          violations: [],
          warnings: [],
          action_id: expect.stringMatching(/^act_/),
        },
        message: 'Action allowed.',
        action_id: ok.body.policy_result.action_id,
        agent_id: 'coder',
      },
    });
    const warned = await submit('ops', 'db.migrate', { target: 'production' }, 'coder');
    expect(warned.body).toMatchObject({ status: 'allowed', policy_result: { triggered_policy: 'prod-caution', severity: 'low', risk_score: 0.2, violations: [] } });
    expect(warned.body.policy_result.warnings).toEqual(['prod-caution: prod-caution rule 1 matched']);
    // context_requires: the critical rule fires only in production.
    expect((await submit('ops', 'db.drop_table', { target: 'staging' })).body.status).toBe('allowed');
    const blocked = await submit('ops', 'db.drop_table', { target: 'production' }, 'coder');
    expect(blocked.body).toMatchObject({ status: 'blocked', policy_result: { triggered_policy: 'prod-caution', severity: 'critical' } });
    // block > require_approval > warn: exfiltration (block) beats the financial hold.
    const both = await submit('ops', 'email.send', { body: 'invoice attached, password inside' }, 'mailer');
    expect(both.body).toMatchObject({ status: 'blocked', policy_result: { triggered_policy: 'DataExfiltrationPolicy', severity: 'critical' } });
    expect(both.body.policy_result.violations.map((x: { policy: string }) => x.policy).sort()).toEqual(['DataExfiltrationPolicy', 'FinancialSafetyPolicy']);

    const held = await submit('ops', 'stripe.refund', { charge: 'ch_1' }, 'billing-bot');
    expect(held.body).toMatchObject({ status: 'pending_review', policy_result: { triggered_policy: 'FinancialSafetyPolicy', severity: 'high', risk_score: 0.7 } });
    const id = held.body.policy_result.action_id as string;
    expect(held.body.message).toContain(id);

    const one = await call('ops', 'GET', `/v1/actions/${id}`);
    expect(one.body).toMatchObject({ action_id: id, action: 'stripe.refund', connector: 'stripe', operation: 'refund', status: 'pending_review', agent_id: 'billing-bot', params: { charge: 'ch_1' } });
    const list = await call('ops', 'GET', '/v1/actions?status=blocked&limit=10');
    expect(list.body.total).toBe(2);
    expect(list.body.actions.map((a: { action: string }) => a.action)).toEqual(['email.send', 'db.drop_table']);
    expect((await call('ops', 'GET', '/v1/actions?status=exploded')).status).toBe(400);
    expect((await call('ops', 'GET', '/v1/actions/act_nope')).body.code).toBe('novyx_ram.v1.actions.not_found');

    // Approvals: the queue (status or status_filter), decisions from body or query, once.
    for (const q of ['', '?status=pending', '?status_filter=pending_review']) {
      const queue = await call('ops', 'GET', `/v1/approvals${q}`);
      expect(queue.body).toMatchObject({ total: 1, approvals: [{ approval_id: id, action_id: id, action: 'stripe.refund', agent_id: 'billing-bot', status: 'pending_review', risk_score: 0.7, triggered_policy: 'FinancialSafetyPolicy' }] });
    }
    const invalid = await call('ops', 'POST', `/v1/approvals/${id}/decision`, { decision: 'maybe' });
    expect(invalid).toMatchObject({ status: 400, body: { error: 'novyx_ram.v1.control.invalid_decision', code: 'novyx_ram.v1.control.invalid_decision' } });
    expect((await call('ops', 'POST', `/v1/approvals/${id}/decision`, {})).body.code).toBe('novyx_ram.v1.control.invalid_decision');
    const missing = await call('ops', 'POST', '/v1/approvals/act_missing/decision', { decision: 'approve' });
    expect(missing).toMatchObject({ status: 404, body: { code: 'novyx_ram.v1.control.approval_not_found' } });
    const notHeld = await call('ops', 'POST', `/v1/approvals/${blocked.body.policy_result.action_id}/decision`, { decision: 'approve' });
    expect(notHeld.status).toBe(404);
    clock.advance(60_000);
    const decided = await call('ops', 'POST', `/v1/approvals/${id}/decision?decision=approve&approver_id=alice`, { reason: 'refund agreed' });
    expect(decided).toMatchObject({ status: 200, body: { approval_id: id, decision: 'approved', status: 'approved', reason: 'refund agreed', approver_id: 'alice' } });
    const again = await call('ops', 'POST', `/v1/approvals/${id}/decision`, { decision: 'deny' });
    expect(again).toMatchObject({ status: 409, body: { error: 'novyx_ram.v1.control.approval_already_decided', code: 'novyx_ram.v1.control.approval_already_decided' } });
    expect((await call('ops', 'GET', `/v1/actions/${id}`)).body).toMatchObject({ status: 'approved', approval: { status: 'approved', decided_by: 'alice', reason: 'refund agreed' } });
    expect((await call('ops', 'GET', '/v1/approvals')).body.total).toBe(0);
    expect((await call('ops', 'GET', '/v1/approvals?status=approved')).body.approvals[0]).toMatchObject({ approval_id: id, decided_by: 'alice' });

    const explained = await call('ops', 'GET', `/v1/actions/${id}/explain`);
    expect(explained.body).toMatchObject({
      action_id: id,
      action: 'stripe.refund',
      agent_id: 'billing-bot',
      connector: 'stripe',
      operation: 'refund',
      status: 'approved',
      policy_result: { status: 'pending_review', risk_score: 0.7, triggered_policy: 'FinancialSafetyPolicy' },
      approval: { approval_id: id, status: 'approved' },
      memories_at_time: [],
    });
    expect(explained.body.policy_result.policies_evaluated.map((p: { name: string; result: string }) => [p.name, p.result])).toEqual([
      ['prod-caution', 'passed'],
      ['FinancialSafetyPolicy', 'violated'],
      ['DataExfiltrationPolicy', 'passed'],
    ]);
    const trail = explained.body.audit_trail as { sequence_number: number; event: string; entry_hash: string }[];
    expect(trail.map((e) => e.event)).toEqual(['action_pending_review', 'action_approved']);
    const em = t.db.em();
    for (const e of trail) {
      const rows = await em.execute<{ hash: string }[]>(`select hash from audit_log where tenant_id = 'ops' and seq = ?`, [e.sequence_number]);
      expect(e.entry_hash).toBe(`sha256:${rows[0].hash}`);
    }
    expect(explained.body.summary).toContain('approved by alice');
    expect((await t.services.audit.verifyChain(t.db.em(), 'ops')).ok).toBe(true);

    // Bad submissions name the field and write nothing.
    const before = await em.execute<{ n: number }[]>(`select count(*)::int as n from audit_log where tenant_id = 'ops'`);
    for (const [body, field] of [
      [{ params: {} }, 'action'],
      [{ action: 'x y' }, 'action'],
      [{ action: 'a.b', params: [1] }, 'params'],
      [{ action: 'a.b', agent_id: '!bad' }, 'agent_id'],
    ] as const) {
      const r = await call('ops', 'POST', '/v1/actions', body);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe(field);
    }
    const after = await em.execute<{ n: number }[]>(`select count(*)::int as n from audit_log where tenant_id = 'ops'`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('manages custom policies: upsert with version bumps, soft delete, built-ins undeletable, invalid regexes refused', async () => {
    await tenant('pol', 'pro');
    const list = await call('pol', 'GET', '/v1/control/policies');
    expect(list.body.policies.map((p: { name: string; source: string }) => [p.name, p.source])).toEqual([
      ['FinancialSafety', 'builtin'],
      ['DataExfiltration', 'builtin'],
    ]);
    for (const name of ['FinancialSafety', 'FinancialSafetyPolicy', 'DataExfiltrationPolicy']) {
      const del = await call('pol', 'DELETE', `/v1/control/policies/${name}`);
      expect(del).toMatchObject({ status: 403, body: { error: 'novyx_ram.v1.control.cannot_delete_builtin', code: 'novyx_ram.v1.control.cannot_delete_builtin' } });
    }
    expect((await call('pol', 'GET', '/v1/control/policies/DataExfiltration')).body).toMatchObject({ name: 'DataExfiltrationPolicy', source: 'builtin', enabled: true });

    for (const [body, field, text] of [
      [{ name: 'dup', rules: [{ match: '(a)\\1', severity: 'high' }] }, 'rules[0].match', 'backreferences'],
      [{ name: 'look', rules: [{ match: 'x', context_requires: 'foo(?=bar)' }] }, 'rules[0].context_requires', 'lookahead'],
      [{ name: 'none', rules: [] }, 'rules', 'must not be empty'],
      [{ name: 'sev', rules: [{ match: 'x', severity: 'urgent' }] }, 'rules[0].severity', 'one of'],
      [{ name: 'bad name!', rules: [{ match: 'x' }] }, 'name', 'name'],
      [{ name: 'FinancialSafety', rules: [{ match: 'x' }] }, 'name', 'built-in'],
      [{ name: 'extra', rules: [{ match: 'x', mtach: 'y' }] }, 'rules[0].mtach', 'unknown'],
    ] as const) {
      const r = await call('pol', 'POST', '/v1/control/policies', body);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: 'novyx_ram.v1.control.invalid_policy', code: 'novyx_ram.v1.control.invalid_policy', field });
      expect(r.body.message).toContain(text);
    }

    const rule = { match: 'kubectl delete', severity: 'high' };
    expect((await call('pol', 'POST', '/v1/control/policies', { name: 'k8s', rules: [rule] })).body).toMatchObject({ action: 'created', version: 1 });
    expect((await call('pol', 'POST', '/v1/control/policies', { name: 'k8s', rules: [{ ...rule, severity: 'critical' }] })).body).toMatchObject({ action: 'updated', version: 2 });
    const put = await call('pol', 'PUT', '/v1/control/policies/k8s', { rules: [{ ...rule, severity: 'critical' }], description: 'cluster safety' });
    expect(put).toMatchObject({ status: 200, body: { policy_name: 'k8s', action: 'updated', version: 3 } });
    expect((await call('pol', 'PUT', '/v1/control/policies/ghost', { rules: [rule] })).body.code).toBe('novyx_ram.v1.control.policy_not_found');
    const got = await call('pol', 'GET', '/v1/control/policies/k8s');
    expect(got.body).toMatchObject({
      name: 'k8s',
      source: 'custom',
      scope: 'tenant',
      version: 3,
      enabled: true,
      description: 'cluster safety',
      config: { rules: [{ match: 'kubectl delete', severity: 'critical', on_violation: 'block', context_requires: null }] },
    });
    expect((await submit('pol', 'shell.run', { cmd: 'kubectl delete ns prod' })).body.status).toBe('blocked');

    // Agent scope (Pro+): the agent's own policy overrides the tenant one of the same name.
    const scoped = await call('pol', 'POST', '/v1/control/policies', { name: 'k8s', agent_id: 'ops-bot', rules: [{ match: 'kubectl delete', severity: 'low' }] });
    expect(scoped).toMatchObject({ status: 201, body: { agent_id: 'ops-bot', action: 'created', version: 1 } });
    expect((await submit('pol', 'shell.run', { cmd: 'kubectl delete ns prod' }, 'ops-bot')).body).toMatchObject({ status: 'allowed', policy_result: { warnings: [expect.stringContaining('k8s')] } });
    expect((await call('pol', 'GET', '/v1/control/policies?agent_id=ops-bot')).body.policies).toHaveLength(4);

    const del = await call('pol', 'DELETE', '/v1/control/policies/k8s');
    expect(del).toMatchObject({ status: 200, body: { policy_name: 'k8s', action: 'disabled', version: 4, enabled: false } });
    expect((await call('pol', 'GET', '/v1/control/policies/k8s')).body).toMatchObject({ enabled: false, version: 4 });
    expect((await submit('pol', 'shell.run', { cmd: 'kubectl delete ns prod' })).body.status).toBe('allowed');
    expect((await call('pol', 'DELETE', '/v1/control/policies/never')).status).toBe(404);
    const changes = await t.db.em().execute<{ action: string }[]>(`select action from audit_log where tenant_id = 'pol' and kind = 'POLICY_CHANGE' order by seq`);
    expect(changes.map((c) => c.action)).toEqual(['policy.created', 'policy.updated', 'policy.updated', 'policy.created', 'policy.disabled']);
  });

  it('gates features by tier with the Novyx 403 bodies', async () => {
    const made = await gql('default', 'mutation { createTenant(id: "freebie", tier: "free") { ... on MutationCreateTenantSuccess { data { id tier } } } }');
    expect(made.data?.createTenant.data).toEqual({ id: 'freebie', tier: 'free' });
    await tenant('small', 'starter');
    // A tenant without a registry of its own gets a clear refusal from dependency evaluation, not a 500.
    const noRegistry = await t.request('/api/v1/evaluate?package=requests', { headers: { 'x-lexgate-tenant': 'small', 'x-lexalign-project': 'p' } });
    expect(noRegistry.status).toBe(409);
    expect((await noRegistry.json()).detail).toMatch(/tenant "small" has no registry/);

    for (const url of ['/v1/control/dashboard', '/v1/control/agents/any-bot/violations', '/v1/control/agents/any-bot/violations?since=yesterday']) {
      const r = await call('freebie', 'GET', url);
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: 'novyx_ram.v1.tier.feature_required', code: 'novyx_ram.v1.tier.feature_required', message: expect.stringContaining("'governance_dashboard' requires Starter") });
    }
    const noPolicies = await call('freebie', 'POST', '/v1/control/policies', { name: 'p', rules: [{ match: 'x' }] });
    expect(noPolicies).toMatchObject({ status: 403, body: { code: 'novyx_ram.v1.tier.feature_required' } });
    expect(noPolicies.body.message).toContain('draft_policies');
    // Free tenants may still submit actions and use the approval queue.
    expect((await submit('freebie', 'http.transfer_funds', { amount: 5 })).body.status).toBe('pending_review');
    expect((await call('freebie', 'GET', '/v1/usage')).body).toEqual({
      tenant_id: 'freebie',
      plan: 'free',
      tier: 'free',
      features: { governance_dashboard: false, draft_policies: false, agent_scoped_policies: false },
      limits: { draft_policies: 0 },
      usage: { draft_policies: 0 },
    });

    const scoped = await call('small', 'POST', '/v1/control/policies', { name: 'p', agent_id: 'bot', rules: [{ match: 'x' }] });
    expect(scoped).toMatchObject({ status: 403, body: { code: 'novyx_ram.v1.tier.feature_required', message: expect.stringContaining('agent_scoped_policies') } });
    for (let i = 0; i < 5; i++) expect((await call('small', 'POST', '/v1/control/policies', { name: `p${i}`, rules: [{ match: `x${i}` }] })).status).toBe(201);
    const sixth = await call('small', 'POST', '/v1/control/policies', { name: 'p5', rules: [{ match: 'x5' }] });
    expect(sixth).toMatchObject({ status: 403, body: { error: 'novyx_ram.v1.tier.limit_exceeded', code: 'novyx_ram.v1.tier.limit_exceeded' } });
    // Updating an existing one is not a new policy.
    expect((await call('small', 'POST', '/v1/control/policies', { name: 'p0', rules: [{ match: 'y' }] })).status).toBe(200);
    expect((await call('small', 'GET', '/v1/usage')).body).toMatchObject({ plan: 'starter', features: { governance_dashboard: true, agent_scoped_policies: false }, limits: { draft_policies: 5 }, usage: { draft_policies: 5 } });
    expect((await call('nobody', 'GET', '/v1/usage')).status).toBe(404);

    const gq = await gql('freebie', '{ governanceDashboard { __typename ... on DomainError { code reasonCode message } } }');
    expect(gq.data?.governanceDashboard).toMatchObject({ __typename: 'DomainError', code: 'forbidden', reasonCode: 'novyx_ram.v1.tier.feature_required' });
  });

  it('evaluates a pathological regex in linear time', async () => {
    await tenant('redos', 'enterprise');
    expect((await call('redos', 'POST', '/v1/control/policies', { name: 'redos', rules: [{ match: '(a+)+$', severity: 'critical' }] })).status).toBe(201);
    const payload = { blob: `${'a'.repeat(50_000)}!` };
    const started = performance.now();
    const r = await submit('redos', 'file.write', payload);
    const elapsed = performance.now() - started;
    expect(r.body.status).toBe('allowed');
    // The explicit requirement, measured by work rather than by a wall clock on a shared machine: the matcher's
    // steps are linear in the text (a backtracking engine needs ~2^50000). Timings are in bench/README.md
    // (`npm run bench:policy-regex`); the wall-clock bound here is generous and only catches a stall.
    expect(elapsed).toBeLessThan(1000);
    const explained = await call('redos', 'GET', `/v1/actions/${r.body.policy_result.action_id}/explain`);
    const meta = explained.body.audit_trail[0].metadata;
    expect(meta.evaluated_chars).toBeGreaterThan(50_000);
    expect(meta.evaluation_steps).toBeLessThan(meta.evaluated_chars * 10);
  });

  it('counts a denied dependency.add as a violation of its agent, with the registry policy', async () => {
    clock.set(new Date('2026-04-10T12:00:00.000Z'));
    const res = await t.request('/api/v1/evaluate?package=leftpad-evil&version=1.0.0', {
      headers: { 'X-LexAlign-Project': 'web', 'X-LexAlign-Agent-Model': 'claude-code' },
    });
    expect((await res.json()).verdict).toBe('DENIED');
    const dash = await call('default', 'GET', '/v1/control/dashboard?window=24h');
    expect(dash.body.violations_by_agent).toContainEqual({ agent_id: 'claude-code', count: 1 });
    const banned = dash.body.violations_by_policy.find((p: { policy: string }) => p.policy === 'registry.banned');
    expect(banned.count).toBe(1);
    expect(Object.values(banned.severity_breakdown)).toEqual([1]);
    expect(dash.body.totals.evaluations).toBeGreaterThanOrEqual(1);
    const v = await call('default', 'GET', '/v1/control/agents/claude-code/violations');
    expect(v.body).toMatchObject({ agent_id: 'claude-code', total: 1, violations: [{ action: 'dependency.add', event: 'action_blocked', triggered_policy: 'registry.banned', violation_count: 1 }] });
    expect(['critical', 'high', 'medium', 'low']).toContain(v.body.violations[0].severity);
  });

  it('rebuilds the same rollups from the audit log as the trigger kept (the migration backfill)', async () => {
    const { migrationsList } = await import('../migrations/index');
    const entry = migrationsList.find((m) => m.name.endsWith('_governance_rollups'))!;
    const em = t.db.em();
    const migration = new (entry.class as any)(em.getDriver(), t.db.orm.config);
    await migration.up();
    const backfill = (migration.getQueries() as { sql: string }[]).map((q) => (typeof q === 'string' ? q : q.sql)).filter((q: string) => q.startsWith('insert into governance_'));
    expect(backfill).toHaveLength(3);
    const snapshot = async () => ({
      counts: await em.execute(`select * from governance_rollup_hour order by tenant_id, hour`),
      violations: await em.execute(`select * from governance_violation_rollup order by tenant_id, grain, bucket, dimension, key, severity`),
    });
    const kept = await snapshot();
    expect(kept.violations.length).toBeGreaterThan(0);
    await em.transactional(async (tx) => {
      await tx.execute('delete from governance_rollup_hour');
      await tx.execute('delete from governance_violation_rollup');
      for (const sql of backfill) await tx.execute(sql);
    });
    expect(await snapshot()).toEqual(kept);
  });

  it('serves the same through GraphQL', async () => {
    await tenant('gq', 'pro');
    const policy = await gql(
      'gq',
      `mutation($input: ActionPolicyInput!) { createPolicy(input: $input) { __typename ... on MutationCreatePolicySuccess { data { change policy { name version rules { match severity onViolation } } } } ... on DomainError { reasonCode field message } } }`,
      { input: { name: 'deploys', rules: [{ match: 'deploy', severity: 'high' }] } },
    );
    expect(policy.data?.createPolicy.data).toEqual({ change: 'created', policy: { name: 'deploys', version: 1, rules: [{ match: 'deploy', severity: 'high', onViolation: 'require_approval' }] } });
    const badPolicy = await gql('gq', `mutation { createPolicy(input: {name: "x", rules: [{match: "(?<=a)b"}]}) { ... on DomainError { reasonCode field message } } }`);
    expect(badPolicy.data?.createPolicy).toMatchObject({ reasonCode: 'novyx_ram.v1.control.invalid_policy', field: 'rules[0].match' });

    const sub = await gql('gq', `mutation { submitAction(input: {action: "ci.deploy", params: {env: "prod"}, agentId: "ci-bot"}) { ... on MutationSubmitActionSuccess { data { id status triggeredPolicy riskScore } } } }`);
    const id = sub.data?.submitAction.data.id;
    expect(sub.data?.submitAction.data).toMatchObject({ status: 'pending_review', triggeredPolicy: 'deploys', riskScore: 0.7 });
    const queue = await gql('gq', `{ approvals { ... on QueryApprovalsSuccess { data { id status } } } }`);
    expect(queue.data?.approvals.data).toEqual([{ id, status: 'pending_review' }]);
    const decide = `mutation($id: String!) { decideApproval(input: {approvalId: $id, decision: "deny", reason: "freeze"}) { __typename ... on MutationDecideApprovalSuccess { data { status decisionReason } } ... on DomainError { reasonCode } } }`;
    expect((await gql('gq', decide, { id })).data?.decideApproval.data).toEqual({ status: 'denied', decisionReason: 'freeze' });
    expect((await gql('gq', decide, { id })).data?.decideApproval).toMatchObject({ __typename: 'DomainError', reasonCode: 'novyx_ram.v1.control.approval_already_decided' });

    const q = await gql(
      'gq',
      `{ actions(limit: 5) { ... on QueryActionsSuccess { data { id action } } }
         policies { ... on QueryPoliciesSuccess { data { name source } } }
         governanceDashboard(window: "24h") { ... on QueryGovernanceDashboardSuccess { data { bucket backend totals { evaluations denied pendingReview } violationsByPolicy { policy count severityBreakdown { severity count } } timeSeries { bucket } } } }
         agentViolations(agentId: "ci-bot") { ... on QueryAgentViolationsSuccess { data { total violations { action triggeredPolicy event } } } }
         bad: agentViolations(agentId: "ci-bot", since: "yesterday") { ... on DomainError { reasonCode field } }
         usage { ... on QueryUsageSuccess { data { tenant { tier } agentScopedPolicies draftPolicyLimit draftPoliciesUsed } } } }`,
    );
    expect(q.errors).toBeUndefined();
    expect(q.data.actions.data).toEqual([{ id, action: 'ci.deploy' }]);
    expect(q.data.policies.data.map((p: { name: string }) => p.name)).toEqual(['FinancialSafetyPolicy', 'DataExfiltrationPolicy', 'deploys']);
    expect(q.data.governanceDashboard.data).toMatchObject({
      bucket: 'hour',
      backend: 'postgres',
      totals: { evaluations: 1, denied: 1, pendingReview: 0 },
      violationsByPolicy: [{ policy: 'deploys', count: 1, severityBreakdown: [{ severity: 'high', count: 1 }] }],
    });
    expect(q.data.governanceDashboard.data.timeSeries).toHaveLength(24);
    expect(q.data.agentViolations.data).toEqual({ total: 1, violations: [{ action: 'ci.deploy', triggeredPolicy: 'deploys', event: 'action_pending_review' }] });
    expect(q.data.bad).toEqual({ reasonCode: 'novyx_ram.v1.control.invalid_violations_param', field: 'since' });
    expect(q.data.usage.data).toEqual({ tenant: { tier: 'pro' }, agentScopedPolicies: true, draftPolicyLimit: 25, draftPoliciesUsed: 1 });
  });
});
