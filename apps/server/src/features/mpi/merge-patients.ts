import type { Identifier, Patient, Person } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, SqlFhirStore, WriteContext } from '@kennebec/fhir-store';
import { lockMpi } from './link-patient.ts';

/**
 * A source's own merge of two of its records (HL7 ADT^A40): the merged Patient is marked
 * inactive and `replaced-by` the surviving one (https://hl7.org/fhir/R4/patient.html#links),
 * the surviving one `replaces` it, and both belong to the surviving record's Person from then
 * on. The merged record's data stays where it is and is reached through the Person.
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
    await lockMpi(tx);
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
        await movePatientToPersonOf(repo, tx, mergedId, survivingId, ctx);
        applied++;
      }
    }
    return applied;
  });
}

/** Moves `patientId` into the Person of `anchorId`; a Person left without Patients is deactivated. */
export async function movePatientToPersonOf(repo: SqlFhirRepository, tx: Queryable, patientId: string, anchorId: string, ctx: WriteContext): Promise<void> {
  const links = await tx.query<{ patient_id: string; person_id: string }>('select patient_id, person_id from mpi_link where patient_id = any($1::text[])', [[patientId, anchorId]]);
  const from = links.rows.find((l) => l.patient_id === patientId)?.person_id;
  const to = links.rows.find((l) => l.patient_id === anchorId)?.person_id;
  if (!from || !to || from === to) return;
  const ref = `Patient/${patientId}`;
  const target = (await repo.read('Person', to))?.resource as Person | undefined;
  const source = (await repo.read('Person', from))?.resource as Person | undefined;
  if (!target || !source) return;
  await repo.update({ ...target, id: to, link: [...(target.link ?? []), { target: { reference: ref }, assurance: 'level3' }] }, ctx);
  const remaining = (source.link ?? []).filter((l) => l.target.reference !== ref);
  const { link: _old, ...rest } = source;
  await repo.update({ ...rest, id: from, active: remaining.length > 0, ...(remaining.length > 0 ? { link: remaining } : {}) }, ctx);
  await tx.query(`update mpi_link set person_id = $2, decision = 'link', matched_patient_id = $3 where patient_id = $1`, [patientId, to, anchorId]);
  await tx.query(`update resource set person_id = $2 where resource_type = 'Patient' and id = $1`, [patientId, to]);
}
