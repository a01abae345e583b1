import { expect } from 'vitest';
import { createStaffUser } from '../staff/index.ts';
import { createSource } from '../sources/index.ts';
import { createClient } from '../smart-auth/index.ts';
import { signedIn, signUpVerified, startSmtpCapture, TestBrowser, TEST_PASSWORD, totpCode, type SmtpCapture, type TestServer, type ReceivedMail } from '@kennebec/test-support';

/**
 * Shared steps of the enrollment tests, each taken through the HTTP API as a browser would:
 * organizations with patients sent over FHIR by their own client, staff who sign in with TOTP,
 * patients who sign up.
 */
export interface Org {
  id: string;
  name: string;
  system: string;
  client: { client_id: string; client_secret: string };
}

export interface TestPatient {
  id: string;
  mrn: string;
  birthDate: string;
  ssn: string;
}

export async function createOrg(t: TestServer, name: string, facility: string): Promise<Org> {
  const src = await createSource(t.deps, { name, hl7Facility: facility });
  const client = await createClient(t.deps.db, { name: `${facility} feed`, scopes: 'system/*.cruds', orgId: src.id });
  return { id: src.id, name, system: src.identifierSystem, client };
}

/** A fresh access token each time: tests move the clock by days. */
async function accessToken(t: TestServer, org: Org): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', ...org.client }).toString(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { access_token: string }).access_token;
}

export async function fhirPost(t: TestServer, org: Org, resource: Record<string, unknown>): Promise<string> {
  const token = await accessToken(t, org);
  const res = await t.app.inject({
    method: 'POST',
    url: `/fhir/R4/${String(resource.resourceType)}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    payload: JSON.stringify(resource),
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

/** A Patient of `org` with a sensitive Condition, so that tests can check it never leaks. */
export async function createPatient(
  t: TestServer,
  org: Org,
  p: { mrn: string; family: string; given: string; birthDate: string; ssn: string; city?: string },
): Promise<TestPatient> {
  const id = await fhirPost(t, org, {
    resourceType: 'Patient',
    identifier: [
      { system: org.system, value: p.mrn, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } },
      { system: 'http://hl7.org/fhir/sid/us-ssn', value: p.ssn },
    ],
    name: [{ use: 'official', family: p.family, given: [p.given] }],
    gender: 'female',
    birthDate: p.birthDate,
    address: [{ line: ['12 Water Street'], city: p.city ?? 'Augusta', state: 'ME', postalCode: '04330' }],
  });
  await fhirPost(t, org, {
    resourceType: 'Condition',
    subject: { reference: `Patient/${id}` },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '370143000', display: 'Major depressive disorder' }], text: 'Major depressive disorder' },
  });
  return { id, mrn: p.mrn, birthDate: p.birthDate, ssn: p.ssn };
}

export interface Staff {
  email: string;
  secret: string;
  b: TestBrowser;
}

type TestClock = { now(): Date; advance(ms: number): void };

/** Staff who chose a password through their link, enrolled TOTP, then signed in with a code. */
export async function readyStaff(t: TestServer, clock: TestClock, email: string, roles: string[], orgId: string | null): Promise<Staff> {
  const created = await createStaffUser({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: clock.now() }, { email, roles, orgId });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await new TestBrowser(t.app).post('/api/password/reset', { token, password: TEST_PASSWORD })).statusCode).toBe(204);
  const first = await signedIn(t, email);
  const { secret } = (await first.post('/api/mfa/totp/enrol')).json() as { secret: string };
  expect((await first.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
  return { email, secret, b: await staffSignIn(t, clock, email, secret) };
}

/** A full staff sign-in: password, then a TOTP code (a new time step, so the code is fresh). */
export async function staffSignIn(t: TestServer, clock: TestClock, email: string, secret: string): Promise<TestBrowser> {
  clock.advance(31_000);
  const b = await signedIn(t, email);
  expect((await b.get('/api/session')).json().stage).toBe('mfa-verify');
  const res = await b.post('/api/session/mfa', { code: totpCode(secret, clock.now()) });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().stage).toBe('full');
  return b;
}

export async function patientAccount(t: TestServer, smtp: SmtpCapture, email: string): Promise<TestBrowser> {
  await signUpVerified(t, smtp, email);
  const b = await signedIn(t, email);
  await b.get('/api/session');
  return b;
}

export interface InvitationMail {
  mail: ReceivedMail;
  token: string;
  code: string;
}

export function readInvitation(mail: ReceivedMail): InvitationMail {
  const link = /https?:\/\/\S+\/enroll\?token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  const code = /^([A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(mail.text);
  if (!link?.[1] || !code?.[1]) throw new Error(`No invitation link or code in '${mail.subject}'`);
  return { mail, token: decodeURIComponent(link[1]), code: code[1] };
}

/** Records an ID check and sends an invitation; returns its id and what the mail carried. */
export async function invite(staff: TestBrowser, smtp: SmtpCapture, patientId: string, email: string): Promise<InvitationMail & { id: string }> {
  const check = await staff.post(`/api/enrollment/patients/${patientId}/id-checks`, { idType: 'driver-licence' });
  expect(check.statusCode, check.body).toBe(201);
  const res = await staff.post('/api/enrollment/invitations', { patientId, email, idCheckId: check.json().id });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id as string, ...readInvitation(await smtp.next(email, /invitation/)) };
}

export { startSmtpCapture };
export const errorCode = (body: string): string | undefined => (JSON.parse(body) as { issue?: { details?: { coding?: { code: string }[] } }[] }).issue?.[0]?.details?.coding?.[0]?.code;
