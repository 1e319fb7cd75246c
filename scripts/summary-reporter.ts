/**
 * A vitest reporter that counts what `npm test` reports, honestly:
 * - a test skipped because a `beforeAll` (or the file itself) failed counts as
 *   a FAILED test — every one of them, not one for the file;
 * - a failed hook that skipped no test (`afterAll`) or a file that failed to
 *   load counts as one failure;
 * - an unhandled error counts as one failure;
 * - tests skipped on purpose (`skip`, `skipIf`, `todo`, `ctx.skip()`) are
 *   counted and named as skipped, never as passed.
 * It writes `{ passed, failed, skipped, failures, skips }` as JSON to the path
 * in LEXGATE_TEST_COUNTS (default `.tmp/vitest-counts.json`).
 *
 * Written here rather than read off vitest's JSON reporter because that one
 * reports a test skipped by a failed hook exactly like a test skipped on
 * purpose (status "skipped"), and names no failed hook.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, SerializedError, TestCase, TestModule, TestSuite } from 'vitest/node';

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** One line per failed test, failed hook or unhandled error. */
  failures: string[];
  /** One line per skipped test. */
  skips: string[];
}

function firstLine(errors: ReadonlyArray<{ message?: string }> | undefined): string {
  return errors?.[0]?.message?.split('\n')[0] ?? 'no message';
}

/** The nearest enclosing suite or module whose own run failed (a hook or collection error). */
function failedAncestor(t: TestCase): TestSuite | TestModule | null {
  let p: TestSuite | TestModule = t.parent;
  for (;;) {
    if (p.errors().length > 0) return p;
    if (p.type === 'module') return null;
    p = p.parent;
  }
}

/** Pure counting over finished modules; exported for the reporter's own test. */
export function countResults(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): TestCounts {
  const c: TestCounts = { passed: 0, failed: 0, skipped: 0, failures: [], skips: [] };
  for (const m of modules) {
    let tests = 0;
    const blamed = new Set<TestSuite | TestModule>();
    for (const t of m.children.allTests()) {
      tests++;
      const r = t.result();
      const where = `${m.relativeModuleId} > ${t.fullName}`;
      if (r.state === 'passed') {
        c.passed++;
      } else if (r.state === 'failed') {
        c.failed++;
        c.failures.push(`${where}: ${firstLine(r.errors)}`);
      } else {
        // Skipped or never finished. A test meant to run that did not, under a
        // suite whose hook failed, is a failure; so is one left pending.
        const broken = failedAncestor(t);
        const meant = t.options.mode === 'run' || t.options.mode === 'only';
        if (r.state === 'pending' || (meant && broken && r.state === 'skipped' && r.note === undefined)) {
          c.failed++;
          if (broken) blamed.add(broken);
          const why = broken ? `not run, ${broken.type === 'module' ? 'file' : `suite "${broken.name}"`} failed: ${firstLine(broken.errors())}` : 'did not finish';
          c.failures.push(`${where}: ${why}`);
        } else {
          c.skipped++;
          c.skips.push(`${where}${r.note ? ` (${r.note})` : ''}`);
        }
      }
    }
    // A hook error that skipped nothing (an `afterAll`, or a file with no
    // tests that failed to load) is still one failure.
    for (const s of [m, ...m.children.allSuites()]) {
      if (s.errors().length > 0 && !blamed.has(s)) {
        c.failed++;
        c.failures.push(`${m.relativeModuleId}${s.type === 'suite' ? ` > ${s.fullName}` : ''} failed: ${firstLine(s.errors())}`);
      }
    }
    if (tests === 0 && m.errors().length === 0 && m.state() === 'failed') {
      c.failed++;
      c.failures.push(`${m.relativeModuleId} did not run`);
    }
  }
  for (const e of unhandled) {
    c.failed++;
    c.failures.push(`unhandled error: ${firstLine([e])}`);
  }
  return c;
}

export default class SummaryReporter implements Reporter {
  private root = process.cwd();

  onInit(ctx: { config: { root: string } }) {
    this.root = ctx.config.root;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>) {
    const out = path.resolve(this.root, process.env.LEXGATE_TEST_COUNTS ?? '.tmp/vitest-counts.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(countResults(modules, unhandled), null, 2) + '\n');
  }
}
