import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import type { Database, QueryResult, Tx } from './port.ts';

/**
 * Embedded PostgreSQL (PGlite). One process owns a data directory at a time; PGlite serializes
 * queries itself, so a transaction simply holds the single connection until it ends.
 */
export class PgliteDatabase implements Database {
  readonly dialect = 'pglite' as const;

  private constructor(private readonly pg: PGlite) {}

  /** `dataDir` undefined means an in-memory database. `loadDataDir` restores a dump. */
  static async open(dataDir?: string, options: { loadDataDir?: Blob | File } = {}): Promise<PgliteDatabase> {
    const pg = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: { pg_trgm, fuzzystrmatch },
    });
    return new PgliteDatabase(pg);
  }

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const res = await this.pg.query<R>(sql, params as unknown[]);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (t) => {
      const tx: Tx = {
        inTransaction: true,
        async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
          const res = await t.query<R>(sql, params as unknown[]);
          return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
        },
        async exec(sql: string): Promise<void> {
          await t.exec(sql);
        },
      };
      return fn(tx);
    });
  }

  /** A gzipped tarball of the data directory, used to copy a migrated database per test worker. */
  async dump(): Promise<Blob> {
    return this.pg.dumpDataDir('gzip');
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}
