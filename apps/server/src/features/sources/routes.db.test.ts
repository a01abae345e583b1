import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';

let t: TestServer;
beforeAll(async () => {
  t = await createTestServer();
});
afterAll(async () => t.close());

describe('data sources admin API', () => {
  it('registers a source as an Organization and lists it', async () => {
    const admin = { authorization: `Bearer ${await t.token('system/Organization.cruds')}` };
    const res = await t.app.inject({ method: 'POST', url: '/admin/sources', headers: admin, payload: { name: 'Casco Lab', hl7Facility: 'CASCO', oid: '2.16.840.1.113883.3.777' } });
    expect(res.statusCode, res.body).toBe(201);
    const source = res.json();
    const org = await t.deps.store.read('Organization', source.id);
    expect(org?.resource).toMatchObject({ resourceType: 'Organization', name: 'Casco Lab' });
    const list = await t.app.inject({ method: 'GET', url: '/admin/sources', headers: admin });
    expect(list.json().sources.map((s: { id: string }) => s.id)).toContain(source.id);
  });

  it('answers bad input with 400 and a duplicate facility with 400', async () => {
    const admin = { authorization: `Bearer ${await t.token('system/Organization.cruds')}` };
    expect((await t.app.inject({ method: 'POST', url: '/admin/sources', headers: admin, payload: { name: '' } })).statusCode).toBe(400);
    await t.app.inject({ method: 'POST', url: '/admin/sources', headers: admin, payload: { name: 'A', hl7Facility: 'DUP' } });
    expect((await t.app.inject({ method: 'POST', url: '/admin/sources', headers: admin, payload: { name: 'B', hl7Facility: 'DUP' } })).statusCode).toBe(400);
  });

  it('requires a token (401) with the Organization scopes (403)', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/admin/sources' })).statusCode).toBe(401);
    const reader = { authorization: `Bearer ${await t.token('system/Patient.rs')}` };
    expect((await t.app.inject({ method: 'GET', url: '/admin/sources', headers: reader })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/admin/sources', headers: reader, payload: { name: 'X', hl7Facility: 'X' } })).statusCode).toBe(403);
  });
});
