import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, visibleToProxy } from '@kennebec/consent';
import {
  createTestServer,
  signedIn,
  signUpVerified,
  startSmtpCapture,
  testClock,
  tokenFrom,
  totpCode,
  TestBrowser,
  TEST_PASSWORD as PASSWORD,
  type SmtpCapture,
  type TestServer,
} from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';
import { createStaffUser } from '../staff/index.ts';
import { activeProxyDecision, type LinkedPatient } from './index.ts';

const DAY = 86_400_000;
let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock('2030-03-01T09:00:00Z');
const links = new Map<string, LinkedPatient[]>();
let orgA: string;
let orgB: string;
let deskA: TestBrowser;
let deskB: TestBrowser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url }, linkedPatients: async (userId) => links.get(userId) ?? [] });
  orgA = (await createSource(t.deps, { name: 'Harbor Clinic', hl7Facility: 'HARBOR' })).id;
  orgB = (await createSource(t.deps, { name: 'Hill Hospital', hl7Facility: 'HILL' })).id;
  deskA = await readyStaff('fran.desk@harbor.example', ['front-desk'], orgA);
  deskB = await readyStaff('gus.desk@hill.example', ['front-desk'], orgB);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** A staff user with a password and TOTP, signed in with the second factor done. */
async function readyStaff(email: string, roles: string[], orgId: string): Promise<TestBrowser> {
  const created = await createStaffUser({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: clock.now() }, { email, roles, orgId });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await new TestBrowser(t.app).post('/api/password/reset', { token, password: PASSWORD })).statusCode).toBe(204);
  const b = await signedIn(t, email);
  const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
  expect((await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
  clock.advance(60_000);
  return b;
}

async function patient(orgId: string, birthDate: string, given = 'Sam'): Promise<string> {
  const [v] = await t.deps.store.createMany([{ resource: { resourceType: 'Patient', name: [{ family: 'Tern', given: [given] }], birthDate } }], { author: 'System/test', sourceOrg: orgId });
  return v?.id ?? '';
}

/** A verified portal account, signed in; returns its browser and id. */
async function portalUser(email: string): Promise<{ b: TestBrowser; id: string }> {
  await signUpVerified(t, smtp, email);
  const b = await signedIn(t, email);
  const res = await t.deps.db.query<{ id: string }>('select id from user_account where lower(email) = lower($1)', [email]);
  return { b, id: res.rows[0]?.id ?? '' };
}

/** The birth date of someone who turns `age` on the clock's day plus `days`. */
function bornYearsAgo(age: number, days = 0): string {
  const d = new Date(clock.now().getTime() + days * DAY);
  return `${d.getUTCFullYear() - age}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

describe('proxy access granted by staff', () => {
  it("gives a parent of a child 0–12 full access, and the proxy switches to act for the child", async () => {
    const child = await patient(orgA, bornYearsAgo(7));
    const parent = await portalUser('pat.parent@example.com');
    const res = await deskA.post('/api/proxy-grants', { proxyEmail: 'pat.parent@example.com', patientId: child, basis: 'parent' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ basis: 'parent', grantedByKind: 'staff', reviewBy: null, status: { active: true, ageBand: 'child', hidesConfidential: false } });

    const d = await activeProxyDecision(t.deps.db, parent.id, child, clock.now());
    expect(d?.permissions).toEqual({ clinical: 'act', messaging: 'act', appointments: 'act', billing: 'act' });
    expect(visibleToProxy(d!, ['PSY', 'SEX'])).toBe(true);

    const subjects = (await parent.b.get('/api/proxy/subjects')).json();
    expect(subjects).toMatchObject({ actingFor: null, subjects: [{ patientId: child, name: 'Sam Tern', status: { active: true, ageBand: 'child', text: 'active' } }] });
    const sw = await parent.b.request('PUT', '/api/proxy/acting-for', { patientId: child });
    expect(sw.statusCode, sw.body).toBe(200);
    expect((await parent.b.get('/api/proxy/subjects')).json().actingFor).toBe(child);
    const back = await parent.b.request('PUT', '/api/proxy/acting-for', { patientId: null });
    expect(back.json()).toEqual({ actingFor: null });
    expect((await parent.b.get('/api/proxy/subjects')).json().actingFor).toBeNull();

    // The same grant twice is refused; without the CSRF token nothing happens.
    expect((await deskA.post('/api/proxy-grants', { proxyEmail: 'pat.parent@example.com', patientId: child, basis: 'parent' })).statusCode).toBe(409);
    expect((await parent.b.request('PUT', '/api/proxy/acting-for', { patientId: child }, { 'x-csrf-token': 'wrong' })).statusCode).toBe(403);

    // The grant and the switches are in the audit trail, the switch as the parent acting for the child.
    await t.deps.audit.flush();
    const audit = await t.deps.db.query<{ action: string; actor: string; on_behalf_of: string | null; patients: string[] }>(
      `select action, actor, on_behalf_of, patients from audit_entry where action like 'proxy-%' and $1 = any(patients) order by seq`,
      [`Patient/${child}`],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['proxy-grant', 'proxy-switch', 'proxy-switch-back']);
    expect(audit.rows[1]).toMatchObject({ actor: `User/${parent.id}` });
  });

  it("hides teen-confidential labels and the teen's messages from a parent of a 13–17 year old", async () => {
    const teen = await patient(orgA, bornYearsAgo(15), 'Tess');
    const parent = await portalUser('tina.parent@example.com');
    expect((await deskA.post('/api/proxy-grants', { proxyEmail: 'tina.parent@example.com', patientId: teen, basis: 'guardian-of-minor' })).statusCode).toBe(201);
    const d = await activeProxyDecision(t.deps.db, parent.id, teen, clock.now());
    expect(d).toMatchObject({ active: true, ageBand: 'teen', hideSubjectMessages: true });
    for (const label of ['PSY', 'SEX', 'ETH'] as const) expect(visibleToProxy(d!, [label])).toBe(false);
    expect(visibleToProxy(d!, [])).toBe(true);
    const list = (await parent.b.get('/api/proxy/subjects')).json();
    expect(list.subjects[0].status).toMatchObject({ active: true, ageBand: 'teen', hidesConfidential: true, hidesSubjectMessages: true });
  });

  it('refuses a parent grant for an adult and a dependent-adult basis for a minor', async () => {
    await portalUser('al.adult.parent@example.com');
    const adult = await patient(orgA, bornYearsAgo(30));
    const minor = await patient(orgA, bornYearsAgo(10));
    const res = await deskA.post('/api/proxy-grants', { proxyEmail: 'al.adult.parent@example.com', patientId: adult, basis: 'parent' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('invite them to their own account');
    const r2 = await deskA.post('/api/proxy-grants', { proxyEmail: 'al.adult.parent@example.com', patientId: minor, basis: 'adult-consent', inPersonConsent: true });
    expect(r2.statusCode).toBe(422);
    expect((await deskA.post('/api/proxy-grants', { proxyEmail: 'nobody@example.com', patientId: minor, basis: 'parent' })).statusCode).toBe(400);
    expect((await deskA.post('/api/proxy-grants', { proxyEmail: 'al.adult.parent@example.com', patientId: 'no-such-patient', basis: 'parent' })).statusCode).toBe(404);
  });

  it('refuses a guardian of a dependent adult without the document, grants with it, and applies per-area levels', async () => {
    const adult = await patient(orgA, bornYearsAgo(40), 'Dora');
    const guardian = await portalUser('gwen.guardian@example.com');
    const grant = { proxyEmail: 'gwen.guardian@example.com', patientId: adult, basis: 'guardian-of-adult', permissions: { clinical: 'view', appointments: 'act' } };
    const refused = await deskA.post('/api/proxy-grants', grant);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().issue[0].expression).toEqual(['body.documentId']);
    expect((await t.deps.db.query('select 1 from proxy_grant where subject_patient_id = $1', [adult])).rows).toEqual([]);

    const pdf = Buffer.from('%PDF-1.4 letters of guardianship');
    const up = await deskA.post('/api/proxy-documents', { patientId: adult, kind: 'guardianship', contentType: 'application/pdf', contentBase64: pdf.toString('base64') });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ size: pdf.length, sha256: '' + (await import('node:crypto')).createHash('sha256').update(pdf).digest('hex') });
    const ok = await deskA.post('/api/proxy-grants', { ...grant, documentId: up.json().id });
    expect(ok.statusCode, ok.body).toBe(201);
    // Review date defaults to PROXY_REVIEW_DAYS (365) from now.
    expect(ok.json().reviewBy).toBe(new Date(clock.now().getTime() + 365 * DAY).toISOString());

    const d = await activeProxyDecision(t.deps.db, guardian.id, adult, clock.now());
    expect(d?.permissions).toEqual({ clinical: 'view', messaging: 'none', appointments: 'act', billing: 'none' });
    expect(allows(d!, 'clinical', 'view')).toBe(true);
    expect(allows(d!, 'clinical', 'act')).toBe(false);
    expect(allows(d!, 'appointments', 'act')).toBe(true);
    expect(allows(d!, 'messaging', 'view')).toBe(false);
    expect(allows(d!, 'billing', 'view')).toBe(false);

    // The document: staff of the organization only.
    const doc = await deskA.get(`/api/proxy-documents/${up.json().id}`);
    expect(doc.statusCode).toBe(200);
    expect(Buffer.from(doc.json().contentBase64, 'base64').equals(pdf)).toBe(true);
    expect((await deskB.get(`/api/proxy-documents/${up.json().id}`)).statusCode).toBe(403);
    expect((await guardian.b.get(`/api/proxy-documents/${up.json().id}`)).statusCode).toBe(403);
    expect((await new TestBrowser(t.app).get(`/api/proxy-documents/${up.json().id}`)).statusCode).toBe(401);
    // A document of another kind or for another patient does not do.
    const other = await patient(orgA, bornYearsAgo(50));
    const r = await deskA.post('/api/proxy-grants', { ...grant, patientId: other, documentId: up.json().id });
    expect(r.statusCode).toBe(400);
  });

  it('refuses bad documents', async () => {
    const adult = await patient(orgA, bornYearsAgo(45));
    const bad = await deskA.post('/api/proxy-documents', { patientId: adult, kind: 'guardianship', contentType: 'application/pdf', contentBase64: 'not base64!' });
    expect(bad.statusCode).toBe(400);
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 1).toString('base64');
    expect((await deskA.post('/api/proxy-documents', { patientId: adult, kind: 'guardianship', contentType: 'application/pdf', contentBase64: big })).statusCode).toBe(400);
    expect((await deskA.post('/api/proxy-documents', { patientId: adult, kind: 'guardianship', contentType: 'text/html', contentBase64: 'AAAA' })).statusCode).toBe(400);
    expect((await t.deps.db.query('select 1 from proxy_document where subject_patient_id = $1', [adult])).rows).toEqual([]);
  });

  it("cannot be granted by staff of another organization, nor by a patient", async () => {
    const child = await patient(orgA, bornYearsAgo(5));
    const p = await portalUser('oscar.other@example.com');
    // Another organization's patient does not exist for this desk: 404, as for an unknown id.
    const res = await deskB.post('/api/proxy-grants', { proxyEmail: 'oscar.other@example.com', patientId: child, basis: 'parent' });
    expect(res.statusCode).toBe(404);
    expect((await p.b.post('/api/proxy-grants', { proxyEmail: 'oscar.other@example.com', patientId: child, basis: 'parent' })).statusCode).toBe(403);
    expect((await deskB.get(`/api/proxy-grants?patientId=${child}`)).statusCode).toBe(404);
    expect((await t.deps.db.query('select 1 from proxy_grant where subject_patient_id = $1', [child])).rows).toEqual([]);
  });

  it('lets a proxy switch only to their own subjects: another patient id is 404', async () => {
    const a = await patient(orgA, bornYearsAgo(6));
    const b = await patient(orgA, bornYearsAgo(6));
    const p = await portalUser('ida.guess@example.com');
    expect((await deskA.post('/api/proxy-grants', { proxyEmail: 'ida.guess@example.com', patientId: a, basis: 'parent' })).statusCode).toBe(201);
    expect((await p.b.request('PUT', '/api/proxy/acting-for', { patientId: b })).statusCode).toBe(404);
    expect((await p.b.request('PUT', '/api/proxy/acting-for', { patientId: 'made-up' })).statusCode).toBe(404);
    expect(await activeProxyDecision(t.deps.db, p.id, b, clock.now())).toBeNull();
    expect((await p.b.get('/api/proxy/subjects')).json().actingFor).toBeNull();
  });

  it('queues requests from the portal for staff to approve or decline', async () => {
    const child = await patient(orgA, bornYearsAgo(3), 'Remy');
    const p = await portalUser('rita.request@example.com');
    const r = await p.b.post('/api/proxy-requests', { orgId: orgA, basis: 'parent', subjectName: 'Remy Tern', subjectBirthDate: bornYearsAgo(3) });
    expect(r.statusCode, r.body).toBe(201);
    const list = await deskA.get('/api/proxy-requests');
    expect(list.json().requests.map((x: { id: string }) => x.id)).toContain(r.json().id);
    expect((await deskB.get('/api/proxy-requests')).json().requests.map((x: { id: string }) => x.id)).not.toContain(r.json().id);
    expect((await deskB.post(`/api/proxy-requests/${r.json().id}/approve`, { patientId: child })).statusCode).toBe(404);
    const ok = await deskA.post(`/api/proxy-requests/${r.json().id}/approve`, { patientId: child });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(await activeProxyDecision(t.deps.db, p.id, child, clock.now())).not.toBeNull();
    expect((await deskA.post(`/api/proxy-requests/${r.json().id}/decline`)).statusCode).toBe(409);
    expect((await deskA.get('/api/proxy-requests')).json().requests.map((x: { id: string }) => x.id)).not.toContain(r.json().id);
  });
});

describe('an adult managing their own proxies', () => {
  it('invites a proxy by email, who accepts with link and code; the adult changes levels and revokes', async () => {
    const record = await patient(orgA, bornYearsAgo(70), 'Ada');
    const adult = await portalUser('ada.adult@example.com');
    links.set(adult.id, [{ patientId: record, orgId: orgA }]);
    const inv = await adult.b.post('/api/me/proxy-invitations', { email: 'ben.helper@example.com', permissions: { clinical: 'view', messaging: 'act', appointments: 'act', billing: 'none' } });
    expect(inv.statusCode, inv.body).toBe(201);
    const { code } = inv.json() as { code: string };
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    const mail = await smtp.next('ben.helper@example.com', /invited/);
    expect(mail.text).not.toContain('Ada');
    expect(mail.text).not.toContain('Harbor');
    const token = tokenFrom(mail, '/proxy-invitation');
    expect((await adult.b.get('/api/me/proxies')).json().invitations).toHaveLength(1);

    const helper = await portalUser('ben.helper@example.com');
    const wrong = await helper.b.post('/api/proxy-invitations/accept', { token, code: 'AAAAAAAA' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('KB-CODE-INVALID');
    // Someone else signed in cannot use the link even with the code.
    const stranger = await portalUser('sly.stranger@example.com');
    expect((await stranger.b.post('/api/proxy-invitations/accept', { token, code })).body).toContain('KB-TOKEN-INVALID');
    const ok = await helper.b.post('/api/proxy-invitations/accept', { token, code });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ basis: 'adult-consent', grantedBy: adult.id, grantedByKind: 'subject', status: { active: true, ageBand: 'adult' } });
    expect((await helper.b.post('/api/proxy-invitations/accept', { token, code })).statusCode).toBe(400);
    const grantId = ok.json().id as string;

    let d = await activeProxyDecision(t.deps.db, helper.id, record, clock.now());
    expect(allows(d!, 'messaging', 'act')).toBe(true);
    expect(allows(d!, 'clinical', 'act')).toBe(false);

    const mine = (await adult.b.get('/api/me/proxies')).json();
    expect(mine.grants.map((g: { proxyEmail: string }) => g.proxyEmail)).toEqual(['ben.helper@example.com']);
    expect(mine.invitations).toEqual([]);
    const changed = await adult.b.request('PUT', `/api/me/proxies/${grantId}/permissions`, { permissions: { clinical: 'none', messaging: 'view', appointments: 'none', billing: 'none' } });
    expect(changed.statusCode, changed.body).toBe(200);
    d = await activeProxyDecision(t.deps.db, helper.id, record, clock.now());
    expect(allows(d!, 'messaging', 'act')).toBe(false);
    expect(allows(d!, 'messaging', 'view')).toBe(true);

    // The helper acts for the adult; revoking ends it, including in that session.
    expect((await helper.b.request('PUT', '/api/proxy/acting-for', { patientId: record })).statusCode).toBe(200);
    // Another patient cannot touch this grant.
    expect((await stranger.b.post(`/api/me/proxies/${grantId}/revoke`, {})).statusCode).toBe(404);
    const revoked = await adult.b.post(`/api/me/proxies/${grantId}/revoke`, { reason: 'no longer needed' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().status).toMatchObject({ active: false, reason: 'revoked' });
    expect(await activeProxyDecision(t.deps.db, helper.id, record, clock.now())).toBeNull();
    expect((await helper.b.get('/api/proxy/subjects')).json()).toEqual({ subjects: [], actingFor: null });
    expect((await adult.b.post(`/api/me/proxies/${grantId}/revoke`, {})).statusCode).toBe(409);
  });

  it('cannot invite for a record not linked to the account', async () => {
    const someone = await patient(orgA, bornYearsAgo(33));
    const u = await portalUser('una.unlinked@example.com');
    const res = await u.b.post('/api/me/proxy-invitations', { email: 'x@example.com', permissions: { clinical: 'view', messaging: 'none', appointments: 'none', billing: 'none' }, patientId: someone });
    expect(res.statusCode).toBe(403);
  });
});

describe('proxy access over time', () => {
  it("ends exactly on the child's 18th birthday, and the proxy sees 'access ended (now an adult)'", async () => {
    const birth = bornYearsAgo(18, 3); // turns 18 three days from now
    const teen = await patient(orgA, birth, 'Max');
    const parent = await portalUser('mo.parent@example.com');
    expect((await deskA.post('/api/proxy-grants', { proxyEmail: 'mo.parent@example.com', patientId: teen, basis: 'parent' })).statusCode).toBe(201);
    const birthday = new Date(`${clock.now().getUTCFullYear()}-${birth.slice(5)}T00:00:00Z`);
    expect((await activeProxyDecision(t.deps.db, parent.id, teen, new Date(birthday.getTime() - 1)))?.ageBand).toBe('teen');
    expect(await activeProxyDecision(t.deps.db, parent.id, teen, birthday)).toBeNull();

    clock.advance(birthday.getTime() - clock.now().getTime());
    const b = await signedIn(t, 'mo.parent@example.com');
    const list = (await b.get('/api/proxy/subjects')).json();
    expect(list.subjects).toEqual([expect.objectContaining({ patientId: teen, status: expect.objectContaining({ active: false, reason: 'subject-is-adult', text: 'access ended (now an adult)' }) })]);
    const sw = await b.request('PUT', '/api/proxy/acting-for', { patientId: teen });
    expect(sw.statusCode).toBe(403);
    expect(sw.body).toContain('KB-PROXY-INACTIVE');
  });

  it('stops a dependent adult grant once its review date passes', async () => {
    const deskC = await readyStaff('cara.desk@harbor.example', ['org-admin'], orgA);
    const adult = await patient(orgA, bornYearsAgo(60));
    const p = await portalUser('rex.review@example.com');
    const reviewBy = new Date(clock.now().getTime() + 2 * DAY).toISOString();
    const res = await deskC.post('/api/proxy-grants', { proxyEmail: 'rex.review@example.com', patientId: adult, basis: 'adult-consent', inPersonConsent: true, permissions: { clinical: 'view' }, reviewBy });
    expect(res.statusCode, res.body).toBe(201);
    expect(await activeProxyDecision(t.deps.db, p.id, adult, clock.now())).not.toBeNull();
    clock.advance(2 * DAY);
    expect(await activeProxyDecision(t.deps.db, p.id, adult, clock.now())).toBeNull();
    const b = await signedIn(t, 'rex.review@example.com');
    expect((await b.get('/api/proxy/subjects')).json().subjects[0].status).toMatchObject({ active: false, reason: 'review-due' });
  });
});
