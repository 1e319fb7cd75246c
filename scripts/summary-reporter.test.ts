import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestCounts } from './summary-reporter';

const root = path.resolve(import.meta.dirname, '..');

describe('summary reporter', () => {
  it('counts every test a failed beforeAll skipped as failed, and names skips apart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-counts-'));
    const out = path.join(dir, 'counts.json');
    try {
      const r = spawnSync(
        path.join(root, 'node_modules', '.bin', 'vitest'),
        ['run', '--root', 'scripts/fixtures/reporter', '--reporter', path.join(root, 'scripts/summary-reporter.ts')],
        { cwd: root, encoding: 'utf8', env: { ...process.env, LEXGATE_TEST_COUNTS: out } },
      );
      expect(r.status).toBe(1);
      const c = JSON.parse(fs.readFileSync(out, 'utf8')) as TestCounts;
      expect(c.passed).toBe(2);
      // 3 skipped by the failed beforeAll + 1 failed assertion + the afterAll + the file that did not load.
      expect(c.failed).toBe(6);
      expect(c.failures).toHaveLength(6);
      expect(c.failures.filter((f) => f.includes('suite "setup fails" failed: no database'))).toHaveLength(3);
      expect(c.failures.some((f) => f.endsWith('mixed > fails: expected 1 to be 2 // Object.is equality'))).toBe(true);
      expect(c.failures.some((f) => f.includes('teardown fails failed: teardown broke'))).toBe(true);
      expect(c.failures.some((f) => f.startsWith('load-error.check.ts failed:'))).toBe(true);
      expect(c.skipped).toBe(2);
      expect(c.skips.sort()).toEqual(['hooks.check.ts > mixed > skipped at run time (no chromium)', 'hooks.check.ts > mixed > skipped on purpose']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
