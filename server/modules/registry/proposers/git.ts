/** The system `git` binary, run without a shell and without prompts. */
import { execFile, spawnSync } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `git -C cwd ...args`; never throws for a non-zero exit (the caller reads `code`). */
export function git(cwd: string, args: string[], identity?: { name: string; email: string }): Promise<GitResult> {
  const config = identity
    ? ['-c', `user.name=${identity.name}`, '-c', `user.email=${identity.email}`, '-c', 'commit.gpgsign=false']
    : [];
  return new Promise((resolve) => {
    execFile('git', [...config, '-C', cwd, ...args], { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && code === 127 ? err.message : '')) });
    });
  });
}

/** The top of the git work tree containing `dir`, or null (not a work tree, or no git binary). */
export function gitTopLevel(dir: string): string | null {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0 || !r.stdout) return null;
  return r.stdout.trim() || null;
}
