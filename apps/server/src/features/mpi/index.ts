import type { Patient } from 'fhir/r4';
import type { WriteFollower } from '../fhir-api/index.ts';
import { linkPatients } from './link-patient.ts';

export { linkPatient, linkPatients } from './link-patient.ts';
export type { LinkResult } from './links.ts';
export { scoreCandidates } from './candidates.ts';
export { matchOperation } from './match-operation.ts';
export { everythingOperation } from './everything-operation.ts';
export { mergePatients, type PatientMerge } from './merge-patients.ts';
export { listReviews, decideReview, type ReviewItem, type ReviewCause, type ReviewQuery, type ReviewRefs } from './review.ts';
export { matchRecords, type MatchRecord } from './match-records.ts';
export { unlink, mergePersons, undoChange, type ChangeResult, type WithinChange } from './staff-actions.ts';
export { personDetail, patientHistory, type PersonDetail, type HistoryEntry } from './person-view.ts';
export { mpiPlugin, mpiRoutes, type MpiRoutesContext } from './routes.ts';
export { reindexMpi, prepareMpiIndex, mpiIndexState, type ReindexResult } from './reindex.ts';

/**
 * The MPI as a follower of Patient writes: each stored Patient is linked to its Person, and an
 * updated one re-evaluated, in the transaction that wrote it.
 */
export function createPatientLinker(): WriteFollower {
  return {
    types: new Set(['Patient']),
    async after(repo, tx, versions, ctx) {
      const writes = versions.flatMap((v) => (v.resource ? [{ patient: v.resource as Patient & { id: string }, versionId: v.versionId }] : []));
      await linkPatients(repo, tx, writes, ctx);
    },
  };
}
