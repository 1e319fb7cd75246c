import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatementPipeline } from '../server/db/statement-pipeline';
import { dbKinds, freshDatabase, type TestDatabase } from './support/databases';

// The pipeline is for an external PostgreSQL only (the embedded one has one connection, the ORM's).
describe.skipIf(!dbKinds().includes('postgres'))('statements pipelined on one PostgreSQL connection', () => {
  let tdb: TestDatabase;
  let pipeline: StatementPipeline;

  beforeAll(async () => {
    tdb = await freshDatabase('postgres');
    pipeline = new StatementPipeline(tdb.url!);
    await pipeline.query('create table pipe_probe (n int primary key, t text)', []);
  });
  afterAll(async () => {
    await pipeline?.close();
    await tdb?.drop();
  });

  it('runs statements sent together in the order sent, each committing on its own', async () => {
    const inserts = Array.from({ length: 50 }, (_, i) =>
      pipeline.query<{ n: string; seen: string }>(
        'insert into pipe_probe (n, t) values ($1, $2) returning n, (select count(*) from pipe_probe) as seen',
        [i, `row ${i}`],
        'probe_insert',
      ),
    );
    const rows = (await Promise.all(inserts)).map((r) => r[0]);
    // Each statement saw exactly the rows of the ones sent before it (text results).
    expect(rows).toEqual(Array.from({ length: 50 }, (_, i) => ({ n: String(i), seen: String(i) })));
    const other = new pg.Client({ connectionString: tdb.url! });
    await other.connect();
    try {
      expect((await other.query('select count(*)::int as n from pipe_probe')).rows[0].n).toBe(50);
    } finally {
      await other.end();
    }
  });

  it('fails only the statement that fails; the ones after it run', async () => {
    const results = await Promise.allSettled([
      pipeline.query('insert into pipe_probe (n, t) values ($1, $2)', [100, 'a'], 'probe_insert2'),
      pipeline.query('insert into pipe_probe (n, t) values ($1, $2)', [100, 'duplicate'], 'probe_insert2'),
      pipeline.query('select t from pipe_probe where n = $1', [100], 'probe_select'),
      pipeline.query('select nonsense from nowhere', [], 'probe_bad'),
      pipeline.query('select count(*) as n from pipe_probe', []),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' });
    expect((results[2] as PromiseFulfilledResult<unknown>).value).toEqual([{ t: 'a' }]);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: '42P01' });
    expect((results[4] as PromiseFulfilledResult<unknown>).value).toEqual([{ n: '51' }]);
    // A statement whose Parse failed is parsed again next time (and fails again, the same way).
    await expect(pipeline.query('select nonsense from nowhere', [], 'probe_bad')).rejects.toMatchObject({ code: '42P01' });
  });

  it('keeps a statement prepared when its first run fails after the parse, and runs it again', async () => {
    const text = 'insert into pipe_probe (n, t) values ($1, $2) returning n';
    // The parse succeeds; the insert then fails (n = 100 is taken): the prepared statement stays on the connection.
    await expect(pipeline.query(text, [100, 'taken'], 'probe_first_fails')).rejects.toMatchObject({ code: '23505' });
    expect(await pipeline.query(text, [300, 'next'], 'probe_first_fails')).toEqual([{ n: '300' }]);
  });

  it('keeps a prepared statement whose first execution failed: the next run of it works', async () => {
    await pipeline.query('insert into pipe_probe (n, t) values ($1, $2)', [200, 'taken'], 'probe_other');
    // Parsed, then failed when it ran (a duplicate key): the statement exists on the server all the same.
    await expect(pipeline.query('insert into pipe_probe (n, t) values ($1, $2)', [200, 'again'], 'probe_fresh')).rejects.toMatchObject({ code: '23505' });
    await expect(pipeline.query('insert into pipe_probe (n, t) values ($1, $2)', [201, 'fine'], 'probe_fresh')).resolves.toEqual([]);
    expect(await pipeline.query('select t from pipe_probe where n = $1', [201])).toEqual([{ t: 'fine' }]);
  });

  it('fails the statements in flight when the connection dies, and reconnects for the next', async () => {
    const pid = (await pipeline.query<{ pid: string }>('select pg_backend_pid() as pid', []))[0].pid;
    // Settled into values at once, so their rejections are handled when they come.
    const slow = pipeline.query('select pg_sleep(5)', []).then(() => 'ran', (e: unknown) => e);
    const after = pipeline.query('select 1 as one', []).then(() => 'ran', (e: unknown) => e);
    const killer = new pg.Client({ connectionString: tdb.url! });
    await killer.connect();
    try {
      await new Promise((r) => setTimeout(r, 200));
      await killer.query('select pg_terminate_backend($1)', [Number(pid)]);
    } finally {
      await killer.end();
    }
    expect(await slow).toBeInstanceOf(Error);
    expect(await after).toBeInstanceOf(Error);
    const again = await pipeline.query<{ pid: string }>('select pg_backend_pid() as pid', []);
    expect(again[0].pid).not.toBe(pid);
  });
});
