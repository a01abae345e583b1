import type { Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, WriteContext } from '@kennebec/fhir-store';
import type { NormalizedRecord } from '@kennebec/matching';
import { candidateRecords, decisionRank, loadRecords, memberConflict, recordOf, scoreAll, strongest, writeBlocks, type Candidate } from './candidates.ts';
import { keptApartFrom, membersOf, queueReview, recordMove, syncPersons, type LinkDecision, type LinkResult, type PreparedPatient } from './links.ts';
import { lockPersonsOf, personsOf } from './locks.ts';
import { loadNameFrequencies } from './name-frequencies.ts';

/**
 * Re-evaluation of a linked Patient whose demographics changed (ADT^A08/A31, a FHIR update, an
 * import): it is scored again against the other records of its Person and against the
 * candidates that share a blocking key with its new demographics. What a careful HIE does:
 *
 * - It no longer matches its Person as well as it did, and not above the upper threshold: it is
 *   NOT split silently (a wrong split hides part of someone's record); it stays and the pair
 *   is queued for review ("demographics-changed").
 * - It matches a record of another Person above the upper threshold while it shares its Person
 *   with other records: queued for review ("matches-another-person"), the link is kept.
 * - It was alone in its Person by an automatic decision (new, or sent to review) and now
 *   matches another Person above the upper threshold: it joins that Person, by the same rules
 *   as a new record (safety rules included), and its own Person becomes inactive. A Patient
 *   placed by HIE staff is never moved automatically; pairs staff kept apart are not proposed
 *   again.
 *
 * Every re-evaluation is recorded in the link history, with its outcome as the reason.
 * An update that changes no demographics (as normalized for matching) re-evaluates nothing.
 */
