/**
 * `lexgate check-config`: what an operator should know before starting —
 * rows of OK / WARN / FAIL. Exit status 1 only when a row FAILs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, isLoopbackHost, loadConfig, type Config } from '../../config';
import { DataDirLockedError } from '../../db/data-dir-lock';
import { openDatabase } from '../../database';
import { selectBackend } from '../registry/proposers/select-proposer';

export type CheckLevel = 'OK' | 'WARN' | 'FAIL';
export interface CheckRow {
  level: CheckLevel;
  check: string;
  detail: string;
}

function writableDir(dir: string): { ok: boolean; detail: string } {
  let probe = dir;
  while (!fs.existsSync(probe)) {
    const parent = path.dirname(probe);
    if (parent === probe) return { ok: false, detail: `no existing parent of ${dir}` };
    probe = parent;
  }
  try {
    fs.accessSync(probe, fs.constants.W_OK);
    return { ok: true, detail: probe === dir ? `${dir} is writable` : `${dir} will be created (in ${probe})` };
  } catch {
    return { ok: false, detail: `${probe} is not writable` };
  }
}

export async function checkConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  let config: Config;
  try {
    config = loadConfig(env, cwd);
    rows.push({ level: 'OK', check: 'environment', detail: 'every variable parsed' });
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems) rows.push({ level: 'FAIL', check: 'environment', detail: p });
      return rows;
    }
    throw e;
  }

  const dd = writableDir(config.dataDir);
  rows.push({ level: dd.ok ? 'OK' : 'FAIL', check: 'data directory', detail: dd.detail });

  if (config.database.kind === 'postgres') {
    const safeUrl = config.database.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    try {
      const db = await openDatabase({ kind: 'postgres', url: config.database.url, poolMax: 1 });
      try {
        const ok = await db.ping(5000);
        rows.push({ level: ok ? 'OK' : 'FAIL', check: 'database', detail: `${safeUrl} ${ok ? 'answers' : 'does not answer'}` });
      } finally {
        await db.close();
      }
    } catch (e) {
      rows.push({ level: 'FAIL', check: 'database', detail: `${safeUrl}: ${(e as Error).message}` });
    }
  } else if (dd.ok) {
    try {
      const db = await openDatabase(config.database);
      try {
        const ok = await db.ping(5000);
        rows.push({ level: ok ? 'OK' : 'FAIL', check: 'database', detail: `embedded PostgreSQL (PGlite) in ${config.database.dir}` });
      } finally {
        await db.close();
      }
    } catch (e) {
      if (e instanceof DataDirLockedError) {
        rows.push({ level: 'WARN', check: 'database', detail: `embedded database is in use: ${e.message}` });
      } else {
        rows.push({ level: 'FAIL', check: 'database', detail: `embedded database: ${(e as Error).message}` });
      }
    }
  }

  if (config.registry.path) {
    try {
      fs.accessSync(config.registry.path, fs.constants.R_OK);
      rows.push({ level: 'OK', check: 'registry file', detail: `${config.registry.path} is readable` });
    } catch {
      const parent = writableDir(path.dirname(config.registry.path));
      rows.push({
        level: fs.existsSync(config.registry.path) ? 'FAIL' : parent.ok ? 'WARN' : 'FAIL',
        check: 'registry file',
        detail: fs.existsSync(config.registry.path)
          ? `${config.registry.path} is not readable`
          : `${config.registry.path} does not exist${parent.ok ? '' : ` and ${parent.detail}`}`,
      });
    }
  } else {
    rows.push({
      level: 'OK',
      check: 'registry file',
      detail: `REGISTRY_PATH unset: a starter registry is written to ${path.join(config.dataDir, 'registry.yml')} and used`,
    });
  }
  const backend = selectBackend(config, config.registry.path ?? path.join(config.dataDir, 'registry.yml'));
  rows.push({
    level: backend === 'log_only' && !config.registry.proposer ? 'WARN' : 'OK',
    check: 'registry proposer',
    detail:
      `${backend} (${config.registry.proposer ? 'REGISTRY_PROPOSER' : 'auto-detected'})` +
      (backend === 'log_only' ? ': proposals and approvals are only logged, nothing is written' : ''),
  });
  rows.push({
    level: 'OK',
    check: 'registry webhook',
    detail: config.registry.webhookSecret ? 'enabled (REGISTRY_WEBHOOK_SECRET set)' : 'disabled: POST /api/v1/registry/webhook answers 503 until REGISTRY_WEBHOOK_SECRET is set',
  });

  const loop = isLoopbackHost(config.bindHost);
  if (loop) rows.push({ level: 'OK', check: 'bind address', detail: `${config.bindHost}:${config.bindPort} (this machine only)` });
  else if (config.auth.enabled) rows.push({ level: 'OK', check: 'bind address', detail: `${config.bindHost}:${config.bindPort} with authentication on` });
  else {
    rows.push({
      level: 'WARN',
      check: 'bind address',
      detail: `${config.bindHost}:${config.bindPort} is reachable from other machines and AUTH_ENABLED is false: anyone who can reach it can act as an administrator`,
    });
  }

  const upstreams: [string, string | null, string][] = [
    ['OSV_API_URL', config.upstream.osvQueryUrl, 'vulnerability checks answer degraded'],
    ['PYPI_API_URL', config.upstream.pypiApiUrl, 'PyPI license and version lookups answer degraded'],
    ['NPM_REGISTRY_URL', config.upstream.npmRegistryUrl, 'npm license and version lookups answer degraded'],
  ];
  for (const [name, value, consequence] of upstreams) {
    rows.push(value ? { level: 'OK', check: name, detail: value } : { level: 'WARN', check: name, detail: `unset: ${consequence}` });
  }

  const site = fs.existsSync(path.join(config.siteDir, 'index.html'));
  rows.push({
    level: site ? 'OK' : 'WARN',
    check: 'dashboard site',
    detail: site ? `${config.siteDir}` : `${config.siteDir} is not built (npm run build; npm start builds it)`,
  });
  return rows;
}

export function formatRows(rows: CheckRow[]): string {
  const w = Math.max(...rows.map((r) => r.check.length));
  return rows.map((r) => `${r.level.padEnd(4)}  ${r.check.padEnd(w)}  ${r.detail}`).join('\n');
}
