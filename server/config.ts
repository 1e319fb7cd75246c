/**
 * Configuration: the environment parsed once, at start, into a frozen Config.
 *
 * This module and `main.ts` are the only readers of `process.env`. Every
 * problem is collected and reported at once; there are no default secrets and
 * no upstream host names: upstream URLs are configuration.
 */
import path from 'node:path';
import { z } from 'zod';

const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got "${v}"` });
      return z.NEVER;
    });

const num = (name: string, fallback: number, opts: { min?: number; max?: number; int?: boolean } = {}) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v.trim());
      const problems: string[] = [];
      if (!Number.isFinite(n)) problems.push('a number');
      else {
        if (opts.int && !Number.isInteger(n)) problems.push('an integer');
        if (opts.min !== undefined && n < opts.min) problems.push(`>= ${opts.min}`);
        if (opts.max !== undefined && n > opts.max) problems.push(`<= ${opts.max}`);
      }
      if (problems.length > 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be ${problems.join(' and ')}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));

const httpUrl = (name: string) =>
  optionalString.superRefine((v, ctx) => {
    if (v === null) return;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name} must be an absolute URL, got "${v}"` });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `${name} must be an http(s) URL, got "${v}"` });
    }
  });

const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const s = v.trim() as T;
      if (!values.includes(s)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be one of ${values.join(', ')}, got "${v}"` });
        return z.NEVER;
      }
      return s;
    });

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const envSchema = z
  .object({
    // --- process and transport ---
    BIND_HOST: optionalString,
    BIND_PORT: num('BIND_PORT', 8765, { min: 0, max: 65535, int: true }),
    LEXGATE_DATA_DIR: optionalString,
    LEXGATE_SITE_DIR: optionalString,
    LEXGATE_LOG_LEVEL: oneOf('LEXGATE_LOG_LEVEL', LOG_LEVELS, 'info'),
    LEXGATE_GRAPHIQL: bool('LEXGATE_GRAPHIQL', true),
    LEXGATE_MAX_BODY_BYTES: num('LEXGATE_MAX_BODY_BYTES', 1_048_576, { min: 1024, int: true }),
    LEXGATE_GRAPHQL_MAX_DEPTH: num('LEXGATE_GRAPHQL_MAX_DEPTH', 12, { min: 2, max: 64, int: true }),
    LEXGATE_SHUTDOWN_GRACE_MS: num('LEXGATE_SHUTDOWN_GRACE_MS', 10_000, { min: 0, int: true }),
    // --- database ---
    DATABASE_URL: optionalString.superRefine((v, ctx) => {
      if (v === null) return;
      if (!/^postgres(ql)?:\/\//.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'DATABASE_URL must be a postgres:// or postgresql:// URL' });
      }
    }),
    LEXGATE_DB_POOL_MAX: num('LEXGATE_DB_POOL_MAX', 10, { min: 1, max: 500, int: true }),
    // --- registry (lex-align names) ---
    REGISTRY_PATH: optionalString,
    REGISTRY_PROPOSER: optionalString.superRefine((v, ctx) => {
      if (v === null) return;
      if (!['log_only', 'local_file', 'local_git', 'github'].includes(v)) {
        ctx.addIssue({
          code: 'custom',
          message: `REGISTRY_PROPOSER must be one of log_only, local_file, local_git, github, got "${v}"`,
        });
      }
    }),
    REGISTRY_REPO_URL: optionalString,
    REGISTRY_REPO_TOKEN: optionalString,
    REGISTRY_FILE_PATH: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'registry.yml')),
    REGISTRY_DEFAULT_BRANCH: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'main')),
    REGISTRY_REPO_WORKDIR: optionalString,
    REGISTRY_BOT_AUTHOR_NAME: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'lexgate bot')),
    REGISTRY_BOT_AUTHOR_EMAIL: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'lexgate@localhost')),
    GITHUB_API_BASE: httpUrl('GITHUB_API_BASE'),
    REGISTRY_WEBHOOK_SECRET: optionalString,
    REGISTRY_RELOAD_INTERVAL: num('REGISTRY_RELOAD_INTERVAL', 300, { min: 0 }),
    LEXGATE_REGISTRY_WATCH: bool('LEXGATE_REGISTRY_WATCH', true),
    LEXGATE_REGISTRY_SYNC_INTERVAL: num('LEXGATE_REGISTRY_SYNC_INTERVAL', 5, { min: 0 }),
    // --- upstreams ---
    OSV_API_URL: httpUrl('OSV_API_URL'),
    PYPI_API_URL: httpUrl('PYPI_API_URL'),
    NPM_REGISTRY_URL: httpUrl('NPM_REGISTRY_URL'),
    npm_config_registry: optionalString,
    LICENSE_CACHE_TTL: num('LICENSE_CACHE_TTL', 604_800, { min: 0 }),
    CVE_CACHE_TTL: num('CVE_CACHE_TTL', 21_600, { min: 0 }),
    LEXGATE_LATEST_VERSION_TTL: num('LEXGATE_LATEST_VERSION_TTL', 3_600, { min: 0 }),
    OUTBOUND_TIMEOUT: num('OUTBOUND_TIMEOUT', 5, { min: 0.05, max: 600 }),
    LEXGATE_OUTBOUND_CONCURRENCY: num('LEXGATE_OUTBOUND_CONCURRENCY', 16, { min: 1, max: 1024, int: true }),
    // --- auth (lex-align names) ---
    AUTH_ENABLED: bool('AUTH_ENABLED', false),
    AUTH_BACKEND: oneOf('AUTH_BACKEND', ['apikey', 'header'] as const, 'apikey'),
    AUTH_TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v : '127.0.0.1/32,::1/128'))
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .superRefine((list, ctx) => {
        for (const cidr of list) {
          if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) {
            ctx.addIssue({ code: 'custom', message: `AUTH_TRUSTED_PROXIES entry "${cidr}" is not a CIDR` });
          }
        }
      }),
    AUTH_USER_HEADER: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'X-Forwarded-User')),
    AUTH_EMAIL_HEADER: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'X-Forwarded-Email')),
    AUTH_GROUPS_HEADER: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== '' ? v.trim() : 'X-Forwarded-Groups')),
    AUTH_GROUPS_SEPARATOR: z
      .string()
      .optional()
      .transform((v) => (v && v !== '' ? v : ',')),
    // --- background work ---
    LEXALIGN_CVE_SCAN_INTERVAL_HOURS: num('LEXALIGN_CVE_SCAN_INTERVAL_HOURS', 24, { min: 0 }),
  });

/**
 * Rules across variables, checked on the raw environment so they are reported
 * together with per-variable problems (zod skips object refinements when a
 * field is invalid).
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const set = (k: string) => (env[k] ?? '').trim() !== '';
  const problems: string[] = [];
  if ((env.REGISTRY_PROPOSER ?? '').trim() === 'github' && !set('REGISTRY_REPO_URL')) {
    problems.push('REGISTRY_PROPOSER=github needs REGISTRY_REPO_URL');
  }
  if (set('REGISTRY_REPO_URL') && !set('REGISTRY_REPO_TOKEN')) {
    problems.push('REGISTRY_REPO_URL is set but REGISTRY_REPO_TOKEN is not');
  }
  const repoUrl = (env.REGISTRY_REPO_URL ?? '').trim();
  if (repoUrl !== '' && !/^(https?:\/\/[^/\s]+\/[^/\s]+\/[^/\s]+?(\.git)?\/?|(ssh:\/\/)?git@[^:/\s]+[:/][^/\s]+\/[^/\s]+?(\.git)?)$/.test(repoUrl)) {
    problems.push(`REGISTRY_REPO_URL must be https://host/owner/repo or git@host:owner/repo, got "${repoUrl}"`);
  }
  return problems;
}

