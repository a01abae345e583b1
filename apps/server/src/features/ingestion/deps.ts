import type { Database } from '@kennebec/db';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { mergePatients } from '../mpi/index.ts';
import type { IngestDeps } from './ingest-hl7v2.ts';

/** What ingest needs, from the app's dependencies and its FHIR dispatcher. */
export function ingestDepsFor(app: { db: Database; store: SqlFhirStore; clock: { now(): Date } }, dispatch: (req: FhirRequest) => Promise<FhirResponse>): IngestDeps {
  return {
    db: app.db,
    dispatch,
    now: () => app.clock.now(),
    mergePatients: (merges, sourceOrg) => mergePatients(app.store, merges, sourceOrg, { author: 'System/hl7v2', sourceOrg }),
  };
}
