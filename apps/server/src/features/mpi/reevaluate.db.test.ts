import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';
import { client, inconsistencies, patient, type Demo } from './test-support.ts';

/** Re-evaluation of a linked Patient when its demographics change, by every path that updates one. */
let t: TestServer;
let api: ReturnType<typeof client>;
let north: Record<string, string>;
let south: Record<string, string>;
let hl7: Record<string, string>;
let staff: Record<string, string>;
const N = 'urn:oid:2.16.840.1.113883.3.8001';
const S = 'urn:oid:2.16.840.1.113883.3.8002';

beforeAll(async () => {
  t = await createTestServer();
  api = client(t);
  const a = await createSource(t.deps, { name: 'North', hl7Facility: 'NORTHCLINIC', oid: '2.16.840.1.113883.3.8001' });
  const b = await createSource(t.deps, { name: 'South', hl7Facility: 'SOUTHCLINIC', oid: '2.16.840.1.113883.3.8002' });
  north = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}` };
  south = { authorization: `Bearer ${await t.token('system/*.cruds', b.id)}` };
  hl7 = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}`, 'content-type': 'x-application/hl7-v2+er7' };
  staff = { authorization: `Bearer ${await t.token('system/Person.rus')}` };
});
afterAll(async () => t?.close());

interface HistoryEntry {
  action: string;
  fromPersonId: string | null;
  toPersonId: string;
  reason: string | null;
  actor: string;
  changeId: string;
}
interface Review {
  id: string;
  patientId: string;
  candidatePatientId: string;
  cause: string;
  status: string;
}

async function historyOf(patientId: string): Promise<HistoryEntry[]> {
  const res = await api.call('GET', `/admin/mpi/patients/${patientId}/history`, staff);
  expect(res.status, res.body).toBe(200);
  return res.json().history as HistoryEntry[];
}

async function reviewsOf(patientId: string): Promise<Review[]> {
  const res = await api.call('GET', '/admin/mpi/reviews?status=all', staff);
  return (res.json().reviews as Review[]).filter((r) => r.patientId === patientId);
}

const marc = (o: Partial<Demo> & { mrn: string; system: string }): Demo => ({ given: 'Marc', family: 'Dube', birthDate: '1970-01-10', line: '9 Elm St', city: 'Portland', zip: '04101', phone: '207-555-7788', ...o });

