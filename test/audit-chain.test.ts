import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditService, type AuditAppendInput, type StatementRunner } from '../server/modules/audit/audit.service';
import { ManualClock } from '../server/shared/clock';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';

const row = (i: number, worker: number): AuditAppendInput => ({
  tenantId: 'default',
  kind: 'DEPENDENCY_EVALUATION',
  action: 'dependency.add',
  requester: 'anonymous',
  project: `proj-${worker % 3}`,
  agentModel: worker % 2 === 0 ? 'opus' : null,
  agentVersion: worker % 2 === 0 ? '4.7' : null,
  ecosystem: 'pypi',
  package: `Pkg_${i}`,
  normalizedName: `pkg-${i}`,
  version: '1.0.0',
  verdict: i % 5 === 0 ? 'DENIED' : 'ALLOWED',
  denialCategory: i % 5 === 0 ? 'cve' : '',
  reason: `reason "${i}", with, commas`,
  license: 'MIT OR Apache-2.0',
  cveIds: i % 5 === 0 ? ['CVE-2024-0001', 'GHSA-aaaa-bbbb-cccc'] : [],
  maxCvss: i % 5 === 0 ? 9.8 : null,
  riskScore: i % 5 === 0 ? 0.98 : 0,
  violations: i % 5 === 0 ? [{ policy: 'vulnerability.cvss_threshold', severity: 'critical' }] : [],
  details: { worker, i, nested: { z: 1, a: [1.5, 'x', null] } },
});