export async function reevaluatePatient(repo: SqlFhirRepository, tx: Queryable, item: PreparedPatient, ctx: WriteContext): Promise<LinkResult> {
  const { patient, record, keys } = item;
  const id = patient.id;
  const previous = item.versionId > 1 ? await repo.vread('Patient', id, item.versionId - 1) : undefined;
  const oldRecord = previous?.resource ? recordOf(previous.resource as Patient) : undefined;
  if (oldRecord && JSON.stringify(oldRecord) === JSON.stringify(record)) return currentLink(tx, id);

  await writeBlocks(tx, id, keys, record);
  const records = await candidateRecords(tx, record, id);
  const frequencies = await loadNameFrequencies(tx, oldRecord ? [record, oldRecord] : [record]);
  const candidates = scoreAll(record, records, frequencies);
  const strong = candidates.filter((c) => c.decision === 'link').map((c) => c.patientId);
  const persons = await lockPersonsOf(tx, [id, ...strong]);
  const own = persons.get(id) as string;
  const link = await tx.query<{ decision: LinkDecision }>('select decision from mpi_link where patient_id = $1', [id]);
  const placed = link.rows[0]?.decision ?? 'new';

  const memberIds = ((await membersOf(tx, [own])).get(own) ?? []).map((m) => m.patientId).filter((m) => m !== id);
  const loaded = await loadRecords(tx, memberIds.filter((m) => !records.has(m)));
  const memberRecords = new Map<string, NormalizedRecord>();
  for (const m of memberIds) {
    const r = records.get(m) ?? loaded.get(m);
    if (r) memberRecords.set(m, r);
  }
  const candidatePersons = new Map([...(await personsOf(tx, candidates.map((c) => c.patientId))), ...persons]);
  const apart = await keptApartFrom(tx, id, candidates.map((c) => c.patientId));
  const others = candidates.filter((c) => {
    const p = candidatePersons.get(c.patientId);
    return p !== undefined && p !== own && !apart.has(c.patientId);
  });
  const otherBest = others[0];
  const personOf = (c: Candidate): string => candidatePersons.get(c.patientId) as string;

  let basis: Candidate | undefined;
  let decision: LinkDecision = placed;
  let moveTo = own;
  const outcome: string[] = [];
  if (memberRecords.size === 0) {
    basis = otherBest;
    const automatic = placed === 'new' || placed === 'review';
    if (automatic && otherBest?.decision === 'link') {
      const conflict = await memberConflict(tx, record, personOf(otherBest), records, id, frequencies);
      if (conflict) {
        basis = conflict;
        decision = 'review';
        await queueReview(tx, { patientId: id, candidateId: conflict.patientId, score: conflict.score, evidence: conflict.evidence, cause: 'matches-another-person' });
        outcome.push(`matches Person/${personOf(otherBest)}, but a safety rule sets it apart from one of its records: queued for review`);
      } else {
        moveTo = personOf(otherBest);
        decision = 'link';
        outcome.push(`now matches Person/${moveTo} above the upper threshold: linked`);
      }
    } else if (otherBest && otherBest.decision !== 'new') {
      if (automatic) decision = 'review';
      const queued = await queueReview(tx, { patientId: id, candidateId: otherBest.patientId, score: otherBest.score, evidence: otherBest.evidence, cause: 'matches-another-person' });
      outcome.push(`matches Person/${personOf(otherBest)} ${otherBest.decision === 'link' ? 'above the upper threshold' : 'between the thresholds'}${queued ? ': queued for review' : ' (already queued)'}`);
    } else {
      if (automatic) decision = 'new';
      outcome.push('matches no other Person');
    }
  } else {
    const ownBest = strongest(scoreAll(record, memberRecords, frequencies)) as Candidate;
    const ownBefore = oldRecord ? strongest(scoreAll(oldRecord, memberRecords, frequencies)) : undefined;
    basis = ownBest;
    const fell = ownBest.decision !== 'link' && (!ownBefore || decisionRank(ownBest.decision) < decisionRank(ownBefore.decision));
    if (fell) {
      const queued = await queueReview(tx, { patientId: id, candidateId: ownBest.patientId, score: ownBest.score, evidence: ownBest.evidence, cause: 'demographics-changed' });
      outcome.push(`no longer matches the other records of its Person: kept${queued ? ', and queued for review' : ' (already queued or kept apart)'}`);
    } else {
      outcome.push(ownBest.decision === 'link' ? 'still matches its Person' : 'matches its Person as well as before');
    }
    if (otherBest?.decision === 'link') {
      const queued = await queueReview(tx, { patientId: id, candidateId: otherBest.patientId, score: otherBest.score, evidence: otherBest.evidence, cause: 'matches-another-person' });
      outcome.push(`also matches Person/${personOf(otherBest)} above the upper threshold${queued ? ': queued for review' : ' (already queued)'}`);
    }
  }
  const matched = basis && !(decision === 'new' && moveTo === own) ? basis.patientId : null;
  await recordMove(
    tx,
    { id: null, action: 're-evaluation', reason: `Demographics changed: ${outcome.join('; ')}`, actor: ctx.author },
    { patientId: id, fromPersonId: own, toPersonId: moveTo, decision, score: basis?.score ?? null, matchedPatientId: matched, evidence: basis?.evidence ?? [] },
  );
  // Also when it stays: its Person may show its demographics.
  await syncPersons(repo, tx, [{ fromPersonId: own, toPersonId: moveTo }], ctx, id);
  return { personId: moveTo, decision, score: basis?.score ?? null, matchedPatientId: matched };
}

async function currentLink(q: Queryable, patientId: string): Promise<LinkResult> {
  const res = await q.query<{ person_id: string; decision: LinkDecision; score: number | null; matched_patient_id: string | null }>(
    'select person_id, decision, score, matched_patient_id from mpi_link where patient_id = $1',
    [patientId],
  );
  const r = res.rows[0] as { person_id: string; decision: LinkDecision; score: number | null; matched_patient_id: string | null };
  return { personId: r.person_id, decision: r.decision, score: r.score, matchedPatientId: r.matched_patient_id };
}