export interface Config {
  readonly bindHost: string;
  readonly bindPort: number;
  readonly dataDir: string;
  readonly siteDir: string;
  readonly logLevel: LogLevel;
  readonly graphiql: boolean;
  readonly maxBodyBytes: number;
  readonly graphqlMaxDepth: number;
  readonly shutdownGraceMs: number;
  readonly database: { readonly kind: 'embedded'; readonly dir: string } | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number };
  readonly registry: {
    readonly path: string | null;
    readonly proposer: 'log_only' | 'local_file' | 'local_git' | 'github' | null;
    readonly repoUrl: string | null;
    readonly repoToken: string | null;
    readonly filePath: string;
    readonly defaultBranch: string;
    readonly repoWorkdir: string;
    readonly botAuthorName: string;
    readonly botAuthorEmail: string;
    readonly githubApiBase: string | null;
    readonly webhookSecret: string | null;
    readonly reloadIntervalSeconds: number;
    /** Watch the registry file and reload when it changes. */
    readonly watch: boolean;
    /** Seconds between checks for revisions other replicas stored (0 disables the poll). */
    readonly syncIntervalSeconds: number;
  };
  readonly upstream: {
    readonly osvQueryUrl: string | null;
    readonly pypiApiUrl: string | null;
    readonly npmRegistryUrl: string | null;
    readonly licenseCacheTtlSeconds: number;
    readonly cveCacheTtlSeconds: number;
    readonly latestVersionTtlSeconds: number;
    readonly timeoutMs: number;
    readonly concurrency: number;
  };
  readonly auth: {
    readonly enabled: boolean;
    readonly backend: 'apikey' | 'header';
    readonly trustedProxies: readonly string[];
    readonly userHeader: string;
    readonly emailHeader: string;
    readonly groupsHeader: string;
    readonly groupsSeparator: string;
  };
  readonly cveScanIntervalHours: number;
}

