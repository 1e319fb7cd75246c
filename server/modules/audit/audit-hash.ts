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

/** JSON with object keys sorted at every depth; Dates as ISO strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

/**
 * The hash of one row given its predecessor's hash.
 * @returns lowercase hex SHA-256
 */
export function hashAuditRow(prevHash: string, content: HashedAuditContent): string {
  const body = canonicalJson(HASHED_FIELDS.map((f) => content[f]));
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
