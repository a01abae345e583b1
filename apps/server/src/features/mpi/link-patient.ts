import type { Patient, Person } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, WriteContext } from '@kennebec/fhir-store';
import { blockingKeys, decide, fromFhirPatient, normalize, scorePair, type Decision, type Evidence, type NormalizedRecord } from '@kennebec/matching';

/**
 * Links a stored source Patient to its Person (https://hl7.org/fhir/R4/person.html), inside
 * the transaction that wrote the Patient, so a Patient never exists without its Person.
 *
 * Candidates share a blocking key; each is scored with per-field evidence. Above the upper
 * threshold the Patient joins the best candidate's Person; otherwise it gets a Person of its
 * own, and a score between the thresholds also queues the pair for review by HIE staff: a
 * wrong merge shows one person's data to another, a missed link only delays a merge.
 * Linking is serialized by a transaction-scoped advisory lock, so two records of one person
 * arriving at once cannot both start a new Person unseen by the other.
 */
const MPI_LOCK = 'kennebec:mpi';

/** Serializes changes to links (new links, review decisions, merges) for the rest of the transaction. */
export async function lockMpi(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [MPI_LOCK]);
}
const MAX_CANDIDATES = 500;

export interface LinkResult {
  personId: string;
  decision: Decision;
  score: number | null;
  matchedPatientId: string | null;
}

interface Candidate {
  patientId: string;
  score: number;
  decision: Decision;
  evidence: Evidence[];
}

/** Scores the Patients that share a blocking key with `record`, best first. */
export async function scoreCandidates(q: Queryable, record: NormalizedRecord, excludeId: string | null): Promise<Candidate[]> {
  const keys = blockingKeys(record);
  if (keys.length === 0) return [];
  const res = await q.query<{ id: string; content: Patient | string }>(
    `select r.id, r.content from resource r
     where r.resource_type = 'Patient' and not r.deleted
       and r.id in (select b.patient_id from mpi_block b where b.key = any($1::text[]) and b.patient_id is distinct from $2 limit ${MAX_CANDIDATES})`,
    [keys, excludeId],
  );
  const out: Candidate[] = [];
  for (const row of res.rows) {
    const other = typeof row.content === 'string' ? (JSON.parse(row.content) as Patient) : row.content;
    const s = scorePair(record, normalize(fromFhirPatient(other)));
    out.push({ patientId: row.id, score: s.score, decision: decide(s), evidence: s.evidence });
  }
  return out.sort((a, b) => b.score - a.score || a.patientId.localeCompare(b.patientId));
}

function personFor(patient: Patient, patientId: string): Person {
  return {
    resourceType: 'Person',
    active: true,
    ...(patient.name ? { name: patient.name } : {}),
    ...(patient.gender ? { gender: patient.gender } : {}),
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    link: [{ target: { reference: `Patient/${patientId}` }, assurance: 'level3' }],
  };
}

export async function linkPatient(repo: SqlFhirRepository, tx: Queryable, patient: Patient & { id: string }, ctx: WriteContext): Promise<LinkResult> {
  const record = normalize(fromFhirPatient(patient));
  // Keep the blocking keys current (demographics change with updates such as A08).
  const keys = blockingKeys(record);
  await tx.query(
    `with d as (delete from mpi_block where patient_id = $2) insert into mpi_block (key, patient_id) select k, $2 from unnest($1::text[]) as k`,
    [keys, patient.id],
  );
  // An already linked Patient keeps its Person; only a new link needs the lock.
  const known = await tx.query<{ n: number }>('select 1 as n from mpi_link where patient_id = $1', [patient.id]);
  if (known.rows.length === 0) await lockMpi(tx);
  const existing = await tx.query<{ person_id: string; decision: Decision; score: number | null; matched_patient_id: string | null }>(
    'select person_id, decision, score, matched_patient_id from mpi_link where patient_id = $1',
    [patient.id],
  );
  const linked = existing.rows[0];
  if (linked) {
    return { personId: linked.person_id, decision: linked.decision, score: linked.score, matchedPatientId: linked.matched_patient_id };
  }
  const best = (await scoreCandidates(tx, record, patient.id))[0];
  let personId: string | undefined;
  if (best?.decision === 'link') {
    const target = await tx.query<{ person_id: string }>('select person_id from mpi_link where patient_id = $1', [best.patientId]);
    personId = target.rows[0]?.person_id;
    const person = personId ? await repo.read('Person', personId) : undefined;
    if (personId && person?.resource) {
      const current = person.resource as Person;
      await repo.update({ ...current, id: personId, link: [...(current.link ?? []), { target: { reference: `Patient/${patient.id}` }, assurance: 'level3' }] }, ctx);
    } else personId = undefined;
  }
  const decision: Decision = personId ? 'link' : best?.decision === 'review' ? 'review' : 'new';
  if (!personId) personId = (await repo.create(personFor(patient, patient.id), ctx)).id;
  await tx.query(
    `insert into mpi_link (patient_id, person_id, decision, score, matched_patient_id, evidence) values ($1, $2, $3, $4, $5, $6::jsonb)`,
    [patient.id, personId, decision, best?.score ?? null, best && decision !== 'new' ? best.patientId : null, JSON.stringify(best?.evidence ?? [])],
  );
  if (decision === 'review' && best) {
    await tx.query('insert into mpi_review (patient_id, candidate_patient_id, score, evidence) values ($1, $2, $3, $4::jsonb)', [
      patient.id,
      best.patientId,
      best.score,
      JSON.stringify(best.evidence),
    ]);
  }
  await tx.query(`update resource set person_id = $2 where resource_type = 'Patient' and id = $1`, [patient.id, personId]);
  return { personId, decision, score: best?.score ?? null, matchedPatientId: best && decision !== 'new' ? best.patientId : null };
}
