import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Patient, Person } from 'fhir/r4';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';

let t: TestServer;
let north: Record<string, string>;
let south: Record<string, string>;
const json = { 'content-type': 'application/fhir+json' };

beforeAll(async () => {
  t = await createTestServer();
  const a = await createSource(t.deps, { name: 'North', hl7Facility: 'NORTH', oid: '2.16.840.1.113883.3.7001' });
  const b = await createSource(t.deps, { name: 'South', hl7Facility: 'SOUTH', oid: '2.16.840.1.113883.3.7002' });
  north = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}`, ...json };
  south = { authorization: `Bearer ${await t.token('system/*.cruds', b.id)}`, ...json };
});
afterAll(async () => t?.close());

const person = (o: { mrn: string; system: string; given: string[]; family: string; birthDate: string; gender?: Patient['gender']; line?: string; phone?: string; ssn?: string }): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: o.system, value: o.mrn }, ...(o.ssn ? [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: o.ssn }] : [])],
  name: [{ family: o.family, given: o.given }],
  gender: o.gender ?? 'female',
  birthDate: o.birthDate,
  address: [{ line: [o.line ?? '14 Front St'], city: 'Hallowell', state: 'ME', postalCode: '04347' }],
  ...(o.phone ? { telecom: [{ system: 'phone' as const, value: o.phone }] } : {}),
});

async function create(headers: Record<string, string>, p: Patient): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers, payload: p });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function personOf(patientId: string): Promise<Person | undefined> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/Person?link=Patient/${patientId}`, headers: north });
  const bundle = res.json() as Bundle;
  expect(bundle.entry?.length ?? 0).toBeLessThanOrEqual(1);
  return bundle.entry?.[0]?.resource as Person | undefined;
}

