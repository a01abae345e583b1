import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createSource, type DataSource } from '../sources/index.ts';
import { linkPatients } from './link-patient.ts';
import { client, inconsistencies, patient } from './test-support.ts';

/**
 * Linking under concurrency: records of one person arriving at once from several sources end in
 * one Person; records with no blocking key in common do not wait for each other. On PGlite
 * (one connection) the writes are serialized anyway; the waiting test needs PostgreSQL.
 */
let t: TestServer;
let api: ReturnType<typeof client>;
const sources: { source: DataSource; headers: Record<string, string> }[] = [];
const onPostgres = Boolean(process.env.KENNEBEC_TEST_DATABASE_URL);

beforeAll(async () => {
  t = await createTestServer();
  api = client(t);
  for (let i = 0; i < 4; i++) {
    const source = await createSource(t.deps, { name: `Clinic ${i}`, hl7Facility: `CC${i}`, oid: `2.16.840.1.113883.3.77${i}` });
    sources.push({ source, headers: { authorization: `Bearer ${await t.token('system/*.cruds', source.id)}` } });
  }
});
afterAll(async () => t?.close());

const at = (i: number) => sources[i % sources.length] as { source: DataSource; headers: Record<string, string> };

/** One person as registered by source `i`: same identity, each source's own MRN and phone format. */
function registration(i: number, who: { given: string; family: string; birthDate: string; ssn: string }): Patient {
  const phones = ['207-555-0142', '(207) 555-0142', '2075550142', '+1 207 555 0142'];
  return patient({ ...who, mrn: `${who.family}-${i}`, system: `urn:oid:2.16.840.1.113883.3.77${i % sources.length}`, phone: phones[i % phones.length] as string, gender: 'female' });
}

async function personIds(patientIds: string[]): Promise<string[]> {
  const res = await t.deps.db.query<{ person_id: string }>('select distinct person_id from mpi_link where patient_id = any($1::text[])', [patientIds]);
  return res.rows.map((r) => r.person_id);
}

describe('concurrent linking', () => {
  it('ends many simultaneous registrations of one person from different sources in exactly one Person', async () => {
    const who = { given: 'Bernadette', family: 'Thibault', birthDate: '1952-12-01', ssn: '900-12-0142' };
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => api.create(at(i).headers, registration(i, who))));
    const persons = await personIds(ids);
    expect(persons).toHaveLength(1);
    const person = await api.personOf(at(0).headers, ids[0] as string);
    expect(person.link?.map((l) => l.target.reference).sort()).toEqual(ids.map((id) => `Patient/${id}`).sort());
    const active = await t.deps.db.query<{ n: string }>(
      `select count(*) as n from resource where resource_type = 'Person' and not deleted and content->>'active' = 'true' and content::text like $1`,
      [`%Patient/${ids[0]}"%`],
    );
    expect(Number(active.rows[0]?.n)).toBe(1);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it('gives simultaneous unrelated people a Person each', async () => {
    // Each at its own address: people at one address share the household blocking key.
    const families = ['Albert', 'Bellefleur', 'Chasse', 'Dionne', 'Emond', 'Fecteau', 'Gosselin', 'Hebert'];
    const ids = await Promise.all(
      families.map((family, i) => api.create(at(i).headers, patient({ mrn: `U-${i}`, system: 'urn:oid:2.16.840.1.113883.3.770', given: 'Noel', family, birthDate: `19${40 + i}-0${1 + (i % 9)}-1${i}`, line: `${i + 1} Main St` }))),
    );
    expect(await personIds(ids)).toHaveLength(families.length);
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });

  it.runIf(onPostgres)('links an unrelated record while a possible match waits for the transaction linking its person', async () => {
    const who = { given: 'Rosalie', family: 'Vachon', birthDate: '1987-07-21', ssn: '900-21-0787' };
    const first = await api.create(at(0).headers, registration(0, who));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // A transaction that links a second registration of Rosalie and stays open.
    const holding = t.deps.store.transaction(async (repo, tx) => {
      const v = await repo.create(registration(1, who), { author: 'Client/test', sourceOrg: at(1).source.id });
      const [result] = await linkPatients(repo, tx, [{ patient: v.resource as Patient & { id: string }, versionId: 1 }], { author: 'Client/test', sourceOrg: at(1).source.id });
      entered();
      await gate;
      return { id: v.id, person: result?.personId };
    });
    await inside;
    try {
      let waiting = true;
      const third = api.create(at(2).headers, registration(2, who)).finally(() => (waiting = false));
      const unrelated = await Promise.race([
        api.create(at(3).headers, patient({ mrn: 'UR-1', system: 'urn:oid:2.16.840.1.113883.3.773', given: 'Armand', family: 'Lapointe', birthDate: '1969-09-09', line: '400 Ridge Rd', city: 'Skowhegan', zip: '04976' })),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('an unrelated record waited for another person\'s link')), 5000)),
      ]);
      expect(unrelated).toBeTruthy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(waiting).toBe(true);
      release();
      const second = await holding;
      const ids = [first, second.id, await third];
      expect(await personIds(ids)).toHaveLength(1);
      expect(second.person).toBe((await personIds([first]))[0]);
    } finally {
      release();
      await holding.catch(() => undefined);
    }
    expect(await inconsistencies(t.deps.db)).toEqual([]);
  });
});
