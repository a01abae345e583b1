import { z } from 'zod';

/** Request bodies of the MPI admin API (routes.ts). Every staff action states why. */
const reason = z.string().trim().min(3).max(1000);

/** POST /admin/mpi/reviews/{id} */
export const reviewDecisionBody = z.object({ decision: z.enum(['link', 'keep-apart']), reason });

/** POST /admin/mpi/patients/{patientId}/unlink and POST /admin/mpi/changes/{changeId}/undo */
export const reasonBody = z.object({ reason });

/** POST /admin/mpi/persons/{personId}/merge: merge that Person into `into`. */
export const mergeBody = z.object({ into: z.string().min(1).max(64), reason });

export const reviewStatusQuery = z.object({ status: z.enum(['open', 'linked', 'kept-apart', 'all']).default('open') });
