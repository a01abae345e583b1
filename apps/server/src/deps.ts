import type { Logger } from 'pino';
import type { Database } from '@kennebec/db';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { Config } from './config.ts';
import type { Actor } from './features/access/index.ts';
import type { FhirRequest, FhirResponse, ResourceProvider, ResourceValidator, SearchEngine, WriteFollower } from './features/fhir-api/index.ts';
import type { AuditTrail } from './features/audit/index.ts';

export interface Clock {
  now(): Date;
}

/** Everything the app needs, built once by the composition root (compose.ts) and passed down. */
export interface AppDeps {
  config: Config;
  db: Database;
  store: SqlFhirStore;
  clock: Clock;
  logger: Logger;
  validator: ResourceValidator;
  search: SearchEngine;
  /** Turns an Authorization header into an Actor, or throws 401. */
  authenticate: (authorization: string | undefined) => Promise<Actor>;
  /** Supported search parameters of a type, for the CapabilityStatement. */
  searchParamsFor: (type: string) => { name: string; type: string; definition?: string; documentation?: string }[];
  version: string;
  /** Follows writes of some resource types in their transaction (the MPI links Patients). */
  follower?: WriteFollower | undefined;
  /** FHIR operations by `Type/$name`. */
  operations?: Record<string, (req: FhirRequest) => Promise<FhirResponse>> | undefined;
  /** The audit trail: writes append in their transaction, reads are recorded by the FHIR API. */
  audit: AuditTrail;
  /** Read-only resource types served from elsewhere (AuditEvent from the audit trail). */
  providers: Record<string, ResourceProvider>;
}
