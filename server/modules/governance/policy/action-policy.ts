/**
 * Novyx-style action policies, pure: validating a policy document, the
 * built-ins, and deciding an action against the effective policy set.
 *
 * Rules: `match` (regex, case-insensitive, anywhere in the JSON of
 * `{action, params}`), optional `context_requires` (a second regex that must
 * also match), `severity`, `on_violation` (defaults from the severity:
 * critical → block, high → require_approval, medium/low → warn). Precedence
 * when several rules fire: block > require_approval > warn. Regexes run on the
 * linear-time matcher under a per-action step budget; a spent budget blocks
 * (fail closed) rather than letting the action through unexamined.
 */
import { RegexSyntaxError, SafeRegex, type MatchBudget } from './safe-regex';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ON_VIOLATION = ['block', 'require_approval', 'warn'] as const;
export type OnViolation = (typeof ON_VIOLATION)[number];
export const STEP_TYPES = ['THOUGHT', 'ACTION', 'OBSERVATION', 'OUTPUT', 'ERROR', 'POLICY_CHECK'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const DEFAULT_ON_VIOLATION: Record<Severity, OnViolation> = {
  critical: 'block',
  high: 'require_approval',
  medium: 'warn',
  low: 'warn',
};

/** Risk contributed by the worst rule that fired; a few more fired rules add a little. */
const SEVERITY_RISK: Record<Severity, number> = { critical: 0.9, high: 0.7, medium: 0.4, low: 0.2 };

export interface PolicyRule {
  match: string;
  context_requires: string | null;
  severity: Severity;
  on_violation: OnViolation;
  description: string | null;
}

/** A policy as stored (custom) or built in. */
export interface PolicyDocument {
  name: string;
  description: string | null;
  rules: PolicyRule[];
  step_types: StepType[];
  whitelisted_domains: string[];
  enabled: boolean;
  agent_id: string | null;
}

export interface EffectivePolicy extends PolicyDocument {
  source: 'builtin' | 'custom';
  version: number;
}

/** A refused policy document: `field` names where (e.g. `rules[2].match`). */
export class PolicyInvalid extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'PolicyInvalid';
  }
}

export const POLICY_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;
export const AGENT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;
const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const MAX_RULES = 50;
const MAX_DESCRIPTION = 1000;
const MAX_DOMAINS = 100;

export const BUILTIN_POLICIES: readonly EffectivePolicy[] = Object.freeze([
  {
    name: 'FinancialSafetyPolicy',
    description: 'Money movement (transfers, payments, invoices, withdrawals, refunds) needs a human approval.',
    rules: [
      {
        match: 'transfer|payment|invoice|withdraw|refund|payout',
        context_requires: null,
        severity: 'high',
        on_violation: 'require_approval',
        description: 'Financial operation',
      },
    ],
    step_types: ['ACTION'],
    whitelisted_domains: [],
    enabled: true,
    agent_id: null,
    source: 'builtin',
    version: 1,
  },
  {
    name: 'DataExfiltrationPolicy',
    description: 'Exporting, uploading or sending personal data or secrets is blocked.',
    rules: [
      {
        match: '(export|upload|send|exfiltrat).*(pii|ssn|social.security|secret|credential|password|api.?key|private.?key)',
        context_requires: null,
        severity: 'critical',
        on_violation: 'block',
        description: 'Sensitive data leaving the organisation',
      },
    ],
    step_types: ['ACTION'],
    whitelisted_domains: [],
    enabled: true,
    agent_id: null,
    source: 'builtin',
    version: 1,
  },
] satisfies EffectivePolicy[]);

/** The built-in a name refers to (`FinancialSafety` or `FinancialSafetyPolicy`, any case), if any. */
export function builtinNamed(name: string): EffectivePolicy | null {
  const n = name.toLowerCase();
  return BUILTIN_POLICIES.find((p) => p.name.toLowerCase() === n || p.name.toLowerCase() === `${n}policy`) ?? null;
}

function str(v: unknown, field: string, opts: { required?: boolean; max: number }): string | null {
  if (v === undefined || v === null) {
    if (opts.required) throw new PolicyInvalid(`${field} is required`, field);
    return null;
  }
  if (typeof v !== 'string') throw new PolicyInvalid(`${field} must be a string`, field);
  if (opts.required && v.trim() === '') throw new PolicyInvalid(`${field} must not be empty`, field);
  if (v.length > opts.max) throw new PolicyInvalid(`${field} is longer than ${opts.max} characters`, field);
  if (v.includes('\u0000')) throw new PolicyInvalid(`${field} must not contain NUL characters`, field);
  return v;
}

