import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServer,
  signedIn,
  signUpVerified,
  startSmtpCapture,
  testClock,
  TestBrowser,
  TEST_PASSWORD,
  totpCode,
  type SmtpCapture,
  type TestServer,
} from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';
import { createStaffUser } from '../staff/index.ts';

/**
 * Messaging through the HTTP API as browsers use it: patients enrolled by invitation, staff
 * signed in with TOTP, proxies granted by staff and switched to their subject, notification
 * mail caught by a real SMTP server. Sessions are allowed to idle for days so that the clock
 * can move to a birthday.
 */
const DAY = 86_400_000;
const clock = testClock('2030-03-01T09:00:00Z');
let t: TestServer;
let smtp: SmtpCapture;
let orgA: string;
let orgB: string;
let desk: TestBrowser;
let nurse: TestBrowser;
let billing: TestBrowser;
let nurseB: TestBrowser;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url, SESSION_IDLE_TIMEOUT: String(7 * 86_400), SESSION_ABSOLUTE_TIMEOUT: String(30 * 86_400) } });
  orgA = (await createSource(t.deps, { name: 'Harbor Behavioral Health', hl7Facility: 'HARBOR' })).id;
  orgB = (await createSource(t.deps, { name: 'Hill Hospital', hl7Facility: 'HILL' })).id;
  desk = await readyStaff('fran.desk@harbor.example', ['front-desk'], orgA);
  nurse = await readyStaff('nina.nurse@harbor.example', ['nurse'], orgA, 'Nina Reyes RN');
  billing = await readyStaff('bill.billing@harbor.example', ['billing'], orgA);
  nurseB = await readyStaff('nora.nurse@hill.example', ['nurse'], orgB);
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

