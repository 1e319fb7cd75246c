import { describe, expect, it } from 'vitest';
import { hasFeature, requireFeature, requireWithinLimit } from '../../tenants/tiers';
import { parseIsoParam, resolveWindow, windowBuckets } from '../governance-dashboard.service';
import { builtinNamed, decideAction, effectivePolicies, parsePolicyDocument, PolicyInvalid, type EffectivePolicy } from './action-policy';

const custom = (body: Record<string, unknown>, version = 1): EffectivePolicy => ({ ...parsePolicyDocument(body), source: 'custom', version });

describe('parsePolicyDocument', () => {
  it.each([
    ['critical', 'block'],
    ['high', 'require_approval'],
    ['medium', 'warn'],
    ['low', 'warn'],
  ])('defaults on_violation for %s to %s', (severity, expected) => {
    expect(parsePolicyDocument({ name: 'p', rules: [{ match: 'x', severity }] }).rules[0].on_violation).toBe(expected);
  });

  it('keeps an explicit on_violation, normalises step types and domains', () => {
    const doc = parsePolicyDocument({
      name: 'p',
      rules: [{ match: 'x', severity: 'LOW', on_violation: 'Block' }],
      step_types: ['action', 'THOUGHT', 'action'],
      whitelisted_domains: ['Example.COM'],
      agent_id: ' bot-1 ',
    });
    expect(doc).toMatchObject({ rules: [{ severity: 'low', on_violation: 'block' }], step_types: ['ACTION', 'THOUGHT'], whitelisted_domains: ['example.com'], agent_id: 'bot-1', enabled: true });
  });

  it.each([
    [null, 'body'],
    [{ rules: [{ match: 'x' }] }, 'name'],
    [{ name: 'p' }, 'rules'],
    [{ name: 'p', rules: 'x' }, 'rules'],
    [{ name: 'p', rules: [{ match: '' }] }, 'rules[0].match'],
    [{ name: 'p', rules: [{ match: 'x', on_violation: 'explode' }] }, 'rules[0].on_violation'],
    [{ name: 'p', rules: [{ match: 'x' }, { match: '(?!y)' }] }, 'rules[1].match'],
    [{ name: 'p', rules: [{ match: 'x' }], whitelisted_domains: ['not a domain'] }, 'whitelisted_domains[0]'],
    [{ name: 'p', rules: [{ match: 'x' }], step_types: ['dance'] }, 'step_types[0]'],
    [{ name: 'p', rules: [{ match: 'x' }], enabled: 'yes' }, 'enabled'],
    [{ name: 'p', rules: [{ match: 'x' }], colour: 'red' }, 'colour'],
    [{ name: 'DataExfiltration', rules: [{ match: 'x' }] }, 'name'],
  ])('refuses %j naming %s', (body, field) => {
    try {
      parsePolicyDocument(body);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyInvalid);
      expect((e as PolicyInvalid).field).toBe(field);
    }
  });

  it('knows the built-ins by either spelling', () => {
    expect(builtinNamed('financialsafety')?.name).toBe('FinancialSafetyPolicy');
    expect(builtinNamed('DataExfiltrationPolicy')?.name).toBe('DataExfiltrationPolicy');
    expect(builtinNamed('Financial')).toBeNull();
  });
});

