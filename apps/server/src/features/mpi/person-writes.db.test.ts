import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Person } from 'fhir/r4';
import { createTestServer, type TestServer } from '@kennebec/test-support';

/** Persons are the MPI's: the FHIR API reads them, and refuses to write them (405). */
let t: TestServer;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await createTestServer();
  auth = { authorization: `Bearer ${await t.token('system/*.cruds')}`, 'content-type': 'application/fhir+json' };
});
afterAll(async () => t.close());

describe('Person through the FHIR API', () => {
  it('reads the Person the MPI made, and refuses create, update, delete and transaction writes', async () => {
    const p = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: auth, payload: { resourceType: 'Patient', name: [{ family: 'Ouellette', given: ['Rose'] }], birthDate: '1950-01-02', gender: 'female' } });
    expect(p.statusCode, p.body).toBe(201);
    const found = await t.app.inject({ method: 'GET', url: `/fhir/R4/Person?link=Patient/${p.json().id}`, headers: auth });
    const person = (found.json() as Bundle).entry?.[0]?.resource as Person;
    expect(person.id).toBeDefined();

    const create = await t.app.inject({ method: 'POST', url: '/fhir/R4/Person', headers: auth, payload: { resourceType: 'Person', name: [{ family: 'X' }] } });
    expect(create.statusCode).toBe(405);
    expect(create.json().issue[0].diagnostics).toMatch(/master patient index/);
    const update = await t.app.inject({ method: 'PUT', url: `/fhir/R4/Person/${person.id}`, headers: auth, payload: { ...person, link: [] } });
    expect(update.statusCode).toBe(405);
    const del = await t.app.inject({ method: 'DELETE', url: `/fhir/R4/Person/${person.id}`, headers: auth });
    expect(del.statusCode).toBe(405);
    const tx = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4',
      headers: auth,
      payload: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Person', name: [{ family: 'Y' }] }, request: { method: 'POST', url: 'Person' } }] },
    });
    expect(tx.statusCode).toBe(405);
    // Nothing changed: the Person still links the Patient.
    const again = await t.app.inject({ method: 'GET', url: `/fhir/R4/Person/${person.id}`, headers: auth });
    expect((again.json() as Person).link?.map((l) => l.target.reference)).toEqual([`Patient/${p.json().id}`]);
  });
});
