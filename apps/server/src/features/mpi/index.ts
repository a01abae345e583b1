import type { Patient } from 'fhir/r4';
import type { WriteFollower } from '../fhir-api/index.ts';
import { linkPatient } from './link-patient.ts';

export { linkPatient, scoreCandidates, type LinkResult } from './link-patient.ts';
export { matchOperation } from './match-operation.ts';
export { everythingOperation } from './everything-operation.ts';
export { mergePatients, type PatientMerge } from './merge-patients.ts';
export { listReviews, decideReview, ReviewError, type ReviewItem } from './review.ts';
export { mpiPlugin } from './routes.ts';

/** The MPI as a follower of Patient writes: each stored Patient is linked to its Person. */
export function createPatientLinker(): WriteFollower {
  return {
    types: new Set(['Patient']),
    async after(repo, tx, versions, ctx) {
      for (const v of versions) {
        if (v.resource) await linkPatient(repo, tx, v.resource as Patient & { id: string }, ctx);
      }
    },
  };
}
