/**
 * The audit chain's guarantees against someone who edits the database behind
 * the append-only trigger: a row altered with its own hash recomputed, the
 * newest rows deleted; the JSONL export carrying every byte of every row; and
 * the verify-chain command failing (exit 1) on a broken chain.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../server/database';
import { AuditService, type AuditAppendInput } from '../server/modules/audit/audit.service';
import { ManualClock } from '../server/shared/clock';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';
import { EXPORT_ORDER, rowHash, verifyExport } from './support/offline-chain';

const row = (i: number): AuditAppendInput => ({
  tenantId: 'default',
  kind: i % 4 === 0 ? 'APPROVAL_DECISION' : 'DEPENDENCY_EVALUATION',
  action: 'dependency.add',
  requester: i % 3 === 0 ? 'anonymous' : 'ci-bot',
  project: i % 2 ? `proj-${i % 3}` : null,
  agentModel: i % 2 === 0 ? 'opus' : null,
  agentVersion: i % 2 === 0 ? '4.7' : null,
  ecosystem: i % 2 ? 'pypi' : 'npm',
  package: i % 2 ? `Pkg_${i}` : `@scope/pkg-${i}`,
  normalizedName: `pkg-${i}`,
  version: `1.${i}.0`,
  verdict: i % 5 === 0 ? 'DENIED' : 'ALLOWED',
  status: i % 4 === 0 ? (i % 8 === 0 ? 'APPROVED' : 'REJECTED') : null,
  denialCategory: i % 5 === 0 ? 'cve' : '',
  reason: `reason ${i}: "quoted", back\\slash, tab\there, ünïcødé ✓, emoji 🦀`,
  license: i % 3 ? 'MIT OR Apache-2.0' : null,
  cveIds: i % 5 === 0 ? ['CVE-2024-0001', 'GHSA-aaaa-bbbb-cccc'] : [],
  maxCvss: i % 5 === 0 ? 9.8 : null,
  riskScore: i % 5 === 0 ? 0.98 : 0.125,
  violations: i % 5 === 0 ? [{ policy: 'vulnerability.cvss_threshold', severity: 'critical', extra: { b: 2, a: 1 } }] : [],
  details: { zeta: i, alpha: 'first', nested: { z: [1.5, 'x', null, true], a: { deeper: `d${i}` } }, long_key_name: 'é' },
});

/** The row as an export line must carry it, built from the database's own text of each column. */
async function expectedLines(em: EntityManager, tenant: string): Promise<string[]> {
  const rows = await em.execute<Record<string, string | null>[]>(
    `select id::text as id, tenant_id, seq::text as seq,
       to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ts,
       kind, action, project, requester, agent_model, agent_version, agent_id, ecosystem, package, normalized_name,
       version, resolved_version, verdict, status, denial_category, reason, license, to_json(cve_ids)::text as cve_ids,
       max_cvss::text as max_cvss, registry_status, triggered_policy, severity, risk_score::text as risk_score,
       violations::text as violations, details::text as details, prev_hash, hash
     from audit_log where tenant_id = ? order by audit_log.seq`,
    [tenant],
  );
  const numOrNull = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => {
    const line: Record<string, unknown> = {
      id: r.id, tenantId: r.tenant_id, seq: Number(r.seq), ts: r.ts, kind: r.kind, action: r.action, project: r.project,
      requester: r.requester, agentModel: r.agent_model, agentVersion: r.agent_version, agentId: r.agent_id,
      ecosystem: r.ecosystem, package: r.package, normalizedName: r.normalized_name, version: r.version,
      resolvedVersion: r.resolved_version, verdict: r.verdict, status: r.status, denialCategory: r.denial_category,
      reason: r.reason, license: r.license, cveIds: JSON.parse(r.cve_ids!), maxCvss: numOrNull(r.max_cvss),
      registryStatus: r.registry_status, triggeredPolicy: r.triggered_policy, severity: r.severity,
      riskScore: numOrNull(r.risk_score), violations: JSON.parse(r.violations!), details: JSON.parse(r.details!),
      prevHash: r.prev_hash, hash: r.hash,
    };
    expect(Object.keys(line)).toEqual([...EXPORT_ORDER]);
    return JSON.stringify(line) + '\n';
  });
}

/** Edit the log as a superuser can: with the append-only trigger switched off for the transaction. */
async function behindTheTrigger(tdb: TestDatabase, sql: string, params: unknown[] = []) {
  await tdb.db.em().transactional(async (tx) => {
    await tx.execute(`set local session_replication_role = replica`);
    await tx.execute(sql, params);
  });
}

