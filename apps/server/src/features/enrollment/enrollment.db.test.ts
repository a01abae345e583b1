import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, HOUR, testClock, TestBrowser, type SmtpCapture, type TestServer } from '@kennebec/test-support';
import { linkedPatients } from './index.ts';
import { createOrg, createPatient, errorCode, invite, patientAccount, readyStaff, readInvitation, staffSignIn, startSmtpCapture, type Org, type Staff, type TestPatient } from './test-fixture.ts';

let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock();
let harbor: Org;
let hill: Org;
let desk: Staff;
let ann: TestPatient;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url } });
  harbor = await createOrg(t, 'Harbor Clinic', 'HARBOR');
  hill = await createOrg(t, 'Hill Hospital', 'HILL');
  ann = await createPatient(t, harbor, { mrn: 'H1001', family: 'Quillfeather', given: 'Annabel', birthDate: '1984-06-02', ssn: '123-45-6789' });
  desk = await readyStaff(t, clock, 'fran.desk@harbor.example', ['front-desk'], harbor.id);
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('enrollment by invitation', () => {
  it('takes a patient from the front desk to a linked account', async () => {
    // The front desk finds the patient by MRN and by name and birth date: minimal demographics.
    const byMrn = await desk.b.get('/api/enrollment/patients?mrn=H1001');
    expect(byMrn.statusCode, byMrn.body).toBe(200);
    expect(byMrn.json().patients).toEqual([{ id: ann.id, mrn: 'H1001', family: 'Quillfeather', given: ['Annabel'], birthDate: '1984-06-02', enrolled: false }]);
    const byName = await desk.b.get('/api/enrollment/patients?family=quill&given=anna&birthDate=1984-06-02');
    expect(byName.json().patients.map((p: { id: string }) => p.id)).toEqual([ann.id]);
    expect((await desk.b.get('/api/enrollment/patients?family=Quillfeather&birthDate=1984-06-03')).json().patients).toEqual([]);
    expect(JSON.stringify(byMrn.json())).not.toMatch(/123-45|6789|Water|depress/i);
    expect((await desk.b.get('/api/enrollment/patients?family=Quillfeather')).statusCode).toBe(400);
    expect((await desk.b.get('/api/enrollment/patients')).statusCode).toBe(400);

    // The photo ID check records the kind of document only: a number or a copy is refused.
    const extra = await desk.b.post(`/api/enrollment/patients/${ann.id}/id-checks`, { idType: 'passport', number: 'X1234567' });
    expect(extra.statusCode).toBe(400);
    expect(extra.body).toContain('number');
    expect((await desk.b.post(`/api/enrollment/patients/${ann.id}/id-checks`, { idType: 'library-card' })).statusCode).toBe(400);
    const stored = await t.deps.db.query('select count(*)::int as n from enrollment_id_check');
    expect(stored.rows[0]).toEqual({ n: 0 });

    const sent = await invite(desk.b, smtp, ann.id, 'annabel@mail.example');
    const check = await t.deps.db.query<{ id_type: string; checked_by: string }>('select id_type, checked_by from enrollment_id_check');
    expect(check.rows).toEqual([{ id_type: 'driver-licence', checked_by: expect.any(String) }]);
    // Token and code are stored hashed only.
    const row = await t.deps.db.query<{ token_hash: string; code_hash: string }>('select token_hash, code_hash from patient_invitation where id = $1', [sent.id]);
    expect(row.rows[0]?.token_hash).not.toContain(sent.token);
    expect(row.rows[0]?.code_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row.rows)).not.toContain(sent.code.replace('-', ''));

    const list = await desk.b.get('/api/enrollment/invitations');
    expect(list.json().invitations).toEqual([expect.objectContaining({ id: sent.id, patientId: ann.id, email: 'annabel@mail.example', status: 'pending', failedAttempts: 0, sentCount: 1 })]);
    expect(new Date(list.json().invitations[0].expiresAt).getTime() - clock.now().getTime()).toBe(30 * 24 * HOUR);

    // The person opens the link: the organization's name, and what they will be asked.
    const anon = new TestBrowser(t.app);
    const preview = await anon.get(`/api/enrollment/invitation?token=${encodeURIComponent(sent.token)}`);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toEqual({ organization: { name: 'Harbor Clinic' }, identityCheck: 'birth-date', expiresAt: expect.any(String) });
    // Accepting needs an account.
    expect((await anon.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: ann.birthDate })).statusCode).toBe(401);

    const b = await patientAccount(t, smtp, 'annabel@mail.example');
    const accepted = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code.toLowerCase(), birthDate: ann.birthDate });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ organization: { id: harbor.id, name: 'Harbor Clinic' }, patientId: ann.id });
    const userId = (await b.get('/api/session')).json().user.id as string;
    expect(await linkedPatients(t.deps.db, userId)).toEqual([{ patientId: ann.id, orgId: harbor.id, linkedAt: clock.now().toISOString() }]);
    expect((await b.get('/api/enrollment/links')).json().links).toEqual([expect.objectContaining({ patientId: ann.id, organization: 'Harbor Clinic' })]);
    // The link is what the proxies feature sees: the adult can now invite a proxy for this record.
    const proxyInvite = await b.post('/api/me/proxy-invitations', { email: 'helper.friend@example.org', permissions: { clinical: 'view', messaging: 'none', appointments: 'act', billing: 'none' } });
    expect(proxyInvite.statusCode, proxyInvite.body).toBe(201);

    // Single use: the same link and code again are refused, by anyone.
    const again = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: ann.birthDate });
    expect(again.statusCode).toBe(400);
    expect(errorCode(again.body)).toBe('KB-INVITATION-INVALID');
    expect(again.body).toContain('already been used');
    expect((await anon.get(`/api/enrollment/invitation?token=${encodeURIComponent(sent.token)}`)).statusCode).toBe(400);

    expect((await desk.b.get('/api/enrollment/invitations')).json().invitations[0]).toMatchObject({ status: 'accepted', acceptedAt: clock.now().toISOString() });
    expect((await desk.b.get('/api/enrollment/patients?mrn=H1001')).json().patients[0].enrolled).toBe(true);
    // A linked patient cannot be invited again.
    const check2 = (await desk.b.post(`/api/enrollment/patients/${ann.id}/id-checks`, { idType: 'state-id' })).json();
    const twice = await desk.b.post('/api/enrollment/invitations', { patientId: ann.id, email: 'other@mail.example', idCheckId: check2.id });
    expect(twice.statusCode).toBe(409);
    expect(errorCode(twice.body)).toBe('KB-PATIENT-LINKED');

    // Every step is in the audit trail, by reference only.
    await t.deps.audit.flush();
    const audit = await t.deps.db.query<{ action: string; outcome: string; actor: string; actor_org: string | null; patients: string[]; entities: string[]; status: number }>(
      `select action, outcome, actor, actor_org, patients, entities, status from audit_entry where action like 'enrollment-%' order by seq`,
    );
    const steps = audit.rows.map((e) => `${e.action} ${e.outcome}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        'enrollment-patient-search success',
        'enrollment-id-check success',
        'enrollment-invite success',
        'enrollment-invitation-view success',
        'enrollment-accept success',
        'enrollment-accept error',
        'enrollment-invitation-view error',
        'enrollment-invite error',
      ]),
    );
    const invited = audit.rows.find((e) => e.action === 'enrollment-invite' && e.outcome === 'success');
    expect(invited).toMatchObject({ actor: expect.stringMatching(/^User\//), actor_org: `Organization/${harbor.id}`, patients: [`Patient/${ann.id}`], entities: [`PatientInvitation/${sent.id}`], status: 201 });
    expect(audit.rows.find((e) => e.action === 'enrollment-accept' && e.outcome === 'success')).toMatchObject({ actor: `User/${userId}`, patients: [`Patient/${ann.id}`] });
    expect(audit.rows.find((e) => e.action === 'enrollment-accept' && e.outcome === 'error')).toMatchObject({ status: 400, entities: [`PatientInvitation/${sent.id}`] });
    expect(JSON.stringify(audit.rows)).not.toMatch(/annabel|Quillfeather|1984-06-02|H1001|driver/i);
  });

  it('sends an email with the organization, the link and the code, and nothing about the patient', async () => {
    const bo = await createPatient(t, harbor, { mrn: 'H1002', family: 'Marchbanks', given: 'Bartholomew', birthDate: '1950-11-30', ssn: '222-33-4444' });
    const sent = await invite(desk.b, smtp, bo.id, 'bart@mail.example');
    expect(sent.mail.subject).toBe('Your invitation from Harbor Clinic');
    const body = sent.mail.text.trimEnd();
    for (const secret of ['Marchbanks', 'Bartholomew', '1950', '11-30', 'H1002', '4444', 'depress', 'Condition', 'Water', bo.id]) expect(body).not.toContain(secret);
    // Besides the fixed wording, the mail carries the organization's name, the link, the code and the expiry date.
    const variable = body.replaceAll('Harbor Clinic', '').replace(/http:\/\/kennebec\.test\/enroll\?token=[A-Za-z0-9_-]{43}/, '').replace(sent.code, '').replace(/\d{4}-\d{2}-\d{2}/, '');
    expect(variable).toBe(
      ' has invited you to see your health record online with Kennebec.\n\nOpen this link to accept the invitation:\n\n\n\nWhen asked, enter this code:\n\n\n\n' +
        'The invitation works once and expires on  (UTC). If it has expired, ask  to send a new one.\n\n— Kennebec\n\nIf you were not expecting this, you can ignore this message.',
    );
  });

  it('refuses an expired invitation', async () => {
    const cy = await createPatient(t, harbor, { mrn: 'H1003', family: 'Ostergaard', given: 'Cyrene', birthDate: '1991-01-15', ssn: '333-44-5555' });
    const sent = await invite(desk.b, smtp, cy.id, 'cyrene@mail.example');
    const b = await patientAccount(t, smtp, 'cyrene@mail.example');
    clock.advance(30 * 24 * HOUR + 1000);
    const fresh = await patientAccount(t, smtp, 'cyrene2@mail.example');
    const res = await fresh.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: cy.birthDate });
    expect(res.statusCode).toBe(400);
    expect(errorCode(res.body)).toBe('KB-INVITATION-INVALID');
    expect(res.body).toContain('expired');
    expect((await new TestBrowser(t.app).get(`/api/enrollment/invitation?token=${sent.token}`)).body).toContain('expired');
    expect((await b.get('/api/session')).json().authenticated).toBe(false);
    desk.b = await staffSignIn(t, clock, desk.email, desk.secret);
    expect((await desk.b.get(`/api/enrollment/invitations?patientId=${cy.id}`)).json().invitations[0].status).toBe('expired');
    const expired = (await desk.b.get('/api/enrollment/invitations?status=expired')).json().invitations as { id: string; status: string }[];
    expect(expired.map((i) => i.id)).toContain(sent.id);
    expect(expired.every((i) => i.status === 'expired')).toBe(true);
  });

  it('counts a wrong code and tells which answer was wrong', async () => {
    const di = await createPatient(t, harbor, { mrn: 'H1004', family: 'Pennywhistle', given: 'Dinah', birthDate: '1975-09-09', ssn: '444-55-6666' });
    const sent = await invite(desk.b, smtp, di.id, 'dinah@mail.example');
    const b = await patientAccount(t, smtp, 'dinah@mail.example');
    const wrong = await b.post('/api/enrollment/accept', { token: sent.token, code: 'AAAA-AAAA', birthDate: di.birthDate });
    expect(wrong.statusCode).toBe(400);
    expect(errorCode(wrong.body)).toBe('KB-ENROLLMENT-ANSWER');
    expect(wrong.json().issue[0]).toMatchObject({ expression: ['code'], diagnostics: expect.stringContaining('4 attempts left') });
    expect((await desk.b.get(`/api/enrollment/invitations?patientId=${di.id}`)).json().invitations[0]).toMatchObject({ status: 'pending', failedAttempts: 1 });
    const ok = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: di.birthDate });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('locks the invitation after five wrong birth dates, until staff resend it', async () => {
    const ed = await createPatient(t, harbor, { mrn: 'H1005', family: 'Thistlewood', given: 'Edmund', birthDate: '1962-03-21', ssn: '555-66-7777' });
    const sent = await invite(desk.b, smtp, ed.id, 'edmund@mail.example');
    const b = await patientAccount(t, smtp, 'edmund@mail.example');
    for (let i = 1; i <= 5; i++) {
      const res = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: `1962-03-0${i}` });
      expect(res.statusCode).toBe(400);
      expect(res.json().issue[0]).toMatchObject({ expression: ['birthDate'], diagnostics: expect.stringContaining(`${5 - i} attempt`) });
    }
    const locked = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: ed.birthDate });
    expect(locked.statusCode).toBe(403);
    expect(errorCode(locked.body)).toBe('KB-INVITATION-LOCKED');
    expect(errorCode((await new TestBrowser(t.app).get(`/api/enrollment/invitation?token=${sent.token}`)).body)).toBe('KB-INVITATION-LOCKED');
    expect((await desk.b.get(`/api/enrollment/invitations?patientId=${ed.id}`)).json().invitations[0]).toMatchObject({ status: 'locked', failedAttempts: 5 });
    expect(await linkedPatients(t.deps.db, (await b.get('/api/session')).json().user.id)).toEqual([]);
    await t.deps.audit.flush();
    const refusals = await t.deps.db.query<{ outcome: string; status: number }>(
      `select outcome, status from audit_entry where action = 'enrollment-accept' and $1 = any(entities) order by seq`,
      [`PatientInvitation/${sent.id}`],
    );
    expect(refusals.rows).toEqual([...Array.from({ length: 5 }, () => ({ outcome: 'error', status: 400 })), { outcome: 'denied', status: 403 }]);

    const resent = await desk.b.post(`/api/enrollment/invitations/${sent.id}/resend`);
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toMatchObject({ status: 'pending', failedAttempts: 0, sentCount: 2 });
    const second = readInvitation(await smtp.next('edmund@mail.example', /invitation/));
    expect((await b.post('/api/enrollment/accept', { token: second.token, code: second.code, birthDate: ed.birthDate })).statusCode).toBe(200);
  });

  it('asks for the last four SSN digits where the organization chose that', async () => {
    const admin = await readyStaff(t, clock, 'olga.admin@hill.example', ['org-admin'], hill.id);
    const nurse = await readyStaff(t, clock, 'ned.nurse@hill.example', ['nurse'], hill.id);
    expect((await admin.b.get('/api/enrollment/settings')).json()).toEqual({ identityCheck: 'birth-date' });
    expect((await nurse.b.request('PUT', '/api/enrollment/settings', { identityCheck: 'ssn-last4' })).statusCode).toBe(403);
    expect((await admin.b.request('PUT', '/api/enrollment/settings', { identityCheck: 'ssn' })).statusCode).toBe(400);
    const set = await admin.b.request('PUT', '/api/enrollment/settings', { identityCheck: 'ssn-last4' });
    expect(set.statusCode, set.body).toBe(200);
    expect((await desk.b.get('/api/enrollment/settings')).json()).toEqual({ identityCheck: 'birth-date' });

    const fay = await createPatient(t, hill, { mrn: 'L2001', family: 'Wintergreen', given: 'Fay', birthDate: '1999-12-31', ssn: '666-77-8888' });
    const sent = await invite(nurse.b, smtp, fay.id, 'fay@mail.example');
    expect((await new TestBrowser(t.app).get(`/api/enrollment/invitation?token=${sent.token}`)).json()).toMatchObject({ organization: { name: 'Hill Hospital' }, identityCheck: 'ssn-last4' });
    const b = await patientAccount(t, smtp, 'fay@mail.example');
    const dobOnly = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: fay.birthDate });
    expect(dobOnly.statusCode).toBe(400);
    expect(dobOnly.json().issue[0].expression).toEqual(['body.ssnLast4']);
    expect((await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, ssnLast4: '888' })).statusCode).toBe(400);
    const wrong = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, ssnLast4: '8887' });
    expect(wrong.json().issue[0]).toMatchObject({ expression: ['ssnLast4'], diagnostics: expect.stringContaining('4 attempts left') });
    expect((await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, ssnLast4: '8888' })).statusCode).toBe(200);
  });

  it('kills the old link and code when an invitation is resent', async () => {
    const gus = await createPatient(t, harbor, { mrn: 'H1006', family: 'Abernethy', given: 'Gus', birthDate: '1988-08-08', ssn: '777-88-9999' });
    const first = await invite(desk.b, smtp, gus.id, 'gus@mail.example');
    expect((await desk.b.post(`/api/enrollment/invitations/${first.id}/resend`)).statusCode).toBe(200);
    const second = readInvitation(await smtp.next('gus@mail.example', /invitation/));
    expect(second.token).not.toBe(first.token);
    const b = await patientAccount(t, smtp, 'gus@mail.example');
    const oldLink = await b.post('/api/enrollment/accept', { token: first.token, code: first.code, birthDate: gus.birthDate });
    expect(errorCode(oldLink.body)).toBe('KB-INVITATION-INVALID');
    expect(oldLink.body).toContain('unknown');
    if (first.code !== second.code) {
      const oldCode = await b.post('/api/enrollment/accept', { token: second.token, code: first.code, birthDate: gus.birthDate });
      expect(oldCode.json().issue[0].expression).toEqual(['code']);
    }
    expect((await b.post('/api/enrollment/accept', { token: second.token, code: second.code, birthDate: gus.birthDate })).statusCode).toBe(200);
    expect((await desk.b.post(`/api/enrollment/invitations/${first.id}/resend`)).statusCode).toBe(422);
  });

  it('refuses a revoked invitation', async () => {
    const hal = await createPatient(t, harbor, { mrn: 'H1007', family: 'Brightwater', given: 'Hal', birthDate: '1970-07-07', ssn: '888-99-1111' });
    const sent = await invite(desk.b, smtp, hal.id, 'hal@mail.example');
    // One pending invitation per patient.
    const checkId = (await desk.b.post(`/api/enrollment/patients/${hal.id}/id-checks`, { idType: 'other' })).json().id;
    const dup = await desk.b.post('/api/enrollment/invitations', { patientId: hal.id, email: 'hal2@mail.example', idCheckId: checkId });
    expect(errorCode(dup.body)).toBe('KB-INVITATION-PENDING');
    const revoked = await desk.b.post(`/api/enrollment/invitations/${sent.id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().status).toBe('revoked');
    const b = await patientAccount(t, smtp, 'hal@mail.example');
    const res = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: hal.birthDate });
    expect(errorCode(res.body)).toBe('KB-INVITATION-INVALID');
    expect(res.body).toContain('withdrawn');
    expect((await desk.b.post(`/api/enrollment/invitations/${sent.id}/resend`)).statusCode).toBe(422);
    // After a revocation a new invitation may go out.
    expect((await desk.b.post('/api/enrollment/invitations', { patientId: hal.id, email: 'hal@mail.example', idCheckId: checkId })).statusCode).toBe(201);
    // An ID check of another patient does not do.
    const other = await desk.b.post('/api/enrollment/invitations', { patientId: ann.id, email: 'x@mail.example', idCheckId: checkId });
    expect(other.statusCode).toBe(400);
  });
});

