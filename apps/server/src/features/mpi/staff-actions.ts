import type { Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { errors, ID_PATTERN } from '@kennebec/fhir';
import type { SqlFhirRepository, SqlFhirStore, WriteContext } from '@kennebec/fhir-store';
import type { Evidence } from '@kennebec/matching';
import { createPersonFor, keepApart, membersOf, newChange, recordMove, syncPersons, type Change, type HistoryAction, type Move } from './links.ts';
import { lockPersons, lockPersonsOf, personsOf } from './locks.ts';

/**
 * What HIE staff do to the index besides deciding review items: split a Patient out of its
 * Person, merge two Persons, and undo an earlier change. Each takes a reason, records who
 * decided, and is one change of the link history; Person resources follow in the same
 * transaction. A Patient placed by staff is never moved again automatically.
 */
export interface ChangeResult {
  changeId: string;
  action: HistoryAction;
  reason: string;
  actor: string;
  moves: { patientId: string; fromPersonId: string | null; toPersonId: string }[];
}

const result = (c: Change & { id: string }, moves: Move[]): ChangeResult => ({
  changeId: c.id,
  action: c.action,
  reason: c.reason ?? '',
  actor: c.actor,
  moves: moves.map((m) => ({ patientId: m.patientId, fromPersonId: m.fromPersonId, toPersonId: m.toPersonId })),
});

async function readPatient(repo: SqlFhirRepository, id: string): Promise<Patient & { id: string }> {
  const v = await repo.read('Patient', id);
  return { ...((v?.resource as Patient | undefined) ?? { resourceType: 'Patient' }), id };
}

/** Splits a Patient out of its Person into a new Person of its own; it is kept apart from the Patients it leaves. */
export async function unlinkPatient(
  repo: SqlFhirRepository,
  tx: Queryable,
  patientId: string,
  why: { reason: string; reviewId?: string },
  ctx: WriteContext,
): Promise<ChangeResult> {
  const from = (await lockPersonsOf(tx, [patientId])).get(patientId);
  if (!from) throw errors.notFound(`Patient/${patientId} in the master patient index`);
  const others = ((await membersOf(tx, [from])).get(from) ?? []).map((m) => m.patientId).filter((p) => p !== patientId);
  if (others.length === 0) throw errors.mpiConflict(`Patient/${patientId} is already the only record of Person/${from}`);
  const to = await createPersonFor(repo, await readPatient(repo, patientId), ctx, 'manual');
  const change = await newChange(tx, { action: 'unlink', reason: why.reason, actor: ctx.author, reviewId: why.reviewId ?? null });
  const move: Move = { patientId, fromPersonId: from, toPersonId: to, decision: 'manual', score: null, matchedPatientId: null, evidence: [] };
  await recordMove(tx, change, move);
  await syncPersons(repo, tx, [move], ctx);
  await keepApart(tx, patientId, others, { changeId: change.id, ...(why.reviewId ? { reviewId: why.reviewId } : {}) });
  return result(change, [move]);
}

/** Runs in the transaction of a staff action, with its result (the admin API stages its audit entry here). */
export type WithinChange = (tx: Queryable, result: ChangeResult) => Promise<void>;

async function finish(tx: Queryable, result: ChangeResult, within: WithinChange | undefined): Promise<ChangeResult> {
  await within?.(tx, result);
  return result;
}

export function unlink(store: SqlFhirStore, patientId: string, reason: string, ctx: WriteContext, within?: WithinChange): Promise<ChangeResult> {
  if (!ID_PATTERN.test(patientId)) throw errors.notFound(`Patient/${patientId}`);
  return store.transaction(async (repo, tx) => finish(tx, await unlinkPatient(repo, tx, patientId, { reason }, ctx), within));
}

/** Moves every Patient of Person `personId` into Person `intoId`; `personId` becomes inactive and links to `intoId`. */
export function mergePersons(store: SqlFhirStore, personId: string, intoId: string, reason: string, ctx: WriteContext, within?: WithinChange): Promise<ChangeResult> {
  if (!ID_PATTERN.test(personId)) throw errors.notFound(`Person/${personId}`);
  if (!ID_PATTERN.test(intoId)) throw errors.badRequest(`'${intoId}' is not a valid Person id`, ['into']);
  if (personId === intoId) throw errors.badRequest('A Person cannot be merged into itself', ['into']);
  return store.transaction(async (repo, tx) => {
    await lockPersons(tx, [personId, intoId]);
    for (const id of [personId, intoId]) {
      const v = await repo.read('Person', id);
      if (!v?.resource) throw errors.notFound(`Person/${id}`);
    }
    const members = await membersOf(tx, [personId, intoId]);
    for (const id of [personId, intoId]) {
      if ((members.get(id) ?? []).length === 0) throw errors.mpiConflict(`Person/${id} has no Patients (it was merged into another Person)`);
    }
    const change = await newChange(tx, { action: 'merge', reason, actor: ctx.author });
    const moves: Move[] = (members.get(personId) ?? []).map((m) => ({ patientId: m.patientId, fromPersonId: personId, toPersonId: intoId, decision: 'manual' }));
    for (const m of moves) await recordMove(tx, change, m);
    await syncPersons(repo, tx, moves, ctx);
    return finish(tx, result(change, moves), within);
  });
}

interface HistoryRow {
  id: string;
  patient_id: string;
  from_person_id: string | null;
  to_person_id: string;
  action: HistoryAction;
}

/**
 * Reverts one change: every Patient it moved goes back to the Person it came from (a Person
 * it emptied becomes active again), or, for an automatic link of a new record, to a new Person
 * of its own. Refused when the change was already undone or one of its Patients has moved
 * since. A Patient taken out of a Person is kept apart from the Patients left there; undoing a
 * split lifts the separation it made.
 */
export function undoChange(store: SqlFhirStore, changeId: string, reason: string, ctx: WriteContext, within?: WithinChange): Promise<ChangeResult> {
  if (!/^\d{1,18}$/.test(changeId)) throw errors.notFound(`MPI change ${changeId}`);
  return store.transaction(async (repo, tx) => {
    const found = await tx.query<HistoryRow>(
      'select id::text as id, patient_id, from_person_id, to_person_id, action from mpi_link_history where change_id = $1::bigint order by id',
      [changeId],
    );
    const rows = found.rows;
    const action = rows[0]?.action;
    if (!action) throw errors.notFound(`MPI change ${changeId}`);
    if (action === 'new') throw errors.mpiNotUndoable(`Change ${changeId} gave a new record its own Person; there is nothing to undo`);
    if (action === 'a40') throw errors.mpiNotUndoable(`Change ${changeId} is a source's ADT^A40 merge of its own records`);
    const moved = rows.filter((r) => r.from_person_id !== r.to_person_id);
    if (moved.length === 0) throw errors.mpiNotUndoable(`Change ${changeId} moved no Patient`);
    await lockPersons(tx, moved.flatMap((r) => (r.from_person_id ? [r.from_person_id, r.to_person_id] : [r.to_person_id])));
    const undone = await tx.query<{ change_id: string }>('select change_id::text as change_id from mpi_link_history where undoes = $1::bigint limit 1', [changeId]);
    if (undone.rows[0]) throw errors.mpiConflict(`Change ${changeId} was already undone by change ${undone.rows[0].change_id}`);
    const now = await personsOf(tx, moved.map((r) => r.patient_id));
    for (const r of moved) {
      if (now.get(r.patient_id) !== r.to_person_id) {
        throw errors.mpiConflict(`Patient/${r.patient_id} has moved since change ${changeId}; undo the later change first`);
      }
    }
    const change = await newChange(tx, { action: 'undo', reason, actor: ctx.author, undoes: changeId });
    const moves: Move[] = [];
    for (const r of moved) {
      const to = r.from_person_id ?? (await createPersonFor(repo, await readPatient(repo, r.patient_id), ctx, 'manual'));
      const before = await tx.query<{ score: number | null; matched_patient_id: string | null; evidence: Evidence[] | string }>(
        `select score, matched_patient_id, evidence from mpi_link_history where patient_id = $1 and to_person_id = $2 and id < $3::bigint order by id desc limit 1`,
        [r.patient_id, to, r.id],
      );
      const b = before.rows[0];
      const evidence = b ? (typeof b.evidence === 'string' ? (JSON.parse(b.evidence) as Evidence[]) : b.evidence) : [];
      const move: Move = { patientId: r.patient_id, fromPersonId: r.to_person_id, toPersonId: to, decision: 'manual', score: b?.score ?? null, matchedPatientId: b?.matched_patient_id ?? null, evidence };
      await recordMove(tx, change, move);
      moves.push(move);
    }
    await syncPersons(repo, tx, moves, ctx);
    await tx.query('delete from mpi_apart where change_id = $1::bigint', [changeId]);
    const left = await membersOf(tx, [...new Set(moves.map((m) => m.fromPersonId as string))]);
    for (const m of moves) {
      await keepApart(tx, m.patientId, (left.get(m.fromPersonId as string) ?? []).map((p) => p.patientId), { changeId: change.id });
    }
    return finish(tx, result(change, moves), within);
  });
}
