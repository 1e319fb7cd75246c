/**
 * Atomic file replacement: write a temporary sibling, flush it to disk, then rename it over the
 * target. A crash at any point leaves either the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AtomicWriteHooks {
  /** Called after the temporary file is written and synced, before the rename (tests inject crashes here). */
  beforeRename?: (tempPath: string) => void;
}

export function writeFileAtomic(target: string, text: string, hooks: AtomicWriteHooks = {}): void {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    mode = fs.statSync(target).mode & 0o777;
  } catch {
    mode = undefined;
  }
  const fd = fs.openSync(temp, 'wx', mode ?? 0o644);
  let renamed = false;
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    hooks.beforeRename?.(temp);
    fs.renameSync(temp, target);
    renamed = true;
    try {
      // Persist the directory entry too (not supported everywhere; best effort).
      const dfd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    } catch {
      /* directories cannot be fsynced on every platform */
    }
  } finally {
    if (!renamed) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
      fs.rmSync(temp, { force: true });
    }
  }
}
