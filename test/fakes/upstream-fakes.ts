/**
 * Fake upstreams for tests: one loopback HTTP server that plays OSV, the PyPI JSON API and
 * the npm registry, fed by the fixture files under `test/fixtures/upstreams/` (real formats;
 * see its README) plus whatever a test adds at runtime. No test reaches beyond 127.0.0.1.
 *
 * ```ts
 * const fakes = await startUpstreamFakes();
 * const config = loadConfig({ OSV_API_URL: fakes.osvQueryUrl, PYPI_API_URL: fakes.pypiApiUrl,
 *   NPM_REGISTRY_URL: fakes.npmRegistryUrl, OUTBOUND_TIMEOUT: '0.3' });
 * fakes.setFault('osv', { kind: 'status', status: 503, times: 1 }); // one failed request, then normal
 * fakes.count('pypi', '/pypi/requests/json');                        // requests that reached the fake
 * fakes.reset();                                                     // between tests
 * await fakes.close();
 * ```
 *
 * Routes (paths as the real services have them, under a per-service prefix):
 * - `POST /osv/v1/query` `{package: {name, ecosystem}, version?, page_token?}` → `{vulns, next_page_token?}`
 *   (`{}` when nothing matches, as OSV answers; the ecosystem spelled exactly `PyPI` or `npm`).
 *   Records match on `affected[]`: the package (PyPI names PEP 503-normalised, npm names
 *   exact) and the version in `versions[]` or in an ECOSYSTEM/SEMVER range (PEP 440 / SemVer
 *   order). Names and versions are matched by the fake's own rules (`upstreamNameKey`),
 *   never by lexgate's code. Answers set with `setOsvVulns` replace matching for that exact query. Results are
 *   sorted by id and paged per `osv/_pages.json` (or `osvPageSize`).
 * - `GET /osv/v1/vulns/{id}` → the record, or 404 `{"code": 5, "message": "Bug not found."}`.
 * - `GET /pypi/{name}/json`, `GET /pypi/{name}/{version}/json` → the project document / the
 *   release document (`info` of that release, its `urls`, no `releases`, as PyPI answers);
 *   404 `{"message": "Not Found"}`.
 * - `GET /npm/{name}` → the packument; scoped names as `@scope%2fname` or `@scope/name`;
 *   404 `{"error": "Not found"}`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pep440 from '@renovatebot/pep440';
import semver from 'semver';
import type { Ecosystem } from '../../server/modules/packages/facts';
import type { OsvRecord } from '../../server/modules/evaluation/policy/osv';

/** The three fake services. */
export const FAKE_SERVICES = ['osv', 'pypi', 'npm'] as const;
export type FakeService = (typeof FAKE_SERVICES)[number];

/**
 * A misbehaviour of one service. `times` limits it to the next n requests of that service
 * (then the service answers normally again); without it the fault stays until cleared.
 * - `status`: answer that HTTP status (5xx as an HTML page, others as JSON);
 * - `latency`: wait `ms`, then answer normally;
 * - `hang`: never answer (the connection stays open until `close()`);
 * - `badjson`: answer 200 with a truncated JSON body.
 */
export type FakeFault = (
  | { kind: 'status'; status: number }
  | { kind: 'latency'; ms: number }
  | { kind: 'hang' }
  | { kind: 'badjson' }
) & { times?: number };

/** One request as the fake received it. */
export interface RecordedRequest {
  service: FakeService;
  method: string;
  /** The raw request path (still percent-encoded), query string included. */
  path: string;
  /** Parsed JSON body (POST), or null. */
  body: unknown;
}

/** PyPI project document (`GET /pypi/{name}/json`), as PyPI serves it. */
export interface PypiDocument {
  info: { name: string; version: string; [field: string]: unknown };
  releases: Record<string, Array<Record<string, unknown>>>;
  urls?: Array<Record<string, unknown>>;
  /**
   * Fake-only, stripped before serving: per-release overrides of `info` fields (e.g. a license
   * that changed between releases), applied by `GET /pypi/{name}/{version}/json`.
   */
  _versions?: Record<string, Record<string, unknown>>;
  [field: string]: unknown;
}