function regex(v: unknown, field: string, required: boolean): string | null {
  const s = str(v, field, { required, max: 1000 });
  if (s === null) return null;
  try {
    SafeRegex.compile(s);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw new PolicyInvalid(`${field}: invalid regex: ${e.message}`, field);
    throw e;
  }
  return s;
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v.toLowerCase())) {
    throw new PolicyInvalid(`${field} must be one of ${values.join(', ')}${typeof v === 'string' ? ` (got "${v}")` : ''}`, field);
  }
  return v.toLowerCase() as T;
}

const RULE_KEYS = new Set(['match', 'context_requires', 'severity', 'on_violation', 'description', 'name']);
const POLICY_KEYS = new Set(['name', 'description', 'rules', 'step_types', 'whitelisted_domains', 'enabled', 'agent_id', 'version']);

/**
 * Validate a policy body (POST/PUT `/v1/control/policies`). `nameFromPath` wins
 * over (and must agree with) a `name` in the body.
 * @throws PolicyInvalid naming the field and the problem
 */
export function parsePolicyDocument(body: unknown, nameFromPath: string | null = null): PolicyDocument {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PolicyInvalid('the policy must be a JSON object', 'body');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !POLICY_KEYS.has(k));
  if (unknown.length > 0) throw new PolicyInvalid(`unknown field(s): ${unknown.join(', ')}`, unknown[0]);
  let name = nameFromPath ?? str(b.name, 'name', { required: true, max: 64 })!;
  if (nameFromPath !== null && b.name !== undefined && b.name !== nameFromPath) {
    throw new PolicyInvalid(`name "${String(b.name)}" in the body does not match "${nameFromPath}" in the path`, 'name');
  }
  name = name.trim();
  if (!POLICY_NAME_RE.test(name)) throw new PolicyInvalid('name must be 1-64 characters of A-Z, a-z, 0-9, _ and -', 'name');
  if (builtinNamed(name)) throw new PolicyInvalid(`"${name}" is a built-in policy; built-ins cannot be overridden`, 'name');
  const description = str(b.description, 'description', { max: MAX_DESCRIPTION });
  if (!Array.isArray(b.rules)) throw new PolicyInvalid(b.rules === undefined ? 'rules is required' : 'rules must be a list', 'rules');
  if (b.rules.length === 0) throw new PolicyInvalid('rules must not be empty', 'rules');
  if (b.rules.length > MAX_RULES) throw new PolicyInvalid(`rules has more than ${MAX_RULES} entries`, 'rules');
  const rules = b.rules.map((r, i): PolicyRule => {
    const at = `rules[${i}]`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new PolicyInvalid(`${at} must be an object`, at);
    const rr = r as Record<string, unknown>;
    const extra = Object.keys(rr).filter((k) => !RULE_KEYS.has(k));
    if (extra.length > 0) throw new PolicyInvalid(`${at}: unknown field(s): ${extra.join(', ')}`, `${at}.${extra[0]}`);
    const severity = rr.severity === undefined || rr.severity === null ? 'medium' : oneOf(rr.severity, `${at}.severity`, SEVERITIES);
    const onViolation =
      rr.on_violation === undefined || rr.on_violation === null
        ? DEFAULT_ON_VIOLATION[severity]
        : oneOf(rr.on_violation, `${at}.on_violation`, ON_VIOLATION);
    return {
      match: regex(rr.match, `${at}.match`, true)!,
      context_requires: regex(rr.context_requires, `${at}.context_requires`, false),
      severity,
      on_violation: onViolation,
      description: str(rr.description ?? rr.name, `${at}.description`, { max: MAX_DESCRIPTION }),
    };
  });
  let stepTypes: StepType[] = ['ACTION'];
  if (b.step_types !== undefined && b.step_types !== null) {
    if (!Array.isArray(b.step_types) || b.step_types.length === 0) throw new PolicyInvalid('step_types must be a non-empty list', 'step_types');
    stepTypes = [
      ...new Set(
        b.step_types.map((s, i) => {
          if (typeof s !== 'string' || !(STEP_TYPES as readonly string[]).includes(s.toUpperCase())) {
            throw new PolicyInvalid(`step_types[${i}] must be one of ${STEP_TYPES.map((x) => x.toLowerCase()).join(', ')}`, `step_types[${i}]`);
          }
          return s.toUpperCase() as StepType;
        }),
      ),
    ];
  }
  let domains: string[] = [];
  if (b.whitelisted_domains !== undefined && b.whitelisted_domains !== null) {
    if (!Array.isArray(b.whitelisted_domains)) throw new PolicyInvalid('whitelisted_domains must be a list', 'whitelisted_domains');
    if (b.whitelisted_domains.length > MAX_DOMAINS) throw new PolicyInvalid(`whitelisted_domains has more than ${MAX_DOMAINS} entries`, 'whitelisted_domains');
    domains = b.whitelisted_domains.map((d, i) => {
      const v = typeof d === 'string' ? d.trim().toLowerCase() : '';
      if (!DOMAIN_RE.test(v)) throw new PolicyInvalid(`whitelisted_domains[${i}] is not a domain name`, `whitelisted_domains[${i}]`);
      return v;
    });
  }
  if (b.enabled !== undefined && typeof b.enabled !== 'boolean') throw new PolicyInvalid('enabled must be true or false', 'enabled');
  const agentId = parseAgentId(b.agent_id, 'agent_id');
  return {
    name,
    description,
    rules,
    step_types: stepTypes,
    whitelisted_domains: domains,
    enabled: b.enabled === undefined ? true : b.enabled,
    agent_id: agentId,
  };
}

