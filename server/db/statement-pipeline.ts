/**
 * Statements pipelined on ONE PostgreSQL connection: each is sent at once
 * (Parse the first time, then Bind/Describe/Execute/Sync), without waiting for
 * the answers to the ones before it. PostgreSQL runs them one after the
 * other, in the order sent, each in its own implicit transaction (one Sync
 * each: an error ends only its own statement), and answers in that order. So
 * a statement may be written on what the one before it will leave (the audit
 * chain's next head), while that one still runs, and never overtakes it.
 *
 * node-postgres does not pipeline, so this drives its connection's protocol
 * messages itself: the connection is opened (and authenticated) by a
 * `pg.Client`, whose query-flow listeners are then replaced by ours. Text
 * results only (the hot statements return a few counters). When the
 * connection fails, every statement waiting on it fails (its outcome is
 * unknown) and the next statement opens a new connection.
 */
import pg from 'pg';

type Row = Record<string, string | null>;

interface Pending {
  resolve: (rows: Row[]) => void;
  reject: (err: unknown) => void;
  fields: string[];
  rows: Row[];
  error: unknown;
  /** Set when this statement sent a Parse to create a prepared statement of that name. */
  parsed: string | null;
  /** True once that Parse completed: the statement exists even if the execution then fails. */
  parseDone: boolean;
}

/** The protocol messages of a query's flow, which `pg.Client` would otherwise claim. */
const QUERY_FLOW = ['rowDescription', 'dataRow', 'commandComplete', 'readyForQuery', 'errorMessage', 'parseComplete', 'emptyQuery', 'portalSuspended'];

interface Wire {
  parse(q: { name: string; text: string; types: unknown[] }): void;
  bind(c: { portal: string; statement: string; values: unknown[]; binary: boolean }): void;
  describe(m: { type: 'P'; name: string }): void;
  execute(c: { portal: string; rows: number }): void;
  sync(): void;
  on(event: string, fn: (msg: never) => void): void;
  removeAllListeners(event: string): void;
}

interface Open {
  client: pg.Client;
  wire: Wire;
  pending: Pending[];
  prepared: Set<string>;
  broken: boolean;
}

export class StatementPipeline {
  private open: Promise<Open> | null = null;
  /** The connection `open` resolved to, once it has (a failing connection clears `open` only if it is this one). */
  private openNow: Open | null = null;

  constructor(private readonly connectionString: string) {}

  /**
   * Run one statement (`$n` parameters) right after the ones sent before it;
   * rows as text. A `name` prepares it once per connection.
   */
  async query<R = Row>(text: string, values: unknown[], name?: string): Promise<R[]> {
    let conn = await this.connection();
    // It may have failed while this call waited for it: the next one is a new connection.
    if (conn.broken) conn = await this.connection();
    if (conn.broken) throw new Error('the pipelined PostgreSQL connection failed');
    return new Promise<R[]>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (rows: Row[]) => void, reject, fields: [], rows: [], error: null, parsed: null, parseDone: false };
      if (!name) conn.wire.parse({ name: '', text, types: [] });
      else if (!conn.prepared.has(name)) {
        conn.wire.parse({ name, text, types: [] });
        conn.prepared.add(name);
        p.parsed = name;
      }
      conn.pending.push(p);
      conn.wire.bind({ portal: '', statement: name ?? '', values: values.map(prepare), binary: false });
      conn.wire.describe({ type: 'P', name: '' });
      conn.wire.execute({ portal: '', rows: 0 });
      conn.wire.sync();
    });
  }

  async close(): Promise<void> {
    const open = this.open;
    this.open = null;
    if (!open) return;
    try {
      const conn = await open;
      conn.broken = true;
      for (const p of conn.pending.splice(0)) p.reject(new Error('the pipelined PostgreSQL connection was closed'));
      await conn.client.end();
    } catch {
      // never opened, or already gone
    }
  }

  private connection(): Promise<Open> {
    if (!this.open) {
      const opening = this.connect();
      this.open = opening;
      opening.catch(() => {
        if (this.open === opening) this.open = null;
      });
    }
    return this.open;
  }

  private async connect(): Promise<Open> {
    const client = new pg.Client({ connectionString: this.connectionString });
    await client.connect();
    const wire = (client as unknown as { connection: Wire }).connection;
    for (const event of QUERY_FLOW) wire.removeAllListeners(event);
    const conn: Open = { client, wire, pending: [], prepared: new Set(), broken: false };
    const fail = (err: unknown) => {
      if (conn.broken) return;
      conn.broken = true;
      if (this.open && conn === this.openNow) this.open = null;
      const waiting = conn.pending.splice(0);
      for (const p of waiting) p.reject(err);
      client.end().catch(() => undefined);
    };
    this.openNow = conn;
    client.on('error', fail);
    client.on('end', () => fail(new Error('the pipelined PostgreSQL connection closed')));
    wire.on('rowDescription', (msg: { fields: { name: string }[] }) => {
      const p = conn.pending[0];
      if (p) p.fields = msg.fields.map((f) => f.name);
    });
    wire.on('dataRow', (msg: { fields: (string | null)[] }) => {
      const p = conn.pending[0];
      if (!p) return;
      const row: Row = {};
      p.fields.forEach((f, i) => (row[f] = msg.fields[i]));
      p.rows.push(row);
    });
    wire.on('parseComplete', () => {
      const p = conn.pending[0];
      if (p) p.parseDone = true;
    });
    wire.on('errorMessage', (msg: unknown) => {
      const p = conn.pending[0];
      if (p) p.error = msg;
      else fail(msg);
    });
    wire.on('readyForQuery', () => {
      const p = conn.pending.shift();
      if (!p) return;
      if (p.error) {
        // A failed Parse made no prepared statement: parse it again next time.
        // One that completed did, though its execution failed (e.g. a trigger
        // raised): parsing it again would fail with "already exists".
        if (p.parsed && !p.parseDone) conn.prepared.delete(p.parsed);
        p.reject(p.error);
      } else p.resolve(p.rows);
    });
    return conn;
  }

}

/**
 * True for an error PostgreSQL reported for the statement itself (it has a
 * SQLSTATE): the statement was rolled back, so it may be redone. Other errors
 * (a broken connection) leave its outcome unknown.
 */
export function refusedByServer(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, severity } = err as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/** A parameter as text, as node-postgres sends it (numbers, strings, booleans, dates, JSON). */
function prepare(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