/** npm packument (`GET /{name}`), as the registry serves it. */
export interface NpmPackument {
  name: string;
  'dist-tags'?: Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
  time?: Record<string, string>;
  [field: string]: unknown;
}

export interface UpstreamFakesOptions {
  /** Fixture root (default `test/fixtures/upstreams`). */
  fixturesDir?: string;
  /** OSV records per page for packages `_pages.json` does not list (default 1,000, as OSV). */
  osvPageSize?: number;
}

export interface UpstreamFakes {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** For OSV_API_URL: `<base>/osv/v1/query`. */
  osvQueryUrl: string;
  /** For PYPI_API_URL: `<base>/pypi`. */
  pypiApiUrl: string;
  /** For NPM_REGISTRY_URL: `<base>/npm`. */
  npmRegistryUrl: string;
  /** Every request received since the last `reset()`/`clearRequests()`, in arrival order (live array). */
  readonly requests: readonly RecordedRequest[];
  /**
   * Requests to `service` whose path matches: a string is compared to the raw path exactly,
   * a RegExp is tested against it, a function decides. No predicate counts them all.
   */
  count(service: FakeService, path?: string | RegExp | ((path: string) => boolean)): number;
  /** Requests of `service` (or all services) being handled right now. */
  inFlight(service?: FakeService): number;
  /** The most requests of `service` (or all services) handled at once since the last reset. */
  maxInFlight(service?: FakeService): number;
  /** Make `service` misbehave (null: behave). */
  setFault(service: FakeService, fault: FakeFault | null): void;
  /** Forget requests, faults, runtime fixtures and in-flight statistics (the disk fixtures stay). */
  reset(): void;
  /** Forget the request log and in-flight statistics only. */
  clearRequests(): void;
  /**
   * The exact OSV answer for one query: `ecosystem` as lexgate (`pypi`, `npm`) or OSV (`PyPI`)
   * spells it; the name is matched normalised; records are served as given (paged like any).
   */
  setOsvVulns(ecosystem: string, name: string, version: string, records: readonly OsvRecord[]): void;
  /** Add or replace a PyPI project (keyed by the PEP 503 form of `info.name`). */
  setPypiPackage(doc: PypiDocument): void;
  /** Add or replace an npm package (keyed by `name`). */
  setNpmPackage(packument: NpmPackument): void;
  /** Stop the server, cutting hanging connections. */
  close(): Promise<void>;
}

const DEFAULT_FIXTURES = fileURLToPath(new URL('../fixtures/upstreams', import.meta.url));

// The fakes match names and versions by the upstreams' own rules, written here from those
// rules and not imported from lexgate: a test of lexgate's name normalisation must not be
// passed by a fake that normalises the same (possibly wrong) way.

/**
 * How the fake upstreams key a package name. PyPI (PEP 503): lower case, and every run of
 * `-`, `_` and `.` is one `-` (PyPI serves a project under any spelling of its name). npm:
 * the name exactly as given — the registry and OSV's npm ecosystem match it byte for byte,
 * and legacy mixed-case names (`JSONStream`) are packages distinct from their lower case.
 */
export function upstreamNameKey(eco: Ecosystem, name: string): string {
  return eco === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

/** Version order as the upstream applies it to OSV ranges: PEP 440 for PyPI, SemVer 2.0 for npm. */
interface FakeVersionScheme {
  valid(v: string): boolean;
  compare(a: string, b: string): number;
  prerelease(v: string): boolean;
}
const VERSION_SCHEMES: Record<Ecosystem, FakeVersionScheme> = {
  pypi: {
    valid: (v) => pep440.valid(v) !== null,
    compare: (a, b) => pep440.compare(a, b),
    prerelease: (v) => pep440.explain(v)?.is_prerelease ?? false,
  },
  npm: {
    valid: (v) => semver.valid(v) !== null,
    compare: (a, b) => semver.compare(a, b),
    prerelease: (v) => semver.prerelease(v) !== null,
  },
};

const OSV_TO_ECOSYSTEM: Record<string, Ecosystem> = { pypi: 'pypi', npm: 'npm' };

function ecosystemOf(osvOrOurs: string): Ecosystem | null {
  return OSV_TO_ECOSYSTEM[osvOrOurs.trim().toLowerCase()] ?? null;
}

function readJsonDir<T>(dir: string): Array<{ file: string; doc: T }> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort()
    .map((f) => ({ file: f, doc: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as T }));
}

