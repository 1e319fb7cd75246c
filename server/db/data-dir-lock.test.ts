import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from './data-dir-lock';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-lock-'));
  dirs.push(d);
  return path.join(d, 'data');
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('lockDataDir', () => {
  it('creates the directory, refuses a second holder naming the first, and releases', () => {
    const dir = tmp();
    const lock = lockDataDir(dir);
    expect(fs.existsSync(path.join(dir, 'lexgate.lock'))).toBe(true);
    let err: unknown;
    try {
      lockDataDir(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).holder.pid).toBe(process.pid);
    expect((err as Error).message).toContain(`in use by process ${process.pid} on ${os.hostname()}`);
    lock.release();
    expect(fs.existsSync(path.join(dir, 'lexgate.lock'))).toBe(false);
    lockDataDir(dir).release();
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = tmp();
    fs.mkdirSync(dir, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    fs.writeFileSync(path.join(dir, 'lexgate.lock'), JSON.stringify({ pid: deadPid, host: os.hostname(), startedAt: 'x', command: 'old' }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'lexgate.lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('treats a half-written lock file as stale', () => {
    const dir = tmp();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'lexgate.lock'), '{"pid": 12');
    lockDataDir(dir).release();
  });
});
