import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives lex-align\'s defaults and an embedded database in ./.lexgate', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.bindHost).toBe('127.0.0.1');
    expect(c.bindPort).toBe(8765);
    expect(c.dataDir).toBe('/srv/app/.lexgate');
    expect(c.database).toEqual({ kind: 'embedded', dir: '/srv/app/.lexgate/pgdata' });
    expect(c.registry).toMatchObject({ path: null, proposer: null, filePath: 'registry.yml', defaultBranch: 'main', reloadIntervalSeconds: 300 });
    expect(c.upstream).toMatchObject({
      osvQueryUrl: null,
      pypiApiUrl: null,
      npmRegistryUrl: null,
      licenseCacheTtlSeconds: 604800,
      cveCacheTtlSeconds: 21600,
      latestVersionTtlSeconds: 3600,
      timeoutMs: 5000,
    });
    expect(c.auth.enabled).toBe(false);
    expect(c.auth.trustedProxies).toEqual(['127.0.0.1/32', '::1/128']);
    expect(c.cveScanIntervalHours).toBe(24);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.upstream)).toBe(true);
  });

  it('reads every setting', () => {
    const c = loadConfig(
      {
        BIND_HOST: '0.0.0.0',
        BIND_PORT: '9000',
        DATABASE_URL: 'postgresql://u:p@db:5432/lexgate',
        LEXGATE_DB_POOL_MAX: '25',
        LEXGATE_DATA_DIR: 'data',
        REGISTRY_PATH: 'conf/registry.yml',
        REGISTRY_PROPOSER: 'github',
        REGISTRY_REPO_URL: 'https://git.example/org/registry.git',
        REGISTRY_REPO_TOKEN: 'tok',
        REGISTRY_WEBHOOK_SECRET: 's3',
        REGISTRY_RELOAD_INTERVAL: '0',
        OSV_API_URL: 'http://127.0.0.1:9/v1/query',
        PYPI_API_URL: 'http://127.0.0.1:9/pypi/',
        npm_config_registry: 'http://127.0.0.1:9/npm/',
        OUTBOUND_TIMEOUT: '2.5',
        AUTH_ENABLED: 'true',
        AUTH_BACKEND: 'header',
        AUTH_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1/32',
        LEXALIGN_CVE_SCAN_INTERVAL_HOURS: '0.25',
      },
      '/srv',
    );
    expect(c.bindPort).toBe(9000);
    expect(c.database).toEqual({ kind: 'postgres', url: 'postgresql://u:p@db:5432/lexgate', poolMax: 25 });
    expect(c.registry.path).toBe(path.resolve('/srv', 'conf/registry.yml'));
    expect(c.registry.proposer).toBe('github');
    expect(c.registry.reloadIntervalSeconds).toBe(0);
    expect(c.upstream.pypiApiUrl).toBe('http://127.0.0.1:9/pypi');
    expect(c.upstream.npmRegistryUrl).toBe('http://127.0.0.1:9/npm');
    expect(c.upstream.timeoutMs).toBe(2500);
    expect(c.auth).toMatchObject({ enabled: true, backend: 'header', trustedProxies: ['10.0.0.0/8', '192.168.1.1/32'] });
    expect(c.cveScanIntervalHours).toBe(0.25);
  });

  it('prefers NPM_REGISTRY_URL over npm\'s own registry setting', () => {
    const c = loadConfig({ NPM_REGISTRY_URL: 'http://127.0.0.1:1/a', npm_config_registry: 'http://127.0.0.1:2/b' });
    expect(c.upstream.npmRegistryUrl).toBe('http://127.0.0.1:1/a');
  });

  it('reports every problem at once, naming each variable', () => {
    let err: unknown;
    try {
      loadConfig({
        BIND_PORT: '99999',
        DATABASE_URL: 'mysql://x',
        AUTH_ENABLED: 'maybe',
        OSV_API_URL: 'ftp://osv',
        REGISTRY_PROPOSER: 'svn',
        LEXALIGN_CVE_SCAN_INTERVAL_HOURS: '-1',
        AUTH_TRUSTED_PROXIES: 'everyone',
        REGISTRY_REPO_URL: 'https://git.example/x.git',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    for (const name of ['BIND_PORT', 'DATABASE_URL', 'AUTH_ENABLED', 'OSV_API_URL', 'REGISTRY_PROPOSER', 'LEXALIGN_CVE_SCAN_INTERVAL_HOURS', 'AUTH_TRUSTED_PROXIES', 'REGISTRY_REPO_TOKEN']) {
      expect(problems.some((p) => p.includes(name)), `${name} in ${problems.join(' | ')}`).toBe(true);
    }
    expect((err as Error).message).toMatch(/^Invalid configuration:/);
  });
});

describe('registry lifecycle settings', () => {
  it('parses the watcher and replica sync settings and checks the repository URL', () => {
    const c = loadConfig({ LEXGATE_REGISTRY_WATCH: 'false', LEXGATE_REGISTRY_SYNC_INTERVAL: '0.5' });
    expect(c.registry.watch).toBe(false);
    expect(c.registry.syncIntervalSeconds).toBe(0.5);
    expect(loadConfig({}).registry).toMatchObject({ watch: true, syncIntervalSeconds: 5 });
    expect(() => loadConfig({ REGISTRY_REPO_URL: 'git@git.example.test:acme/registry.git', REGISTRY_REPO_TOKEN: 't' })).not.toThrow();
    expect(() => loadConfig({ REGISTRY_REPO_URL: 'acme/registry', REGISTRY_REPO_TOKEN: 't' })).toThrow(/REGISTRY_REPO_URL must be https:\/\/host\/owner\/repo/);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