async function readyStaff(email: string, roles: string[], orgId: string | null, name?: string): Promise<TestBrowser> {
  const created = await createStaffUser({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: clock.now() }, { email, roles, orgId, ...(name ? { name } : {}) });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await new TestBrowser(t.app).post('/api/password/reset', { token, password: TEST_PASSWORD })).statusCode).toBe(204);
  const b = await signedIn(t, email);
  const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
  expect((await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
  clock.advance(60_000);
  return b;
}

/** The birth date of someone who turns `age` on the clock's day plus `days`. */
function bornYearsAgo(age: number, days = 0): string {
  const d = new Date(clock.now().getTime() + days * DAY);
  return `${d.getUTCFullYear() - age}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

async function patient(orgId: string, given: string, birthDate: string): Promise<string> {
  const [v] = await t.deps.store.createMany([{ resource: { resourceType: 'Patient', name: [{ family: 'Tern', given: [given] }], birthDate } }], { author: 'System/test', sourceOrg: orgId });
  return v?.id ?? '';
}

async function userId(email: string): Promise<string> {
  return (await t.deps.db.query<{ id: string }>('select id from user_account where lower(email) = lower($1)', [email])).rows[0]?.id ?? '';
}

/** A verified portal account, signed in, with its CSRF token. */
async function portalUser(email: string): Promise<TestBrowser> {
  await signUpVerified(t, smtp, email);
  const b = await signedIn(t, email);
  await b.get('/api/session');
  return b;
}

/** A patient of org A who accepted the front desk's invitation: their account is linked to the record. */
async function enrolled(email: string, patientId: string, birthDate: string): Promise<TestBrowser> {
  const check = await desk.post(`/api/enrollment/patients/${patientId}/id-checks`, { idType: 'driver-licence' });
  expect(check.statusCode, check.body).toBe(201);
  const inv = await desk.post('/api/enrollment/invitations', { patientId, email, idCheckId: check.json().id });
  expect(inv.statusCode, inv.body).toBe(201);
  const mail = await smtp.next(email, /invitation/);
  const token = decodeURIComponent(/\/enroll\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1] ?? '');
  const code = /^([A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(mail.text)?.[1] ?? '';
  const b = await portalUser(email);
  const ok = await b.post('/api/enrollment/accept', { token, code, birthDate });
  expect(ok.statusCode, ok.body).toBe(200);
  return b;
}

/** A proxy granted by the front desk, switched to act for the patient. */
async function proxyFor(email: string, patientId: string, grant: Record<string, unknown>): Promise<TestBrowser> {
  const b = await portalUser(email);
  const res = await desk.post('/api/proxy-grants', { proxyEmail: email, patientId, ...grant });
  expect(res.statusCode, res.body).toBe(201);
  const sw = await b.request('PUT', '/api/proxy/acting-for', { patientId });
  expect(sw.statusCode, sw.body).toBe(200);
  return b;
}

const errorCode = (body: string): string | undefined => (JSON.parse(body) as { issue?: { details?: { coding?: { code: string }[] } }[] }).issue?.[0]?.details?.coding?.[0]?.code;
const threadIds = (res: { json(): unknown }): string[] => (res.json() as { threads: { id: string }[] }).threads.map((x) => x.id);

interface Shared {
  aliceId: string;
  alice: TestBrowser;
  thread: string;
}
const shared = {} as Shared;

describe('a patient and the care team', () => {
  it('exchange messages; the patient is emailed of the reply without any of its text', async () => {
    const birth = bornYearsAgo(44);
    shared.aliceId = await patient(orgA, 'Alice', birth);
    shared.alice = await enrolled('alice@example.com', shared.aliceId, birth);
    const { alice } = shared;

    const started = await alice.post('/api/portal/messages', { subject: 'Question about my medication', body: 'The sertraline makes me dizzy in the morning.' });
    expect(started.statusCode, started.body).toBe(201);
    const thread = started.json();
    shared.thread = thread.id;
    expect(thread).toMatchObject({ orgId: orgA, orgName: 'Harbor Behavioral Health', patientId: shared.aliceId, category: 'clinical', startedBy: 'patient', heldBy: { kind: 'patient', displayName: 'Alice Tern' }, unread: 0, canReply: true });
    expect(thread.messages).toEqual([expect.objectContaining({ body: 'The sertraline makes me dizzy in the morning.', author: expect.objectContaining({ kind: 'patient', displayName: 'Alice Tern', actingFor: null }) })]);

    // The care team's inbox shows it unread; reading does not mark it, marking does.
    const inbox = await nurse.get('/api/staff/messages');
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect(inbox.json().threads).toEqual([expect.objectContaining({ id: thread.id, unread: 1, messageCount: 1 })]);
    expect(inbox.json().unread).toBe(1);
    const read = await nurse.get(`/api/staff/messages/${thread.id}`);
    expect(read.json().messages[0].body).toBe('The sertraline makes me dizzy in the morning.');
    expect((await nurse.get('/api/staff/messages')).json().unread).toBe(1);
    const marked = await nurse.post(`/api/staff/messages/${thread.id}/read`, {});
    expect(marked.json()).toEqual({ threadId: thread.id, unread: 0, totalUnread: 0 });

    clock.advance(60_000);
    const reply = await nurse.post(`/api/staff/messages/${thread.id}/replies`, { body: 'Take it in the evening instead; we will review on Tuesday.' });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().author).toEqual({ kind: 'staff', userId: await userId('nina.nurse@harbor.example'), displayName: 'Nina Reyes RN', actingFor: null });

    const mail = await smtp.next('alice@example.com', /new message/);
    expect(mail.subject).toBe('You have a new message in Kennebec');
    expect(mail.text).toContain(`${t.deps.config.baseUrl}/messages`);
    for (const secret of ['sertraline', 'evening', 'Tuesday', 'medication', 'Harbor', 'Behavioral', 'Alice', 'Nina']) expect(mail.text + mail.subject).not.toContain(secret);

    const mine = await alice.get('/api/portal/messages');
    expect(mine.json()).toMatchObject({ unread: 1, threads: [{ id: thread.id, unread: 1, messageCount: 2 }] });
    const full = (await alice.get(`/api/portal/messages/${thread.id}`)).json();
    expect(full.messages.map((m: { author: { displayName: string } }) => m.author.displayName)).toEqual(['Alice Tern', 'Nina Reyes RN']);
    // Marking up to the first message leaves the reply unread; then all of it.
    expect((await alice.post(`/api/portal/messages/${thread.id}/read`, { lastMessageId: full.messages[0].id })).json()).toMatchObject({ unread: 1 });
    expect((await alice.post(`/api/portal/messages/${thread.id}/read`, {})).json()).toEqual({ threadId: thread.id, unread: 0, totalUnread: 0 });

    // The patient's answer reaches the inbox; staff get no mail.
    expect((await alice.post(`/api/portal/messages/${thread.id}/replies`, { body: 'Thank you.' })).statusCode).toBe(201);
    expect((await nurse.get('/api/staff/messages')).json().threads[0]).toMatchObject({ id: thread.id, unread: 1 });
    await smtp.none('nina.nurse@harbor.example');
  });

  it('lets staff start a thread with their patient, who is emailed', async () => {
    const res = await nurse.post('/api/staff/messages', { patientId: shared.aliceId, subject: 'Your lab results', body: 'Your A1c is back: 6.1%.' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ startedBy: 'staff', heldBy: { kind: 'patient' } });
    const mail = await smtp.next('alice@example.com', /new message/);
    expect(mail.text).not.toContain('A1c');
    expect(mail.text).not.toContain('lab');
    expect(threadIds(await shared.alice.get('/api/portal/messages'))).toContain(res.json().id);
  });

  it('refuses bad input, writes without the CSRF token, and organizations that hold no record of the patient', async () => {
    const { alice } = shared;
    expect((await alice.post('/api/portal/messages', { subject: '', body: 'x' })).statusCode).toBe(400);
    expect((await alice.post('/api/portal/messages', { subject: 'Hi', body: '   ' })).statusCode).toBe(400);
    expect((await alice.post('/api/portal/messages', { subject: 'Hi', body: 'x'.repeat(5001) })).statusCode).toBe(400);
    expect((await alice.post('/api/portal/messages', { subject: 'two\nlines', body: 'x' })).statusCode).toBe(400);
    const ctrl = await alice.post(`/api/portal/messages/${shared.thread}/replies`, { body: 'nul \u0000 byte' });
    expect(ctrl.statusCode).toBe(400);
    expect(ctrl.json().issue[0].expression).toEqual(['body.body']);
    expect((await alice.post('/api/portal/messages', { subject: 'Hi', body: 'x', category: 'gossip' })).statusCode).toBe(400);
    expect((await alice.post(`/api/portal/messages/${shared.thread}/replies`, { body: 'hello' }, { 'x-csrf-token': 'wrong' })).statusCode).toBe(403);
    const other = await alice.post('/api/portal/messages', { orgId: orgB, subject: 'Hello', body: 'Can I book?' });
    expect(other.statusCode).toBe(403);
    expect(errorCode(other.body)).toBe('KB-FORBIDDEN');
    expect((await new TestBrowser(t.app).get('/api/portal/messages')).statusCode).toBe(401);
    // A patient is not staff, and staff are not patients.
    expect((await alice.get('/api/staff/messages')).statusCode).toBe(403);
    expect((await nurse.get('/api/portal/messages')).statusCode).toBe(403);
  });

  it("answers another patient's thread ids, and made-up ones, with 404", async () => {
    const birth = bornYearsAgo(51);
    const bob = await enrolled('bob@example.com', await patient(orgA, 'Bob', birth), birth);
    expect(threadIds(await bob.get('/api/portal/messages'))).toEqual([]);
    for (const id of [shared.thread, 'made-up-id']) {
      const res = await bob.get(`/api/portal/messages/${id}`);
      expect(res.statusCode).toBe(404);
      expect(errorCode(res.body)).toBe('KB-NOT-FOUND');
      expect(res.body).not.toContain('sertraline');
      expect((await bob.post(`/api/portal/messages/${id}/replies`, { body: 'hi' })).statusCode).toBe(404);
      expect((await bob.post(`/api/portal/messages/${id}/read`, {})).statusCode).toBe(404);
    }
    expect((await bob.get('/api/portal/messages/not%20an%20id')).statusCode).toBe(400);
  });

  it("keeps other organizations' staff out, and billing staff to billing questions", async () => {
    expect(threadIds(await nurseB.get('/api/staff/messages'))).not.toContain(shared.thread);
    expect((await nurseB.get(`/api/staff/messages/${shared.thread}`)).statusCode).toBe(404);
    expect((await nurseB.post(`/api/staff/messages/${shared.thread}/replies`, { body: 'hi' })).statusCode).toBe(404);
    expect((await nurseB.post('/api/staff/messages', { patientId: shared.aliceId, subject: 'Hi', body: 'x' })).statusCode).toBe(404);

    expect(threadIds(await billing.get('/api/staff/messages'))).toEqual([]);
    expect((await billing.get(`/api/staff/messages/${shared.thread}`)).statusCode).toBe(404);
    expect((await billing.post('/api/staff/messages', { patientId: shared.aliceId, subject: 'Hi', body: 'x' })).statusCode).toBe(403);
    const bill = await shared.alice.post('/api/portal/messages', { category: 'billing', subject: 'My invoice', body: 'I was charged twice.' });
    expect(bill.statusCode, bill.body).toBe(201);
    const inbox = (await billing.get('/api/staff/messages')).json();
    expect(inbox.threads.map((x: { id: string; category: string }) => [x.id, x.category])).toEqual([[bill.json().id, 'billing']]);
    expect((await billing.post(`/api/staff/messages/${bill.json().id}/replies`, { body: 'Refunded.' })).statusCode).toBe(201);
    expect(threadIds(await nurse.get('/api/staff/messages?category=billing'))).toEqual([bill.json().id]);

    const admin = await readyStaff('hal.admin@hie.example', ['hie-admin'], null);
    expect((await admin.get('/api/staff/messages')).statusCode).toBe(403);
  });
});

describe('proxies', () => {
  it("let a 10-year-old's parent read and write, shown as acting for the child", async () => {
    const child = await patient(orgA, 'Cal', bornYearsAgo(10));
    const parent = await proxyFor('pat.parent@example.com', child, { basis: 'parent' });
    const parentId = await userId('pat.parent@example.com');
    const started = await parent.post('/api/portal/messages', { subject: 'Cal and his inhaler', body: 'Cal needs a new inhaler for school.' });
    expect(started.statusCode, started.body).toBe(201);
    const author = { kind: 'proxy', userId: parentId, displayName: 'pat.parent@example.com acting for Cal Tern', actingFor: { patientId: child, name: 'Cal Tern' } };
    expect(started.json()).toMatchObject({ patientId: child, startedBy: 'proxy', heldBy: { kind: 'proxy', displayName: author.displayName }, messages: [{ author }] });
    const id = started.json().id as string;
    // Stored with both the author and the subject.
    const row = (await t.deps.db.query('select author_user_id, author_kind, acting_for_patient_id from message where thread_id = $1', [id])).rows;
    expect(row).toEqual([{ author_user_id: parentId, author_kind: 'proxy', acting_for_patient_id: child }]);

    // Staff see the same author, answer, and the parent is told.
    const seen = (await nurse.get(`/api/staff/messages/${id}`)).json();
    expect(seen.messages[0].author).toEqual(author);
    expect((await nurse.post(`/api/staff/messages/${id}/replies`, { body: 'A prescription is ready at the pharmacy.' })).statusCode).toBe(201);
    const mail = await smtp.next('pat.parent@example.com', /new message/);
    expect(mail.text).not.toContain('prescription');
    expect(mail.text).not.toContain('Cal');
    const again = (await parent.get(`/api/portal/messages/${id}`)).json();
    expect(again.messages.map((m: { body: string }) => m.body)).toEqual(['Cal needs a new inhaler for school.', 'A prescription is ready at the pharmacy.']);
    expect((await parent.post(`/api/portal/messages/${id}/replies`, { body: 'Thanks!' })).json().author.displayName).toBe(author.displayName);

    // Acting for themself again, the parent has no record of their own: no messages.
    await parent.request('PUT', '/api/proxy/acting-for', { patientId: null });
    expect((await parent.get('/api/portal/messages')).statusCode).toBe(403);
    expect((await parent.get(`/api/portal/messages/${id}`)).statusCode).toBe(403);
  });

  it("keep a 15-year-old's own conversations from their parent", async () => {
    const birth = bornYearsAgo(15);
    const teenId = await patient(orgA, 'Tess', birth);
    const teen = await enrolled('tess@example.com', teenId, birth);
    const own = await teen.post('/api/portal/messages', { subject: 'Private', body: 'I would like to talk about contraception.' });
    expect(own.statusCode, own.body).toBe(201);
    expect((await nurse.post(`/api/staff/messages/${own.json().id}/replies`, { body: 'Of course, book a confidential visit.' })).statusCode).toBe(201);
    await smtp.next('tess@example.com', /new message/);
    const toTeen = await nurse.post('/api/staff/messages', { patientId: teenId, subject: 'For Tess', body: 'Your confidential results are in.' });
    expect(toTeen.statusCode).toBe(201);
    await smtp.next('tess@example.com', /new message/);

    const parent = await proxyFor('tina.parent@example.com', teenId, { basis: 'guardian-of-minor' });
    const parentId = await userId('tina.parent@example.com');
    expect((await parent.get('/api/portal/messages')).json()).toEqual({ threads: [], unread: 0 });
    for (const id of [own.json().id, toTeen.json().id]) {
      expect((await parent.get(`/api/portal/messages/${id}`)).statusCode).toBe(404);
      expect((await parent.post(`/api/portal/messages/${id}/replies`, { body: 'What is this?' })).statusCode).toBe(404);
      expect((await parent.post(`/api/portal/messages/${id}/read`, {})).statusCode).toBe(404);
    }

    // The parent's own thread, and one staff start with the parent, are the parent's to see.
    const mine = await parent.post('/api/portal/messages', { subject: 'Vaccines', body: 'Is Tess due for a booster?' });
    expect(mine.statusCode, mine.body).toBe(201);
    const withGuardian = await nurse.post('/api/staff/messages', { patientId: teenId, proxyUserId: parentId, subject: 'School form', body: 'Please sign the school sports form.' });
    expect(withGuardian.statusCode, withGuardian.body).toBe(201);
    expect(withGuardian.json().heldBy).toEqual({ kind: 'proxy', displayName: 'tina.parent@example.com acting for Tess Tern' });
    await smtp.next('tina.parent@example.com', /new message/);
    const list = (await parent.get('/api/portal/messages')).json();
    expect(list.threads.map((x: { id: string }) => x.id).sort()).toEqual([mine.json().id, withGuardian.json().id].sort());
    expect(list.unread).toBe(1);
    expect((await parent.post(`/api/portal/messages/${withGuardian.json().id}/replies`, { body: 'Signed.' })).statusCode).toBe(201);

    // The teen reads the conversations their parent holds, but writes only in their own.
    const teenView = await teen.get(`/api/portal/messages/${mine.json().id}`);
    expect(teenView.json()).toMatchObject({ canReply: false, heldBy: { kind: 'proxy' } });
    expect((await teen.post(`/api/portal/messages/${mine.json().id}/replies`, { body: 'Mum, stop.' })).statusCode).toBe(403);
    expect((await teen.get(`/api/portal/messages/${own.json().id}`)).json().canReply).toBe(true);
    // Staff hand a conversation only to someone who may read it: Alice is no proxy of Tess.
    expect((await nurse.post('/api/staff/messages', { patientId: teenId, proxyUserId: await userId('alice@example.com'), subject: 'x', body: 'y' })).statusCode).toBe(422);
  });

  it('read with messaging view, write with act, and nothing with none', async () => {
    const adult = await patient(orgA, 'Dora', bornYearsAgo(40));
    const fromStaff = await nurse.post('/api/staff/messages', { patientId: adult, subject: 'Appointment', body: 'Your follow-up is on the 12th.' });
    expect(fromStaff.statusCode).toBe(201);
    const id = fromStaff.json().id as string;
    const grant = (messaging: string) => ({ basis: 'adult-consent', inPersonConsent: true, permissions: { clinical: 'none', messaging, appointments: 'none', billing: 'none' } });

    const none = await proxyFor('nell.none@example.com', adult, grant('none'));
    for (const res of [await none.get('/api/portal/messages'), await none.get(`/api/portal/messages/${id}`), await none.post(`/api/portal/messages/${id}/replies`, { body: 'x' }), await none.post('/api/portal/messages', { subject: 'x', body: 'y' })]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('allows no messages');
    }

    const view = await proxyFor('vic.view@example.com', adult, grant('view'));
    expect(threadIds(await view.get('/api/portal/messages'))).toEqual([id]);
    expect((await view.get(`/api/portal/messages/${id}`)).json()).toMatchObject({ canReply: false, messages: [{ body: 'Your follow-up is on the 12th.' }] });
    const denied = await view.post(`/api/portal/messages/${id}/replies`, { body: 'x' });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain('reading messages only');
    expect((await view.post('/api/portal/messages', { subject: 'x', body: 'y' })).statusCode).toBe(403);
    expect((await view.post(`/api/portal/messages/${id}/read`, {})).statusCode).toBe(200);

    const act = await proxyFor('ada.act@example.com', adult, grant('act'));
    expect((await act.get(`/api/portal/messages/${id}`)).json().canReply).toBe(true);
    const r = await act.post(`/api/portal/messages/${id}/replies`, { body: 'Dora will be there.' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().author).toMatchObject({ kind: 'proxy', displayName: 'ada.act@example.com acting for Dora Tern', actingFor: { patientId: adult, name: 'Dora Tern' } });
    expect((await act.post('/api/portal/messages', { subject: 'Transport', body: 'Can you arrange a ride?' })).statusCode).toBe(201);
    // The clinical record stays closed: clinical is none.
    expect((await act.get(`/api/portal/people/${adult}/record?section=problems`)).statusCode).not.toBe(200);
  });
});

describe('the audit trail', () => {
  it('records every read and write by reference, with the proxy acting for the patient, and never the text', async () => {
    await t.deps.audit.flush();
    const rows = (
      await t.deps.db.query<{ actor: string; on_behalf_of: string | null; action: string; patients: string[]; entities: string[]; outcome: string; status: number; purpose_of_use: string | null }>(
        `select actor, on_behalf_of, action, patients, entities, outcome, status, purpose_of_use from audit_entry where action like 'message-%' order by seq`,
      )
    ).rows;
    const aliceUser = `User/${await userId('alice@example.com')}`;
    const nurseUser = `User/${await userId('nina.nurse@harbor.example')}`;
    const ofThread = rows.filter((r) => r.entities.includes(`MessageThread/${shared.thread}`));
    // Reads are appended in batches and writes staged, so the trail's order is not the calls' order.
    const seen = ofThread.map((r) => `${r.actor} ${r.action} ${r.outcome}`);
    for (const expected of [
      `${aliceUser} message-start success`,
      `${nurseUser} message-list success`,
      `${nurseUser} message-read success`,
      `${nurseUser} message-mark-read success`,
      `${nurseUser} message-reply success`,
      `${aliceUser} message-list success`,
      `${aliceUser} message-read success`,
      `${aliceUser} message-mark-read success`,
      `${aliceUser} message-reply success`,
    ]) {
      expect(seen).toContain(expected);
    }
    const start = ofThread.find((r) => r.action === 'message-start');
    expect(start).toMatchObject({ patients: [`Patient/${shared.aliceId}`], purpose_of_use: 'PATRQT', status: 201 });
    expect(start?.entities.some((e) => e.startsWith('Message/'))).toBe(true);
    expect(ofThread.find((r) => r.action === 'message-read' && r.actor === nurseUser)?.purpose_of_use).toBe('TREAT');
    // Bob's guesses are on record as denied, without naming whose thread it is.
    const bobUser = `User/${await userId('bob@example.com')}`;
    const guesses = ofThread.filter((r) => r.actor === bobUser);
    expect(guesses.map((r) => `${r.action} ${r.outcome} ${r.status}`).sort()).toEqual(['message-mark-read denied 404', 'message-read denied 404', 'message-reply denied 404']);
    expect(guesses.every((r) => r.patients.length === 0)).toBe(true);
    // Staff of another organization trying to write to the patient are on record too.
    const nurseBUser = `User/${await userId('nora.nurse@hill.example')}`;
    expect(rows.filter((r) => r.actor === nurseBUser && r.action === 'message-start').map((r) => [r.outcome, r.status, r.patients])).toEqual([['denied', 404, [`Patient/${shared.aliceId}`]]]);
    // A proxy's entries say for whom.
    const parent = `User/${await userId('pat.parent@example.com')}`;
    const proxyStart = rows.find((r) => r.actor === parent && r.action === 'message-start');
    expect(proxyStart?.on_behalf_of).toMatch(/^Patient\//);
    expect(proxyStart?.patients).toEqual([proxyStart?.on_behalf_of]);
    // No text anywhere in the trail.
    const all = JSON.stringify((await t.deps.db.query('select * from audit_entry')).rows);
    for (const text of ['sertraline', 'contraception', 'inhaler', 'Question about my medication', 'Private']) expect(all).not.toContain(text);
  });
});

describe('a proxy of a minor, over time', () => {
  it("is denied from the subject's 18th birthday", async () => {
    const birth = bornYearsAgo(18, 3);
    const teen = await patient(orgA, 'Max', birth);
    const parent = await proxyFor('mo.parent@example.com', teen, { basis: 'parent' });
    const started = await parent.post('/api/portal/messages', { subject: 'Check-up', body: 'Max needs a check-up before college.' });
    expect(started.statusCode, started.body).toBe(201);
    const id = started.json().id as string;
    expect((await parent.get(`/api/portal/messages/${id}`)).statusCode).toBe(200);

    clock.advance(3 * DAY);
    for (const res of [await parent.get('/api/portal/messages'), await parent.get(`/api/portal/messages/${id}`), await parent.post(`/api/portal/messages/${id}/replies`, { body: 'Hello?' }), await parent.post('/api/portal/messages', { subject: 'x', body: 'y' })]) {
      expect(res.statusCode).toBe(403);
      expect(errorCode(res.body)).toBe('KB-PROXY-INACTIVE');
      expect(res.body).toContain('access ended (now an adult)');
      expect(res.body).not.toContain('college');
    }
    // A staff reply is not mailed to the former proxy.
    expect((await nurse.post(`/api/staff/messages/${id}/replies`, { body: 'Max can book himself now.' })).statusCode).toBe(201);
    await smtp.none('mo.parent@example.com');
  });
});
