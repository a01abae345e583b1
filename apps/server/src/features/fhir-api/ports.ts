import type { Resource } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { IssueInput } from '@kennebec/fhir';
import type { AccessFilter, SqlFhirRepository, StoredVersion, WriteContext } from '@kennebec/fhir-store';

/** What the FHIR interactions need from search, validation and the type catalogue. */
export interface SearchOutcome {
  matches: StoredVersion[];
  included: StoredVersion[];
  total?: number | undefined;
  nextCursor?: string | undefined;
  /** Warnings to return in the Bundle (e.g. ignored parameters under lenient handling). */
  warnings?: IssueInput[] | undefined;
}

export interface SearchOptions {
  lenient: boolean;
  /** Search inside a transaction (conditional operations in a transaction Bundle). */
  handle?: Queryable;
  /** The access decision's restriction (only permitted patients' resources). */
  access?: AccessFilter | undefined;
}

export interface SearchEngine {
  search(resourceType: string, params: [string, string][], opts: SearchOptions): Promise<SearchOutcome>;
}

/**
 * Work that must happen in the same transaction as the write of certain resource types (the
 * MPI links every stored Patient to its Person). Called explicitly by the interactions.
 */
export interface WriteFollower {
  types: ReadonlySet<string>;
  after(repo: SqlFhirRepository, tx: Queryable, versions: StoredVersion[], ctx: WriteContext): Promise<void>;
}

export interface ResourceValidator {
  /** Issues found; any of severity error/fatal rejects the write. */
  validate(resource: unknown, expectedType: string): IssueInput[];
  isKnownType(type: string): boolean;
  readonly resourceTypes: readonly string[];
}

export type { Resource };