describe('one account, several organizations', () => {
  let hillDesk: Staff;
  it('links an existing account to a second organization with a second invitation', async () => {
    hillDesk = await readyStaff(t, clock, 'hugh.desk@hill.example', ['front-desk'], hill.id);
    const harborIvy = await createPatient(t, harbor, { mrn: 'H1008', family: 'Cattermole', given: 'Ivy', birthDate: '1993-04-04', ssn: '999-11-2222' });
    const hillIvy = await createPatient(t, hill, { mrn: 'L2002', family: 'Cattermole', given: 'Ivy', birthDate: '1993-04-04', ssn: '999-11-2222' });
    const b = await patientAccount(t, smtp, 'ivy@mail.example');
    const one = await invite(desk.b, smtp, harborIvy.id, 'ivy@mail.example');
    expect((await b.post('/api/enrollment/accept', { token: one.token, code: one.code, birthDate: harborIvy.birthDate })).statusCode).toBe(200);
    // Hill asks for the SSN digits (set in an earlier test); the same account accepts.
    const two = await invite(hillDesk.b, smtp, hillIvy.id, 'ivy.other@mail.example');
    const res = await b.post('/api/enrollment/accept', { token: two.token, code: two.code, ssnLast4: '2222' });
    expect(res.statusCode, res.body).toBe(200);
    const userId = (await b.get('/api/session')).json().user.id as string;
    expect((await linkedPatients(t.deps.db, userId)).map((l) => [l.orgId, l.patientId]).sort((a, b) => (a[0] === harbor.id ? -1 : b[0] === harbor.id ? 1 : 0))).toEqual([
      [harbor.id, harborIvy.id],
      [hill.id, hillIvy.id],
    ]);
  });

  it("refuses to link another account to the same person's record at a second organization", async () => {
    const harborJo = await createPatient(t, harbor, { mrn: 'H1009', family: 'Fairweather', given: 'Josephine', birthDate: '1981-10-10', ssn: '121-21-2121' });
    const hillJo = await createPatient(t, hill, { mrn: 'L2003', family: 'Fairweather', given: 'Josephine', birthDate: '1981-10-10', ssn: '121-21-2121' });
    const persons = await t.deps.db.query<{ person_id: string }>(`select distinct person_id from resource where resource_type = 'Patient' and id = any($1::text[])`, [[harborJo.id, hillJo.id]]);
    expect(persons.rows).toHaveLength(1);
    const jo = await patientAccount(t, smtp, 'jo@mail.example');
    const one = await invite(desk.b, smtp, harborJo.id, 'jo@mail.example');
    expect((await jo.post('/api/enrollment/accept', { token: one.token, code: one.code, birthDate: harborJo.birthDate })).statusCode).toBe(200);
    const two = await invite(hillDesk.b, smtp, hillJo.id, 'someone@mail.example');
    const other = await patientAccount(t, smtp, 'someone@mail.example');
    const res = await other.post('/api/enrollment/accept', { token: two.token, code: two.code, ssnLast4: '2121' });
    expect(res.statusCode).toBe(409);
    expect(errorCode(res.body)).toBe('KB-PATIENT-LINKED');
    // Nothing was consumed: the right person can still use it.
    expect((await hillDesk.b.get(`/api/enrollment/invitations?patientId=${hillJo.id}`)).json().invitations[0].status).toBe('pending');
    expect((await jo.post('/api/enrollment/accept', { token: two.token, code: two.code, ssnLast4: '2121' })).statusCode).toBe(200);
  });

  it('refuses an invitation for a record already linked to a different account', async () => {
    const kim = await createPatient(t, harbor, { mrn: 'H1010', family: 'Greenhalgh', given: 'Kim', birthDate: '1966-06-16', ssn: '131-31-3131' });
    const sent = await invite(desk.b, smtp, kim.id, 'kim@mail.example');
    const owner = await patientAccount(t, smtp, 'kim.owner@mail.example');
    const ownerId = (await owner.get('/api/session')).json().user.id as string;
    // As if another invitation had linked the record in the meantime.
    await t.deps.db.query('insert into patient_account_link (patient_id, user_id, org_id, invitation_id, linked_at) values ($1, $2, $3, $4, $5)', [kim.id, ownerId, harbor.id, sent.id, clock.now().toISOString()]);
    const b = await patientAccount(t, smtp, 'kim@mail.example');
    const res = await b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: kim.birthDate });
    expect(res.statusCode).toBe(409);
    expect(res.json().issue[0].diagnostics).toContain('already linked to another account');
  });
});


