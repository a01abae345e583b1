import type { AppDeps } from '../../deps.ts';
import { createFhirApi, type FhirRequest, type FhirResponse } from '../fhir-api/index.ts';
import { mergePatients } from '../mpi/index.ts';
import { findSourceByFacility, type DataSource } from '../sources/index.ts';
import { applyMessages } from './apply-message.ts';
import { groupCommit, type GroupCommitOptions } from './group-commit.ts';
import type { IngestDeps } from './ingest-hl7v2.ts';

/**
 * Group commit of ingested messages: one transaction at a time, with every message that was
 * waiting when it began (up to 32). Messages are parsed, mapped and validated while the
 * transaction before them runs. One writer makes the largest groups and needs no lock waits
 * between ingest transactions (record matching serializes new links); on the 2-core benchmark
 * it used about a tenth less CPU per message than two writers.
 */
export const GROUP_COMMIT: GroupCommitOptions = { maxBatch: 32, maxConcurrent: 1 };

/** How long a sending facility's source is remembered (a disabled source is refused at once regardless). */
export const SOURCE_TTL_MS = 10_000;

/**
 * What ingest needs, from the app's dependencies and its FHIR dispatcher. Messages applied
 * through one value share its group commit: build it once per listener.
 */
export function ingestDepsFor(app: AppDeps, dispatch: (req: FhirRequest) => Promise<FhirResponse>, groups: GroupCommitOptions = GROUP_COMMIT): IngestDeps {
  // Several transaction Bundles in one database transaction: the FHIR API over the same dependencies.
  const { transactions } = createFhirApi({ ...app, baseUrl: app.config.baseUrl, publishedAt: app.clock.now().toISOString() });
  const deps: IngestDeps = {
    db: app.db,
    dispatch,
    transactions,
    now: () => app.clock.now(),
    mergePatients: (merges, sourceOrg) => mergePatients(app.store, merges, sourceOrg, { author: 'System/hl7v2', sourceOrg }),
    findSource: rememberedSources(app, SOURCE_TTL_MS),
  };
  deps.submit = groupCommit((messages) => applyMessages(deps, messages), groups);
  return deps;
}

/** Sources by sending facility, each remembered for `ttlMs` after it was read; unknown facilities are read each time. */
function rememberedSources(app: Pick<AppDeps, 'db' | 'clock'>, ttlMs: number): (facility: string) => Promise<DataSource | null> {
  const known = new Map<string, { source: DataSource; until: number }>();
  return async (facility) => {
    const now = app.clock.now().getTime();
    const hit = known.get(facility);
    if (hit && hit.until > now) return hit.source;
    const source = await findSourceByFacility(app.db, facility);
    if (source) known.set(facility, { source, until: now + ttlMs });
    else known.delete(facility);
    return source;
  };
}