/** Thrown when the environment is invalid; `problems` lists every one of them. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Parse an environment into a frozen Config.
 * @param env the variables (normally `process.env`)
 * @param cwd directory relative paths are resolved against
 * @throws ConfigError listing every problem at once
 */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const field = i.path.length > 0 ? String(i.path[0]) : '';
        return i.message.includes(field) || field === '' ? i.message : `${field}: ${i.message}`;
      });
  problems.push(...crossFieldProblems(env));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.LEXGATE_DATA_DIR ?? '.lexgate');
  const npmRegistry = e.NPM_REGISTRY_URL ?? (e.npm_config_registry && /^https?:\/\//.test(e.npm_config_registry) ? e.npm_config_registry : null);
  return deepFreeze({
    bindHost: e.BIND_HOST ?? '127.0.0.1',
    bindPort: e.BIND_PORT,
    dataDir,
    siteDir: path.resolve(cwd, e.LEXGATE_SITE_DIR ?? 'site/dist'),
    logLevel: e.LEXGATE_LOG_LEVEL,
    graphiql: e.LEXGATE_GRAPHIQL,
    maxBodyBytes: e.LEXGATE_MAX_BODY_BYTES,
    graphqlMaxDepth: e.LEXGATE_GRAPHQL_MAX_DEPTH,
    shutdownGraceMs: e.LEXGATE_SHUTDOWN_GRACE_MS,
    database: e.DATABASE_URL
      ? { kind: 'postgres' as const, url: e.DATABASE_URL, poolMax: e.LEXGATE_DB_POOL_MAX }
      : { kind: 'embedded' as const, dir: path.join(dataDir, 'pgdata') },
    registry: {
      path: e.REGISTRY_PATH ? path.resolve(cwd, e.REGISTRY_PATH) : null,
      proposer: e.REGISTRY_PROPOSER as Config['registry']['proposer'],
      repoUrl: e.REGISTRY_REPO_URL,
      repoToken: e.REGISTRY_REPO_TOKEN,
      filePath: e.REGISTRY_FILE_PATH,
      defaultBranch: e.REGISTRY_DEFAULT_BRANCH,
      repoWorkdir: path.resolve(cwd, e.REGISTRY_REPO_WORKDIR ?? path.join(dataDir, 'registry-work')),
      botAuthorName: e.REGISTRY_BOT_AUTHOR_NAME,
      botAuthorEmail: e.REGISTRY_BOT_AUTHOR_EMAIL,
      githubApiBase: e.GITHUB_API_BASE,
      webhookSecret: e.REGISTRY_WEBHOOK_SECRET,
      reloadIntervalSeconds: e.REGISTRY_RELOAD_INTERVAL,
      watch: e.LEXGATE_REGISTRY_WATCH,
      syncIntervalSeconds: e.LEXGATE_REGISTRY_SYNC_INTERVAL,
    },
    upstream: {
      osvQueryUrl: e.OSV_API_URL,
      pypiApiUrl: e.PYPI_API_URL ? e.PYPI_API_URL.replace(/\/+$/, '') : null,
      npmRegistryUrl: npmRegistry ? npmRegistry.replace(/\/+$/, '') : null,
      licenseCacheTtlSeconds: e.LICENSE_CACHE_TTL,
      cveCacheTtlSeconds: e.CVE_CACHE_TTL,
      latestVersionTtlSeconds: e.LEXGATE_LATEST_VERSION_TTL,
      timeoutMs: Math.round(e.OUTBOUND_TIMEOUT * 1000),
      concurrency: e.LEXGATE_OUTBOUND_CONCURRENCY,
    },
    auth: {
      enabled: e.AUTH_ENABLED,
      backend: e.AUTH_BACKEND,
      trustedProxies: e.AUTH_TRUSTED_PROXIES,
      userHeader: e.AUTH_USER_HEADER,
      emailHeader: e.AUTH_EMAIL_HEADER,
      groupsHeader: e.AUTH_GROUPS_HEADER,
      groupsSeparator: e.AUTH_GROUPS_SEPARATOR,
    },
    cveScanIntervalHours: e.LEXALIGN_CVE_SCAN_INTERVAL_HOURS,
  });
}

/** True when the host only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