interface Fixtures {
  osvRecords: OsvRecord[];
  osvPageSizes: Map<string, number>;
  pypi: Map<string, PypiDocument>;
  npm: Map<string, NpmPackument>;
}

function loadFixtures(root: string): Fixtures {
  const osvRecords = readJsonDir<OsvRecord>(path.join(root, 'osv')).map(({ file, doc }) => {
    if (typeof doc.id !== 'string') throw new Error(`fixture osv/${file} has no id`);
    return doc;
  });
  const osvPageSizes = new Map<string, number>();
  const pagesFile = path.join(root, 'osv', '_pages.json');
  if (fs.existsSync(pagesFile)) {
    const pages = JSON.parse(fs.readFileSync(pagesFile, 'utf8')) as {
      pagination?: Array<{ ecosystem: string; name: string; page_size: number }>;
    };
    for (const p of pages.pagination ?? []) {
      const eco = ecosystemOf(p.ecosystem);
      if (eco) osvPageSizes.set(`${eco}|${upstreamNameKey(eco, p.name)}`, p.page_size);
    }
  }
  const pypi = new Map<string, PypiDocument>();
  for (const { file, doc } of readJsonDir<PypiDocument>(path.join(root, 'pypi'))) {
    if (typeof doc.info?.name !== 'string') throw new Error(`fixture pypi/${file} has no info.name`);
    pypi.set(upstreamNameKey('pypi', doc.info.name), doc);
  }
  const npm = new Map<string, NpmPackument>();
  for (const { file, doc } of readJsonDir<NpmPackument>(path.join(root, 'npm'))) {
    if (typeof doc.name !== 'string') throw new Error(`fixture npm/${file} has no name`);
    npm.set(doc.name, doc);
  }
  return { osvRecords, osvPageSizes, pypi, npm };
}

/** OSV range semantics: events in version order; introduced opens, fixed/last_affected close. */
function inRange(
  events: ReadonlyArray<Record<string, string>>,
  version: string,
  eco: Ecosystem,
): boolean {
  const scheme = VERSION_SCHEMES[eco];
  if (!scheme.valid(version)) return false;
  const at = (e: Record<string, string>) => Object.values(e)[0];
  const sorted = [...events]
    .filter((e) => at(e) === '0' || scheme.valid(at(e)))
    .sort((a, b) => (at(a) === '0' ? -1 : at(b) === '0' ? 1 : scheme.compare(at(a), at(b))));
  let affected = false;
  for (const e of sorted) {
    if ('introduced' in e) {
      if (e.introduced === '0' || scheme.compare(version, e.introduced) >= 0) affected = true;
    } else if ('fixed' in e) {
      if (scheme.compare(version, e.fixed) >= 0) affected = false;
    } else if ('last_affected' in e) {
      if (scheme.compare(version, e.last_affected) > 0) affected = false;
    } else if ('limit' in e) {
      if (scheme.compare(version, e.limit) >= 0) affected = false;
    }
  }
  return affected;
}

