import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlTx } from '../server/db/sql-tx';
import { AuditWriter } from '../server/modules/audit/audit-writer';
import { ApprovalFiling } from '../server/modules/approvals/approval-filing';
import { MAX_HISTORY_REPEATS, type RequestApprovalInput } from '../server/modules/approvals/approval-record';
import { ApprovalService } from '../server/modules/approvals/approval.service';
import { AuditService } from '../server/modules/audit/audit.service';
import { ManualClock } from '../server/shared/clock';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';

describe.each(dbKinds())('batched transactions on %s', (kind) => {
  let tdb: TestDatabase;
  const clock = new ManualClock();
  const audit = new AuditService(clock);
  const approvalFiling = new ApprovalFiling(audit, clock);
  const approvals = new ApprovalService({} as never, audit, approvalFiling, clock); // request/list need no Database of their own
  beforeAll(async () => {
    tdb = await freshDatabase(kind);
  });
  afterAll(() => tdb?.drop());

  it('commits the good units of a batch (ORM and plain-statement ones), rolls back a failing one alone, and keeps the chain whole', async () => {
    const writer = new AuditWriter(tdb.db, audit, approvalFiling);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => {
        // ORM units and plain-statement units alike (on PostgreSQL they run in different transactions).
        const work = async (tx: EntityManager | SqlTx) => {
          const row = await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: `unit.${i}`, requester: 'test' });
          if (i % 13 === 7) throw new Error(`unit ${i} failed after writing its audit row`);
          await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: `unit.${i}.second`, requester: 'test' });
          return row.id;
        };
        return i % 2 === 0 ? writer.run(work) : writer.runSql(work);
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
    const writer = new AuditWriter(tdb.db, audit, approvalFiling);
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
      writer.append({ ...detailed }),
      writer.run(async (tx) => (await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: 'general.ok', requester: 'test' })).seq),
      writer.append({ tenantId: 'default', kind: 'SYSTEM', action: 'bad\u0000action', requester: 'test' }),
      writer.run(async (tx) => {
        await audit.append(tx, { tenantId: 'default', kind: 'SYSTEM', action: 'general.failing', requester: 'test' });
        throw new Error('rolled back alone');
      }),
      writer.append({ tenantId: 'default', kind: 'SYSTEM', action: 'plain', requester: 'test' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/action must not contain NUL/);
    const [first, general, , , plain] = settled.map((s) => (s.status === 'fulfilled' ? s.value : null)) as [
      Awaited<ReturnType<typeof writer.append>>,
      number,
      null,
      null,
      Awaited<ReturnType<typeof writer.append>>,
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
    const writer = new AuditWriter(tdb.db, audit, approvalFiling);
    const before = (await audit.verifyChain(tdb.db.em() as EntityManager, 'default')).checked;
    // A deferred constraint fails at commit time, after every unit succeeded.
    await tdb.db.em().getConnection().execute(`create table if not exists batch_probe (id int primary key, ref int, constraint batch_probe_ref check (ref is null or ref > 0) )`);
    await tdb.db.em().getConnection().execute(
      `alter table batch_probe add constraint batch_probe_self foreign key (ref) references batch_probe (id) deferrable initially deferred`,
    );
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) =>
        writer.run(async (em) => {
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

  it('files a batch of approval requests with one upsert, as if filed one by one, each audit row after the row that filed it', async () => {
    const writer = new AuditWriter(tdb.db, audit, approvalFiling);
    const em = tdb.db.em() as EntityManager;
    const before = (await audit.verifyChain(em, 'default')).checked;
    const filing = (pkg: string, version: string | null, rationale = 'license unknown'): RequestApprovalInput => ({
      tenantId: 'default', project: 'batch', requester: 'anonymous', ecosystem: 'pypi', package: pkg, version, rationale, source: 'auto', agentModel: 'm', agentVersion: null,
    });
    const evalRow = (pkg: string) => ({ tenantId: 'default', kind: 'DEPENDENCY_EVALUATION' as const, action: 'dependency.add', requester: 'anonymous', project: 'batch', package: pkg });
    // A request decided before the batch stays decided; its repeat is still recorded.
    await em.transactional((tx) => approvals.request(tx as EntityManager, filing('decided', null)));
    await em.execute(`update approval_request set status = 'REJECTED', decision_reason = 'no' where normalized_name = 'decided'`);
    const asked = ['Alpha', 'beta', 'alpha', 'decided', 'ALPHA', 'gamma'];
    const results = await Promise.all(asked.map((p, i) => writer.appendFiling(evalRow(p), filing(p, i === 0 ? '1.0' : null, `why ${i}`))));
    const page = await audit.list(em, 'default', {}, 12, null);
    const rows = page.rows.reverse();
    // The chain: each filing's own row, then its APPROVAL_REQUESTED row.
    expect(rows.map((r) => `${r.kind}:${r.package}`)).toEqual(asked.flatMap((p) => [`DEPENDENCY_EVALUATION:${p}`, `APPROVAL_REQUESTED:${p}`]));
    const requested = rows.filter((r) => r.kind === 'APPROVAL_REQUESTED');
    // One request row per name; the repeats counted in order, as if filed one by one.
    expect(requested.map((r) => r.details.created)).toEqual([true, true, false, false, false, true]);
    expect(requested.map((r) => r.details.requestCount)).toEqual([1, 1, 2, 2, 3, 1]);
    expect(requested.map((r) => r.status)).toEqual(['pending_review', 'pending_review', 'pending_review', 'denied', 'pending_review', 'pending_review']);
    expect(new Set([0, 2, 4].map((i) => results[i].filedId)).size).toBe(1);
    results.forEach((r, i) => {
      expect(r.record.id).toBe(rows[2 * i].id);
      expect(requested[i].details.requestId).toBe(r.filedId);
    });
    const alpha = (await approvals.list(em, 'default', { project: 'batch' })).find((r) => r.normalizedName === 'alpha')!;
    expect(alpha).toMatchObject({ requestCount: 3, package: 'ALPHA', version: '1.0', rationale: 'why 4', status: 'PENDING_REVIEW', lastAuditId: requested[4].id });
    expect(alpha.history.map((h) => [h.status, h.note])).toEqual([['PENDING_REVIEW', 'why 0'], ['REQUESTED_AGAIN', 'why 2'], ['REQUESTED_AGAIN', 'why 4']]);
    const decided = (await approvals.list(em, 'default', { project: 'batch' })).find((r) => r.normalizedName === 'decided')!;
    expect(decided).toMatchObject({ status: 'REJECTED', requestCount: 2, rationale: 'license unknown' });
    expect(requested[3].reason).toMatch(/already rejected \(no\) and stays so/);
    expect(await audit.verifyChain(em, 'default')).toMatchObject({ ok: true, checked: before + 1 + 12 });
  });

  it('caps a request\'s history when one batch repeats it past the cap', async () => {
    const writer = new AuditWriter(tdb.db, audit, approvalFiling);
    const em = tdb.db.em() as EntityManager;
    const f: RequestApprovalInput = { tenantId: 'default', project: 'cap', requester: 'anonymous', ecosystem: 'npm', package: 'left-pad', version: null, rationale: 'r', source: 'auto', agentModel: null, agentVersion: null };
    const row = { tenantId: 'default', kind: 'DEPENDENCY_EVALUATION' as const, action: 'dependency.add', requester: 'anonymous', project: 'cap' };
    await Promise.all(Array.from({ length: MAX_HISTORY_REPEATS + 5 }, () => writer.appendFiling(row, f)));
    await Promise.all(Array.from({ length: 3 }, () => writer.appendFiling(row, f)));
    const [r] = await approvals.list(em, 'default', { project: 'cap' });
    expect(r.requestCount).toBe(MAX_HISTORY_REPEATS + 8);
    expect(r.history).toHaveLength(MAX_HISTORY_REPEATS);
  });

  it('fails a filing the database refuses alone, and writes the rest of its batch', async () => {
    const writer = new AuditWriter(tdb.db, audit, approvalFiling);
    const em = tdb.db.em() as EntityManager;
    const before = (await audit.verifyChain(em, 'default')).checked;
    const f = (pkg: string, rationale = 'r'): RequestApprovalInput => ({ tenantId: 'default', project: 'split', requester: 'anonymous', ecosystem: 'pypi', package: pkg, version: null, rationale, source: 'auto', agentModel: null, agentVersion: null });
    const row = { tenantId: 'default', kind: 'DEPENDENCY_EVALUATION' as const, action: 'dependency.add', requester: 'anonymous', project: 'split' };
    // Input the checks pass and only the database refuses (a constraint of this test's own).
    await em.execute(`alter table approval_request add constraint test_refused check (rationale <> 'refused by the database')`);
    try {
      const results = await Promise.allSettled([
        writer.appendFiling(row, f('one')),
        writer.appendFiling(row, f('bad', 'refused by the database')),
        writer.append(row),
        writer.appendFiling(row, f('two')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/test_refused/);
      expect((await approvals.list(em, 'default', { project: 'split' })).map((r) => r.normalizedName).sort()).toEqual(['one', 'two']);
      expect(await audit.verifyChain(em, 'default')).toMatchObject({ ok: true, checked: before + 5 });
      // Known now, the same two are predicted: the statement the database refuses is redone, the bad one alone failing.
      const again = await Promise.allSettled([writer.appendFiling(row, f('one')), writer.appendFiling(row, f('two', 'refused by the database')), writer.append(row)]);
      expect(again.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const requests = await approvals.list(em, 'default', { project: 'split' });
      expect(requests.map((r) => [r.normalizedName, r.requestCount]).sort()).toEqual([['one', 2], ['two', 1]]);
      expect(await audit.verifyChain(em, 'default')).toMatchObject({ ok: true, checked: before + 5 + 3 });
      // Too long for the request row: refused before it joins a batch, naming the field.
      await expect(writer.appendFiling(row, { ...f('three'), agentModel: 'x'.repeat(300) })).rejects.toThrow(/agent_model is longer than 200/);
      await expect(writer.appendFiling(row, f(`a${'b'.repeat(320)}`))).rejects.toThrow(/package is longer than 300/);
    } finally {
      await em.execute(`alter table approval_request drop constraint test_refused`);
    }
  });

  it('writes repeat filings it can predict in one statement, and falls back whole when the prediction is wrong', async () => {
    const em = tdb.db.em() as EntityManager;
    // Count the guarded single statements (only an external PostgreSQL has them).
    let guarded = 0;
    const spyAudit = Object.assign(Object.create(audit), {
      appendGuarded: (...a: Parameters<AuditService['appendGuarded']>) => {
        guarded++;
        return audit.appendGuarded(...a);
      },
    }) as AuditService;
    const writer = new AuditWriter(tdb.db, spyAudit, approvalFiling);
    const f: RequestApprovalInput = { tenantId: 'default', project: 'predict', requester: 'anonymous', ecosystem: 'pypi', package: 'Pred', version: null, rationale: 'r', source: 'auto', agentModel: null, agentVersion: null };
    const row = { tenantId: 'default', kind: 'DEPENDENCY_EVALUATION' as const, action: 'dependency.add', requester: 'anonymous', project: 'predict' };
    const before = (await audit.verifyChain(em, 'default')).checked;
    const requestedRows = async () => (await audit.list(em, 'default', { project: 'predict', kind: 'APPROVAL_REQUESTED' }, 100, null)).rows.reverse();
    const request = async () => (await approvals.list(em, 'default', { project: 'predict' }))[0];

    await writer.appendFiling(row, f); // first sight: a transaction
    await Promise.all([writer.appendFiling(row, f), writer.appendFiling(row, f), writer.append(row)]); // predicted
    expect(guarded).toBe(kind === 'postgres' ? 1 : 0);
    expect((await requestedRows()).map((r) => r.details.requestCount)).toEqual([1, 2, 3]);

    // Decided behind its back: the prediction (still pending) is wrong, the statement fails whole, the batch is redone.
    await em.execute(`update approval_request set status = 'REJECTED', decision_reason = 'not this one' where project = 'predict'`);
    const { filedId } = await writer.appendFiling(row, f);
    expect(filedId).toBe((await request()).id);
    // And a writer elsewhere (another replica) repeats it and moves the chain.
    const elsewhereAudit = new AuditService(clock);
    const elsewhere = new ApprovalService({} as never, elsewhereAudit, new ApprovalFiling(elsewhereAudit, clock), clock);
    await em.transactional((tx) => elsewhere.request(tx as EntityManager, f));
    await writer.appendFiling(row, f);

    const rows = await requestedRows();
    expect(rows.map((r) => [r.details.requestCount, r.status])).toEqual([
      [1, 'pending_review'], [2, 'pending_review'], [3, 'pending_review'], [4, 'denied'], [5, 'denied'], [6, 'denied'],
    ]);
    expect(rows[3].reason).toMatch(/already rejected \(not this one\)/);
    expect(await request()).toMatchObject({ requestCount: 6, status: 'REJECTED', lastAuditId: rows[5].id });
    // Two wrong predictions were tried (and rolled back) before their transactions.
    expect(guarded).toBe(kind === 'postgres' ? 3 : 0);
    // Nothing written twice: 5 filings by the writer (2 rows each), 1 append, 1 repeat elsewhere.
    expect(await audit.verifyChain(em, 'default')).toMatchObject({ ok: true, checked: before + 10 + 1 + 1 });
  });
});
