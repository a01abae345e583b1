import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditRows,
  createTestCa,
  createTestServer,
  hieCallers,
  startSmtpCapture,
  statusesOf,
  type HieCallers,
  type SmtpCapture,
  type TestCa,
  type TestServer,
} from '@kennebec/test-support';

let t: TestServer;
let ca: TestCa;
let smtp: SmtpCapture;
let callers: HieCallers;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ env: { SMTP_URL: smtp.url } });
  ca = await createTestCa();
  callers = await hieCallers(t, smtp);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const HL7 = { 'content-type': 'x-application/hl7-v2+er7' };
const adt = (controlId: string, facility: string, processingId = 'P'): string =>
  [`MSH|^~\\&|ADT|${facility}|KENNEBEC|HIE|20240301120000-0500||ADT^A01^ADT_A01|${controlId}|${processingId}|2.5.1`, `PID|1||${controlId}^^^${facility}^MR||Doe^Jan||19750412|F`].join('\r');

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

describe('data sources for HIE staff signed in', () => {
  const everyoneElse = ['front-desk', 'nurse', 'provider', 'billing', 'org-admin', 'patient'] as const;

  it('lets an HIE admin list, register and change certificates; privacy officers, org staff and patients get 403, nobody 401', async () => {
    const list = await statusesOf(callers, (b) => b.get('/admin/sources'));
    expect(list).toEqual({ hieAdmin: 200, privacyOfficer: 403, 'front-desk': 403, nurse: 403, provider: 403, billing: 403, 'org-admin': 403, patient: 403, anonymous: 401 });
    const create = await statusesOf(callers, (b) => b.post('/admin/sources', { name: 'Nope', hl7Facility: 'NOPE' }), ['privacyOfficer', ...everyoneElse, 'anonymous']);
    expect(Object.values(create)).toEqual([403, 403, 403, 403, 403, 403, 403, 401]);
    expect((await t.deps.db.query(`select 1 from data_source where hl7_facility = 'NOPE'`)).rows).toEqual([]);

    const admin = callers.hieAdmin.browser;
    const created = await admin.post('/admin/sources', { name: 'Staff Lab', hl7Facility: 'STAFFLAB' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const cert = await ca.issue({ commonName: 'Staff Lab interface' });
    const added = await admin.post(`/admin/sources/${id}/certificates`, { pem: cert.cert });
    expect(added.statusCode, added.body).toBe(201);
    const officer = await callers.privacyOfficer.browser.delete(`/admin/sources/${id}/certificates/${cert.fingerprint}`);
    expect(officer.statusCode).toBe(403);
    expect((await admin.delete(`/admin/sources/${id}/certificates/${cert.fingerprint}`)).statusCode).toBe(204);

    const trail = await auditRows(t, { actor: `User/${callers.hieAdmin.userId}`, prefix: 'source-' });
    const fp = `SourceCertificate/${cert.fingerprint.replaceAll(':', '')}`;
    expect(trail.map((e) => `${e.action} ${e.outcome} ${e.status}`)).toEqual(['source-create success 201', 'source-certificate-add success 201', 'source-certificate-remove success 204']);
    expect(trail[0]?.entities).toEqual([`Organization/${id}`]);
    expect(trail[1]?.entities).toEqual([`Organization/${id}`, fp]);
    expect(trail[2]?.entities).toEqual([`Organization/${id}`, fp]);
    // Signed-in callers the routes are not for are refused at the route gate, which writes it down.
    const refused = await auditRows(t, { actor: `User/${callers.privacyOfficer.userId}`, action: 'refused' });
    expect(refused.map((e) => `${e.operation} ${e.outcome} ${e.status}`)).toEqual(['listSources denied 403', 'createSource denied 403', 'removeSourceCertificate denied 403']);
    expect((await auditRows(t, { actor: `User/${callers.nurse.userId}`, action: 'refused' })).find((e) => e.operation === 'createSource')).toMatchObject({
      outcome: 'denied',
      status: 403,
      actor_org: expect.stringMatching(/^Organization\//),
    });
    expect((await auditRows(t, { actor: 'anonymous', action: 'source-create' }))[0]).toMatchObject({ outcome: 'denied', status: 401 });
    // A client without the scope passes the gate (clients are admitted) and is refused by the decision, audited with what it tried.
    const lister = { authorization: `Bearer ${await t.token('system/Organization.rs')}` };
    expect((await t.app.inject({ method: 'DELETE', url: `/admin/sources/${id}/certificates/${cert.fingerprint}`, headers: lister })).statusCode).toBe(403);
    expect((await auditRows(t, { action: 'source-certificate-remove' })).at(-1)).toMatchObject({ outcome: 'denied', status: 403, actor: expect.stringMatching(/^Client\//), entities: [`Organization/${id}`] });
  });

  it("refuses a session's state change without its CSRF token, and audits it", async () => {
    const res = await callers.hieAdmin.browser.post('/admin/sources', { name: 'No token', hl7Facility: 'NOTOKEN' }, { 'x-csrf-token': 'wrong' });
    expect(res.statusCode).toBe(403);
    expect(res.json().issue[0].details.coding[0].code).toBe('KB-CSRF');
    const entry = (await auditRows(t, { action: 'source-create' })).at(-1);
    expect(entry).toMatchObject({ outcome: 'denied', status: 403, actor: `User/${callers.hieAdmin.userId}` });
  });

  it('audits a failed registration as an error', async () => {
    const admin = callers.hieAdmin.browser;
    expect((await admin.post('/admin/sources', { name: 'Twice', hl7Facility: 'TWICE' })).statusCode).toBe(201);
    expect((await admin.post('/admin/sources', { name: 'Twice again', hl7Facility: 'TWICE' })).statusCode).toBe(400);
    const entry = (await auditRows(t, { action: 'source-create', actor: `User/${callers.hieAdmin.userId}` })).at(-1);
    expect(entry).toMatchObject({ outcome: 'error', status: 400 });
  });

  it("shows each source's feed: last message, accepted, rejected and failed in the last 24 hours and in all", async () => {
    const admin = callers.hieAdmin.browser;
    const feed = (await admin.post('/admin/sources', { name: 'Feed Hospital', hl7Facility: 'FEEDHOSP' })).json();
    const quiet = (await admin.post('/admin/sources', { name: 'Quiet Clinic', hl7Facility: 'QUIET' })).json();
    const headers = { ...HL7, authorization: `Bearer ${await t.token('system/*.cruds', feed.id)}` };
    // Two accepted, one refused for its header, and one naming another source's facility (no source of its own).
    for (const [id, facility, processing] of [['F-1', 'FEEDHOSP', 'P'], ['F-2', 'FEEDHOSP', 'P'], ['F-3', 'FEEDHOSP', 'X'], ['F-4', 'QUIET', 'P']] as const) {
      expect((await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers, payload: adt(id, facility, processing) })).statusCode).toBe(200);
    }
    // An old message: counted in all time, not in the last 24 hours.
    await t.deps.db.query(`update inbound_message set received_at = now() - interval '3 days' where control_id = 'F-1'`);
    const res = await admin.get('/admin/sources');
    expect(res.statusCode, res.body).toBe(200);
    const sources = res.json().sources as { id: string; feed: { lastReceivedAt: string | null; last24h: Record<string, number>; total: Record<string, number> } }[];
    const mine = sources.find((x) => x.id === feed.id);
    expect(mine?.feed.total).toEqual({ accepted: 2, rejected: 1, errored: 0 });
    expect(mine?.feed.last24h).toEqual({ accepted: 1, rejected: 1, errored: 0 });
    expect(Date.parse(mine?.feed.lastReceivedAt ?? '')).toBeGreaterThan(Date.now() - 3600_000);
    expect(sources.find((x) => x.id === quiet.id)?.feed).toEqual({ lastReceivedAt: null, last24h: { accepted: 0, rejected: 0, errored: 0 }, total: { accepted: 0, rejected: 0, errored: 0 } });
    expect(res.json().unattributed.total.rejected).toBeGreaterThanOrEqual(1);
  });
});
