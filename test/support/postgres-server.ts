/**
 * A throw-away real PostgreSQL server for tests: the system's initdb/pg_ctl,
 * a cluster in a temp directory, listening on a random loopback port (another one
 * when that port was taken before the server bound it). As root
 * the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PgServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** The cluster's data directory (its postmaster.pid names the server process). */
  dataDir: string;
  stop(): void;
}

function findBinDir(): string | null {
  const candidates: string[] = [];
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) candidates.push(path.dirname(fs.realpathSync(which.stdout.trim())));
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    for (const v of fs.readdirSync(base).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(base, v, 'bin'));
  }
  return candidates.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Why a real server cannot be started here, or null when it can. */
export function postgresUnavailableReason(): string | null {
  return findBinDir() ? null : 'no PostgreSQL server binaries (initdb, pg_ctl) found; install the `postgresql` package';
}

/**
 * Start a server. Tests run it without durability (fsync off: faster, and a
 * crash only loses a throw-away cluster); benchmarks pass `durable: true` to
 * measure what a real deployment does.
 */
export async function startPostgres(opts: { durable?: boolean; settings?: string[] } = {}): Promise<PgServer> {
  const bin = findBinDir();
  if (!bin) throw new Error(postgresUnavailableReason()!);
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-pg-'));
  const data = path.join(dir, 'data');
  const sock = dir;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd);
    const res = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8', cwd: dir })
      : spawnSync(full, args, { encoding: 'utf8', cwd: dir });
    if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr || res.stdout}`);
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // The port is free when picked but may be taken before the server binds it (another
  // process picking at the same time): PostgreSQL then refuses to start, saying so in its
  // log, and a new port is tried. Any other failure to start is thrown as it is.
  const log = path.join(dir, 'server.log');
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const serverOptions = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${port}`,
      `-c unix_socket_directories=${sock}`,
      ...(opts.durable ? [] : [`-c fsync=off`, `-c synchronous_commit=off`, `-c full_page_writes=off`]),
      `-c max_connections=200`,
      ...(opts.settings ?? []).map((s) => `-c ${s}`),
    ].join(' ');
    fs.rmSync(log, { force: true });
    try {
      run('pg_ctl', ['-D', data, '-o', serverOptions, '-l', log, '-w', '-t', '60', 'start']);
      break;
    } catch (e) {
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      if (attempt >= 10 || !/could not bind|Address already in use/i.test(text)) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`${(e as Error).message}\n${text}`);
      }
    }
  }
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    dataDir: data,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
