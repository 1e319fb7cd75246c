/**
 * The audit chain's hash: SHA-256 over the previous hash and a canonical
 * serialisation of the row's content. Canonical means fixed field order,
 * ISO-8601 times with milliseconds, and objects with sorted keys, so a row
 * read back from PostgreSQL (jsonb reorders keys) hashes to the same value.
 */
import { createHash } from 'node:crypto';

/** The 64 zeros every tenant's chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of an audit row, in chain order. */
export interface HashedAuditContent {
  id: string;
  tenantId: string;
  seq: number;
  ts: Date;
  kind: string;
  action: string;
  project: string | null;
  requester: string;
  agentModel: string | null;
  agentVersion: string | null;
  agentId: string | null;
  ecosystem: string | null;
  package: string | null;
  normalizedName: string | null;
  version: string | null;
  resolvedVersion: string | null;
  verdict: string | null;
  status: string | null;
  denialCategory: string;
  reason: string | null;
  license: string | null;
  cveIds: string[];
  maxCvss: number | null;
  registryStatus: string | null;
  triggeredPolicy: string | null;
  severity: string | null;
  riskScore: number | null;
  violations: unknown[];
  details: Record<string, unknown>;
}

/** The fields in the order they are hashed; changing it breaks every existing chain. */
export const HASHED_FIELDS = [
  'id',
  'tenantId',
  'seq',
  'ts',
  'kind',
  'action',
  'project',
  'requester',
  'agentModel',
  'agentVersion',
  'agentId',
  'ecosystem',
  'package',
  'normalizedName',
  'version',
  'resolvedVersion',
  'verdict',
  'status',
  'denialCategory',
  'reason',
  'license',
  'cveIds',
  'maxCvss',
  'registryStatus',
  'triggeredPolicy',
  'severity',
  'riskScore',
  'violations',
  'details',
] as const satisfies readonly (keyof HashedAuditContent)[];

/** What JSON.stringify escapes in a string (quote, backslash, controls) or may (surrogates). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string; most need no escaping, and those are quoted as they are (twice as fast). */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * JSON with object keys sorted at every depth (by UTF-16 code units), Dates as
 * ISO strings, undefined members left out, undefined array items and
 * non-finite numbers as null. Every row is hashed with it, so it is written
 * for speed (string building, no intermediate arrays); its output must never
 * change (the test pins it against a plain reference implementation).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += (first ? '' : ',') + quote(k) + ':' + canonicalJson(v);
        first = false;
      }
      return out + '}';
    }
    default:
      return JSON.stringify(value);
  }
}

/** The canonical text of a row's hashed content: a JSON array of HASHED_FIELDS' values, in order. */
export function hashedBody(content: HashedAuditContent): string {
  let body = '[';
  for (let i = 0; i < HASHED_FIELDS.length; i++) body += (i === 0 ? '' : ',') + canonicalJson(content[HASHED_FIELDS[i]]);
  return body + ']';
}

/** The hash of a row from its predecessor's hash and its `hashedBody`; lowercase hex SHA-256. */
export function hashOfBody(prevHash: string, body: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * The hash of one row given its predecessor's hash.
 * @returns lowercase hex SHA-256
 */
export function hashAuditRow(prevHash: string, content: HashedAuditContent): string {
  return hashOfBody(prevHash, hashedBody(content));
}
