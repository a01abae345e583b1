import type { Resource } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { IssueInput } from '@kennebec/fhir';
import type { AccessFilter, SqlFhirRepository, StoredVersion, WriteContext } from '@kennebec/fhir-store';
import type { AuditEntryInput } from '@kennebec/audit';
import type { Actor } from '../access/index.ts';
import type { FhirResponse } from './types.ts';

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

/**
 * The audit trail, as the FHIR interactions use it. A write stages its entries in its own
 * transaction; a read, and a request that was refused or failed, records them after the fact
 * (durable before the response unless the trail buffers reads). An operation that writes must
 * append its own entries in its transaction; the dispatcher records what every operation returns.
 */
export interface AuditSink {
  appendInTransaction(tx: Queryable, entries: readonly AuditEntryInput[]): Promise<void>;
  record(entries: readonly AuditEntryInput[]): Promise<void>;
}

/**
 * A resource type served from somewhere other than the resource store, read-only through the
 * API (AuditEvent, served from the audit trail). Writes of such a type answer 405.
 */
export interface ResourceProvider {
  read(actor: Actor, id: string): Promise<FhirResponse>;
  search(actor: Actor, params: [string, string][], prefer: string | undefined): Promise<FhirResponse>;
  /** Search parameters, for the CapabilityStatement. */
  searchParams: { name: string; type: string; documentation?: string }[];
}

export interface ResourceValidator {
  /** Issues found; any of severity error/fatal rejects the write. */
  validate(resource: unknown, expectedType: string): IssueInput[];
  isKnownType(type: string): boolean;
  readonly resourceTypes: readonly string[];
}

export type { Resource };
