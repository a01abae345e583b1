import type { Resource } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { Actor } from '../access/index.ts';

/** A FHIR REST request, independent of any web framework. */
export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';
  /** Path below the FHIR base, without leading or trailing slashes: `Patient/123/_history/2`. */
  path: string;
  query: [string, string][];
  headers: {
    ifMatch?: string | undefined;
    ifNoneExist?: string | undefined;
    prefer?: string | undefined;
  };
  body?: unknown;
  actor: Actor;
  /** Where the request came from, for the audit trail. */
  context?: RequestContext | undefined;
  /**
   * Transaction Bundles only: work that must commit or roll back with the entries, run first
   * inside their database transaction (HL7 v2 ingest logs the message there). Never set from HTTP.
   */
  sameTransaction?: ((tx: Queryable) => Promise<void>) | undefined;
}

/** Where a request came from: recorded with each access in the audit trail. */
export interface RequestContext {
  requestId?: string | undefined;
  clientIp?: string | undefined;
  userAgent?: string | undefined;
}

export interface FhirResponse {
  status: number;
  body?: Resource;
  headers?: Record<string, string>;
}
