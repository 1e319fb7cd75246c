/**
 * `npm test`: every check in one run — type check, import rules, schema and
 * codegen freshness, the site build, then vitest (unit tables, integration
 * tests on PGlite and a real PostgreSQL, the browser test). Ends with one line
 * `N passed, N failed` counting checks and tests together (a test skipped by
 * a failed `beforeAll` counts as failed; see summary-reporter.ts), preceded
 * by `N skipped`. The old .tmp/test-summary.txt is deleted first.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestCounts } from './summary-reporter';

const root = path.resolve(import.meta.dirname, '..');
const tmp = path.join(root, '.tmp');
fs.mkdirSync(tmp, { recursive: true });
// A summary left by an earlier run must never stand in for this one.
const summaryFile = path.join(tmp, 'test-summary.txt');
fs.rmSync(summaryFile, { force: true });

interface Step {
  name: string;
  cmd: string;
  args: string[];
}

const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const steps: Step[] = [
  { name: 'type check (tsc --noEmit)', cmd: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
  {
    name: 'import rules: db/ imports no module, no cycles (dependency-cruiser)',
    cmd: bin('depcruise'),
    args: ['server', 'scripts', 'bench', 'migrations', 'test', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
  },
  { name: 'schema.graphql is current', cmd: bin('tsx'), args: ['scripts/print-schema.ts', '--check'] },
  { name: 'site/src/gql is current (codegen)', cmd: bin('tsx'), args: ['scripts/codegen-check.ts'] },
  { name: 'site builds (astro build)', cmd: bin('astro'), args: ['build', '--root', 'site', '--silent'] },
  { name: 'site JS per page within 60 kB gzip', cmd: bin('tsx'), args: ['scripts/site-size.ts', '--check'] },
];

let passed = 0;
let failed = 0;
const failures: string[] = [];

for (const step of steps) {
  const t0 = Date.now();
  process.stdout.write(`\n▶ ${step.name}\n`);
  const r = spawnSync(step.cmd, step.args, { cwd: root, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  const ok = r.status === 0;
  process.stdout.write(`${ok ? '✔' : '✘'} ${step.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  if (ok) passed++;
  else {
    failed++;
    failures.push(step.name);
  }
}

const countsFile = path.join(tmp, 'vitest-counts.json');
fs.rmSync(countsFile, { force: true });
process.stdout.write('\n▶ vitest (unit, integration on PGlite and PostgreSQL, browser)\n');
const v = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=./scripts/summary-reporter.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', LEXGATE_TEST_COUNTS: countsFile },
});
let skips: string[] = [];
if (fs.existsSync(countsFile)) {
  const counts = JSON.parse(fs.readFileSync(countsFile, 'utf8')) as TestCounts;
  passed += counts.passed;
  failed += counts.failed;
  failures.push(...counts.failures);
  skips = counts.skips;
} else {
  failed++;
  failures.push(`vitest produced no counts (exit ${v.status})`);
}
if (v.status !== 0 && failed === 0) {
  failed++;
  failures.push(`vitest exited with ${v.status}`);
}

// The closing line stays `N passed, N failed` alone on the last line; the
// skipped count sits on the line just above it (in the summary file too).
const summary = `${passed} passed, ${failed} failed`;
const skipLine = `${skips.length} skipped`;
fs.writeFileSync(summaryFile, `${skipLine}\n${summary}\n`);
const list = (xs: string[]) => [...xs.slice(0, 100).map((x) => `  - ${x}`), ...(xs.length > 100 ? [`  … and ${xs.length - 100} more`] : [])].join('\n');
if (skips.length > 0) process.stdout.write(`\nSkipped:\n${list(skips)}\n`);
if (failures.length > 0) process.stdout.write(`\nFailures:\n${list(failures)}\n`);
process.stdout.write(`\n${skipLine}\n${summary}\n`);
process.exit(failed > 0 ? 1 : 0);