describe.each(dbKinds())('audit chain on %s', (kind) => {
  let tdb: TestDatabase;
  const clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
  const audit = new AuditService(clock);
  const em = () => tdb.db.em() as EntityManager;

  beforeAll(async () => {
    tdb = await freshDatabase(kind);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('keeps 1,000 rows appended by 20 concurrent requests in one unforked chain', async () => {
    const workers = Array.from({ length: 20 }, (_, w) =>
      (async () => {
        for (let i = 0; i < 50; i++) {
          clock.advance(7);
          await tdb.db.em().transactional((tx) => audit.append(tx as EntityManager, row(w * 50 + i, w)));
        }
      })(),
    );
    await Promise.all(workers);
    const v = await audit.verifyChain(em(), 'default');
    expect(v.firstBroken).toBeNull();
    expect(v.ok).toBe(true);
    expect(v.checked).toBe(1000);
    const seqs = await em().execute<{ seq: string }[]>(`select seq from audit_log where tenant_id = 'default' order by seq`);
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const distinctPrev = await em().execute<{ n: number }[]>(`select count(distinct prev_hash)::int as n from audit_log`);
    expect(distinctPrev[0].n).toBe(1000);
  });

  it('refuses updates and deletes of audit rows', async () => {
    await expect(em().execute(`update audit_log set reason = 'edited' where seq = 5`)).rejects.toThrow(/append-only/);
    await expect(em().execute(`delete from audit_log where seq = 5`)).rejects.toThrow(/append-only/);
    expect((await audit.verifyChain(em(), 'default')).ok).toBe(true);
  });

  it('leaves no row and no gap when the caller\'s transaction rolls back', async () => {
    const before = await audit.verifyChain(em(), 'default');
    await expect(
      tdb.db.em().transactional(async (tx) => {
        await audit.append(tx as EntityManager, row(5000, 1));
        throw new Error('the change failed after its audit row was written');
      }),
    ).rejects.toThrow(/change failed/);
    const after = await audit.verifyChain(em(), 'default');
    expect(after.ok).toBe(true);
    expect(after.checked).toBe(before.checked);
    expect(after.headHash).toBe(before.headHash);
  });

  it('refuses to append outside a transaction and to an unknown tenant', async () => {
    await expect(audit.append(em(), row(1, 1))).rejects.toThrow(/inside a transaction/);
    await expect(tdb.db.em().transactional((tx) => audit.append(tx as EntityManager, { ...row(1, 1), tenantId: 'nobody' }))).rejects.toThrow(
      /unknown tenant "nobody"/,
    );
  });

  it('names the altered row when a tamperer bypasses the trigger', async () => {
    const target = await em().execute<{ id: string; seq: string }[]>(`select id, seq from audit_log where seq = 437`);
    await tdb.db.em().transactional(async (tx) => {
      await tx.execute(`set local session_replication_role = replica`);
      await tx.execute(`update audit_log set reason = 'nothing to see here' where seq = 437`);
    });
    const v = await audit.verifyChain(em(), 'default');
    expect(v.ok).toBe(false);
    expect(v.checked).toBe(436);
    expect(v.firstBroken).toEqual({ seq: 437, id: target[0].id, reason: expect.stringMatching(/altered/) });
  });

  it('names the gap when a row is deleted behind the trigger\'s back', async () => {
    const fresh = await freshDatabase(kind);
    try {
      const e = () => fresh.db.em() as EntityManager;
      for (let i = 0; i < 5; i++) await fresh.db.em().transactional((tx) => audit.append(tx as EntityManager, row(i, 0)));
      await fresh.db.em().transactional(async (tx) => {
        await tx.execute(`set local session_replication_role = replica`);
        await tx.execute(`delete from audit_log where seq = 3`);
      });
      const v = await audit.verifyChain(e(), 'default');
      expect(v.ok).toBe(false);
      expect(v.firstBroken?.seq).toBe(3);
      expect(v.firstBroken?.reason).toMatch(/missing/);
    } finally {
      await fresh.drop();
    }
  });

  it('exports the chain as JSON lines that verify offline', async () => {
    const lines: string[] = [];
    for await (const l of audit.exportJsonl(em(), 'default', 300)) lines.push(l);
    expect(lines).toHaveLength(1000);
    const first = JSON.parse(lines[0]);
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe('0'.repeat(64));
    const second = JSON.parse(lines[1]);
    expect(second.prevHash).toBe(first.hash);
  });
});

describe.each(dbKinds())('audit chain with two writers on %s', (kind) => {
  let tdb: TestDatabase;
  const clock = new ManualClock(new Date('2026-03-01T12:00:00.000Z'));
  // Two processes (replicas) on one database: each remembers where it last saw the head.
  const a = new AuditService(clock);
  const b = new AuditService(clock);
  const em = () => tdb.db.em() as EntityManager;
  // A statement on its own, as the batcher runs appends without a transaction.
  const alone: StatementRunner = (sql, params) => tdb.db.em().execute(sql, params);
  const inTx = (audit: AuditService, i: number) => tdb.db.em().transactional((tx) => audit.append(tx as EntityManager, row(i, 0)));

  beforeAll(async () => {
    tdb = await freshDatabase(kind);
    await em().execute(`insert into tenant (id, name, tier, created_at) values ('second', 'Second', 'free', now())`);
    await em().execute(`insert into audit_chain_head (tenant_id, seq, hash) values ('second', 0, '${'0'.repeat(64)}')`);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('never forks the chain when each writer\'s idea of the head goes stale, in or out of a transaction', async () => {
    await inTx(a, 1);
    await inTx(b, 2); // b has never seen the head: it locks and reads it
    await inTx(a, 3); // a's head is stale: its conditional write misses, then it locks
    const one = await b.appendUnlocked(alone, [b.prepare(row(4, 1)), b.prepare(row(5, 1))]); // b's is stale too
    expect(one.failed.size).toBe(0);
    expect(one.leftover).toEqual([]);
    expect([...one.written.values()].map((r) => r.seq)).toEqual([4, 5]);
    // Both writers, concurrently, alone and in transactions.
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        (async () => {
          const audit = w % 2 ? a : b;
          for (let i = 0; i < 10; i++) {
            if (i % 2) await inTx(audit, 100 + w * 10 + i);
            else {
              const r = await audit.appendUnlocked(alone, [audit.prepare(row(100 + w * 10 + i, w))]);
              expect(r.failed.size).toBe(0);
              // Out of attempts under contention: the batcher writes these in a locked transaction.
              for (const p of r.leftover) await tdb.db.em().transactional((tx) => audit.appendPrepared(tx as EntityManager, [p]));
            }
          }
        })(),
      ),
    );
    const v = await a.verifyChain(em(), 'default');
    expect(v.firstBroken).toBeNull();
    expect(v.checked).toBe(85);
  });

  it('recovers when the transaction holding its last write rolls back', async () => {
    await expect(
      tdb.db.em().transactional(async (tx) => {
        await a.append(tx as EntityManager, row(500, 0));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow(/rolled back/);
    // a remembers a head that was never committed; its next writes still chain onto the real one.
    const r = await a.appendUnlocked(alone, [a.prepare(row(501, 0))]);
    expect([...r.written.values()][0].seq).toBe(86);
    await inTx(a, 502);
    const v = await a.verifyChain(em(), 'default');
    expect(v).toMatchObject({ ok: true, checked: 87 });
  });

  it('writes each tenant of a batch on its own: an unknown tenant fails only its rows', async () => {
    const rows = [a.prepare(row(600, 0)), a.prepare({ ...row(601, 0), tenantId: 'nobody' }), a.prepare({ ...row(602, 0), tenantId: 'second' })];
    const r = await a.appendUnlocked(alone, rows);
    expect(r.written.get(rows[0])?.seq).toBe(88);
    expect(r.written.get(rows[2])?.seq).toBe(1);
    expect(String(r.failed.get(rows[1]))).toMatch(/unknown tenant "nobody"/);
    expect((await a.verifyChain(em(), 'second')).ok).toBe(true);
    expect((await a.verifyChain(em(), 'default')).checked).toBe(88);
  });
});
