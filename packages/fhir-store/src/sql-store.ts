import type { Database, Tx } from '@kennebec/db';
import { SqlFhirRepository, type RepositoryDeps } from './sql-repository.ts';
import type { Resource } from 'fhir/r4';
import type { HistoryOptions, HistoryPage, StoredVersion, WriteContext } from './types.ts';

/**
 * The FHIR store over a database. Reads run on the pool; every write runs inside
 * `transaction()`, whose callback receives the only repository that can write, so a write can
 * never escape its transaction (and a transaction Bundle is all-or-nothing by construction).
 */
export class SqlFhirStore {
  private readonly reader: SqlFhirRepository;

  constructor(
    private readonly db: Database,
    private readonly deps: RepositoryDeps,
  ) {
    this.reader = new SqlFhirRepository(db, deps);
  }

  read(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    return this.reader.read(resourceType, id);
  }

  vread(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    return this.reader.vread(resourceType, id, versionId);
  }

  history(resourceType: string | undefined, id: string | undefined, opts?: HistoryOptions): Promise<HistoryPage> {
    return this.reader.history(resourceType, id, opts);
  }

  /**
   * Creates resources outside an explicit transaction. Safe because creation is a single
   * statement (resources, history and index rows together), which PostgreSQL runs atomically;
   * it saves the BEGIN and COMMIT round trips on the busiest write path.
   */
  createMany<T extends Resource>(items: { resource: T; id?: string | undefined }[], ctx: WriteContext): Promise<StoredVersion<T>[]> {
    return this.reader.createMany(items, ctx);
  }

  transaction<T>(fn: (repo: SqlFhirRepository, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new SqlFhirRepository(tx, this.deps), tx));
  }
}
