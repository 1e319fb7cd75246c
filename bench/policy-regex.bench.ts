/**
 * Policy evaluation time for a pathological rule: `(a+)+$` (catastrophic for a
 * backtracking engine) plus the two built-ins, on a 50 kB action, through the
 * pure decision function the service calls. Reports cold (first call in the
 * process, before the JIT has optimised the matcher) and warm p50/p95.
 *
 *   npm run bench:policy-regex [-- --runs 50] [-- --kb 50]
 */
import { decideAction, effectivePolicies, parsePolicyDocument } from '../server/modules/governance/policy/action-policy';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('--runs', '50'));
const kb = Number(arg('--kb', '50'));
const doc = parsePolicyDocument({ name: 'redos', rules: [{ match: '(a+)+$', severity: 'critical' }] });
const policies = effectivePolicies([{ ...doc, source: 'custom', version: 1 }], null);
const input = { action: 'file.write', params: { blob: `${'a'.repeat(kb * 1000)}!` } };

const once = () => {
  const t0 = performance.now();
  const d = decideAction(input, policies);
  return { ms: performance.now() - t0, steps: d.steps, status: d.status };
};
const cold = once();
const warm = Array.from({ length: runs }, () => once().ms).sort((a, b) => a - b);
const pct = (p: number) => warm[Math.min(warm.length - 1, Math.floor((p / 100) * warm.length))].toFixed(1);
console.log(`| \`(a+)+$\` + built-ins | ${kb} kB | ${cold.steps.toLocaleString('en')} | ${cold.ms.toFixed(1)} | ${runs} | ${pct(50)} | ${pct(95)} | ${cold.status} |`);