describe('re-evaluation of updated demographics', () => {
  it('keeps a record that no longer matches its Person, queues it for review, and records the re-evaluation', async () => {
    const base = { given: 'Yvette', family: 'Lajoie', birthDate: '1948-08-19', gender: 'female' as const, phone: '207-555-3100', ssn: '900-31-0001' };
    const a = await api.create(north, patient({ ...base, mrn: 'RV-1', system: N }));
    const b = await api.create(south, patient({ ...base, mrn: 'RV-2', system: S }));
    const person = (await api.personOf(north, a)).id;
    expect((await api.personOf(north, b)).id).toBe(person);
    // The south source corrects its record to someone else entirely.
    await api.update(south, b, patient({ mrn: 'RV-2', system: S, given: 'Gisele', family: 'Lajoie', birthDate: '1979-02-03', gender: 'female', phone: '207-555-3999' }));
    expect((await api.personOf(north, b)).id).toBe(person);
    const [review] = await reviewsOf(b);
    expect(review).toMatchObject({ candidatePatientId: a, cause: 'demographics-changed', status: 'open' });
    const [latest] = await historyOf(b);
    expect(latest).toMatchObject({ action: 're-evaluation', fromPersonId: person, toPersonId: person, actor: expect.stringMatching(/^Client\//) });
    expect(latest?.reason).toContain('no longer matches');
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('queues a record that now also matches another Person, keeping its link', async () => {
    const e = await api.create(north, patient(marc({ mrn: 'MA-1', system: N, birthDate: '1970-01-01', line: '5 Oak St', city: 'Bath', zip: '04530', phone: '207-555-0001' })));
    const a = await api.create(north, patient(marc({ mrn: 'MA-2', system: N })));
    const b = await api.create(south, patient(marc({ mrn: 'MA-3', system: S })));
    const ownPerson = (await api.personOf(north, a)).id;
    expect((await api.personOf(north, e)).id).not.toBe(ownPerson);
    expect((await api.personOf(north, b)).id).toBe(ownPerson);
    // Moved to the other Marc Dube's address: still the same person as A, and now like E too.
    await api.update(south, b, patient(marc({ mrn: 'MA-3', system: S, line: '5 Oak St', city: 'Bath', zip: '04530' })));
    expect((await api.personOf(north, b)).id).toBe(ownPerson);
    expect((await reviewsOf(b)).map((r) => [r.candidatePatientId, r.cause])).toEqual([[e, 'matches-another-person']]);
    expect((await historyOf(b))[0]?.reason).toContain('still matches its Person');
  });

  it('does not re-evaluate an update that changes no demographics', async () => {
    const id = await api.create(north, patient({ mrn: 'NC-1', system: N, given: 'Oscar', family: 'Nadeau', birthDate: '1990-10-10' }));
    const before = await historyOf(id);
    await api.update(north, id, { ...patient({ mrn: 'NC-1', system: N, given: 'Oscar', family: 'Nadeau', birthDate: '1990-10-10' }), maritalStatus: { text: 'Married' } });
    expect(await historyOf(id)).toEqual(before);
  });

  it('keeps twins apart when an update makes one look like the other', async () => {
    const twin = { family: 'Cyr', birthDate: '2006-03-03', gender: 'female' as const };
    const lucie = await api.create(north, patient({ ...twin, mrn: 'TW-1', system: N, given: 'Lucie', line: '8 Mill St', phone: '207-555-4400' }));
    const marie = await api.create(south, patient({ ...twin, mrn: 'TW-2', system: S, given: 'Marie', line: '1 Far Rd', city: 'Bangor', zip: '04401' }));
    await api.update(south, marie, patient({ ...twin, mrn: 'TW-2', system: S, given: 'Marie', line: '8 Mill St', phone: '207-555-4400' }));
    expect((await api.personOf(north, marie)).id).not.toBe((await api.personOf(north, lucie)).id);
    expect((await historyOf(marie))[0]?.action).toBe('re-evaluation');
  });
});

describe('ADT^A08 and ADT^A31', () => {
  const adt = (event: 'A01' | 'A08' | 'A31', control: string, mrn: string, dob: string): string =>
    [
      `MSH|^~\\&|ADT|NORTHCLINIC|KENNEBEC|HIE|20240301120000-0500||ADT^${event}^${event === 'A31' ? 'ADT_A05' : 'ADT_A01'}|${control}|P|2.5.1`,
      `EVN|${event}|20240301120000-0500`,
      `PID|1||${mrn}^^^NORTHCLINIC^MR||Ouimet^Claire||${dob}|F|||12 Water St^^Augusta^ME^04330||^PRN^PH^^^207^5550134`,
      ...(event === 'A31' ? [] : ['PV1|1|O']),
    ].join('\r');

  async function send(msg: string): Promise<void> {
    const res = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: hl7, payload: msg });
    expect(res.body).toContain('MSA|AA');
  }

  async function hl7Patient(mrn: string): Promise<string> {
    const res = await t.deps.db.query<{ id: string }>(`select id from resource where resource_type = 'Patient' and content::text like $1`, [`%"${mrn}"%`]);
    return res.rows[0]?.id as string;
  }

  it('links a record that was alone once an A08 corrects its birth date to match another Person', async () => {
    const other = await api.create(south, patient({ mrn: 'CO-9', system: S, given: 'Claire', family: 'Ouimet', birthDate: '1975-04-12', gender: 'female', line: '12 Water St', city: 'Augusta', zip: '04330', phone: '207-555-0134' }));
    await send(adt('A01', 'RE-1', 'CO-1', '19570412'));
    const id = await hl7Patient('CO-1');
    const before = (await api.personOf(north, id)).id;
    expect(before).not.toBe((await api.personOf(north, other)).id);
    await send(adt('A08', 'RE-2', 'CO-1', '19750412'));
    const target = (await api.personOf(north, other)).id;
    expect((await api.personOf(north, id)).id).toBe(target);
    const [latest] = await historyOf(id);
    expect(latest).toMatchObject({ action: 're-evaluation', fromPersonId: before, toPersonId: target });
    const old = await api.call('GET', `/fhir/R4/Person/${before}`, north);
    expect(old.json()).toMatchObject({ active: false, link: [{ target: { reference: `Person/${target}` } }] });
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('records an ADT^A40 merge as an a40 change, which staff cannot undo', async () => {
    await send(adt('A01', 'RE-5', 'CO-5', '19300101'));
    await send(adt('A01', 'RE-6', 'CO-6', '19990909'));
    const merged = await hl7Patient('CO-5');
    const surviving = await hl7Patient('CO-6');
    const from = (await api.personOf(north, merged)).id;
    expect(from).not.toBe((await api.personOf(north, surviving)).id);
    await send(
      [
        'MSH|^~\\&|ADT|NORTHCLINIC|KENNEBEC|HIE|20240305120000-0500||ADT^A40^ADT_A39|RE-7|P|2.5.1',
        'EVN|A40|20240305120000-0500',
        'PID|1||CO-6^^^NORTHCLINIC^MR||Ouimet^Claire||19990909|F',
        'MRG|CO-5^^^NORTHCLINIC^MR',
      ].join('\r'),
    );
    const to = (await api.personOf(north, surviving)).id;
    expect((await api.personOf(north, merged)).id).toBe(to);
    const [latest] = await historyOf(merged);
    expect(latest).toMatchObject({ action: 'a40', fromPersonId: from, toPersonId: to, actor: 'System/hl7v2' });
    const undo = await api.call('POST', `/admin/mpi/changes/${latest?.changeId}/undo`, staff, { reason: 'try' });
    expect(undo.status).toBe(422);
    expect(undo.body).toContain('KB-MPI-NOT-UNDOABLE');
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('re-evaluates on A31 (update person information) as well', async () => {
    await send(adt('A01', 'RE-3', 'CO-2', '19750412'));
    const id = await hl7Patient('CO-2');
    const person = (await api.personOf(north, id)).id;
    await send(adt('A31', 'RE-4', 'CO-2', '19750413'));
    const [latest] = await historyOf(id);
    expect(latest).toMatchObject({ action: 're-evaluation', fromPersonId: person, toPersonId: person });
  });
});
