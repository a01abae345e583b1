import type { Identifier, Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, SqlFhirStore, WriteContext } from '@kennebec/fhir-store';
import type { Evidence } from '@kennebec/matching';
import { recordMove, syncPersons, type Change, type Move } from './links.ts';
import { lockPersonsOf } from './locks.ts';

/**
 * A source's own merge of two of its records (HL7 ADT^A40): the merged Patient is marked
 * inactive and `replaced-by` the surviving one (https://hl7.org/fhir/R4/patient.html#links),
 * the surviving one `replaces` it, and both belong to the surviving record's Person from then
 * on. The merged record's data stays where it is and is reached through the Person. The move
 * is recorded in the link history (action `a40`); being the source's own statement about its
 * records, it is not one HIE staff can undo.
 */
export interface PatientMerge {
  surviving: Identifier;
  merged: Identifier[];
}

async function findByIdentifier(tx: Queryable, sourceOrg: string, id: Identifier): Promise<string | undefined> {
  const res = await tx.query<{ resource_id: string }>(
    `select t.resource_id from sp_token t join resource r on r.resource_type = 'Patient' and r.id = t.resource_id and not r.deleted
     where t.resource_type = 'Patient' and t.param = 'identifier' and t.system = $1 and t.code = $2 and r.source_org = $3 limit 1`,
    [id.system ?? null, id.value ?? null, sourceOrg],
  );
  return res.rows[0]?.resource_id;
}

export async function mergePatients(store: SqlFhirStore, merges: PatientMerge[], sourceOrg: string, ctx: WriteContext): Promise<number> {
  return store.transaction(async (repo, tx) => {
    let applied = 0;
    for (const m of merges) {
      const survivingId = await findByIdentifier(tx, sourceOrg, m.surviving);
      if (!survivingId) continue;
      for (const ident of m.merged) {
        const mergedId = await findByIdentifier(tx, sourceOrg, ident);
        if (!mergedId || mergedId === survivingId) continue;
        const merged = (await repo.read('Patient', mergedId))?.resource as Patient | undefined;
        const surviving = (await repo.read('Patient', survivingId))?.resource as Patient | undefined;
        if (!merged || !surviving) continue;
        const has = (p: Patient, other: string): boolean => (p.link ?? []).some((l) => l.other.reference === `Patient/${other}`);
        if (!has(merged, survivingId)) {
          await repo.update({ ...merged, id: mergedId, active: false, link: [...(merged.link ?? []), { other: { reference: `Patient/${survivingId}` }, type: 'replaced-by' }] }, ctx);
        }
        if (!has(surviving, mergedId)) {
          await repo.update({ ...surviving, id: survivingId, link: [...(surviving.link ?? []), { other: { reference: `Patient/${mergedId}` }, type: 'replaces' }] }, ctx);
        }
        await movePatientToPersonOf(repo, tx, mergedId, survivingId, { action: 'a40', reason: 'ADT^A40: the source merged its two records', actor: ctx.author }, ctx);
        applied++;
      }
    }
    return applied;
  });
}

/**
 * Moves `patientId` into the Person of `anchorId` as one change of the link history; a Person
 * left without Patients becomes inactive. Locks both Persons. Returns the move, or undefined
 * when they already share a Person (or either is not linked).
 */
export async function movePatientToPersonOf(
  repo: SqlFhirRepository,
  tx: Queryable,
  patientId: string,
  anchorId: string,
  change: Omit<Change, 'id'>,
  ctx: WriteContext,
  basis: { score?: number | null; evidence?: Evidence[] } = {},
): Promise<Move | undefined> {
  const persons = await lockPersonsOf(tx, [patientId, anchorId]);
  const from = persons.get(patientId);
  const to = persons.get(anchorId);
  if (!from || !to || from === to) return undefined;
  const move: Move = {
    patientId,
    fromPersonId: from,
    toPersonId: to,
    decision: 'manual',
    ...(basis.score !== undefined ? { score: basis.score, matchedPatientId: anchorId, evidence: basis.evidence ?? [] } : {}),
  };
  await recordMove(tx, { ...change, id: null }, move);
  await syncPersons(repo, tx, [move], ctx);
  return move;
}