describe.each(dbKinds())('audit chain guarantees on %s', (kind) => {
  const clock = new ManualClock(new Date('2026-03-01T12:00:00.123Z'));
  const audit = new AuditService(clock);
  let tdb: TestDatabase;
  const em = () => tdb.db.em() as EntityManager;

  async function chainOf(n: number): Promise<TestDatabase> {
    const t = await freshDatabase(kind);
    for (let i = 1; i <= n; i++) {
      clock.advance(1001);
      await t.db.em().transactional((tx) => audit.append(tx as EntityManager, row(i)));
    }
    return t;
  }

  beforeAll(async () => {
    tdb = await chainOf(30);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('exports every row byte for byte as stored, and the export verifies offline', async () => {
    expect(await audit.verifyChain(em(), 'default')).toMatchObject({ ok: true, checked: 30 });
    const lines: string[] = [];
    // A small batch size: the export pages through the chain.
    for await (const l of audit.exportJsonl(em(), 'default', 7)) lines.push(l);
    const expected = await expectedLines(em(), 'default');
    expect(expected).toHaveLength(30);
    expect(lines).toHaveLength(30);
    for (let i = 0; i < 30; i++) expect(lines[i], `line ${i + 1}`).toBe(expected[i]);
    // Nothing was emptied on the way: the content the rows were written with is in the lines.
    const third = JSON.parse(lines[2]);
    expect(third.reason).toBe(row(3).reason);
    expect(third.details).toEqual(row(3).details);
    expect(JSON.parse(lines[4]).violations).toEqual(row(5).violations);
    expect(verifyExport(lines)).toBeNull();
    // The offline verifier is not a rubber stamp: an emptied field breaks it.
    const emptied = lines.map((l, i) => (i === 11 ? JSON.stringify({ ...JSON.parse(l), details: {} }) : l));
    expect(verifyExport(emptied)).toBe('line 12: hash does not match the content');
  });

  it('finds a row altered with its own hash recomputed, at the row after it', async () => {
    const t = await chainOf(8);
    try {
      const lines: string[] = [];
      for await (const l of audit.exportJsonl(t.db.em() as EntityManager, 'default')) lines.push(l);
      const target = JSON.parse(lines[4]) as Record<string, unknown>;
      const forged = { ...target, reason: 'nothing to see here', details: {} };
      const forgedHash = rowHash(target.prevHash as string, forged);
      await behindTheTrigger(t, `update audit_log set reason = ?, details = '{}'::jsonb, hash = ? where seq = 5`, ['nothing to see here', forgedHash]);
      const v = await audit.verifyChain(t.db.em() as EntityManager, 'default');
      expect(v.ok).toBe(false);
      expect(v.checked).toBe(5);
      const next = JSON.parse(lines[5]) as { id: string };
      expect(v.firstBroken).toEqual({ seq: 6, id: next.id, reason: expect.stringMatching(/prev_hash/) });
    } finally {
      await t.drop();
    }
  });

  it('finds the newest rows deleted, against the chain head', async () => {
    const t = await chainOf(6);
    try {
      await behindTheTrigger(t, `delete from audit_log where seq >= 5`);
      const v = await audit.verifyChain(t.db.em() as EntityManager, 'default');
      expect(v.ok).toBe(false);
      expect(v.checked).toBe(4);
      expect(v.firstBroken).toEqual({ seq: 5, id: null, reason: expect.stringMatching(/head is at seq 6 but only 4 rows/) });
    } finally {
      await t.drop();
    }
  });

  it('finds the newest rows replaced by a forged tail of the same length, against the chain head hash', async () => {
    const t = await chainOf(4);
    try {
      const lines: string[] = [];
      for await (const l of audit.exportJsonl(t.db.em() as EntityManager, 'default')) lines.push(l);
      const last = JSON.parse(lines[3]) as Record<string, unknown>;
      const forged = { ...last, verdict: 'ALLOWED', reason: 'forged' };
      await behindTheTrigger(t, `update audit_log set verdict = 'ALLOWED', reason = 'forged', hash = ? where seq = 4`, [rowHash(last.prevHash as string, forged)]);
      const v = await audit.verifyChain(t.db.em() as EntityManager, 'default');
      expect(v.ok).toBe(false);
      expect(v.firstBroken).toEqual({ seq: 4, id: null, reason: expect.stringMatching(/head hash does not match/) });
    } finally {
      await t.drop();
    }
  });
});

describe('the verify-chain command', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lexgate-verify-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('exits 1 and names the first broken row when the chain is broken', async () => {
    const db = await openDatabase({ kind: 'embedded', dir: path.join(dataDir, 'pgdata') });
    let brokenId = '';
    try {
      await db.migrate();
      const audit = new AuditService(new ManualClock(new Date('2026-03-01T12:00:00Z')));
      for (let i = 1; i <= 3; i++) await db.em().transactional((tx) => audit.append(tx as EntityManager, row(i)));
      await db.em().transactional(async (tx) => {
        await tx.execute(`set local session_replication_role = replica`);
        await tx.execute(`update audit_log set reason = 'edited' where seq = 2`);
      });
      brokenId = (await db.em().execute<{ id: string }[]>(`select id::text as id from audit_log where seq = 2`))[0].id;
    } finally {
      await db.close();
    }
    const { DATABASE_URL: _omit, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('server/main.ts'), 'verify-chain'], {
      env: { ...env, LEXGATE_DATA_DIR: dataDir, LEXGATE_LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(r.stdout).toBe(`BROKEN at seq 2 (row ${brokenId}): content does not match its hash (the row was altered); 1 rows verified before it\n`);
    expect(r.status).toBe(1);
  }, 120_000);
});
