import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, QueryOptions, QueryResult, Tx } from './port.ts';

// Keep bigint/numeric/timestamp values as strings and parse them where their meaning is known;
// node-postgres would otherwise turn timestamptz into Date and lose microseconds.
const types = pg.types;
types.setTypeParser(1184, (v: string) => v); // timestamptz
types.setTypeParser(1114, (v: string) => v); // timestamp
types.setTypeParser(1082, (v: string) => v); // date

/**
 * Statements marked `prepare` are prepared once per connection under a name derived from their
 * text, so PostgreSQL parses and plans them once. Only fixed-shape statements are marked, so the
 * set of names stays small.
 */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `k_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return name;
}

function toQuery(sql: string, params: readonly unknown[], options: QueryOptions | undefined): pg.QueryConfig {
  const values = params as unknown[];
  return options?.prepare && params.length > 0 ? { name: statementName(sql), text: sql, values } : { text: sql, values };
}

export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(connectionString: string, options: { max?: number } = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    client.release();
    return new PostgresDatabase(pool);
  }

  async query<R>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<QueryResult<R>> {
    const res = await this.pool.query(toQuery(sql, params, options));
    return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let open = true;
    const tx: Tx = {
      inTransaction: true,
      async query<R>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<QueryResult<R>> {
        if (!open) throw new Error('transaction handle used after the transaction ended');
        const res = await client.query(toQuery(sql, params, options));
        return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
      },
      async exec(sql: string): Promise<void> {
        if (!open) throw new Error('transaction handle used after the transaction ended');
        await client.query(sql);
      },
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      open = false;
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