describe('decideAction', () => {
  const base = effectivePolicies([], null);

  it.each([
    ['github.merge_pr', { pr: 1 }, 'allowed', null],
    ['http.transfer_funds', { amount: 10 }, 'pending_review', 'FinancialSafetyPolicy'],
    ['email.send', { body: 'the SSN list' }, 'blocked', 'DataExfiltrationPolicy'],
    ['s3.upload', { file: 'credentials.json' }, 'blocked', 'DataExfiltrationPolicy'],
    ['email.send', { body: 'hello' }, 'allowed', null],
  ])('built-ins: %s %j → %s', (action, params, status, policy) => {
    const d = decideAction({ action, params }, base);
    expect([d.status, d.triggered_policy]).toEqual([status, policy]);
  });

  it('takes block over require_approval over warn, and lists warnings apart', () => {
    const p = custom({ name: 'mix', rules: [{ match: 'deploy', severity: 'low' }, { match: 'prod', severity: 'high' }, { match: 'friday', severity: 'critical' }] });
    expect(decideAction({ action: 'ci.deploy', params: {} }, [p])).toMatchObject({ status: 'allowed', violations: [], warnings: ['mix: mix rule 1 matched'], risk_score: 0.2 });
    expect(decideAction({ action: 'ci.deploy', params: { env: 'prod' } }, [p])).toMatchObject({ status: 'pending_review', severity: 'high', risk_score: 0.72 });
    const all = decideAction({ action: 'ci.deploy', params: { env: 'prod', day: 'friday' } }, [p]);
    expect(all).toMatchObject({ status: 'blocked', severity: 'critical', triggered_policy: 'mix' });
    expect(all.violations.map((v) => v.rule)).toEqual([1, 2]);
    expect(all.warnings).toHaveLength(1);
  });

  it('needs context_requires to match too', () => {
    const p = custom({ name: 'ctx', rules: [{ match: 'delete', context_requires: '"env":"prod"', severity: 'critical' }] });
    expect(decideAction({ action: 'db.delete', params: { env: 'dev' } }, [p]).status).toBe('allowed');
    expect(decideAction({ action: 'db.delete', params: { env: 'prod' } }, [p]).status).toBe('blocked');
  });

  it('skips a policy when every URL in the action is on a whitelisted domain', () => {
    const p = custom({ name: 'web', rules: [{ match: 'http', severity: 'critical' }], whitelisted_domains: ['example.com'] });
    expect(decideAction({ action: 'http.get', params: { url: 'https://api.example.com/x' } }, [p]).status).toBe('allowed');
    expect(decideAction({ action: 'http.get', params: { url: 'https://example.com.evil.org/x' } }, [p]).status).toBe('blocked');
    expect(decideAction({ action: 'http.get', params: { url: 'https://example.com', other: 'http://evil.org' } }, [p]).status).toBe('blocked');
  });

  it('lets an agent policy override the tenant policy of the same name; built-ins always apply', () => {
    const tenantWide = custom({ name: 'k8s', rules: [{ match: 'kubectl', severity: 'critical' }] });
    const own = custom({ name: 'k8s', agent_id: 'ops', rules: [{ match: 'kubectl', severity: 'low' }] });
    const forOps = effectivePolicies([tenantWide, own], 'ops');
    expect(forOps.map((p) => `${p.name}:${p.agent_id ?? '*'}`)).toEqual(['k8s:ops', 'FinancialSafetyPolicy:*', 'DataExfiltrationPolicy:*']);
    expect(effectivePolicies([tenantWide, own], 'other').map((p) => p.agent_id)).toEqual([null, null, null]);
    expect(effectivePolicies([{ ...tenantWide, enabled: false }], null)).toHaveLength(2);
  });

  it('blocks (fail closed) when the step budget is spent', () => {
    const p = custom({ name: 'heavy', rules: [{ match: '(a|b|c|d)*z', severity: 'low' }] });
    const d = decideAction({ action: 'x', params: { s: 'abcd'.repeat(5000) } }, effectivePolicies([p], null), 10_000);
    expect(d).toMatchObject({ status: 'blocked', triggered_policy: 'heavy', severity: 'high' });
    expect(d.policies_evaluated.map((e) => e.result)).toEqual(['exhausted', 'skipped', 'skipped']);
  });
});

describe('tiers', () => {
  it.each([
    ['free', 'governance_dashboard', false],
    ['starter', 'governance_dashboard', true],
    ['starter', 'agent_scoped_policies', false],
    ['pro', 'agent_scoped_policies', true],
    ['enterprise', 'draft_policies', true],
  ] as const)('%s has %s: %s', (tier, feature, has) => expect(hasFeature(tier, feature)).toBe(has));

  it('refuses with the Novyx codes', () => {
    expect(() => requireFeature('free', 'governance_dashboard')).toThrow(/'governance_dashboard' requires Starter/);
    expect(() => requireWithinLimit('starter', 5)).toThrow(/allows 5 custom policies/);
    expect(() => requireWithinLimit('starter', 4)).not.toThrow();
    expect(() => requireWithinLimit('enterprise', 10_000)).not.toThrow();
  });
});

describe('dashboard parameters', () => {
  it.each([
    [undefined, undefined, '7d', 'day'],
    ['24h', null, '24h', 'hour'],
    ['30d', 'auto', '30d', 'day'],
    ['7d', 'hour', '7d', 'hour'],
  ])('window %s bucket %s → %s/%s', (w, b, window, bucket) => expect(resolveWindow(w, b)).toEqual({ window, bucket }));

  it('aligns the window to whole UTC buckets ending with the current one', () => {
    const now = new Date('2026-04-10T12:34:56.000Z');
    expect(windowBuckets(now, '24h', 'hour')).toMatchObject({ start: new Date('2026-04-09T13:00:00.000Z'), end: new Date('2026-04-10T13:00:00.000Z'), count: 24 });
    expect(windowBuckets(now, '7d', 'day')).toMatchObject({ start: new Date('2026-04-04T00:00:00.000Z'), end: new Date('2026-04-11T00:00:00.000Z'), count: 7 });
    expect(windowBuckets(now, '30d', 'hour').count).toBe(720);
  });

  it.each(['2026-04-01T00:00:00Z', '2026-04-01T00:00:00.123+02:00', '2026-04-01T00:00Z', '2026-04-01T00:00:00-0500'])('accepts %s', (v) =>
    expect(parseIsoParam(v, 'since')).toBeInstanceOf(Date),
  );
  it.each(['yesterday', '2026-04-01', '2026-04-01T00:00:00', '2026-13-01T00:00:00Z', '1712000000'])('refuses %s naming the field', (v) =>
    expect(() => parseIsoParam(v, 'until')).toThrow(/^until must be an ISO 8601/),
  );
});