describe('master patient index', () => {
  it('links every new Patient to exactly one Person, findable by Person?link=', async () => {
    const id = await create(north, person({ mrn: 'N-1', system: 'urn:oid:2.16.840.1.113883.3.7001', given: ['Theresa'], family: 'Bouchard', birthDate: '1958-03-14', phone: '207-555-0101', ssn: '900-11-2233' }));
    const p = await personOf(id);
    expect(p?.link?.map((l) => l.target.reference)).toEqual([`Patient/${id}`]);
  });

  it('links the same person from another source despite a nickname and a typo, keeping score and evidence', async () => {
    const a = await create(north, person({ mrn: 'N-2', system: 'urn:oid:2.16.840.1.113883.3.7001', given: ['Robert', 'James'], family: 'Thibodeau', birthDate: '1947-11-02', phone: '207-555-0102', ssn: '900-22-3344', gender: 'male' }));
    const b = await create(south, person({ mrn: 'S-9', system: 'urn:oid:2.16.840.1.113883.3.7002', given: ['Bob'], family: 'Thibodaux', birthDate: '1947-11-02', phone: '(207) 555-0102', ssn: '900223344', gender: 'male' }));
    const pa = await personOf(a);
    const pb = await personOf(b);
    expect(pb?.id).toBe(pa?.id);
    expect(pb?.link?.map((l) => l.target.reference).sort()).toEqual([`Patient/${a}`, `Patient/${b}`].sort());
    const link = await t.deps.db.query<{ decision: string; score: number; evidence: { field: string; weight: number }[] }>('select decision, score, evidence from mpi_link where patient_id = $1', [b]);
    expect(link.rows[0]?.decision).toBe('link');
    expect(link.rows[0]?.score).toBeGreaterThan(18);
    expect(link.rows[0]?.evidence.map((e) => e.field)).toEqual(expect.arrayContaining(['given', 'family', 'birthDate']));
    expect(JSON.stringify(link.rows[0]?.evidence)).not.toContain('Thibod');
  });

  it('keeps twins apart: same family, birth date, address and phone, different given names', async () => {
    const base = { system: 'urn:oid:2.16.840.1.113883.3.7001', family: 'Cormier', birthDate: '2004-06-30', phone: '207-555-0199' };
    const a = await create(north, person({ ...base, mrn: 'T-1', given: ['Lucie'] }));
    const b = await create(north, person({ ...base, mrn: 'T-2', given: ['Marie'] }));
    expect((await personOf(a))?.id).not.toBe((await personOf(b))?.id);
  });

  it('keeps Jr and Sr apart', async () => {
    const base = { system: 'urn:oid:2.16.840.1.113883.3.7002', family: 'Pelletier', phone: '207-555-0150', gender: 'male' as const };
    const sr = await create(south, { ...person({ ...base, mrn: 'J-1', given: ['Andre'], birthDate: '1950-01-20' }), name: [{ family: 'Pelletier', given: ['Andre'], suffix: ['Sr'] }] });
    const jr = await create(south, { ...person({ ...base, mrn: 'J-2', given: ['Andre'], birthDate: '1980-05-11' }), name: [{ family: 'Pelletier', given: ['Andre'], suffix: ['Jr'] }] });
    expect((await personOf(sr))?.id).not.toBe((await personOf(jr))?.id);
  });

  it('answers Patient/$match with scored, graded candidates', async () => {
    const query = person({ mrn: 'Q', system: 'urn:x', given: ['Theresa'], family: 'Bouchard', birthDate: '1958-03-14', phone: '207-555-0101' });
    const res = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient/$match', headers: north, payload: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: query }, { name: 'onlyCertainMatches', valueBoolean: true }] } });
    expect(res.statusCode, res.body).toBe(200);
    const bundle = res.json() as Bundle;
    expect(bundle.entry?.length).toBe(1);
    expect(bundle.entry?.[0]?.search?.score).toBeGreaterThan(0.9);
    expect(bundle.entry?.[0]?.search?.extension?.[0]).toMatchObject({ valueCode: 'certain' });
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/R4/metadata' })).json();
    const patientCaps = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patientCaps.operation).toEqual([
      { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match' },
      { name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' },
    ]);
    const bad = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient/$match', headers: north, payload: { resourceType: 'Parameters', parameter: [] } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('Patient/$everything', () => {
  it("returns the person's record from every linked source, each entry naming its source", async () => {
    const a = await create(north, person({ mrn: 'E-1', system: 'urn:oid:2.16.840.1.113883.3.7001', given: ['Jeanne'], family: 'Dufresne', birthDate: '1939-09-09', phone: '207-555-0177', ssn: '900-77-8899' }));
    const b = await create(south, person({ mrn: 'E-9', system: 'urn:oid:2.16.840.1.113883.3.7002', given: ['Jeanne'], family: 'Dufresne', birthDate: '1939-09-09', phone: '207-555-0177', ssn: '900-77-8899' }));
    const obs = (subject: string) => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject: { reference: `Patient/${subject}` }, valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } });
    await t.app.inject({ method: 'POST', url: '/fhir/R4/Observation', headers: north, payload: obs(a) });
    await t.app.inject({ method: 'POST', url: '/fhir/R4/Observation', headers: south, payload: obs(b) });
    const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${a}/$everything`, headers: north });
    expect(res.statusCode, res.body).toBe(200);
    const bundle = res.json() as Bundle;
    const types = (bundle.entry ?? []).map((e) => e.resource?.resourceType).sort();
    // The Person is in the Patient compartment too (Person.link).
    expect(types).toEqual(['Observation', 'Observation', 'Patient', 'Patient', 'Person']);
    const sources = new Set((bundle.entry ?? []).map((e) => e.extension?.[0]?.valueReference?.reference));
    expect(sources.has(undefined)).toBe(false);
    expect(sources.size).toBe(2);
    expect((await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient/nobody/$everything', headers: north })).statusCode).toBe(404);
  });
});

describe('review queue', () => {
  const anne = (mrn: string, birthDate: string, line: string, city: string, zip: string): Patient => ({
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.7002', value: mrn }],
    name: [{ family: 'Gagnon', given: ['Anne'] }],
    gender: 'female',
    birthDate,
    address: [{ line: [line], city, state: 'ME', postalCode: zip }],
  });

  it('queues a borderline pair, and HIE staff link it with a reason', async () => {
    const a = await create(north, anne('R-1', '1990-05-05', '3 Elm St', 'Bath', '04530'));
    const b = await create(south, anne('R-2', '1990-05-08', '77 Pine Rd', 'Portland', '04101'));
    expect((await personOf(a))?.id).not.toBe((await personOf(b))?.id);
    const staff = { authorization: `Bearer ${await t.token('system/Person.rus')}` };
    const list = await t.app.inject({ method: 'GET', url: '/admin/mpi/reviews', headers: staff });
    const item = (list.json().reviews as { id: string; patientId: string; candidatePatientId: string; evidence: { field: string }[] }[]).find((r) => r.patientId === b);
    expect(item?.candidatePatientId).toBe(a);
    expect(item?.evidence.map((e) => e.field)).toContain('birthDate');
    expect((await t.app.inject({ method: 'POST', url: `/admin/mpi/reviews/${item?.id}`, headers: staff, payload: { decision: 'link', reason: '' } })).statusCode).toBe(400);
    const decided = await t.app.inject({ method: 'POST', url: `/admin/mpi/reviews/${item?.id}`, headers: staff, payload: { decision: 'link', reason: 'Same person: birth date typo confirmed by phone' } });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ status: 'linked', reason: 'Same person: birth date typo confirmed by phone', decidedBy: expect.stringMatching(/^Client\//) });
    expect((await personOf(b))?.id).toBe((await personOf(a))?.id);
    const again = await t.app.inject({ method: 'POST', url: `/admin/mpi/reviews/${item?.id}`, headers: staff, payload: { decision: 'keep-apart', reason: 'changed my mind' } });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('KB-MPI-CONFLICT');
  });

  it('keeps a reviewed pair apart with a reason, and refuses clients without Person scopes', async () => {
    const a = await create(north, { ...anne('K-1', '1971-02-02', '9 Oak St', 'Bath', '04530'), name: [{ family: 'Roy', given: ['Paule'] }] });
    const b = await create(south, { ...anne('K-2', '1971-02-09', '40 Bay Rd', 'Portland', '04101'), name: [{ family: 'Roy', given: ['Paule'] }] });
    const staff = { authorization: `Bearer ${await t.token('system/Person.rus')}` };
    const item = ((await t.app.inject({ method: 'GET', url: '/admin/mpi/reviews', headers: staff })).json().reviews as { id: string; patientId: string }[]).find((r) => r.patientId === b);
    const res = await t.app.inject({ method: 'POST', url: `/admin/mpi/reviews/${item?.id}`, headers: staff, payload: { decision: 'keep-apart', reason: 'Different mothers per registration notes' } });
    expect(res.json().status).toBe('kept-apart');
    expect((await personOf(a))?.id).not.toBe((await personOf(b))?.id);
    const reader = { authorization: `Bearer ${await t.token('system/Patient.rs')}` };
    expect((await t.app.inject({ method: 'GET', url: '/admin/mpi/reviews', headers: reader })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/admin/mpi/reviews/999999', headers: staff, payload: { decision: 'link', reason: 'nope' } })).statusCode).toBe(404);
  });
});
