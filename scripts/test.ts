/**
 * `npm test`: every check in one run — type check, import rules, schema and
 * codegen freshness, the site build, then vitest (unit tables, integration
 * tests on PGlite and a real PostgreSQL, the browser test). Ends with one line
 * `N passed, N failed` counting checks and tests together.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const tmp = path.join(root, '.tmp');
fs.mkdirSync(tmp, { recursive: true });

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

const report = path.join(tmp, 'vitest-report.json');
fs.rmSync(report, { force: true });
process.stdout.write('\n▶ vitest (unit, integration on PGlite and PostgreSQL, browser)\n');
const v = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
});
if (fs.existsSync(report)) {
  const j = JSON.parse(fs.readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numTotalTests: number;
    testResults: { name: string; status: string; message?: string; assertionResults: unknown[] }[];
  };
  passed += j.numPassedTests;
  failed += j.numFailedTests;
  // A test file that failed to load has no tests to count: count it as a failure.
  for (const f of j.testResults) {
    if (f.status === 'failed' && f.assertionResults.length === 0) {
      failed++;
      failures.push(`${path.relative(root, f.name)} did not run: ${f.message?.split('\n')[0] ?? 'load error'}`);
    }
  }
  if (j.numFailedTests > 0) failures.push(`${j.numFailedTests} vitest test(s)`);
} else {
  failed++;
  failures.push(`vitest produced no report (exit ${v.status})`);
}
if (v.status !== 0 && failed === 0) {
  failed++;
  failures.push(`vitest exited with ${v.status}`);
}

const summary = `${passed} passed, ${failed} failed`;
fs.writeFileSync(path.join(tmp, 'test-summary.txt'), summary + '\n');
if (failures.length > 0) process.stdout.write(`\nFailures:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
process.stdout.write(`\n${summary}\n`);
process.exit(failed > 0 ? 1 : 0);
