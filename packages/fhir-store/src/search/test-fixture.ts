/**
 * Shared setup of the search database tests: a fresh migrated database, a store that indexes
 * with the real builder, and `find` running a query string through parser and executor.
 */
import type { FhirResource } from 'fhir/r4';
import type { Database } from '@kennebec/db';
import { createTestDatabase } from '@kennebec/test-support';
import { getSearchRegistry, parseSearchRequest, type ParseOptions } from '@kennebec/fhir';
import { SqlFhirStore } from '../sql-store.ts';
import type { StoredVersion } from '../types.ts';
import { executeSearch, type ExecuteOptions, type SearchResult } from './execute.ts';
import { buildIndexRows } from './index.ts';

export const BASE_URL = 'https://kennebec.test/fhir/R4';
/** Fixed "now" for `ap` and for the store's clock origin. */
export const NOW = new Date('2026-01-01T00:00:00.000Z');

export interface SearchFixture {
  db: Database;
  store: SqlFhirStore;
  /** Creates (or replaces) resources with the given ids. */
  put(...resources: (FhirResource & { id: string })[]): Promise<void>;
  remove(type: string, id: string): Promise<void>;
  search(type: string, query: string, opts?: ExecuteOptions & ParseOptions): Promise<SearchResult>;
  /** Sorted ids of the matches of a search (first page, up to 1000), checked with both strategies. */
  ids(type: string, query: string): Promise<string[]>;
}

export async function createSearchFixture(): Promise<SearchFixture> {
  const db = await createTestDatabase();
  let tick = NOW.getTime();
  const store = new SqlFhirStore(db, { buildIndexRows, now: () => new Date((tick += 1000)) });
  const ctx = { author: 'Client/test' };
  const search = async (type: string, query: string, opts: ExecuteOptions & ParseOptions = {}): Promise<SearchResult> => {
    const params = [...new URLSearchParams(query).entries()];
    const req = parseSearchRequest(type, params, getSearchRegistry(), { baseUrl: BASE_URL, ...opts });
    return executeSearch(db, req, { now: NOW, ...opts });
  };
  return {
    db,
    store,
    async put(...resources) {
      await store.transaction(async (repo) => {
        for (const r of resources) await repo.update(r, ctx);
      });
    },
    async remove(type, id) {
      await store.transaction((repo) => repo.delete(type, id, ctx));
    },
    search,
    async ids(type, query) {
      // Both phrasings of the index predicates must agree.
      const q = `${query}${query ? '&' : ''}_count=1000`;
      const viaIn = (await search(type, q, { strategy: 'in' })).matches.map((m: StoredVersion) => m.id).sort();
      const viaExists = (await search(type, q, { strategy: 'exists' })).matches.map((m: StoredVersion) => m.id).sort();
      if (viaIn.join() !== viaExists.join()) throw new Error(`IN and EXISTS disagree on ${type}?${query}: ${viaIn} / ${viaExists}`);
      return viaIn;
    },
  };
}
