import type { Database, Tx } from '@kennebec/db';
import { SqlFhirRepository, type RepositoryDeps } from './sql-repository.ts';
import type { HistoryOptions, HistoryPage, StoredVersion } from './types.ts';

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

  transaction<T>(fn: (repo: SqlFhirRepository, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new SqlFhirRepository(tx, this.deps), tx));
  }
}
