/**
 * Statements pipelined on ONE PostgreSQL connection: each is sent at once,
 * without waiting for the answers to the ones before it. PostgreSQL runs them
 * one after the other, in the order sent, each in its own implicit transaction
 * (one Sync each: an error ends only its own statement), and answers in that
 * order. So a statement may be written on what the one before it will leave
 * (the audit chain's next head), while that one still runs, and never
 * overtakes it.
 *
 * This is node-postgres' own pipeline mode (`pg.Client({ pipeline: true })`,
 * pg >= 8.23), which also keeps the connection's prepared statements. Rows
 * come back as text (the hot statements return a few counters; no type
 * parsing). When the connection fails, every statement waiting on it fails
 * (its outcome is unknown) and the next statement opens a new connection.
 */
import pg from 'pg';

type Row = Record<string, string | null>;

/** Every column as the text PostgreSQL sent. */
const TEXT_TYPES = { getTypeParser: () => (value: string) => value };

interface Open {
  client: pg.Client;
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
    const result = await conn.client.query({ text, values, name, types: TEXT_TYPES });
    return result.rows as R[];
  }

  async close(): Promise<void> {
    const open = this.open;
    this.open = null;
    if (!open) return;
    try {
      const conn = await open;
      conn.broken = true;
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
    const client = new pg.Client({ connectionString: this.connectionString, pipeline: true });
    const conn: Open = { client, broken: false };
    const fail = () => {
      if (conn.broken) return;
      conn.broken = true;
      if (this.open && this.openNow === conn) this.open = null;
      client.end().catch(() => undefined);
    };
    client.on('error', fail);
    client.on('end', fail);
    await client.connect();
    this.openNow = conn;
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
