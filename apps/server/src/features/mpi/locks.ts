import { createHash } from 'node:crypto';
import type { Queryable } from '@kennebec/db';

/**
 * Locks of the master patient index, all transaction-scoped PostgreSQL advisory locks.
 *
 * Two records that could be candidates for each other share a blocking key (that is how they
 * find each other), so linking a record first locks each of its blocking keys: two records of
 * one person arriving at once serialize on the key they share, and the second sees the first's
 * Person; records with no key in common proceed in parallel.
 *
 * Whatever changes which Patients belong to a Person (a new link, a review decision, a staff
 * unlink, merge or undo, an ADT^A40) holds that Person's lock, and every Person it moves a
 * Patient out of or into: Person.link is rewritten from mpi_link under it, so two changes never
 * write the same Person from stale reads.
 *
 * No deadlocks by construction: a transaction takes all its key locks in one statement, in
 * the order of their lock numbers, before any Person lock, and each step takes the Person locks
 * it needs in one statement, sorted likewise. (A transaction that links several new Patients
 * takes one Person lock per Patient, one after another; should two such transactions need the
 * same two Persons in opposite orders, PostgreSQL detects it and rolls one back whole.)
 * Lock numbers are 32-bit hashes: a collision only makes two unrelated records wait for each other.
 */
const KEY_SPACE = 0x4b42_0001;
const PERSON_SPACE = 0x4b42_0002;

function lockNumber(s: string): number {
  return createHash('sha1').update(s).digest().readInt32BE(0);
}

async function lockAll(tx: Queryable, space: number, names: Iterable<string>): Promise<void> {
  const numbers = [...new Set([...names].map(lockNumber))].sort((a, b) => a - b);
  if (numbers.length === 0) return;
  // A function scan over the array yields its elements in order, so the locks are taken in order.
  await tx.query('select count(pg_advisory_xact_lock($1::int4, k)) from unnest($2::int4[]) as k', [space, numbers]);
}

/** Locks the blocking keys of the records about to be linked or re-evaluated. */
export function lockBlockingKeys(tx: Queryable, keys: Iterable<string>): Promise<void> {
  return lockAll(tx, KEY_SPACE, keys);
}

/** Locks Persons by id. */
export function lockPersons(tx: Queryable, personIds: Iterable<string>): Promise<void> {
  return lockAll(tx, PERSON_SPACE, personIds);
}

/** The Person of each linked Patient, as stored now. */
export async function personsOf(q: Queryable, patientIds: readonly string[]): Promise<Map<string, string>> {
  if (patientIds.length === 0) return new Map();
  const res = await q.query<{ patient_id: string; person_id: string }>('select patient_id, person_id from mpi_link where patient_id = any($1::text[])', [patientIds]);
  return new Map(res.rows.map((r) => [r.patient_id, r.person_id]));
}

/**
 * Locks the Persons of these Patients and returns each Patient's Person as it is under the
 * locks. Another transaction may move one of them while we wait; then its new Person is locked
 * too, until every Patient's Person is held (a held Person's Patients cannot move).
 */
export async function lockPersonsOf(tx: Queryable, patientIds: readonly string[], held: Set<string> = new Set()): Promise<Map<string, string>> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const persons = await personsOf(tx, patientIds);
    const needed = [...new Set(persons.values())].filter((p) => !held.has(p));
    if (needed.length === 0) return persons;
    await lockPersons(tx, needed);
    for (const p of needed) held.add(p);
  }
  throw new Error('Patients kept moving between Persons while being locked');
}
