/**
 * The database port. Two adapters implement it (embedded PGlite and a PostgreSQL server) and
 * both speak one SQL dialect: PostgreSQL 15, with pg_trgm and fuzzystrmatch loaded.
 *
 * A transaction callback receives a `Tx`, the only handle it may use: code inside a
 * transaction cannot reach the pool by accident, because it is never given it.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A handle valid only inside one transaction callback. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
}

export type Dialect = 'pglite' | 'postgres';

export interface Database extends Queryable {
  readonly dialect: Dialect;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Closes every connection; PGlite flushes its data directory. */
  close(): Promise<void>;
}