function affects(record: OsvRecord, eco: Ecosystem, name: string, version: string | null): boolean {
  for (const a of record.affected ?? []) {
    const pkg = a?.package;
    if (!pkg || typeof pkg.name !== 'string' || typeof pkg.ecosystem !== 'string') continue;
    if (ecosystemOf(pkg.ecosystem) !== eco || upstreamNameKey(eco, pkg.name) !== upstreamNameKey(eco, name)) continue;
    if (version === null) return true;
    const entry = a as { versions?: unknown; ranges?: Array<{ type?: string; events?: Array<Record<string, string>> }> };
    if (Array.isArray(entry.versions) && entry.versions.includes(version)) return true;
    for (const range of entry.ranges ?? []) {
      if ((range.type === 'ECOSYSTEM' || range.type === 'SEMVER') && inRange(range.events ?? [], version, eco)) return true;
    }
  }
  return false;
}

function matchPath(pathPredicate: string | RegExp | ((path: string) => boolean) | undefined, p: string): boolean {
  if (pathPredicate === undefined) return true;
  if (typeof pathPredicate === 'string') return p === pathPredicate;
  if (pathPredicate instanceof RegExp) return pathPredicate.test(p);
  return pathPredicate(p);
}

/** Start the fake upstreams on 127.0.0.1 (a free port). */
export async function startUpstreamFakes(opts: UpstreamFakesOptions = {}): Promise<UpstreamFakes> {
  const disk = loadFixtures(opts.fixturesDir ?? DEFAULT_FIXTURES);
  const defaultPageSize = opts.osvPageSize ?? 1000;

  // Runtime state; reset() returns to the disk fixtures.
  let osvExplicit = new Map<string, OsvRecord[]>();
  let pypi = new Map(disk.pypi);
  let npm = new Map(disk.npm);
  const faults = new Map<FakeService, { fault: FakeFault; remaining: number | null }>();
  const requests: RecordedRequest[] = [];
  const inFlight: Record<FakeService, number> = { osv: 0, pypi: 0, npm: 0 };
  const maxInFlight: Record<FakeService | 'all', number> = { osv: 0, pypi: 0, npm: 0, all: 0 };
  const totalInFlight = () => inFlight.osv + inFlight.pypi + inFlight.npm;

  const json = (res: http.ServerResponse, status: number, value: unknown) => {
    const body = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  function osvQuery(body: unknown, res: http.ServerResponse): void {
    const q = body as { package?: { name?: unknown; ecosystem?: unknown }; version?: unknown; page_token?: unknown } | null;
    const name = q?.package?.name;
    const ecoText = q?.package?.ecosystem;
    if (typeof name !== 'string' || typeof ecoText !== 'string') {
      return json(res, 400, { code: 3, message: 'Invalid query: package name and ecosystem are required.' });
    }
    // OSV's ecosystem names are exact: `PyPI`, `npm`.
    const eco: Ecosystem | null = ecoText === 'PyPI' ? 'pypi' : ecoText === 'npm' ? 'npm' : null;
    if (!eco) return json(res, 400, { code: 3, message: `Invalid ecosystem: ${ecoText}.` });
    const version = typeof q?.version === 'string' ? q.version : null;
    const norm = upstreamNameKey(eco, name);
    const explicit = version !== null ? osvExplicit.get(`${eco}|${norm}|${version}`) : undefined;
    const all =
      explicit ??
      disk.osvRecords
        .filter((r) => affects(r, eco, name, version))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const pageSize = disk.osvPageSizes.get(`${eco}|${norm}`) ?? defaultPageSize;
    const queryKey = `${eco}|${norm}|${version ?? ''}`;
    let offset = 0;
    if (q?.page_token !== undefined && q.page_token !== null && q.page_token !== '') {
      try {
        const token = JSON.parse(Buffer.from(String(q.page_token), 'base64url').toString('utf8')) as { k: string; o: number };
        if (token.k !== queryKey || !Number.isInteger(token.o)) throw new Error('mismatch');
        offset = token.o;
      } catch {
        return json(res, 400, { code: 3, message: 'Invalid page token.' });
      }
    }
    const page = all.slice(offset, offset + pageSize);
    const answer: Record<string, unknown> = {};
    if (page.length > 0) answer.vulns = page;
    if (offset + pageSize < all.length) {
      answer.next_page_token = Buffer.from(JSON.stringify({ k: queryKey, o: offset + pageSize })).toString('base64url');
    }
    json(res, 200, answer);
  }

  function osvVuln(id: string, res: http.ServerResponse): void {
    const everything = [...disk.osvRecords, ...[...osvExplicit.values()].flat()];
    const record = everything.find((r) => r.id === id);
    if (!record) return json(res, 404, { code: 5, message: 'Bug not found.' });
    json(res, 200, record);
  }

  function pypiRoute(segments: string[], res: http.ServerResponse): void {
    // segments after /pypi: [name, 'json'] or [name, version, 'json']
    const notFound = () => json(res, 404, { message: 'Not Found' });
    if (segments.length < 2 || segments.length > 3 || segments[segments.length - 1] !== 'json') return notFound();
    const doc = pypi.get(upstreamNameKey('pypi', segments[0]));
    if (!doc) return notFound();
    const { _versions, ...served } = doc;
    if (segments.length === 2) return json(res, 200, served);
    const version = segments[1];
    const files = doc.releases[version];
    if (!files) return notFound();
    const info = {
      ...doc.info,
      ..._versions?.[version],
      version,
      yanked: files.length > 0 && files.every((f) => f.yanked === true),
    };
    json(res, 200, { info, last_serial: doc.last_serial ?? 0, urls: files, vulnerabilities: [] });
  }

  function npmRoute(rawRest: string, res: http.ServerResponse): void {
    const notFound = () => json(res, 404, { error: 'Not found' });
    let name: string;
    try {
      name = decodeURIComponent(rawRest);
    } catch {
      return notFound();
    }
    const parts = name.split('/');
    const valid = name.startsWith('@') ? parts.length === 2 && parts[1] !== '' : parts.length === 1;
    if (!valid) return notFound();
    const doc = npm.get(name);
    if (!doc) return notFound();
    json(res, 200, doc);
  }

  function route(service: FakeService, method: string, pathname: string, body: unknown, res: http.ServerResponse): void {
    if (service === 'osv') {
      if (method === 'POST' && pathname === '/osv/v1/query') return osvQuery(body, res);
      const vuln = /^\/osv\/v1\/vulns\/([^/]+)$/.exec(pathname);
      if (method === 'GET' && vuln) return osvVuln(decodeURIComponent(vuln[1]), res);
      return json(res, 404, { code: 5, message: 'Not found.' });
    }
    if (method !== 'GET') return json(res, 405, { error: 'Method not allowed' });
    if (service === 'pypi') {
      const segments = pathname.slice('/pypi/'.length).split('/').filter(Boolean).map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
      return pypiRoute(segments, res);
    }
    return npmRoute(pathname.slice('/npm/'.length), res);
  }

  function applyFault(fault: FakeFault, res: http.ServerResponse, normal: () => void): void {
    switch (fault.kind) {
      case 'status':
        if (fault.status >= 500) {
          const page = `<html><head><title>${fault.status}</title></head><body><h1>${fault.status} Service Unavailable</h1></body></html>`;
          res.writeHead(fault.status, { 'content-type': 'text/html' });
          res.end(page);
        } else {
          res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.status === 429 ? { 'retry-after': '1' } : {}) });
          res.end(JSON.stringify({ error: `fault ${fault.status}` }));
        }
        return;
      case 'latency': {
        const timer = setTimeout(normal, fault.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'hang':
        return; // the socket stays open; close() cuts it
      case 'badjson':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"vulns": [{"id": "GHSA-');
        return;
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawPath = req.url ?? '/';
      const pathname = rawPath.split('?')[0];
      const service: FakeService | null = pathname.startsWith('/osv/')
        ? 'osv'
        : pathname.startsWith('/pypi/')
          ? 'pypi'
          : pathname.startsWith('/npm/')
            ? 'npm'
            : null;
      if (!service) return json(res, 404, { error: 'no such fake service' });
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      if (text !== '') {
        try {
          body = JSON.parse(text);
        } catch {
          requests.push({ service, method: req.method ?? 'GET', path: rawPath, body: text });
          return json(res, 400, { code: 3, message: 'Invalid JSON body.' });
        }
      }
      requests.push({ service, method: req.method ?? 'GET', path: rawPath, body });

      inFlight[service]++;
      maxInFlight[service] = Math.max(maxInFlight[service], inFlight[service]);
      maxInFlight.all = Math.max(maxInFlight.all, totalInFlight());
      res.on('close', () => inFlight[service]--);

      const normal = () => route(service, req.method ?? 'GET', pathname, body, res);
      const active = faults.get(service);
      if (!active) return normal();
      if (active.remaining !== null) {
        active.remaining--;
        if (active.remaining <= 0) faults.delete(service);
      }
      applyFault(active.fault, res, normal);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const clearStats = () => {
    requests.length = 0;
    for (const s of FAKE_SERVICES) maxInFlight[s] = inFlight[s];
    maxInFlight.all = totalInFlight();
  };

  return {
    baseUrl,
    osvQueryUrl: `${baseUrl}/osv/v1/query`,
    pypiApiUrl: `${baseUrl}/pypi`,
    npmRegistryUrl: `${baseUrl}/npm`,
    requests,
    count: (service, p) => requests.filter((r) => r.service === service && matchPath(p, r.path)).length,
    inFlight: (service) => (service ? inFlight[service] : totalInFlight()),
    maxInFlight: (service) => maxInFlight[service ?? 'all'],
    setFault(service, fault) {
      if (fault === null) faults.delete(service);
      else faults.set(service, { fault, remaining: fault.times ?? null });
    },
    reset() {
      faults.clear();
      osvExplicit = new Map();
      pypi = new Map(disk.pypi);
      npm = new Map(disk.npm);
      clearStats();
    },
    clearRequests: clearStats,
    setOsvVulns(ecosystem, name, version, records) {
      const eco = ecosystemOf(ecosystem);
      if (!eco) throw new Error(`setOsvVulns: unknown ecosystem "${ecosystem}"`);
      osvExplicit.set(`${eco}|${upstreamNameKey(eco, name)}|${version}`, [...records]);
    },
    setPypiPackage(doc) {
      pypi.set(upstreamNameKey('pypi', doc.info.name), doc);
    },
    setNpmPackage(packument) {
      npm.set(packument.name, packument);
    },
    async close() {
      faults.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Builders for runtime fixtures (real shapes, fewer keystrokes)
// ---------------------------------------------------------------------------------------------

/** What `pypiDocument` needs; the rest of the document is filled in. */
export interface PypiPackageSpec {
  name: string;
  /** Release versions, each with one wheel. */
  versions: string[];
  /** `info.version` (default: the highest non-pre-release, non-yanked version). */
  infoVersion?: string;
  license?: string | null;
  license_expression?: string | null;
  classifiers?: string[];
  /** Versions whose files are all yanked. */
  yanked?: string[];
  /** Per-release `info` overrides (served by `/pypi/{name}/{version}/json`). */
  perVersion?: Record<string, Record<string, unknown>>;
}

/** A PyPI project document in the real shape, for `setPypiPackage`. */
export function pypiDocument(spec: PypiPackageSpec): PypiDocument {
  const yanked = new Set(spec.yanked ?? []);
  const releases: PypiDocument['releases'] = {};
  spec.versions.forEach((v, i) => {
    releases[v] = [
      {
        filename: `${spec.name.replace(/[-_.]+/g, '_').toLowerCase()}-${v}-py3-none-any.whl`,
        packagetype: 'bdist_wheel',
        python_version: 'py3',
        requires_python: null,
        size: 1000 + i,
        digests: { sha256: `${i}`.padStart(64, '0') },
        upload_time_iso_8601: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
        yanked: yanked.has(v),
        yanked_reason: yanked.has(v) ? 'yanked in fixture' : null,
      },
    ];
  });
  const pep = VERSION_SCHEMES.pypi;
  const finals = spec.versions.filter((v) => !yanked.has(v) && pep.valid(v) && !pep.prerelease(v)).sort(pep.compare);
  const infoVersion = spec.infoVersion ?? finals[finals.length - 1] ?? spec.versions[spec.versions.length - 1];
  return {
    info: {
      name: spec.name,
      version: infoVersion,
      summary: `${spec.name} (test fixture)`,
      license: spec.license ?? null,
      license_expression: spec.license_expression ?? null,
      classifiers: spec.classifiers ?? [],
      requires_python: null,
      yanked: false,
      yanked_reason: null,
    },
    last_serial: 1,
    releases,
    urls: releases[infoVersion] ?? [],
    vulnerabilities: [],
    ...(spec.perVersion ? { _versions: spec.perVersion } : {}),
  };
}

/** What `npmPackument` needs: each version's license fields (`license` or legacy `licenses`). */
export interface NpmPackageSpec {
  name: string;
  versions: Record<string, { license?: unknown; licenses?: unknown }>;
  /** `dist-tags.latest`; null leaves `dist-tags` out (default: the last version listed). */
  latest?: string | null;
}

/** An npm packument in the real shape, for `setNpmPackage`. */
export function npmPackument(spec: NpmPackageSpec): NpmPackument {
  const versions: NpmPackument['versions'] = {};
  const time: Record<string, string> = { created: '2020-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z' };
  Object.entries(spec.versions).forEach(([v, lic], i) => {
    versions[v] = { name: spec.name, version: v, ...lic, _id: `${spec.name}@${v}`, dist: { shasum: `${i}`.padStart(40, '0') } };
    time[v] = new Date(Date.UTC(2020, i, 1)).toISOString();
  });
  const keys = Object.keys(spec.versions);
  const latest = spec.latest === undefined ? keys[keys.length - 1] : spec.latest;
  return {
    _id: spec.name,
    name: spec.name,
    ...(latest ? { 'dist-tags': { latest } } : {}),
    versions,
    time,
  };
}

/** What `osvAdvisory` needs: one record affecting the listed versions of one package. */
export interface OsvAdvisorySpec {
  id: string;
  aliases?: string[];
  /** CVSS vectors (`CVSS:3.1/...` → CVSS_V3, `CVSS:4.0/...` → CVSS_V4). */
  vectors?: string[];
  /** GHSA `database_specific.severity` label. */
  label?: 'LOW' | 'MODERATE' | 'HIGH' | 'CRITICAL';
  withdrawn?: string;
  /** OSV spelling (`PyPI`, `npm`) or lexgate's (`pypi`). */
  ecosystem: string;
  name: string;
  versions: string[];
}

/** An OSV record in the real shape, for `setOsvVulns`. */
export function osvAdvisory(spec: OsvAdvisorySpec): OsvRecord {
  const eco = ecosystemOf(spec.ecosystem);
  if (!eco) throw new Error(`osvAdvisory: unknown ecosystem "${spec.ecosystem}"`);
  const osvEco = eco === 'pypi' ? 'PyPI' : 'npm';
  // `versions` is part of the OSV schema though not of the slice the policy code reads.
  const affected = { package: { ecosystem: osvEco, name: spec.name }, versions: spec.versions };
  return {
    schema_version: '1.6.0',
    id: spec.id,
    modified: '2025-01-01T00:00:00Z',
    published: '2025-01-01T00:00:00Z',
    ...(spec.withdrawn ? { withdrawn: spec.withdrawn } : {}),
    aliases: spec.aliases ?? [],
    summary: `${spec.id} (test fixture)`,
    ...(spec.vectors && spec.vectors.length > 0
      ? { severity: spec.vectors.map((v) => ({ type: v.startsWith('CVSS:4.0/') ? 'CVSS_V4' : v.startsWith('CVSS:3') ? 'CVSS_V3' : 'CVSS_V2', score: v })) }
      : {}),
    affected: [affected],
    ...(spec.label ? { database_specific: { severity: spec.label } } : {}),
  };
}
