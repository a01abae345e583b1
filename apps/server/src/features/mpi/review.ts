import type { Queryable } from '@kennebec/db';
import type { SqlFhirStore, WriteContext } from '@kennebec/fhir-store';
import { movePatientToPersonOf } from './merge-patients.ts';
import { lockMpi } from './link-patient.ts';

/**
 * The review queue: pairs scored between the thresholds, decided by HIE staff. "link" moves
 * the Patient into the candidate's Person (a Person left without Patients is deactivated);
 * "keep-apart" records that they are different people. Each decision keeps who, when and why.
 */
export interface ReviewItem {
  id: string;
  patientId: string;
  candidatePatientId: string;
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
  score: number;
  evidence: unknown;
  status: ReviewItem['status'];
  reason: string | null;
  decided_by: string | null;
  decided_at: string | Date | null;
  created_at: string | Date;
}

const COLUMNS = 'id::text as id, patient_id, candidate_patient_id, score, evidence, status, reason, decided_by, decided_at, created_at';
const iso = (v: string | Date): string => new Date(v).toISOString();

function toItem(r: Row): ReviewItem {
  return {
    id: r.id,
    patientId: r.patient_id,
    candidatePatientId: r.candidate_patient_id,
    score: Number(r.score),
    evidence: typeof r.evidence === 'string' ? JSON.parse(r.evidence) : r.evidence,
    status: r.status,
    reason: r.reason,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at === null ? null : iso(r.decided_at),
    createdAt: iso(r.created_at),
  };
}

export async function listReviews(db: Queryable, status: ReviewItem['status'] | 'all' = 'open'): Promise<ReviewItem[]> {
  const res = await db.query<Row>(
    `select ${COLUMNS} from mpi_review where ($1 = 'all' or status = $1) order by created_at, id limit 500`,
    [status],
  );
  return res.rows.map(toItem);
}

export class ReviewError extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
    this.name = 'ReviewError';
  }
}

export async function decideReview(
  store: SqlFhirStore,
  id: string,
  decision: 'link' | 'keep-apart',
  reason: string,
  ctx: WriteContext,
): Promise<ReviewItem> {
  if (!/^\d{1,18}$/.test(id)) throw new ReviewError(`No review item ${id}`, true);
  return store.transaction(async (repo, tx) => {
    const found = await tx.query<Row>(`select ${COLUMNS} from mpi_review where id = $1::bigint for update`, [id]);
    const item = found.rows[0];
    if (!item) throw new ReviewError(`No review item ${id}`, true);
    if (item.status !== 'open') throw new ReviewError(`Review item ${id} was already decided (${item.status})`);
    if (decision === 'link') {
      await lockMpi(tx);
      const linked = await tx.query('select 1 from mpi_link where patient_id = any($1::text[])', [[item.patient_id, item.candidate_patient_id]]);
      if (linked.rows.length < 2) throw new ReviewError('Both Patients must be linked to a Person');
      await movePatientToPersonOf(repo, tx, item.patient_id, item.candidate_patient_id, ctx);
    }
    const res = await tx.query<Row>(
      `update mpi_review set status = $2, reason = $3, decided_by = $4, decided_at = now() where id = $1::bigint returning ${COLUMNS}`,
      [id, decision === 'link' ? 'linked' : 'kept-apart', reason, ctx.author],
    );
    return toItem(res.rows[0] as Row);
  });
}
