import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from 'fhir/r4';
import { auditRows, createTestServer, hieCallers, startSmtpCapture, statusesOf, type HieCallers, type SmtpCapture, type TestServer } from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';
import { client, inconsistencies, patient, type Demo } from './test-support.ts';

/** HIE staff actions on the index (unlink, merge, undo, review decisions) and the link history. */
let t: TestServer;
let smtp: SmtpCapture;
let callers: HieCallers;
let api: ReturnType<typeof client>;
let north: Record<string, string>;
let south: Record<string, string>;
let staff: Record<string, string>;
const N = 'urn:oid:2.16.840.1.113883.3.9001';
const S = 'urn:oid:2.16.840.1.113883.3.9002';

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ env: { SMTP_URL: smtp.url } });
  callers = await hieCallers(t, smtp);
  api = client(t);
  const a = await createSource(t.deps, { name: 'North', hl7Facility: 'N9', oid: '2.16.840.1.113883.3.9001' });
  const b = await createSource(t.deps, { name: 'South', hl7Facility: 'S9', oid: '2.16.840.1.113883.3.9002' });
  north = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}` };
  south = { authorization: `Bearer ${await t.token('system/*.cruds', b.id)}` };
  staff = { authorization: `Bearer ${await t.token('system/Person.rus')}` };
}, 120_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

interface ChangeResult {
  changeId: string;
  action: string;
  reason: string;
  actor: string;
  moves: { patientId: string; fromPersonId: string | null; toPersonId: string }[];
}
interface PersonDetail {
  person: { id: string; active: boolean; replacedBy: string | null };
  patients: { patientId: string; sourceOrg: string | null; decision: string; score: number | null; evidence: { field: string }[] }[];
  history: { action: string; patientId: string; changeId: string; undoneBy: string | null; reason: string | null; actor: string }[];
}

async function act(url: string, payload: unknown, expected = 200): Promise<ChangeResult & { issue?: { details?: { coding?: { code: string }[] } }[] }> {
  const res = await api.call('POST', url, staff, payload);
  expect(res.status, res.body).toBe(expected);
  return res.json<ChangeResult>();
}

async function detail(personId: string): Promise<PersonDetail> {
  const res = await api.call('GET', `/admin/mpi/persons/${personId}`, staff);
  expect(res.status, res.body).toBe(200);
  return res.json<PersonDetail>();
}

const errorCode = (r: { issue?: { details?: { coding?: { code: string }[] } }[] }): string | undefined => r.issue?.[0]?.details?.coding?.[0]?.code;

/** Two records of one person, from two sources, linked automatically. */
async function pair(given: string, family: string, birthDate: string, ssn: string): Promise<{ a: string; b: string; person: string }> {
  const base: Omit<Demo, 'mrn' | 'system'> = { given, family, birthDate, ssn, phone: `207-555-${ssn.slice(-4)}` };
  const a = await api.create(north, patient({ ...base, mrn: `${family}-N`, system: N }));
  const b = await api.create(south, patient({ ...base, mrn: `${family}-S`, system: S }));
  const person = (await api.personOf(north, a)).id;
  expect((await api.personOf(north, b)).id).toBe(person);
  return { a, b, person };
}

describe('unlink', () => {
  it('splits a Patient into a new Person with a reason, keeps Person resources in step, and an undo relinks it', async () => {
    const { a, b, person } = await pair('Paul', 'Levesque', '1961-07-07', '900-40-1001');
    expect((await api.call('POST', `/admin/mpi/patients/${b}/unlink`, staff, { reason: '' })).status).toBe(400);
    const split = await act(`/admin/mpi/patients/${b}/unlink`, { reason: 'Registration shows a different mother' });
    expect(split).toMatchObject({ action: 'unlink', reason: 'Registration shows a different mother', actor: expect.stringMatching(/^Client\//) });
    const newPerson = split.moves[0]?.toPersonId as string;
    expect(split.moves).toEqual([{ patientId: b, fromPersonId: person, toPersonId: newPerson }]);
    expect((await api.personOf(north, b)).id).toBe(newPerson);
    expect((await api.personOf(north, a)).id).toBe(person);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
    // Alone now: a second unlink has nothing to split.
    const again = await act(`/admin/mpi/patients/${b}/unlink`, { reason: 'again' }, 409);
    expect(errorCode(again)).toBe('KB-MPI-CONFLICT');
    // Staff placed it: an update that matches A again neither moves it nor proposes the pair again.
    await api.update(south, b, patient({ given: 'Paul', family: 'Levesque', birthDate: '1961-07-07', ssn: '900-40-1001', phone: '207-555-1001', mrn: 'Levesque-S', system: S, line: '2 New Rd' }));
    expect((await api.personOf(north, b)).id).toBe(newPerson);
    const reviews = (await api.call('GET', '/admin/mpi/reviews?status=all', staff)).json().reviews as { patientId: string }[];
    expect(reviews.filter((r) => r.patientId === b)).toEqual([]);

    const undo = await act(`/admin/mpi/changes/${split.changeId}/undo`, { reason: 'Mother confirmed the same; split was wrong' });
    expect(undo.moves).toEqual([{ patientId: b, fromPersonId: newPerson, toPersonId: person }]);
    expect((await api.personOf(north, b)).id).toBe(person);
    const emptied = (await api.call('GET', `/fhir/R4/Person/${newPerson}`, north)).json<Person>();
    expect(emptied.active).toBe(false);
    const apart = await t.deps.db.query('select 1 from mpi_apart where patient_id = $1 or other_patient_id = $1', [b]);
    expect(apart.rows).toHaveLength(0);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
    expect(errorCode(await act(`/admin/mpi/changes/${split.changeId}/undo`, { reason: 'twice' }, 409))).toBe('KB-MPI-CONFLICT');
  });

  it('shows on a Person the demographics of its first Patient, after that one leaves and after an update', async () => {
    const base = { family: 'Lavoie', birthDate: '1950-05-25', ssn: '900-40-2002', phone: '207-555-2002' };
    const a = await api.create(north, patient({ ...base, given: 'Robert', mrn: 'LA-1', system: N }));
    const b = await api.create(south, patient({ ...base, given: 'Bob', mrn: 'LA-2', system: S }));
    const person = (await api.personOf(north, a)).id;
    expect((await api.personOf(north, b)).id).toBe(person);
    await act(`/admin/mpi/patients/${a}/unlink`, { reason: 'Robert is the father of Bob' });
    const shown = async (): Promise<string | undefined> => (await api.call('GET', `/fhir/R4/Person/${person}`, north)).json<Person>().name?.[0]?.given?.[0];
    expect(await shown()).toBe('Bob');
    await api.update(south, b, patient({ ...base, given: 'Bobby', mrn: 'LA-2', system: S }));
    expect(await shown()).toBe('Bobby');
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('answers 404 for a Patient the index does not know, and 403 without the Person update scope', async () => {
    expect((await api.call('POST', '/admin/mpi/patients/nobody/unlink', staff, { reason: 'because' })).status).toBe(404);
    const reader = { authorization: `Bearer ${await t.token('system/Person.rs')}` };
    expect((await api.call('POST', '/admin/mpi/patients/nobody/unlink', reader, { reason: 'because' })).status).toBe(403);
    expect((await api.call('GET', '/admin/mpi/persons/nobody', reader)).status).toBe(404);
    const patientOnly = { authorization: `Bearer ${await t.token('system/Patient.rs')}` };
    expect((await api.call('GET', '/admin/mpi/persons/nobody', patientOnly)).status).toBe(403);
  });
});

describe('merge of two Persons', () => {
  it('moves every Patient into the surviving Person, marks the other replaced, and an undo restores both', async () => {
    const one = await pair('Rita', 'Michaud', '1955-01-15', '900-50-2001');
    const two = await api.create(north, patient({ mrn: 'MI-3', system: N, given: 'Marguerite', family: 'Michaud', birthDate: '1955-11-05', line: '7 Bay Rd', city: 'Bath', zip: '04530' }));
    const other = (await api.personOf(north, two)).id;
    expect(other).not.toBe(one.person);
    expect((await api.call('POST', `/admin/mpi/persons/${one.person}/merge`, staff, { into: one.person, reason: 'same' })).status).toBe(400);
    expect((await api.call('POST', `/admin/mpi/persons/${one.person}/merge`, staff, { reason: 'no target' })).status).toBe(400);
    expect((await api.call('POST', `/admin/mpi/persons/${one.person}/merge`, staff, { into: 'nobody', reason: 'missing' })).status).toBe(404);

    const merge = await act(`/admin/mpi/persons/${one.person}/merge`, { into: other, reason: 'Rita is her nickname; same birth certificate' });
    expect(merge.action).toBe('merge');
    expect(merge.moves.map((m) => m.patientId).sort()).toEqual([one.a, one.b].sort());
    for (const id of [one.a, one.b, two]) expect((await api.personOf(north, id)).id).toBe(other);
    const replaced = await detail(one.person);
    expect(replaced.person).toEqual({ id: one.person, active: false, replacedBy: other });
    expect(replaced.patients).toEqual([]);
    const survivor = await detail(other);
    expect(survivor.patients.map((p) => p.patientId).sort()).toEqual([one.a, one.b, two].sort());
    expect(survivor.patients.find((p) => p.patientId === one.b)).toMatchObject({ decision: 'manual', score: expect.any(Number) });
    expect(survivor.history.filter((h) => h.action === 'merge')).toHaveLength(2);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
    // Merging the emptied Person again is refused.
    expect(errorCode(await act(`/admin/mpi/persons/${one.person}/merge`, { into: other, reason: 'again' }, 409))).toBe('KB-MPI-CONFLICT');

    const undo = await act(`/admin/mpi/changes/${merge.changeId}/undo`, { reason: 'Birth certificates differ after all' });
    expect(undo.action).toBe('undo');
    expect((await api.personOf(north, one.a)).id).toBe(one.person);
    expect((await api.personOf(north, one.b)).id).toBe(one.person);
    expect((await api.personOf(north, two)).id).toBe(other);
    const restored = await detail(one.person);
    expect(restored.person).toEqual({ id: one.person, active: true, replacedBy: null });
    expect(restored.history.find((h) => h.changeId === merge.changeId)?.undoneBy).toBe(undo.changeId);
    expect(await inconsistencies(t.deps.db)).toEqual([]);

    // An undo is itself a change: undoing it merges them again.
    const redo = await act(`/admin/mpi/changes/${undo.changeId}/undo`, { reason: 'Confirmed by the registrar: same person' });
    expect(redo.moves.every((m) => m.toPersonId === other)).toBe(true);
    expect((await api.personOf(north, one.a)).id).toBe(other);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });
});

describe('safety rules across a Person', () => {
  it("sends to review a new record that matches one record of a Person but is set apart from another of its records", async () => {
    const base = { family: 'Pelletier', given: 'Andre', phone: '207-555-0150', line: '20 Mast Rd', city: 'Gardiner', zip: '04345' };
    const father = await api.create(north, patient({ ...base, mrn: 'PE-1', system: N, birthDate: '1950-01-20' }));
    const son = await api.create(north, patient({ ...base, mrn: 'PE-2', system: N, birthDate: '1980-05-11', suffix: 'Jr' }));
    const fatherPerson = (await api.personOf(north, father)).id;
    const sonPerson = (await api.personOf(north, son)).id;
    expect(sonPerson).not.toBe(fatherPerson);
    // A wrong merge by staff puts father and son in one Person.
    await act(`/admin/mpi/persons/${sonPerson}/merge`, { into: fatherPerson, reason: 'Looked like one chart' });
    const senior = await api.create(south, patient({ ...base, mrn: 'PE-9', system: S, birthDate: '1950-01-20', suffix: 'Sr' }));
    expect((await api.personOf(north, senior)).id).not.toBe(fatherPerson);
    const items = (await api.call('GET', '/admin/mpi/reviews', staff)).json().reviews as { patientId: string; candidatePatientId: string; cause: string }[];
    expect(items.filter((r) => r.patientId === senior)).toEqual([expect.objectContaining({ candidatePatientId: son, cause: 'new-record' })]);
  });
});

describe('undo', () => {
  it('splits an automatic link back out into a Person of its own', async () => {
    const { a, b, person } = await pair('Omer', 'Gendron', '1944-04-04', '900-60-3001');
    const linked = ((await api.call('GET', `/admin/mpi/patients/${b}/history`, staff)).json().history as { action: string; changeId: string }[]).find((h) => h.action === 'auto-link');
    expect(linked).toBeDefined();
    const undo = await act(`/admin/mpi/changes/${linked?.changeId}/undo`, { reason: 'Two Omer Gendrons at one nursing home' });
    const own = undo.moves[0]?.toPersonId;
    expect(undo.moves).toEqual([{ patientId: b, fromPersonId: person, toPersonId: own }]);
    expect(own).not.toBe(person);
    expect((await api.personOf(north, a)).id).toBe(person);
    expect((await api.personOf(north, b)).id).toBe(own);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('refuses a change whose Patients moved since, and changes that cannot be undone', async () => {
    const { b, person } = await pair('Ida', 'Morin', '1933-03-30', '900-70-4001');
    const split = await act(`/admin/mpi/patients/${b}/unlink`, { reason: 'Different person per chart' });
    const third = await api.create(north, patient({ mrn: 'IM-9', system: N, given: 'Yolande', family: 'Morin', birthDate: '1972-12-12', line: '3 Lake Rd', city: 'Bath', zip: '04530' }));
    const thirdPerson = (await api.personOf(north, third)).id;
    await act(`/admin/mpi/persons/${split.moves[0]?.toPersonId}/merge`, { into: thirdPerson, reason: 'Chart review: same as Yolande' });
    const stale = await act(`/admin/mpi/changes/${split.changeId}/undo`, { reason: 'undo the split' }, 409);
    expect(errorCode(stale)).toBe('KB-MPI-CONFLICT');
    expect((await api.personOf(north, b)).id).toBe(thirdPerson);
    expect(person).not.toBe(thirdPerson);

    const created = ((await api.call('GET', `/admin/mpi/patients/${third}/history`, staff)).json().history as { action: string; changeId: string }[]).find((h) => h.action === 'new');
    expect(errorCode(await act(`/admin/mpi/changes/${created?.changeId}/undo`, { reason: 'nothing to undo' }, 422))).toBe('KB-MPI-NOT-UNDOABLE');
    expect((await api.call('POST', '/admin/mpi/changes/99999999/undo', staff, { reason: 'unknown' })).status).toBe(404);
    expect((await api.call('POST', '/admin/mpi/changes/abc/undo', staff, { reason: 'unknown' })).status).toBe(404);
  });
});

describe('review decisions', () => {
  it('splits a changed record out of its Person when staff keep the pair apart, and records it', async () => {
    const { a, b, person } = await pair('Lise', 'Paradis', '1966-06-16', '900-80-5001');
    await api.update(south, b, patient({ mrn: 'Paradis-S', system: S, given: 'Josee', family: 'Paradis', birthDate: '1991-09-01', line: '60 Hill Rd', city: 'Bangor', zip: '04401' }));
    const items = (await api.call('GET', '/admin/mpi/reviews', staff)).json().reviews as { id: string; patientId: string; cause: string }[];
    const item = items.find((r) => r.patientId === b);
    expect(item?.cause).toBe('demographics-changed');
    const decided = await api.call('POST', `/admin/mpi/reviews/${item?.id}`, staff, { decision: 'keep-apart', reason: 'The source reused the MRN for her daughter' });
    expect(decided.status, decided.body).toBe(200);
    const own = (await api.personOf(north, b)).id;
    expect(own).not.toBe(person);
    expect((await api.personOf(north, a)).id).toBe(person);
    const history = (await api.call('GET', `/admin/mpi/patients/${b}/history`, staff)).json<{ personId: string; history: { action: string; reviewId: string | null; reason: string }[] }>();
    expect(history.personId).toBe(own);
    expect(history.history[0]).toMatchObject({ action: 'unlink', reviewId: item?.id, reason: 'The source reused the MRN for her daughter' });
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('moves the Patient on a link decision and records it as review-link with the pair evidence', async () => {
    const anne = (mrn: string, system: string, birthDate: string, line: string, city: string, zip: string) =>
      patient({ mrn, system, given: 'Anne', family: 'Boucher', birthDate, gender: 'female', line, city, zip });
    const a = await api.create(north, anne('AB-1', N, '1990-05-05', '3 Elm St', 'Bath', '04530'));
    const b = await api.create(south, anne('AB-2', S, '1990-05-08', '77 Pine Rd', 'Portland', '04101'));
    const item = ((await api.call('GET', '/admin/mpi/reviews', staff)).json().reviews as { id: string; patientId: string; cause: string }[]).find((r) => r.patientId === b);
    expect(item?.cause).toBe('new-record');
    const from = (await api.personOf(north, b)).id;
    await api.call('POST', `/admin/mpi/reviews/${item?.id}`, staff, { decision: 'link', reason: 'Birth date typo confirmed by phone' });
    const to = (await api.personOf(north, a)).id;
    expect((await api.personOf(north, b)).id).toBe(to);
    const d = await detail(to);
    expect(d.history[0]).toMatchObject({ action: 'review-link', patientId: b, reason: 'Birth date typo confirmed by phone' });
    expect(d.patients.find((p) => p.patientId === b)?.evidence.map((e) => e.field)).toContain('birthDate');
    expect((await detail(from)).person).toEqual({ id: from, active: false, replacedBy: to });
  });
});

describe('link history', () => {
  it('is append-only', async () => {
    await expect(t.deps.db.query(`update mpi_link_history set reason = 'rewritten'`)).rejects.toThrow(/append-only/);
    await expect(t.deps.db.query('delete from mpi_link_history')).rejects.toThrow(/append-only/);
  });

  it("shows a Person's Patients with score and evidence, and its history, never demographics", async () => {
    const { a, b, person } = await pair('Hector', 'Fortin', '1938-02-28', '900-90-6001');
    const d = await detail(person);
    expect(d.person).toEqual({ id: person, active: true, replacedBy: null });
    expect(d.patients.map((p) => p.patientId).sort()).toEqual([a, b].sort());
    const linked = d.patients.find((p) => p.patientId === b);
    expect(linked).toMatchObject({ decision: 'link', sourceOrg: expect.any(String) });
    expect(linked?.score).toBeGreaterThan(18);
    expect(d.history.map((h) => h.action).sort()).toEqual(['auto-link', 'new']);
    expect(JSON.stringify(d)).not.toMatch(/Hector|Fortin|1938/);
    expect((await api.call('GET', '/admin/mpi/patients/nobody/history', staff)).status).toBe(404);
  });
});

describe('HIE staff signed in', () => {
  const READERS = { hieAdmin: 200, privacyOfficer: 200, 'front-desk': 403, nurse: 403, provider: 403, billing: 403, 'org-admin': 403, patient: 403, anonymous: 401 };
  const NOT_ADMINS = ['privacyOfficer', 'front-desk', 'nurse', 'provider', 'billing', 'org-admin', 'patient', 'anonymous'] as const;
  const REFUSED = [403, 403, 403, 403, 403, 403, 403, 401];
  const admin = () => callers.hieAdmin.browser;
  const adminActor = () => `User/${callers.hieAdmin.userId}`;

  it('lets HIE admins and privacy officers read the index, audited as reads; org staff and patients get 403, nobody 401', async () => {
    const { a, b, person } = await pair('Gaston', 'Poulin', '1947-08-08', '900-91-7001');
    expect(await statusesOf(callers, (br) => br.get(`/admin/mpi/persons/${person}`))).toEqual(READERS);
    expect(await statusesOf(callers, (br) => br.get(`/admin/mpi/patients/${b}/history`))).toEqual(READERS);
    expect(await statusesOf(callers, (br) => br.get('/admin/mpi/reviews'))).toEqual(READERS);

    const officer = `User/${callers.privacyOfficer.userId}`;
    const reads = (await auditRows(t, { actor: officer, action: 'read' })).filter((e) => e.entities.includes(`Person/${person}`) || e.patients.includes(`Patient/${b}`));
    expect(reads).toEqual([
      expect.objectContaining({ resource_type: 'Person', outcome: 'success', status: 200, entities: [`Person/${person}`], patients: expect.arrayContaining([`Patient/${a}`, `Patient/${b}`]) }),
      expect.objectContaining({ resource_type: 'Patient', outcome: 'success', status: 200, patients: [`Patient/${b}`], entities: [`Patient/${b}`, `Person/${person}`] }),
    ]);
    const nurse = await auditRows(t, { actor: `User/${callers.nurse.userId}`, action: 'refused' });
    expect(nurse.map((e) => `${e.operation} ${e.outcome} ${e.status}`)).toEqual(['getMpiPerson denied 403', 'getMpiPatientHistory denied 403', 'listMpiReviews denied 403']);
    const anonymous = (await auditRows(t, { actor: 'anonymous', action: 'read' })).filter((e) => e.entities.includes(`Person/${person}`));
    expect(anonymous.map((e) => `${e.outcome} ${e.status}`)).toEqual(['denied 401']);
    expect(JSON.stringify(await auditRows(t))).not.toMatch(/Gaston|Poulin|1947/);
  });

  it('lets only HIE admins act, each action audited in its transaction with who, which records and the change', async () => {
    const { a, b, person } = await pair('Yvon', 'Caron', '1952-02-12', '900-92-8001');
    const unlinkUrl = `/admin/mpi/patients/${b}/unlink`;
    const refused = await statusesOf(callers, (br) => br.post(unlinkUrl, { reason: 'Not the same person' }), NOT_ADMINS);
    expect(Object.values(refused)).toEqual(REFUSED);
    expect((await api.personOf(north, b)).id).toBe(person);
    const denied = (await auditRows(t, { action: 'refused', actor: `User/${callers.privacyOfficer.userId}` })).filter((e) => e.operation === 'unlinkMpiPatient');
    expect(denied).toEqual([expect.objectContaining({ outcome: 'denied', status: 403 })]);
    // A client that may read but not act gets past the gate and is refused by the decision, audited with the Patient.
    const reader = { authorization: `Bearer ${await t.token('system/Person.rs')}` };
    expect((await api.call('POST', unlinkUrl, reader, { reason: 'Not the same person' })).status).toBe(403);
    expect((await auditRows(t, { action: 'mpi-unlink' })).filter((e) => e.outcome === 'denied' && e.patients.includes(`Patient/${b}`)).map((e) => e.status).sort()).toEqual([401, 403]);

    const split = await admin().post(unlinkUrl, { reason: 'Registration shows a different father' });
    expect(split.statusCode, split.body).toBe(200);
    const change = split.json<ChangeResult>();
    expect(change.actor).toBe(adminActor());
    const own = change.moves[0]?.toPersonId as string;
    const again = await admin().post(unlinkUrl, { reason: 'once more' });
    expect(again.statusCode).toBe(409);

    const merged = await admin().post(`/admin/mpi/persons/${own}/merge`, { into: person, reason: 'Father confirmed the same' });
    expect(merged.statusCode, merged.body).toBe(200);
    const merge = merged.json<ChangeResult>();
    const undone = await admin().post(`/admin/mpi/changes/${merge.changeId}/undo`, { reason: 'Wrong chart pulled' });
    expect(undone.statusCode, undone.body).toBe(200);
    const undo = undone.json<ChangeResult>();
    expect(await inconsistencies(t.deps.db)).toEqual([]);

    // Refusals are appended as they happen, changes with their transaction: compare without order.
    const trail = (await auditRows(t, { actor: adminActor(), prefix: 'mpi-' })).filter((e) => e.patients.includes(`Patient/${b}`));
    const entry = (action: string, outcome = 'success') => trail.find((e) => e.action === action && e.outcome === outcome);
    expect(trail.map((e) => `${e.action} ${e.outcome} ${e.status}`).sort()).toEqual(['mpi-merge success 200', 'mpi-undo success 200', 'mpi-unlink error 409', 'mpi-unlink success 200']);
    expect(entry('mpi-unlink')?.entities).toEqual([`Person/${person}`, `Person/${own}`, `MpiChange/${change.changeId}`]);
    expect(entry('mpi-merge')?.entities).toEqual(expect.arrayContaining([`Person/${own}`, `Person/${person}`, `MpiChange/${merge.changeId}`]));
    expect(entry('mpi-undo')?.entities).toEqual(expect.arrayContaining([`MpiChange/${merge.changeId}`, `MpiChange/${undo.changeId}`]));
    expect(trail.every((e) => e.actor_org === null)).toBe(true);
    expect((await api.personOf(north, a)).id).toBe(person);
    // The reason stays with the change in the index; the trail holds references only.
    expect(JSON.stringify(trail)).not.toMatch(/father|chart/i);
  });

  it('shows the review queue with both records side by side, the evidence and the score, a page at a time; only admins decide', async () => {
    const claude = (mrn: string, system: string, birthDate: string, line: string, city: string, zip: string, ssn?: string) =>
      patient({ mrn, system, given: 'Claude', family: 'Ouellette', birthDate, gender: 'female', line, city, zip, ...(ssn ? { ssn } : {}) });
    const a = await api.create(north, claude('CO-1', N, '1988-03-03', '9 Oak St', 'Bath', '04530', '900-93-9123'));
    const b = await api.create(south, claude('CO-2', S, '1988-03-08', '41 Ash Rd', 'Portland', '04101'));
    const res = await callers.privacyOfficer.browser.get('/admin/mpi/reviews?limit=200');
    expect(res.statusCode, res.body).toBe(200);
    const item = (res.json().reviews as { id: string; patientId: string; candidatePatientId: string; score: number; evidence: { field: string; level: string; weight: number }[]; patient: unknown; candidate: unknown }[]).find((r) => r.patientId === b);
    expect(item).toMatchObject({ candidatePatientId: a, score: expect.any(Number) });
    expect(item?.evidence.map((e) => e.field)).toEqual(expect.arrayContaining(['given', 'family', 'birthDate']));
    expect(item?.evidence.find((e) => e.field === 'family')).toMatchObject({ level: 'exact', weight: expect.any(Number) });
    expect(item?.patient).toMatchObject({
      patientId: b,
      sourceName: 'South',
      names: [{ family: 'Ouellette', given: ['Claude'], suffix: [] }],
      birthDate: '1988-03-08',
      gender: 'female',
      addresses: [{ line: ['41 Ash Rd'], city: 'Portland', state: 'ME', postalCode: '04101' }],
    });
    expect(item?.candidate).toMatchObject({ patientId: a, sourceName: 'North', birthDate: '1988-03-03', identifiers: expect.arrayContaining([{ system: 'http://hl7.org/fhir/sid/us-ssn', value: '***-**-9123' }]) });
    expect(res.body).not.toContain('900-93-9123');
    const search = (await auditRows(t, { action: 'search', actor: `User/${callers.privacyOfficer.userId}` })).at(-1);
    expect(search).toMatchObject({ outcome: 'success', resource_type: 'Patient', patients: expect.arrayContaining([`Patient/${a}`, `Patient/${b}`]), entities: expect.arrayContaining([`MpiReview/${item?.id}`]) });

    const first = (await admin().get('/admin/mpi/reviews?status=all&limit=1')).json() as { reviews: { id: string }[]; next: string | null };
    expect(first.reviews).toHaveLength(1);
    const second = (await admin().get(`/admin/mpi/reviews?status=all&limit=1&cursor=${first.next}`)).json() as { reviews: { id: string }[] };
    expect(Number(second.reviews[0]?.id)).toBeGreaterThan(Number(first.reviews[0]?.id));
    expect((await admin().get('/admin/mpi/reviews?cursor=x')).statusCode).toBe(400);

    const url = `/admin/mpi/reviews/${item?.id}`;
    expect(Object.values(await statusesOf(callers, (br) => br.post(url, { decision: 'link', reason: 'Same person' }), NOT_ADMINS))).toEqual(REFUSED);
    const decided = await admin().post(url, { decision: 'link', reason: 'Birth date typo confirmed by phone' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'linked', decidedBy: adminActor() });
    const entry = (await auditRows(t, { action: 'mpi-review-decide', actor: adminActor() })).at(-1);
    const person = (await api.personOf(north, a)).id;
    expect(entry).toMatchObject({ outcome: 'success', patients: [`Patient/${b}`, `Patient/${a}`], entities: expect.arrayContaining([`MpiReview/${item?.id}`, `Person/${person}`]) });
    const officerDenied = await auditRows(t, { action: 'refused', actor: `User/${callers.privacyOfficer.userId}` });
    expect(officerDenied.filter((e) => e.operation === 'decideMpiReview').at(-1)).toMatchObject({ outcome: 'denied', status: 403 });
  });
});
