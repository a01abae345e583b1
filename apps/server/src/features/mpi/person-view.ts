import type { Person } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { HistoryAction, LinkDecision } from './links.ts';

/**
 * What HIE staff see of a Person and of a Patient's place in the index: the Patients with the
 * score and per-field evidence that placed them, and the link history. Identifiers only: the
 * review queue shows the demographics of a pair side by side (match-records.ts).
 */
export interface HistoryEntry {
  id: string;
  changeId: string;
  action: HistoryAction;
  patientId: string;
  fromPersonId: string | null;
  toPersonId: string;
  score: number | null;
  matchedPatientId: string | null;
  evidence: unknown;
  reason: string | null;
  actor: string;
  reviewId: string | null;
  /** The change this one reverted (an undo). */
  undoes: string | null;
  /** The change that reverted this one, if any. */
  undoneBy: string | null;
  at: string;
}

export interface PersonDetail {
  person: { id: string; active: boolean; replacedBy: string | null };
  patients: { patientId: string; sourceOrg: string | null; decision: LinkDecision; score: number | null; matchedPatientId: string | null; evidence: unknown }[];
  history: HistoryEntry[];
}

const HISTORY_LIMIT = 500;

interface Row {
  id: string;
  change_id: string;
  action: HistoryAction;
  patient_id: string;
  from_person_id: string | null;
  to_person_id: string;
  score: number | null;
  matched_patient_id: string | null;
  evidence: unknown;
  reason: string | null;
  actor: string;
  review_id: string | null;
  undoes: string | null;
  undone_by: string | null;
  created_at: string | Date;
}

const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

async function history(q: Queryable, where: string, param: string): Promise<HistoryEntry[]> {
  const res = await q.query<Row>(
    `select h.id::text as id, h.change_id::text as change_id, h.action, h.patient_id, h.from_person_id, h.to_person_id, h.score,
       h.matched_patient_id, h.evidence, h.reason, h.actor, h.review_id::text as review_id, h.undoes::text as undoes,
       (select min(u.change_id)::text from mpi_link_history u where u.undoes = h.change_id) as undone_by, h.created_at
     from mpi_link_history h where ${where} order by h.id desc limit ${HISTORY_LIMIT}`,
    [param],
  );
  return res.rows.map((r) => ({
    id: r.id,
    changeId: r.change_id,
    action: r.action,
    patientId: r.patient_id,
    fromPersonId: r.from_person_id,
    toPersonId: r.to_person_id,
    score: r.score === null ? null : Number(r.score),
    matchedPatientId: r.matched_patient_id,
    evidence: json(r.evidence),
    reason: r.reason,
    actor: r.actor,
    reviewId: r.review_id,
    undoes: r.undoes,
    undoneBy: r.undone_by,
    at: new Date(r.created_at).toISOString(),
  }));
}

export async function personDetail(q: Queryable, personId: string): Promise<PersonDetail | undefined> {
  const found = await q.query<{ content: Person | string }>(`select content from resource where resource_type = 'Person' and id = $1 and not deleted`, [personId]);
  const row = found.rows[0];
  if (!row) return undefined;
  const person = json(row.content) as Person;
  const replacedBy = (person.link ?? []).map((l) => l.target.reference ?? '').find((r) => r.startsWith('Person/'));
  const patients = await q.query<{ patient_id: string; source_org: string | null; decision: LinkDecision; score: number | null; matched_patient_id: string | null; evidence: unknown }>(
    `select l.patient_id, r.source_org, l.decision, l.score, l.matched_patient_id, l.evidence
     from mpi_link l left join resource r on r.resource_type = 'Patient' and r.id = l.patient_id
     where l.person_id = $1 order by l.patient_id`,
    [personId],
  );
  return {
    person: { id: personId, active: person.active !== false, replacedBy: replacedBy ? replacedBy.slice('Person/'.length) : null },
    patients: patients.rows.map((p) => ({
      patientId: p.patient_id,
      sourceOrg: p.source_org,
      decision: p.decision,
      score: p.score === null ? null : Number(p.score),
      matchedPatientId: p.matched_patient_id,
      evidence: json(p.evidence),
    })),
    history: await history(q, 'h.from_person_id = $1 or h.to_person_id = $1', personId),
  };
}

export async function patientHistory(q: Queryable, patientId: string): Promise<{ patientId: string; personId: string | null; history: HistoryEntry[] } | undefined> {
  const link = await q.query<{ person_id: string }>('select person_id from mpi_link where patient_id = $1', [patientId]);
  const entries = await history(q, 'h.patient_id = $1', patientId);
  if (!link.rows[0] && entries.length === 0) return undefined;
  return { patientId, personId: link.rows[0]?.person_id ?? null, history: entries };
}
