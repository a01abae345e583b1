import type { Logger } from 'pino';
import type { Database } from '@kennebec/db';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { AppKey } from './app-key.ts';
import type { Config } from './config.ts';
import type { AccessPoint, Actor } from './features/access/index.ts';
// The port's own module, not the feature's index: the feature itself depends on AppDeps.
import type { SecurityEvents } from './features/accounts/security-events.ts';
import type { Mailer } from './features/mail/mailer.ts';
import type { LinkedPatients } from './features/proxies/linked-patients.ts';
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
  /** Sends mail (SMTP_URL, or the in-process development server). Close it on shutdown. */
  mailer: Mailer;
  /** The server's secret key, from which features derive their own keys. */
  appKey: AppKey;
  /** Where security events of accounts and sessions go (the log, later the audit trail). */
  securityEvents: SecurityEvents;
  /** The one authorization decision point for health data. */
  access: AccessPoint;
  /** The Patient records each account is linked to as that person (supplied by enrollment). */
  linkedPatients?: LinkedPatients | undefined;
  /** The audit trail: writes append in their transaction, reads are recorded by the FHIR API. */
  audit: AuditTrail;
  /** Read-only resource types served from elsewhere (AuditEvent from the audit trail). */
  providers: Record<string, ResourceProvider>;
}
