/**
 * Cold start to first healthy response, embedded database: the time from
 * spawning `server/main.ts serve` to the first 200 from /api/v1/health, on a
 * fresh data directory (first run: PGlite initialises its cluster, migrations
 * run) and on a warm one (restart). Prints a markdown table.
 *
 *   npm run bench:startup [-- --runs 5]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
const main = path.resolve(import.meta.dirname, '../server/main.ts');

async function timeToHealthy(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const { DATABASE_URL: _omit, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve'], {
    env: { ...env, LEXGATE_DATA_DIR: dataDir, BIND_PORT: '0', LEXGATE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  for (;;) {
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.status === 200 && (await r.json()).db === 'ok') break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const first: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-bench-'));
  try {
    first.push(await timeToHealthy(dir));
    warm.push(await timeToHealthy(dir));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const row = (name: string, xs: number[]) =>
  `| ${name} | ${runs} | ${Math.round(pct(xs, 50))} | ${Math.round(Math.min(...xs))} | ${Math.round(Math.max(...xs))} |`;
console.log(`Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'})\n`);
console.log('| start | runs | median ms | min ms | max ms |\n|---|---|---|---|---|');
console.log(row('first run (empty data dir)', first));
console.log(row('warm data dir (restart)', warm));
