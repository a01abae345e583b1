import type { Person } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirStore, WriteContext } from '@kennebec/fhir-store';

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
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', ['kennebec:mpi']);
      const links = await tx.query<{ patient_id: string; person_id: string }>('select patient_id, person_id from mpi_link where patient_id = any($1::text[])', [
        [item.patient_id, item.candidate_patient_id],
      ]);
      const from = links.rows.find((l) => l.patient_id === item.patient_id)?.person_id;
      const to = links.rows.find((l) => l.patient_id === item.candidate_patient_id)?.person_id;
      if (!from || !to) throw new ReviewError('Both Patients must be linked to a Person');
      if (from !== to) {
        const ref = `Patient/${item.patient_id}`;
        const target = (await repo.read('Person', to))?.resource as Person | undefined;
        const source = (await repo.read('Person', from))?.resource as Person | undefined;
        if (!target || !source) throw new ReviewError('A Person of this pair no longer exists');
        await repo.update({ ...target, id: to, link: [...(target.link ?? []), { target: { reference: ref }, assurance: 'level3' }] }, ctx);
        const remaining = (source.link ?? []).filter((l) => l.target.reference !== ref);
        const { link: _old, ...rest } = source;
        await repo.update({ ...rest, id: from, active: remaining.length > 0, ...(remaining.length > 0 ? { link: remaining } : {}) }, ctx);
        await tx.query(`update mpi_link set person_id = $2, decision = 'link', matched_patient_id = $3 where patient_id = $1`, [item.patient_id, to, item.candidate_patient_id]);
        await tx.query(`update resource set person_id = $2 where resource_type = 'Patient' and id = $1`, [item.patient_id, to]);
      }
    }
    const res = await tx.query<Row>(
      `update mpi_review set status = $2, reason = $3, decided_by = $4, decided_at = now() where id = $1::bigint returning ${COLUMNS}`,
      [id, decision === 'link' ? 'linked' : 'kept-apart', reason, ctx.author],
    );
    return toItem(res.rows[0] as Row);
  });
}
