import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, tokenFrom, TestBrowser, type SmtpCapture, type TestServer, TEST_PASSWORD as PASSWORD, signedIn, testClock, totpCode } from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';
import { createStaffUser, StaffError } from './staff.ts';

let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock();
let orgA: string;
let orgB: string;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url } });
  orgA = (await createSource(t.deps, { name: 'Harbor Clinic', hl7Facility: 'HARBOR' })).id;
  orgB = (await createSource(t.deps, { name: 'Hill Hospital', hl7Facility: 'HILL' })).id;
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const staffDeps = () => ({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: clock.now() });

/** A staff user who has chosen a password through their link and enrolled TOTP. */
async function readyStaff(email: string, roles: string[], orgId: string | null) {
  const created = await createStaffUser(staffDeps(), { email, roles, orgId });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await new TestBrowser(t.app).post('/api/password/reset', { token, password: PASSWORD })).statusCode).toBe(204);
  const b = await signedIn(t, email);
  const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
  expect((await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
  clock.advance(60_000);
  return { b, secret, id: created.id };
}

describe('staff users', () => {
  it('start from a set-password link, and cannot act until TOTP is enrolled and verified', async () => {
    const created = await createStaffUser(staffDeps(), { email: 'nina.nurse@harbor.example', roles: ['nurse'], orgId: orgA });
    expect(created.setPasswordUrl).toMatch(/^http:\/\/kennebec\.test\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    const b = new TestBrowser(t.app);
    // No password yet: sign-in fails like any wrong password.
    expect((await b.post('/api/session', { email: 'nina.nurse@harbor.example', password: PASSWORD })).statusCode).toBe(401);
    const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
    expect((await b.post('/api/password/reset', { token, password: PASSWORD })).statusCode).toBe(204);
    expect((await b.post('/api/password/reset', { token, password: PASSWORD })).statusCode).toBe(400);

    const session = await b.post('/api/session', { email: 'nina.nurse@harbor.example', password: PASSWORD });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json()).toMatchObject({ stage: 'mfa-enrol', user: { kind: 'staff', staff: { orgId: orgA, roles: ['nurse'] } } });
    for (const res of [await b.get('/api/sessions'), await b.get('/api/staff'), await b.post('/api/staff', { email: 'x@harbor.example', roles: ['nurse'], orgId: orgA })]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('KB-MFA-REQUIRED');
    }
    // Enrolling completes the second factor of this session.
    const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
    const confirmed = await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) });
    expect(confirmed.statusCode).toBe(200);
    expect((await b.get('/api/session')).json().stage).toBe('full');
    expect((await b.get('/api/sessions')).statusCode).toBe(200);

    // The next sign-in must verify a code; staff cannot turn TOTP off.
    clock.advance(60_000);
    const next = await signedIn(t, 'nina.nurse@harbor.example');
    expect((await next.get('/api/session')).json().stage).toBe('mfa-verify');
    expect((await next.post('/api/mfa/totp/enrol')).statusCode).toBe(403);
    expect((await next.post('/api/session/mfa', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
    expect((await next.request('DELETE', '/api/mfa/totp', { code: totpCode(secret, clock.now()) })).statusCode).toBe(403);
  });

  it('can be added by an org admin to their own organization, who mails the set-password link', async () => {
    const { b: admin } = await readyStaff('olive.admin@harbor.example', ['org-admin'], orgA);
    const res = await admin.post('/api/staff', { email: 'frank.desk@harbor.example', roles: ['front-desk'], orgId: orgA, name: 'Frank Desk' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ email: 'frank.desk@harbor.example', orgId: orgA, roles: ['front-desk'], passwordSet: false });
    const mail = await smtp.next('frank.desk@harbor.example', /staff account/);
    expect(tokenFrom(mail, '/set-password')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await admin.post('/api/staff', { email: 'y@hill.example', roles: ['nurse'], orgId: orgB })).statusCode).toBe(403);
    expect((await admin.post('/api/staff', { email: 'z@harbor.example', roles: ['hie-admin'], orgId: orgA })).statusCode).toBe(403);
    const list = await admin.get('/api/staff');
    expect(list.statusCode).toBe(200);
    expect(list.json().staff.map((s: { email: string }) => s.email)).toEqual(expect.arrayContaining(['frank.desk@harbor.example', 'olive.admin@harbor.example']));
    expect(list.json().staff.every((s: { orgId: string }) => s.orgId === orgA)).toBe(true);
    expect((await admin.get(`/api/staff?orgId=${orgB}`)).statusCode).toBe(403);
  });

  it('cannot be added by staff without an admin role', async () => {
    const { b } = await readyStaff('paul.provider@harbor.example', ['provider'], orgA);
    expect((await b.post('/api/staff', { email: 'q@harbor.example', roles: ['nurse'], orgId: orgA })).statusCode).toBe(403);
    expect((await b.get('/api/staff')).statusCode).toBe(403);
  });

  it('can be added anywhere by an HIE admin, who needs no organization', async () => {
    const { b } = await readyStaff('hana.hie@hie.example', ['hie-admin'], null);
    const res = await b.post('/api/staff', { email: 'hugo.privacy@hie.example', roles: ['hie-privacy-officer'] });
    expect(res.statusCode, res.body).toBe(201);
    expect((await b.post('/api/staff', { email: 'nora@hill.example', roles: ['nurse'], orgId: orgB })).statusCode).toBe(201);
    expect((await b.get(`/api/staff?orgId=${orgB}`)).json().staff.map((s: { email: string }) => s.email)).toEqual(['nora@hill.example']);
    const bad = await b.post('/api/staff', { email: 'nobody@hill.example', roles: ['nurse'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('need an organization');
    expect((await b.post('/api/staff', { email: 'nobody@hill.example', roles: ['wizard'], orgId: orgB })).statusCode).toBe(400);
    expect((await b.post('/api/staff', { email: 'nobody@hill.example', roles: ['nurse'], orgId: 'no-such-org' })).statusCode).toBe(400);
    expect((await b.post('/api/staff', { email: 'NORA@hill.example', roles: ['nurse'], orgId: orgB })).statusCode).toBe(400);
  });

  it('refuses bad input with clear messages and writes nothing', async () => {
    await expect(createStaffUser(staffDeps(), { email: 'a@b.example', roles: ['nurse'], orgId: null })).rejects.toThrow(StaffError);
    await expect(createStaffUser(staffDeps(), { email: 'a@b.example', roles: ['surgeon'], orgId: orgA })).rejects.toThrow(/Unknown role/);
    await expect(createStaffUser(staffDeps(), { email: 'a@b.example', roles: ['nurse'], orgId: 'nope' })).rejects.toThrow(/No organization/);
    await expect(createStaffUser(staffDeps(), { email: 'not an email', roles: ['nurse'], orgId: orgA })).rejects.toThrow(/not an email/);
    const rows = await t.deps.db.query("select 1 from user_account where email = 'a@b.example'");
    expect(rows.rows).toEqual([]);
  });
});
