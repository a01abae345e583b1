import type { Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, WriteContext } from '@kennebec/fhir-store';
import { blockingKeys } from '@kennebec/matching';
import { candidateRecords, memberConflict, recordOf, scoreAll, writeBlocks, type Candidate } from './candidates.ts';
import { createPersonFor, queueReview, recordMove, syncPersons, type LinkDecision, type LinkResult, type PatientWrite, type PreparedPatient } from './links.ts';
import { lockBlockingKeys, lockPersonsOf } from './locks.ts';
import { loadNameFrequencies } from './name-frequencies.ts';
import { reevaluatePatient } from './reevaluate.ts';

/**
 * Links each stored source Patient to its Person (https://hl7.org/fhir/R4/person.html), inside
 * the transaction that wrote the Patient, so a Patient never exists without its Person.
 *
 * A new Patient is scored against the Patients that share a blocking key with it. Above the
 * upper threshold it joins the best candidate's Person, unless a safety rule sets it apart
 * from another record of that Person; otherwise it gets a Person of its own, and a score
 * between the thresholds (or such a conflict) also queues the pair for review by HIE staff: a
 * wrong merge shows one person's data to another, a missed link only delays a merge.
 * An updated Patient is re-evaluated instead (reevaluate.ts). Locking: see locks.ts.
 */
/** Links or re-evaluates the Patients written by one transaction. */
export async function linkPatients(repo: SqlFhirRepository, tx: Queryable, writes: readonly PatientWrite[], ctx: WriteContext): Promise<LinkResult[]> {
  if (writes.length === 0) return [];
  const items: PreparedPatient[] = writes.map((w) => {
    const record = recordOf(w.patient);
    return { ...w, record, keys: blockingKeys(record) };
  });
  const ids = [...new Set(items.map((i) => i.patient.id))];
  // Old keys too: a record that stops sharing a key with another must still meet anyone
  // linking against its old demographics right now.
  const old = await tx.query<{ key: string }>('select distinct key from mpi_block where patient_id = any($1::text[])', [ids]);
  await lockBlockingKeys(tx, [...items.flatMap((i) => i.keys), ...old.rows.map((r) => r.key)]);
  const linked = await tx.query<{ patient_id: string }>('select patient_id from mpi_link where patient_id = any($1::text[])', [ids]);
  const known = new Set(linked.rows.map((r) => r.patient_id));
  const results: LinkResult[] = [];
  for (const item of items) {
    results.push(known.has(item.patient.id) ? await reevaluatePatient(repo, tx, item, ctx) : await linkNewPatient(repo, tx, item, ctx));
    known.add(item.patient.id);
  }
  return results;
}

/** Links one Patient (a new one, or re-evaluates one already linked). */
export async function linkPatient(repo: SqlFhirRepository, tx: Queryable, patient: Patient & { id: string }, ctx: WriteContext): Promise<LinkResult> {
  const versionId = Number(patient.meta?.versionId ?? 1);
  return (await linkPatients(repo, tx, [{ patient, versionId }], ctx))[0] as LinkResult;
}

async function linkNewPatient(repo: SqlFhirRepository, tx: Queryable, item: PreparedPatient, ctx: WriteContext): Promise<LinkResult> {
  const { patient, record, keys } = item;
  await writeBlocks(tx, patient.id, keys, record);
  const records = await candidateRecords(tx, record, patient.id);
  const frequencies = await loadNameFrequencies(tx, [record]);
  const best = scoreAll(record, records, frequencies)[0];
  let basis: Candidate | undefined = best;
  let decision: LinkDecision = best?.decision === 'review' ? 'review' : 'new';
  let target: string | undefined;
  if (best?.decision === 'link') {
    const personId = (await lockPersonsOf(tx, [best.patientId])).get(best.patientId);
    const conflict = personId ? await memberConflict(tx, record, personId, records, patient.id, frequencies) : undefined;
    if (personId && !conflict) {
      target = personId;
      decision = 'link';
    } else if (conflict) {
      basis = conflict;
      decision = 'review';
    }
  }
  const personId = target ?? (await createPersonFor(repo, patient, ctx));
  const matched = basis && decision !== 'new' ? basis.patientId : null;
  await recordMove(
    tx,
    { id: null, action: target ? 'auto-link' : 'new', reason: null, actor: ctx.author },
    { patientId: patient.id, fromPersonId: null, toPersonId: personId, decision, score: basis?.score ?? null, matchedPatientId: matched, evidence: basis?.evidence ?? [] },
  );
  if (decision === 'review' && basis) {
    await queueReview(tx, { patientId: patient.id, candidateId: basis.patientId, score: basis.score, evidence: basis.evidence, cause: 'new-record' });
  }
  if (target) await syncPersons(repo, tx, [{ fromPersonId: null, toPersonId: target }], ctx);
  return { personId, decision, score: basis?.score ?? null, matchedPatientId: matched };
}
