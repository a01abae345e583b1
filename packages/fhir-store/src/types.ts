import type { Resource } from 'fhir/r4';

/**
 * Rows of the typed search index (tables sp_* in migration 001), built by a pure function from
 * a resource and the SearchParameters of its type. Dates are ISO-8601 instants; `low`/`high`
 * bound the range a value covers (FHIR search matches ranges, not points).
 */
export interface IndexRows {
  string: { param: string; value: string; exact: string }[];
  token: { param: string; system: string | null; code: string | null; text: string | null }[];
  reference: { param: string; targetType: string | null; targetId: string | null; url: string | null }[];
  date: { param: string; low: string | null; high: string | null }[];
  number: { param: string; value: string; low: string; high: string }[];
  quantity: {
    param: string;
    value: string;
    low: string;
    high: string;
    system: string | null;
    code: string | null;
    unit: string | null;
  }[];
  uri: { param: string; value: string }[];
}

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], reference: [], date: [], number: [], quantity: [], uri: [] };
}

/** Who writes, and on whose behalf: recorded with every version. */
export interface WriteContext {
  /** e.g. `Client/abc`, `Staff/12`, `system` */
  author: string;
  /** Organization id of the source, when the writer belongs to one. */
  sourceOrg?: string | null;
}

export interface StoredVersion<T extends Resource = Resource> {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  /** Absent for a deleted version. meta.versionId and meta.lastUpdated are set. */
  resource?: T;
  /** The resource's JSON text as stored, when it was read from the database. */
  raw?: string;
  author: string;
  sourceOrg: string | null;
  /** HTTP method that produced this version (POST, PUT, DELETE). */
  method?: string;
  /** The Person the resource belongs to (record matching), when it was read for a write; null: none yet. */
  personId?: string | null;
}

export interface HistoryOptions {
  since?: string;
  at?: string;
  count?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface HistoryPage {
  versions: StoredVersion[];
  total: number;
  nextCursor?: string;
}
