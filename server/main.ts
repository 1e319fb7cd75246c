/**
 * The only process entry: `serve` (default), `migrate`, `check-config`,
 * `verify-chain`, `export-audit`. Loads config, opens the database, builds
 * the app, listens, and stops cleanly on SIGTERM/SIGINT.
 */
import fs from 'node:fs';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { DataDirLockedError } from './db/data-dir-lock';
import { openDatabase, type Database } from './database';
import { listen } from './http-server';
import { AuditService } from './modules/audit/audit.service';
import { checkConfig, formatRows } from './modules/ops/check-config';
import { seedAuditRows } from './modules/ops/seed';
import { DEFAULT_TENANT_ID } from './modules/tenants/tenant.entity';
import { createServices } from './services';
import { systemClock } from './shared/clock';
import { createLogger } from './shared/logger';

const USAGE = `usage: lexgate <command>
  serve          run the gateway (default)
  migrate        apply pending database migrations and exit
  check-config   check the configuration and print OK / WARN / FAIL rows
  verify-chain   recompute the audit hash chain [--tenant ID]
  export-audit   write the audit chain as JSON lines to stdout [--tenant ID]
  seed           append N realistic audit rows for demos and benchmarks
                 --rows N [--tenant ID] [--days 60] [--batch 5000] [--seed S]`;

function fail(message: string, code = 1): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

function config(): Config {
  try {
    return loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 2);
    throw e;
  }
}

async function open(cfg: Config): Promise<Database> {
  try {
    return await openDatabase(cfg.database);
  } catch (e) {
    if (e instanceof DataDirLockedError) fail(`lexgate: ${e.message}`, 3);
    throw e;
  }
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function serve(): Promise<void> {
  const cfg = config();
  const logger = createLogger(cfg.logLevel);
  const t0 = performance.now();
  const db = await open(cfg);
  const applied = await db.migrate();
  if (applied.length > 0) logger.info('migrations applied', { applied });
  const services = createServices({ config: cfg, db, clock: systemClock, logger });
  try {
    await services.start();
  } catch (e) {
    await services.stop().catch(() => undefined);
    await db.close();
    fail(`lexgate: ${(e as Error).message}`, 4);
  }
  const app = createApp(services);
  if (!fs.existsSync(`${cfg.siteDir}/index.html`)) {
    logger.warn('dashboard site is not built; run `npm run build`', { siteDir: cfg.siteDir });
  }
  const server = await listen(app, cfg.bindHost, cfg.bindPort, logger);
  logger.info('lexgate listening', {
    url: server.url,
    database: db.kind,
    startupMs: Math.round(performance.now() - t0),
  });
  process.stdout.write(`lexgate listening on ${server.url} (database: ${db.kind === 'postgres' ? 'PostgreSQL' : `embedded, ${cfg.dataDir}`})\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal, inFlight: server.inFlight() });
    try {
      await server.stop(cfg.shutdownGraceMs);
      await services.stop();
      await db.close();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error('unclean stop', { err });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function migrate(): Promise<void> {
  const cfg = config();
  const db = await open(cfg);
  try {
    const applied = await db.migrate();
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await db.close();
  }
}

/** Run a command against the migrated database, closing it afterwards. */
async function withMigratedDatabase(fn: (db: Database) => Promise<void>): Promise<void> {
  const db = await open(config());
  try {
    await db.migrate();
    await fn(db);
  } finally {
    await db.close();
  }
}

async function verifyChain(): Promise<void> {
  await withMigratedDatabase(async (db) => {
    const tenant = option('--tenant') ?? DEFAULT_TENANT_ID;
    const v = await new AuditService(systemClock).verifyChain(db.em(), tenant);
    if (v.ok) process.stdout.write(`OK: ${v.checked} rows verified for tenant ${tenant}; head ${v.headHash}\n`);
    else {
      const b = v.firstBroken!;
      process.stdout.write(`BROKEN at seq ${b.seq}${b.id ? ` (row ${b.id})` : ''}: ${b.reason}; ${v.checked} rows verified before it\n`);
      process.exitCode = 1;
    }
  });
}

async function exportAudit(): Promise<void> {
  await withMigratedDatabase(async (db) => {
    for await (const line of new AuditService(systemClock).exportJsonl(db.em(), option('--tenant') ?? DEFAULT_TENANT_ID)) {
      if (!process.stdout.write(line)) await new Promise((r) => process.stdout.once('drain', r));
    }
  });
}

/** A positive integer option, or `fallback`; anything else exits naming the option. */
function intOption(name: string, fallback: number | null): number {
  const raw = option(name);
  if (raw === undefined) {
    if (fallback === null) fail(`lexgate seed: ${name} is required (a positive whole number)`, 2);
    return fallback;
  }
  if (!/^\d+$/.test(raw) || Number(raw) < 1) fail(`lexgate seed: ${name} must be a positive whole number (got "${raw}")`, 2);
  return Number(raw);
}

async function seed(): Promise<void> {
  const rows = intOption('--rows', null);
  const days = intOption('--days', 60);
  const batchSize = intOption('--batch', 5000);
  const seedValue = intOption('--seed', 20260501);
  await withMigratedDatabase(async (db) => {
    const t0 = performance.now();
    let last = 0;
    const written = await seedAuditRows(db, {
      rows,
      days,
      batchSize,
      seed: seedValue,
      tenantId: option('--tenant') ?? DEFAULT_TENANT_ID,
      onProgress: (done) => {
        if (done - last >= 100_000 || done === rows) {
          last = done;
          process.stderr.write(`seeded ${done}/${rows} rows (${Math.round(done / ((performance.now() - t0) / 1000))} rows/s)\n`);
        }
      },
    });
    process.stdout.write(`seeded ${written} audit rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  });
}

const command = process.argv[2] ?? 'serve';
switch (command) {
  case 'serve':
    await serve();
    break;
  case 'migrate':
    await migrate();
    break;
  case 'check-config': {
    const rows = await checkConfig(process.env);
    process.stdout.write(formatRows(rows) + '\n');
    process.exitCode = rows.some((r) => r.level === 'FAIL') ? 1 : 0;
    break;
  }
  case 'verify-chain':
    await verifyChain();
    break;
  case 'export-audit':
    await exportAudit();
    break;
  case 'seed':
    await seed();
    break;
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(USAGE + '\n');
    break;
  default:
    fail(`unknown command "${command}"\n${USAGE}`, 2);
}