describe('who may enroll', () => {
  it("keeps each organization's staff to their own patients", async () => {
    const hillNurse = await readyStaff(t, clock, 'nia.nurse@hill.example', ['nurse'], hill.id);
    const lou = await createPatient(t, harbor, { mrn: 'H1011', family: 'Loughridge', given: 'Lou', birthDate: '1959-05-05', ssn: '141-41-4141' });
    const sent = await invite(desk.b, smtp, lou.id, 'lou@mail.example');
    expect((await hillNurse.b.get('/api/enrollment/patients?mrn=H1011')).json().patients).toEqual([]);
    expect((await hillNurse.b.get('/api/enrollment/patients?family=Loughridge&birthDate=1959-05-05')).json().patients).toEqual([]);
    expect((await hillNurse.b.post(`/api/enrollment/patients/${lou.id}/id-checks`, { idType: 'passport' })).statusCode).toBe(404);
    const harborCheck = (await desk.b.post(`/api/enrollment/patients/${lou.id}/id-checks`, { idType: 'passport' })).json().id as string;
    expect((await hillNurse.b.post('/api/enrollment/invitations', { patientId: lou.id, email: 'lou@mail.example', idCheckId: harborCheck })).statusCode).toBe(404);
    expect((await hillNurse.b.post(`/api/enrollment/invitations/${sent.id}/resend`)).statusCode).toBe(404);
    expect((await hillNurse.b.post(`/api/enrollment/invitations/${sent.id}/revoke`)).statusCode).toBe(404);
    const hillList = (await hillNurse.b.get('/api/enrollment/invitations')).json().invitations as { id: string }[];
    expect(hillList.map((i) => i.id)).not.toContain(sent.id);
    expect((await desk.b.get('/api/enrollment/invitations')).json().invitations.map((i: { id: string }) => i.id)).toContain(sent.id);
  });

  it('refuses patients, billing and HIE staff, and staff who have not finished signing in', async () => {
    const patient = await patientAccount(t, smtp, 'pat@mail.example');
    const billing = await readyStaff(t, clock, 'bill@harbor.example', ['billing'], harbor.id);
    const hieAdmin = await readyStaff(t, clock, 'hana@hie.example', ['hie-admin'], null);
    for (const b of [patient, billing.b, hieAdmin.b]) {
      for (const res of [
        await b.get('/api/enrollment/patients?mrn=H1001'),
        await b.post(`/api/enrollment/patients/${ann.id}/id-checks`, { idType: 'passport' }),
        await b.post('/api/enrollment/invitations', { patientId: ann.id, email: 'z@mail.example', idCheckId: 'x' }),
        await b.get('/api/enrollment/invitations'),
        await b.post('/api/enrollment/invitations/x/resend'),
        await b.post('/api/enrollment/invitations/x/revoke'),
        await b.get('/api/enrollment/settings'),
      ]) {
        expect(res.statusCode, res.body).toBe(403);
        expect(errorCode(res.body)).toBe('KB-FORBIDDEN');
      }
    }
    // A password alone is not enough for staff: the second factor is due.
    clock.advance(31_000);
    const half = new TestBrowser(t.app);
    expect((await half.post('/api/session', { email: desk.email, password: 'gulls circle the old lighthouse' })).statusCode).toBe(200);
    expect(errorCode((await half.get('/api/enrollment/patients?mrn=H1001')).body)).toBe('KB-MFA-REQUIRED');
    // No CSRF token, no state change.
    const noCsrf = await desk.b.post(`/api/enrollment/patients/${ann.id}/id-checks`, { idType: 'passport' }, { 'x-csrf-token': 'nope' });
    expect(errorCode(noCsrf.body)).toBe('KB-CSRF');
    // Without a session at all.
    expect((await new TestBrowser(t.app).get('/api/enrollment/invitations')).statusCode).toBe(401);
  });

  it('does not let a staff account accept an invitation', async () => {
    const max = await createPatient(t, harbor, { mrn: 'H1012', family: 'Merriweather', given: 'Max', birthDate: '1977-02-02', ssn: '151-51-5151' });
    const sent = await invite(desk.b, smtp, max.id, 'max@mail.example');
    const res = await desk.b.post('/api/enrollment/accept', { token: sent.token, code: sent.code, birthDate: max.birthDate });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('patient account');
    expect((await desk.b.get(`/api/enrollment/invitations?patientId=${max.id}`)).json().invitations[0]).toMatchObject({ status: 'pending', failedAttempts: 0 });
  });
});