/** An optional agent id: trimmed, blank → null, else 1-200 characters of a safe charset. */
export function parseAgentId(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new PolicyInvalid(`${field} must be a string`, field);
  const t = v.trim();
  if (t === '') return null;
  if (!AGENT_ID_RE.test(t)) throw new PolicyInvalid(`${field} must be 1-200 characters of letters, digits and . _ : @ / -, starting with a letter or digit`, field);
  return t;
}

// --- evaluation ---

export interface ActionInput {
  action: string;
  params: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  rule: number;
  severity: Severity;
  on_violation: OnViolation;
  message: string;
}

export interface PolicyEvaluated {
  name: string;
  source: 'builtin' | 'custom';
  version: number;
  agent_id: string | null;
  /** `passed`, `violated`, `warned`, `skipped` (whitelisted domain) or `exhausted` (budget spent). */
  result: 'passed' | 'violated' | 'warned' | 'skipped' | 'exhausted';
  rules_fired: number[];
}

export type ActionStatus = 'allowed' | 'blocked' | 'pending_review';

export interface ActionDecision {
  status: ActionStatus;
  triggered_policy: string | null;
  severity: Severity | null;
  reason: string;
  risk_score: number;
  violations: Violation[];
  warnings: string[];
  policies_evaluated: PolicyEvaluated[];
  /** Matcher steps spent (for the budget and for benchmarks). */
  steps: number;
}

/** Matcher steps one action may spend across all its rules (≈ tens of milliseconds). */
export const DEFAULT_STEP_BUDGET = 20_000_000;

