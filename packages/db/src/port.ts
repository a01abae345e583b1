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

export interface QueryOptions {
  /**
   * Prepare the statement once per connection and reuse its plan (PostgreSQL). Only for
   * fixed-shape statements whose best plan does not depend on the values, such as lookups by
   * primary key: a generic plan for a search can be far worse than a fresh one.
   */
  prepare?: boolean;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
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
