/**
 * An offline verifier for an exported audit chain (JSON lines), written for
 * the tests from the chain's documented format and deliberately independent
 * of the product's hashing code: each row's hash is lowercase hex SHA-256 of
 * `prevHash`, a newline, and a JSON array of the row's hashed fields in a
 * fixed order, where objects have their keys sorted at every depth and times
 * are ISO-8601 with milliseconds. The first row links to 64 zeros.
 */
import { createHash } from 'node:crypto';

export const HASHED_ORDER = [
  'id', 'tenantId', 'seq', 'ts', 'kind', 'action', 'project', 'requester', 'agentModel', 'agentVersion', 'agentId',
  'ecosystem', 'package', 'normalizedName', 'version', 'resolvedVersion', 'verdict', 'status', 'denialCategory',
  'reason', 'license', 'cveIds', 'maxCvss', 'registryStatus', 'triggeredPolicy', 'severity', 'riskScore',
  'violations', 'details',
] as const;

/** The exported line's keys: the hashed fields, then the two hashes. */
export const EXPORT_ORDER = [...HASHED_ORDER, 'prevHash', 'hash'] as const;

/** Plain reference canonical JSON: sorted keys, recursively (values as parsed from JSON). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function rowHash(prevHash: string, row: Record<string, unknown>): string {
  const body = canonical(HASHED_ORDER.map((k) => row[k]));
  return createHash('sha256').update(`${prevHash}\n${body}`).digest('hex');
}

/** The first problem in an exported chain, or null when every line links and hashes. */
export function verifyExport(lines: readonly string[]): string | null {
  let prev = '0'.repeat(64);
  for (let i = 0; i < lines.length; i++) {
    const row = JSON.parse(lines[i]) as Record<string, unknown>;
    if (row.seq !== i + 1) return `line ${i + 1}: seq ${String(row.seq)}`;
    if (row.prevHash !== prev) return `line ${i + 1}: prevHash does not link`;
    if (rowHash(prev, row) !== row.hash) return `line ${i + 1}: hash does not match the content`;
    prev = row.hash as string;
  }
  return null;
}
