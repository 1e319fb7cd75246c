import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('commits the good units of a batch, rolls back a failing one alone, and keeps the chain whole', async () => {
    const batcher = new TransactionBatcher(tdb.db, (em) => audit.forgetTransaction(em));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        batcher.run(async (em) => {
          const row = await audit.append(em, { tenantId: 'default', kind: 'SYSTEM', action: `unit.${i}`, requester: 'test' });
          if (i % 13 === 7) throw new Error(`unit ${i} failed after writing its audit row`);
          await audit.append(em, { tenantId: 'default', kind: 'SYSTEM', action: `unit.${i}.second`, requester: 'test' });
          return row.id;
        }),
      ),
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

  it('rejects every unit of a batch whose commit fails, and writes none of them', async () => {
    const batcher = new TransactionBatcher(tdb.db, (em) => audit.forgetTransaction(em));
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
