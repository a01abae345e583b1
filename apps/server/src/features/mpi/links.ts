import type { Patient, Person, PersonLink } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, WriteContext } from '@kennebec/fhir-store';
import type { Evidence, NormalizedRecord } from '@kennebec/matching';

/**
 * The state of the index and its history, changed only through here: `mpi_link` (each
 * Patient's Person), `mpi_link_history` (every change, append-only) and the Person resources,
 * whose `link` and `active` are rewritten from `mpi_link` after every change so the FHIR view
 * never disagrees with the index. Callers hold the locks of every Person they touch (locks.ts).
 */
export type LinkDecision = 'link' | 'new' | 'review' | 'manual';
export type HistoryAction = 'auto-link' | 'new' | 'review-link' | 'unlink' | 'merge' | 'undo' | 'a40' | 're-evaluation';

export interface LinkResult {
  personId: string;
  decision: LinkDecision;
  score: number | null;
  matchedPatientId: string | null;
}

export interface PatientWrite {
  patient: Patient & { id: string };
  /** The version just written; the one before it is what an update changed. */
  versionId: number;
}

export interface PreparedPatient extends PatientWrite {
  record: NormalizedRecord;
  keys: string[];
}

export interface Change {
  /** Rows written together share it; null for a change of one row (numbered as it is written). */
  id: string | null;
  action: HistoryAction;
  reason: string | null;
  actor: string;
  reviewId?: string | null;
  undoes?: string | null;
}

export interface Move {
  patientId: string;
  /** null when the Patient had no Person yet (a new record). */
  fromPersonId: string | null;
  toPersonId: string;
  decision: LinkDecision;
  /** Score and evidence that decided it; left as they were in mpi_link when undefined. */
  score?: number | null;
  matchedPatientId?: string | null;
  evidence?: Evidence[];
}

export async function newChange(tx: Queryable, c: Omit<Change, 'id'>): Promise<Change & { id: string }> {
  const res = await tx.query<{ id: string }>(`select nextval('mpi_change_seq')::text as id`);
  return { ...c, id: (res.rows[0] as { id: string }).id };
}

/** Applies one move: the link, the Patient row's person, and its history row, in one statement. */
export async function recordMove(tx: Queryable, change: Change, m: Move): Promise<void> {
  const keep = m.score === undefined;
  await tx.query(
    `with l as (
       insert into mpi_link (patient_id, person_id, decision, score, matched_patient_id, evidence)
       values ($1, $2, $3, $4, $5, $6::jsonb)
       on conflict (patient_id) do update set person_id = excluded.person_id, decision = excluded.decision,
         score = case when $7 then mpi_link.score else excluded.score end,
         matched_patient_id = case when $7 then mpi_link.matched_patient_id else excluded.matched_patient_id end,
         evidence = case when $7 then mpi_link.evidence else excluded.evidence end
     ),
     r as (update resource set person_id = $2 where resource_type = 'Patient' and id = $1)
     insert into mpi_link_history (change_id, patient_id, from_person_id, to_person_id, action, score, matched_patient_id, evidence, reason, actor, review_id, undoes)
     values (coalesce($8::bigint, nextval('mpi_change_seq')), $1, $9, $2, $10, $4, $5, $6::jsonb, $11, $12, $13::bigint, $14::bigint)`,
    [
      m.patientId,
      m.toPersonId,
      m.decision,
      m.score ?? null,
      m.matchedPatientId ?? null,
      JSON.stringify(m.evidence ?? []),
      keep,
      change.id,
      m.fromPersonId,
      change.action,
      change.reason,
      change.actor,
      change.reviewId ?? null,
      change.undoes ?? null,
    ],
  );
}

