import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';
import { client, patient, type Demo } from './test-support.ts';

/**
 * Relatives registered under one SSN at one address, whom nothing but the birth date or the
 * first name tells apart from one person: never linked automatically, always queued for review.
 */
let t: TestServer;
let api: ReturnType<typeof client>;
let north: Record<string, string>;
let south: Record<string, string>;
let staff: Record<string, string>;
const N = 'urn:oid:2.16.840.1.113883.3.8301';
const S = 'urn:oid:2.16.840.1.113883.3.8302';

beforeAll(async () => {
  t = await createTestServer();
  api = client(t);
  const a = await createSource(t.deps, { name: 'North', hl7Facility: 'NORTHREL', oid: '2.16.840.1.113883.3.8301' });
  const b = await createSource(t.deps, { name: 'South', hl7Facility: 'SOUTHREL', oid: '2.16.840.1.113883.3.8302' });
  north = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}` };
  south = { authorization: `Bearer ${await t.token('system/*.cruds', b.id)}` };
  staff = { authorization: `Bearer ${await t.token('system/Person.rus')}` };
});
afterAll(async () => t?.close());

async function placed(first: Demo, second: Demo): Promise<{ decision: string; samePerson: boolean; queued: boolean }> {
  const a = await api.create(north, patient(first));
  const b = await api.create(south, patient(second));
  const link = await t.deps.db.query<{ decision: string }>('select decision from mpi_link where patient_id = $1', [b]);
  const samePerson = (await api.personOf(north, a)).id === (await api.personOf(north, b)).id;
  const reviews = (await api.call('GET', '/admin/mpi/reviews', staff)).json().reviews as { patientId: string; candidatePatientId: string }[];
  return { decision: link.rows[0]?.decision as string, samePerson, queued: reviews.some((r) => r.patientId === b && r.candidatePatientId === a) };
}

const household = { family: 'Pelletier', line: '14 Maple St', city: 'Augusta', zip: '04330', phone: '207-555-0134', ssn: '900-60-1111', gender: 'male' as const };

describe('relatives under one SSN', () => {
  it('a same-named father and son, the son under his father\'s SSN, no Jr/Sr recorded: review, never a link', async () => {
    const r = await placed(
      { ...household, mrn: 'SR-1', system: N, given: 'William', birthDate: '1961-04-09' },
      { ...household, mrn: 'JR-1', system: S, given: 'William', birthDate: '1989-08-23' },
    );
    expect(r).toEqual({ decision: 'review', samePerson: false, queued: true });
  });

  it('one person whose birth date was replaced by one a few years off still links', async () => {
    const other = { ...household, ssn: '900-60-2222', line: '3 Oak St', phone: '207-555-0199' };
    const r = await placed({ ...other, mrn: 'BD-1', system: N, given: 'Henri', birthDate: '1961-04-09' }, { ...other, mrn: 'BD-2', system: S, given: 'Henri', birthDate: '1958-11-02' });
    expect(r).toEqual({ decision: 'link', samePerson: true, queued: false });
  });

  it('twins both registered under a parent\'s SSN: review, never a link', async () => {
    const twins = { ...household, ssn: '900-60-3333', line: '8 Elm St', phone: '207-555-0177', birthDate: '2012-05-30' };
    const r = await placed({ ...twins, mrn: 'TW-1', system: N, given: 'Lucas' }, { ...twins, mrn: 'TW-2', system: S, given: 'Nathan' });
    expect(r).toEqual({ decision: 'review', samePerson: false, queued: true });
  });
});
