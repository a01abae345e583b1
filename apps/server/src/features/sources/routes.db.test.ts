import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, createTestServer, type TestCa, type TestServer } from '@kennebec/test-support';

let t: TestServer;
let ca: TestCa;
beforeAll(async () => {
  t = await createTestServer();
  ca = await createTestCa();
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

describe('client certificates of data sources (MLLP over TLS)', () => {
  const admin = async () => ({ authorization: `Bearer ${await t.token('system/Organization.cruds')}` });

  it('registers a source with its certificate and lists the fingerprint and subject, never a key', async () => {
    const cert = await ca.issue({ commonName: 'Harbor Clinic interface' });
    const res = await t.app.inject({ method: 'POST', url: '/admin/sources', headers: await admin(), payload: { name: 'Harbor Clinic', hl7Facility: 'HARBOR', certificates: [{ pem: cert.cert }] } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().certificates).toMatchObject([{ fingerprint: cert.fingerprint, subject: 'CN=Harbor Clinic interface', issuer: 'CN=Kennebec Test CA' }]);
    const list = await t.app.inject({ method: 'GET', url: '/admin/sources', headers: await admin() });
    const harbor = (list.json().sources as { hl7Facility: string; certificates: { fingerprint: string }[] }[]).find((s) => s.hl7Facility === 'HARBOR');
    expect(harbor?.certificates.map((c) => c.fingerprint)).toEqual([cert.fingerprint]);
    expect(list.body).not.toContain('PRIVATE KEY');
    expect(list.body).not.toContain('BEGIN CERTIFICATE');
  });

  it('writes nothing when one certificate of a new source is bad', async () => {
    const cert = await ca.issue({ commonName: 'Bay interface' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/sources',
      headers: await admin(),
      payload: { name: 'Bay Hospital', hl7Facility: 'BAYHOSP', certificates: [{ pem: cert.cert }, { pem: cert.key }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].diagnostics).toContain('certificate 2: it holds a private key');
    const rows = await t.deps.db.query(`select 1 from data_source where hl7_facility = 'BAYHOSP' union all select 1 from data_source_cert where fingerprint_sha256 = $1`, [cert.fingerprint]);
    expect(rows.rows).toEqual([]);
    const orgs = await t.deps.db.query(`select 1 from resource where resource_type = 'Organization' and content->>'name' = 'Bay Hospital'`);
    expect(orgs.rows).toEqual([]);
  });

  it('adds and removes a certificate of an existing source; one certificate belongs to one source', async () => {
    const headers = await admin();
    const first = (await t.app.inject({ method: 'POST', url: '/admin/sources', headers, payload: { name: 'Pine Lab', hl7Facility: 'PINELAB' } })).json();
    const second = (await t.app.inject({ method: 'POST', url: '/admin/sources', headers, payload: { name: 'Oak Lab', hl7Facility: 'OAKLAB' } })).json();
    const cert = await ca.issue({ commonName: 'Pine Lab interface' });
    const added = await t.app.inject({ method: 'POST', url: `/admin/sources/${first.id}/certificates`, headers, payload: { pem: cert.cert } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ fingerprint: cert.fingerprint, orgId: first.id, warnings: [] });
    const again = await t.app.inject({ method: 'POST', url: `/admin/sources/${first.id}/certificates`, headers, payload: { fingerprint: cert.fingerprint } });
    expect(again.statusCode).toBe(400);
    expect(again.json().issue[0].diagnostics).toContain('already registered to this source');
    const elsewhere = await t.app.inject({ method: 'POST', url: `/admin/sources/${second.id}/certificates`, headers, payload: { pem: cert.cert } });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().issue[0].diagnostics).toContain(`already registered to another source (${first.id})`);
    const wrongSource = await t.app.inject({ method: 'DELETE', url: `/admin/sources/${second.id}/certificates/${cert.fingerprint}`, headers });
    expect(wrongSource.statusCode).toBe(404);
    const removed = await t.app.inject({ method: 'DELETE', url: `/admin/sources/${first.id}/certificates/${cert.fingerprint.replaceAll(':', '')}`, headers });
    expect(removed.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: `/admin/sources/${second.id}/certificates`, headers, payload: { pem: cert.cert } })).statusCode).toBe(201);
  });

  it('answers 404 for an unknown source, 400 for a malformed body, and needs the update scope', async () => {
    const cert = await ca.issue({ commonName: 'x' });
    const headers = await admin();
    expect((await t.app.inject({ method: 'POST', url: '/admin/sources/nope/certificates', headers, payload: { pem: cert.cert } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/admin/sources/nope/certificates', headers, payload: { pem: cert.cert, fingerprint: 'x' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'DELETE', url: '/admin/sources/nope/certificates/zz', headers })).statusCode).toBe(400);
    const lister = { authorization: `Bearer ${await t.token('system/Organization.rs')}` };
    expect((await t.app.inject({ method: 'POST', url: '/admin/sources/nope/certificates', headers: lister, payload: { pem: cert.cert } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/sources/nope/certificates/${cert.fingerprint}`, headers: lister })).statusCode).toBe(403);
  });
});