/** A new Person for a Patient that matches no one (https://hl7.org/fhir/R4/person.html). */
export async function createPersonFor(repo: SqlFhirRepository, patient: Patient & { id: string }, ctx: WriteContext, decision: LinkDecision = 'new'): Promise<string> {
  const person: Person = {
    resourceType: 'Person',
    active: true,
    ...(patient.name ? { name: patient.name } : {}),
    ...(patient.gender ? { gender: patient.gender } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    link: [linkTo(patient.id, decision)],
  };
  return (await repo.create(person, ctx)).id;
}

function linkTo(patientId: string, decision: LinkDecision): PersonLink {
  // level4: known to be the same person (an explicit decision); level3: matched with confidence.
  return { target: { reference: `Patient/${patientId}` }, assurance: decision === 'manual' ? 'level4' : 'level3' };
}

/** The Patients of a Person, with how each was placed there. */
export async function membersOf(q: Queryable, personIds: readonly string[]): Promise<Map<string, { patientId: string; decision: LinkDecision }[]>> {
  const out = new Map<string, { patientId: string; decision: LinkDecision }[]>(personIds.map((p) => [p, []]));
  if (personIds.length === 0) return out;
  const res = await q.query<{ person_id: string; patient_id: string; decision: LinkDecision }>(
    'select person_id, patient_id, decision from mpi_link where person_id = any($1::text[]) order by patient_id',
    [personIds],
  );
  for (const r of res.rows) out.get(r.person_id)?.push({ patientId: r.patient_id, decision: r.decision });
  return out;
}

/**
 * Rewrites the Person resources touched by `moves` from mpi_link: `link` lists their Patients
 * (keeping the order they had) and `active` says whether any is left. A Person whose last
 * Patient moved to another Person is inactive and links to that Person, so a reference to it
 * still leads to the person's record. A Person shows the name, sex and birth date of its first
 * Patient: copied again when that Patient changes (another one becomes first, or
 * `changedPatient` is it).
 */
export async function syncPersons(
  repo: SqlFhirRepository,
  tx: Queryable,
  moves: readonly Pick<Move, 'fromPersonId' | 'toPersonId'>[],
  ctx: WriteContext,
  changedPatient?: string,
): Promise<void> {
  const ids = [...new Set(moves.flatMap((m) => (m.fromPersonId ? [m.fromPersonId, m.toPersonId] : [m.toPersonId])))].sort();
  const movedTo = new Map<string, string>();
  for (const m of moves) if (m.fromPersonId && m.fromPersonId !== m.toPersonId) movedTo.set(m.fromPersonId, m.toPersonId);
  const members = await membersOf(tx, ids);
  for (const id of ids) {
    const current = (await repo.read('Person', id))?.resource as Person | undefined;
    if (!current) continue;
    const patients = members.get(id) ?? [];
    const order = new Map((current.link ?? []).map((l, i) => [l.target.reference ?? '', i]));
    const rank = (p: string): number => order.get(`Patient/${p}`) ?? Number.MAX_SAFE_INTEGER;
    const sorted = [...patients].sort((a, b) => rank(a.patientId) - rank(b.patientId) || (a.patientId < b.patientId ? -1 : 1));
    const replacedBy = movedTo.get(id);
    const link: PersonLink[] =
      sorted.length > 0 ? sorted.map((p) => linkTo(p.patientId, p.decision)) : replacedBy ? [{ target: { reference: `Person/${replacedBy}` }, assurance: 'level4' }] : [];
    const active = sorted.length > 0;
    const first = sorted[0]?.patientId;
    const { link: _old, name: _name, gender: _gender, birthDate: _birthDate, ...rest } = current;
    let shown: Pick<Person, 'name' | 'gender' | 'birthDate'> = { ...(current.name ? { name: current.name } : {}), ...(current.gender ? { gender: current.gender } : {}), ...(current.birthDate ? { birthDate: current.birthDate } : {}) };
    if (first !== undefined && (current.link?.[0]?.target.reference !== `Patient/${first}` || first === changedPatient)) {
      const p = (await repo.read('Patient', first))?.resource as Patient | undefined;
      if (p) shown = { ...(p.name ? { name: p.name } : {}), ...(p.gender ? { gender: p.gender } : {}), ...(p.birthDate ? { birthDate: p.birthDate } : {}) };
    }
    const next: Person = { ...rest, ...shown, id, active, ...(link.length > 0 ? { link } : {}) };
    if (canonical({ ...current, meta: undefined }) === canonical({ ...next, meta: undefined })) continue;
    await repo.update({ ...next, id }, ctx);
  }
}

/** JSON with object keys sorted, to compare resources whatever order their keys were written in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value,
  );
}

/** Pairs kept apart by HIE staff among `others`, for `patientId`. */
export async function keptApartFrom(q: Queryable, patientId: string, others: readonly string[]): Promise<Set<string>> {
  if (others.length === 0) return new Set();
  const res = await q.query<{ other: string }>(
    `select case when patient_id = $1 then other_patient_id else patient_id end as other from mpi_apart
     where (patient_id = $1 and other_patient_id = any($2::text[])) or (other_patient_id = $1 and patient_id = any($2::text[]))`,
    [patientId, others],
  );
  return new Set(res.rows.map((r) => r.other));
}

/** Records that `patientId` is a different person from each of `others`. */
export async function keepApart(tx: Queryable, patientId: string, others: readonly string[], from: { changeId?: string; reviewId?: string }): Promise<void> {
  if (others.length === 0) return;
  await tx.query(
    `insert into mpi_apart (patient_id, other_patient_id, change_id, review_id)
     select least($1::text, o), greatest($1::text, o), $3::bigint, $4::bigint from unnest($2::text[]) as o where o <> $1::text
     on conflict do nothing`,
    [patientId, others.slice(0, 1000), from.changeId ?? null, from.reviewId ?? null],
  );
}

/** Queues a pair for review unless it is already queued, or kept apart. */
export async function queueReview(
  tx: Queryable,
  item: { patientId: string; candidateId: string; score: number; evidence: Evidence[]; cause: 'new-record' | 'demographics-changed' | 'matches-another-person' },
): Promise<boolean> {
  const res = await tx.query(
    `insert into mpi_review (patient_id, candidate_patient_id, score, evidence, cause)
     select $1::text, $2::text, $3, $4::jsonb, $5
     where not exists (select 1 from mpi_review where status = 'open' and ((patient_id = $1 and candidate_patient_id = $2) or (patient_id = $2 and candidate_patient_id = $1)))
       and not exists (select 1 from mpi_apart where patient_id = least($1::text, $2::text) and other_patient_id = greatest($1::text, $2::text))`,
    [item.patientId, item.candidateId, item.score, JSON.stringify(item.evidence), item.cause],
  );
  return res.rowCount > 0;
}
