import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlTx } from '../server/db/sql-tx';
import { TransactionBatcher } from '../server/db/transaction-batcher';
import { AuditService } from '../server/modules/audit/audit.service';
import { ManualClock } from '../server/shared/clock';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';

describe.each(dbKinds())('batched transactions on %s', (kind) => {
  let tdb: TestDatabase;
  const audit = new AuditService(new ManualClock());
  beforeAll(async () => {
    tdb = await freshDatabase(kind);
  });
  afterAll(() => tdb?.drop());

  it('commits the good units of a batch (ORM and plain-statement ones), rolls back a failing one alone, and keeps the chain whole', async () => {
    const batcher = new TransactionBatcher(tdb.db, audit);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => {
        // ORM units and plain-statement units alike (on PostgreSQL they run in different transactions).
        const work = async (tx: EntityManager | SqlTx) => {
          const row = await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: `unit.${i}`, requester: 'test' });
          if (i % 13 === 7) throw new Error(`unit ${i} failed after writing its audit row`);
          await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: `unit.${i}.second`, requester: 'test' });
          return row.id;
        };
        return i % 2 === 0 ? batcher.run(work) : batcher.runSql(work);
      }),
    );
    const failed = outcomes.map((o, i) => (o.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
    expect(failed).toEqual([7, 20, 33, 46, 59]);
    const em = tdb.db.em() as EntityManager;
    const actions = (await em.execute<{ action: string }[]>(`select action from audit_log order by seq`)).map((r) => r.action);
    expect(actions).toHaveLength(110);
    for (const i of failed) expect(actions.some((a) => a.startsWith(`unit.${i}`) && (a === `unit.${i}` || a === `unit.${i}.second`))).toBe(false);
    expect(actions).toContain('unit.8.second');
    const v = await audit.verifyChain(em, 'default');
    expect(v).toMatchObject({ ok: true, checked: 110 });
  });

  it('writes the audit-only appends of a batch in one statement, with every field intact', async () => {
    const batcher = new TransactionBatcher(tdb.db, audit);
    const em = tdb.db.em() as EntityManager;
    const before = (await audit.verifyChain(em, 'default')).checked;
    const detailed = {
      tenantId: 'default',
      kind: 'DEPENDENCY_EVALUATION' as const,
      action: 'dependency.add',
      requester: 'bench',
      project: 'p "quoted", {braced}',
      agentModel: 'model-x',
      agentVersion: '1.2',
      agentId: 'agent-7',
      ecosystem: 'npm',
      package: '@scope/name',
      normalizedName: '@scope/name',
      version: '1.0.0',
      resolvedVersion: '1.0.0',
      verdict: 'DENIED',
      status: 'blocked',
      denialCategory: 'cve',
      reason: 'line one\nline two — ünïcode',
      license: 'MIT OR Apache-2.0',
      cveIds: ['CVE-2024-0001', 'GHSA-aaaa-bbbb-cccc', 'with,comma'],
      maxCvss: 9.8,
      registryStatus: null,
      triggeredPolicy: 'cve.threshold',
      severity: 'critical',
      riskScore: 0.1 + 0.2,
      violations: [{ policy: 'cve.threshold', severity: 'critical' }],
      details: { z: 1, a: { nested: [1, 'two', null] }, degraded: false },
    };
    const settled = await Promise.allSettled([
      batcher.append({ ...detailed }),
      batcher.run(async (tx) => (await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: 'general.ok', requester: 'test' })).seq),
      batcher.append({ tenantId: 'default', kind: 'SYSTEM', action: 'bad\u0000action', requester: 'test' }),
      batcher.run(async (tx) => {
        await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: 'general.failing', requester: 'test' });
        throw new Error('rolled back alone');
      }),
      batcher.append({ tenantId: 'default', kind: 'SYSTEM', action: 'plain', requester: 'test' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/action must not contain NUL/);
    const [first, general, , , plain] = settled.map((s) => (s.status === 'fulfilled' ? s.value : null)) as [
      Awaited<ReturnType<typeof batcher.append>>,
      number,
      null,
      null,
      Awaited<ReturnType<typeof batcher.append>>,
    ];
    // The appends keep their order, one after the other; on an external PostgreSQL
    // they commit (on a plain driver transaction) before the general units, on the
    // embedded database after them in the same transaction.
    const appendsFirst = kind === 'postgres';
    expect(general).toBe(appendsFirst ? before + 3 : before + 1);
    expect([first.seq, plain.seq]).toEqual(appendsFirst ? [before + 1, before + 2] : [before + 2, before + 3]);
    const page = await audit.list(em, 'default', {}, 3, null);
    const stored = page.rows.find((r) => r.id === first.id)!;
    expect(stored).toEqual(first);
    expect(stored.riskScore).toBe(0.1 + 0.2);
    expect(page.rows.map((r) => r.action)).toEqual(appendsFirst ? ['general.ok', 'plain', 'dependency.add'] : ['plain', 'dependency.add', 'general.ok']);
    expect(await audit.verifyChain(em, 'default')).toMatchObject({ ok: true, checked: before + 3 });
  });

  it('rejects every unit of a batch whose commit fails, and writes none of them', async () => {
    const batcher = new TransactionBatcher(tdb.db, audit);
    const before = (await audit.verifyChain(tdb.db.em() as EntityManager, 'default')).checked;
    // A deferred constraint fails at commit time, after every unit succeeded.
    await tdb.db.em().getConnection().execute(`create table if not exists batch_probe (id int primary key, ref int, constraint batch_probe_ref check (ref is null or ref > 0) )`);
    await tdb.db.em().getConnection().execute(
      `alter table batch_probe add constraint batch_probe_self foreign key (ref) references batch_probe (id) deferrable initially deferred`,
    );
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) =>
        batcher.run(async (em) => {
          await audit.append(em, { tenantId: 'default', kind: 'SYSTEM', action: `doomed.${i}`, requester: 'test' });
          if (i === 3) await em.execute(`insert into batch_probe (id, ref) values (1, 999)`, [], 'run');
          return i;
        }),
      ),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const after = await audit.verifyChain(tdb.db.em() as EntityManager, 'default');
    expect(after).toMatchObject({ ok: true, checked: before });
  });
});