const compiled = new Map<string, SafeRegex>();
function compileCached(pattern: string): SafeRegex {
  let re = compiled.get(pattern);
  if (!re) {
    re = SafeRegex.compile(pattern);
    if (compiled.size > 5000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

const HOST_RE = /\bhttps?:\/\/([a-z0-9.-]+)/gi;

function hostsIn(text: string): string[] {
  return [...text.matchAll(HOST_RE)].map((m) => m[1].toLowerCase().replace(/\.$/, ''));
}

function whitelisted(hosts: string[], domains: string[]): boolean {
  if (hosts.length === 0 || domains.length === 0) return false;
  return hosts.every((h) => domains.some((d) => h === d || h.endsWith(`.${d}`)));
}

const RANK: Record<OnViolation, number> = { block: 3, require_approval: 2, warn: 1 };
const SEV_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/**
 * The effective set for an agent: its own policies, then tenant-wide ones whose
 * names it does not override, then the built-ins (which nothing overrides).
 */
export function effectivePolicies(custom: EffectivePolicy[], agentId: string | null): EffectivePolicy[] {
  const own = custom.filter((p) => p.enabled && agentId !== null && p.agent_id === agentId);
  const ownNames = new Set(own.map((p) => p.name));
  const tenant = custom.filter((p) => p.enabled && p.agent_id === null && !ownNames.has(p.name));
  return [...own, ...tenant, ...BUILTIN_POLICIES];
}

/** The text rules are matched against: the JSON of `{action, params}` (as Novyx does). */
export function actionText(input: ActionInput): string {
  return JSON.stringify({ action: input.action, params: input.params });
}

/** Decide an action against policies (pure; no clock, no I/O). */
export function decideAction(input: ActionInput, policies: EffectivePolicy[], stepBudget = DEFAULT_STEP_BUDGET): ActionDecision {
  const text = actionText(input);
  const cps = SafeRegex.codePoints(text);
  const hosts = hostsIn(text);
  const budget: MatchBudget = { steps: 0, limit: stepBudget };
  const violations: Violation[] = [];
  const warnings: Violation[] = [];
  const evaluated: PolicyEvaluated[] = [];
  let exhaustedBy: EffectivePolicy | null = null;
  for (const p of policies) {
    const entry: PolicyEvaluated = { name: p.name, source: p.source, version: p.version, agent_id: p.agent_id, result: 'passed', rules_fired: [] };
    evaluated.push(entry);
    if (exhaustedBy) {
      entry.result = 'skipped';
      continue;
    }
    if (whitelisted(hosts, p.whitelisted_domains)) {
      entry.result = 'skipped';
      continue;
    }
    for (let i = 0; i < p.rules.length; i++) {
      const rule = p.rules[i];
      let hit = compileCached(rule.match).testCodePoints(cps, budget);
      if (hit === true && rule.context_requires) hit = compileCached(rule.context_requires).testCodePoints(cps, budget);
      if (hit === 'exhausted') {
        exhaustedBy = p;
        entry.result = 'exhausted';
        break;
      }
      if (!hit) continue;
      entry.rules_fired.push(i);
      const v: Violation = {
        policy: p.name,
        rule: i,
        severity: rule.severity,
        on_violation: rule.on_violation,
        message: rule.description ?? `${p.name} rule ${i + 1} matched`,
      };
      if (rule.on_violation === 'warn') warnings.push(v);
      else violations.push(v);
    }
    if (entry.result === 'passed' && entry.rules_fired.length > 0) {
      entry.result = entry.rules_fired.some((i) => p.rules[i].on_violation !== 'warn') ? 'violated' : 'warned';
    }
  }
  if (exhaustedBy) {
    const message = `Policy evaluation exceeded its budget in ${exhaustedBy.name}; the action is blocked (fail closed).`;
    violations.unshift({ policy: exhaustedBy.name, rule: -1, severity: 'high', on_violation: 'block', message });
  }
  const warningTexts = warnings.map((w) => `${w.policy}: ${w.message}`);
  const fired = [...violations, ...warnings];
  const risk =
    fired.length === 0
      ? 0
      : Math.min(1, Math.max(...fired.map((v) => SEVERITY_RISK[v.severity])) + 0.02 * (fired.length - 1));
  const riskScore = Math.round(risk * 100) / 100;
  if (violations.length === 0) {
    return {
      status: 'allowed',
      triggered_policy: warnings[0]?.policy ?? null,
      severity: warnings.length > 0 ? worstSeverity(warnings) : null,
      reason: warnings.length > 0 ? `Allowed with ${warnings.length} warning(s): ${warningTexts.join('; ')}` : 'No policy objected.',
      risk_score: riskScore,
      violations: [],
      warnings: warningTexts,
      policies_evaluated: evaluated,
      steps: budget.steps,
    };
  }
  // The deciding violation: strongest outcome, then worst severity, then first evaluated.
  const decisive = [...violations].sort((a, b) => RANK[b.on_violation] - RANK[a.on_violation] || SEV_RANK[b.severity] - SEV_RANK[a.severity])[0];
  const status: ActionStatus = decisive.on_violation === 'block' ? 'blocked' : 'pending_review';
  return {
    status,
    triggered_policy: decisive.policy,
    severity: decisive.severity,
    reason: decisive.message,
    risk_score: riskScore,
    violations,
    warnings: warningTexts,
    policies_evaluated: evaluated,
    steps: budget.steps,
  };
}

function worstSeverity(vs: Violation[]): Severity {
  return vs.reduce<Severity>((w, v) => (SEV_RANK[v.severity] > SEV_RANK[w] ? v.severity : w), 'low');
}
