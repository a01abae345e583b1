import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import type { SqlFhirStore, WriteContext } from '@kennebec/fhir-store';
import type { Evidence } from '@kennebec/matching';
import { keepApart, recordMove, syncPersons, type Move } from './links.ts';
import { lockPersonsOf } from './locks.ts';
import { movePatientToPersonOf } from './merge-patients.ts';
import { unlinkPatient } from './staff-actions.ts';

/**
 * The review queue: pairs the index would not decide alone, decided by HIE staff. Causes: a
 * new record scored between the thresholds (or matched a Person holding a relative of it); an
 * updated record no longer matches its own Person; an updated record matches another Person.
 * "link" puts the Patient in the candidate's Person (a Person left without Patients becomes
 * inactive), or confirms it where it is when they already share one; "keep-apart" records
 * that they are different people, and splits the Patient out when they share a Person. Each
 * decision keeps who, when and why, and every move is a change of the link history.
 */
export type ReviewCause = 'new-record' | 'demographics-changed' | 'matches-another-person';

export interface ReviewItem {
  id: string;
  patientId: string;
  candidatePatientId: string;
  cause: ReviewCause;
  score: number;
  evidence: unknown;
  status: 'open' | 'linked' | 'kept-apart';
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

interface Row {
  id: string;
  patient_id: string;
  candidate_patient_id: string;
  cause: ReviewCause;
  score: number;
  evidence: unknown;
  status: ReviewItem['status'];
  reason: string | null;
  decided_by: string | null;
  decided_at: string | Date | null;
  created_at: string | Date;
}

const COLUMNS = 'id::text as id, patient_id, candidate_patient_id, cause, score, evidence, status, reason, decided_by, decided_at, created_at';
const iso = (v: string | Date): string => new Date(v).toISOString();

function toItem(r: Row): ReviewItem {
  return {
    id: r.id,
    patientId: r.patient_id,
    candidatePatientId: r.candidate_patient_id,
    cause: r.cause,
    score: Number(r.score),
    evidence: typeof r.evidence === 'string' ? JSON.parse(r.evidence) : r.evidence,
    status: r.status,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : iso(r.decided_at),
    createdAt: iso(r.created_at),
  };
}

export interface ReviewQuery {
  status?: ReviewItem['status'] | 'all' | undefined;
  limit?: number | undefined;
  /** Only items after this one (the `next` of the previous page). */
  after?: string | undefined;
}

/** Oldest first, a page at a time: `next` is the cursor of the following page, null on the last. */
export async function listReviews(db: Queryable, opts: ReviewQuery = {}): Promise<{ reviews: ReviewItem[]; next: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const res = await db.query<Row>(
    `select ${COLUMNS} from mpi_review where ($1 = 'all' or status = $1) and ($2::bigint is null or id > $2::bigint) order by id limit $3`,
    [opts.status ?? 'open', opts.after ?? null, limit + 1],
  );
  const rows = res.rows.slice(0, limit);
  return { reviews: rows.map(toItem), next: res.rows.length > limit ? (rows.at(-1)?.id ?? null) : null };
}

/** What a decision touched, for its audit entry. */
export interface ReviewRefs {
  patients: string[];
  persons: string[];
}

export async function decideReview(
  store: SqlFhirStore,
  id: string,
  decision: 'link' | 'keep-apart',
  reason: string,
  ctx: WriteContext,
  within?: (tx: Queryable, refs: ReviewRefs) => Promise<void>,
): Promise<ReviewItem> {
  if (!/^\d{1,18}$/.test(id)) throw errors.notFound(`review ${id}`);
  return store.transaction(async (repo, tx) => {
    const found = await tx.query<Row>(`select ${COLUMNS} from mpi_review where id = $1::bigint for update`, [id]);
    const item = found.rows[0];
    if (!item) throw errors.notFound(`review ${id}`);
    if (item.status !== 'open') throw errors.mpiConflict(`Review item ${id} was already decided (${item.status})`);
    const persons = await lockPersonsOf(tx, [item.patient_id, item.candidate_patient_id]);
    const own = persons.get(item.patient_id);
    const other = persons.get(item.candidate_patient_id);
    if (!own || !other) throw errors.mpiConflict('Both Patients must be linked to a Person');
    const evidence = (typeof item.evidence === 'string' ? JSON.parse(item.evidence) : item.evidence) as Evidence[];
    const touched = new Set([own, other]);
    const change = { action: 'review-link' as const, reason, actor: ctx.author, reviewId: id };
    if (decision === 'link' && own !== other) {
      await movePatientToPersonOf(repo, tx, item.patient_id, item.candidate_patient_id, change, ctx, { score: Number(item.score), evidence });
    } else if (decision === 'link') {
      // Already one Person (a record whose demographics changed): staff confirm it belongs there.
      const move: Move = { patientId: item.patient_id, fromPersonId: own, toPersonId: own, decision: 'manual', score: Number(item.score), matchedPatientId: item.candidate_patient_id, evidence };
      await recordMove(tx, { ...change, id: null }, move);
      await syncPersons(repo, tx, [move], ctx);
    } else if (own === other) {
      // Different people in one Person: split the changed record out.
      const split = await unlinkPatient(repo, tx, item.patient_id, { reason, reviewId: id }, ctx);
      for (const m of split.moves) touched.add(m.toPersonId);
    } else {
      await keepApart(tx, item.patient_id, [item.candidate_patient_id], { reviewId: id });
    }
    const res = await tx.query<Row>(
      `update mpi_review set status = $2, reason = $3, decided_by = $4, decided_at = now() where id = $1::bigint returning ${COLUMNS}`,
      [id, decision === 'link' ? 'linked' : 'kept-apart', reason, ctx.author],
    );
    await within?.(tx, { patients: [item.patient_id, item.candidate_patient_id], persons: [...touched] });
    return toItem(res.rows[0] as Row);
  });
}
