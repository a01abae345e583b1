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

/** Query of GET /admin/mpi/reviews: paged, oldest first. */
export const reviewQueueQuery = reviewStatusQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'cursor must be the next value of a previous page')
    .optional()
    .describe('The next value of the previous page'),
});

export const reviewParams = z.object({ id: z.string().min(1).max(20) });
export const personParams = z.object({ personId: z.string().min(1).max(64) });
export const patientParams = z.object({ patientId: z.string().min(1).max(64) });
export const changeParams = z.object({ changeId: z.string().min(1).max(20) });

/** How one field compared (packages/matching): its agreement level and the weight it added to the score. */
export const evidenceView = z
  .object({
    field: z.string().describe('given, family, birthDate, sex, street, locality, phone, ssn or suffix'),
    level: z.string().describe('exact, close, partial, disagree or missing'),
    weight: z.number().describe('Log-likelihood weight added to the score'),
    detail: z.string().optional(),
  })
  .loose()
  .meta({ id: 'MatchEvidence' });

const decisionStatus = z.enum(['open', 'linked', 'kept-apart']);
const historyAction = z.enum(['new', 'auto-link', 'review-link', 'a40', 'unlink', 'merge', 'undo', 're-evaluation']);

export const reviewItemView = z
  .object({
    id: z.string(),
    patientId: z.string(),
    candidatePatientId: z.string(),
    cause: z.enum(['new-record', 'demographics-changed', 'matches-another-person']),
    score: z.number(),
    evidence: z.array(evidenceView),
    status: decisionStatus,
    reason: z.string().nullable(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ReviewItem' });

export const matchRecordView = z
  .object({
    patientId: z.string(),
    personId: z.string().nullable(),
    sourceOrg: z.string().nullable(),
    sourceName: z.string().nullable(),
    deleted: z.boolean().describe('Deleted by its source since the pair was queued'),
    names: z.array(z.object({ family: z.string().nullable(), given: z.array(z.string()), suffix: z.array(z.string()) })),
    birthDate: z.string().nullable(),
    gender: z.string().nullable(),
    addresses: z.array(z.object({ line: z.array(z.string()), city: z.string().nullable(), state: z.string().nullable(), postalCode: z.string().nullable() })),
    phones: z.array(z.string()),
    identifiers: z.array(z.object({ system: z.string().nullable(), value: z.string().describe('A Social Security number shows its last four digits only') })),
  })
  .meta({ id: 'MatchRecord', description: 'A source record’s demographics, for comparing two side by side' });

export const reviewQueue = z.object({
  reviews: z.array(
    reviewItemView.extend({
      patient: matchRecordView.nullable().describe('The record the item is about; null when it no longer exists'),
      candidate: matchRecordView.nullable().describe('The record it was compared with'),
    }),
  ),
  next: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});

export const changeView = z
  .object({
    changeId: z.string(),
    action: historyAction,
    reason: z.string(),
    actor: z.string().describe('Who decided: User/{id} or Client/{client_id}'),
    moves: z.array(z.object({ patientId: z.string(), fromPersonId: z.string().nullable(), toPersonId: z.string() })),
  })
  .meta({ id: 'MpiChange' });

export const historyEntryView = z
  .object({
    id: z.string(),
    changeId: z.string(),
    action: historyAction,
    patientId: z.string(),
    fromPersonId: z.string().nullable(),
    toPersonId: z.string(),
    score: z.number().nullable(),
    matchedPatientId: z.string().nullable(),
    evidence: z.array(evidenceView).nullable(),
    reason: z.string().nullable(),
    actor: z.string(),
    reviewId: z.string().nullable(),
    undoes: z.string().nullable(),
    undoneBy: z.string().nullable(),
    at: z.string(),
  })
  .meta({ id: 'MpiHistoryEntry' });

export const personDetailView = z.object({
  person: z.object({ id: z.string(), active: z.boolean(), replacedBy: z.string().nullable() }),
  patients: z.array(
    z.object({
      patientId: z.string(),
      sourceOrg: z.string().nullable(),
      decision: z.string().describe('How it was placed: new, link, review or manual'),
      score: z.number().nullable(),
      matchedPatientId: z.string().nullable(),
      evidence: z.array(evidenceView).nullable(),
    }),
  ),
  history: z.array(historyEntryView),
});

export const patientHistoryView = z.object({
  patientId: z.string(),
  personId: z.string().nullable(),
  history: z.array(historyEntryView),
});
