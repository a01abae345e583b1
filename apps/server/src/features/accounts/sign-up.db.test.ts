import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, tokenFrom, TestBrowser, type SmtpCapture, type TestServer, HOUR, TEST_PASSWORD as PASSWORD, signUpVerified, testClock } from '@kennebec/test-support';

let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock();
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('patient sign-up and email verification', () => {
  it('creates an account that can sign in only once its address is confirmed by the emailed link', async () => {
    const b = new TestBrowser(t.app);
    const res = await b.post('/api/accounts', { email: 'Rosa@Example.org', password: PASSWORD, name: 'Rosa Lind' });
    expect(res.statusCode, res.body).toBe(202);
    const mail = await smtp.next('rosa@example.org', /Confirm/);
    expect(mail.text).not.toMatch(/Rosa Lind/);

    const early = await b.post('/api/session', { email: 'rosa@example.org', password: PASSWORD });
    expect(early.statusCode).toBe(403);
    expect(early.body).toContain('KB-EMAIL-UNVERIFIED');

    const verified = await b.post('/api/accounts/verify-email', { token: tokenFrom(mail, '/verify-email') });
    expect(verified.statusCode, verified.body).toBe(204);
    const session = await b.post('/api/session', { email: 'ROSA@example.org', password: PASSWORD });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json()).toMatchObject({ authenticated: true, stage: 'full', user: { kind: 'patient', emailVerified: true, name: 'Rosa Lind', staff: null } });
  });

  it('answers a sign-up for a taken address exactly like a new one, and tells the owner by mail', async () => {
    await signUpVerified(t, smtp, 'owner@example.org');
    const b = new TestBrowser(t.app);
    const fresh = await b.post('/api/accounts', { email: 'newcomer@example.org', password: PASSWORD });
    const taken = await b.post('/api/accounts', { email: 'OWNER@example.org', password: 'another fine long passphrase' });
    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(taken.json()).toEqual(fresh.json());
    const notice = await smtp.next('owner@example.org', /already have an account/);
    expect(notice.text).toMatch(/\/reset-password\?token=/);
    // The owner's password is unchanged.
    expect((await b.post('/api/session', { email: 'owner@example.org', password: PASSWORD })).statusCode).toBe(200);
  });

  it('refuses weak passwords with 400 and one issue per reason, and creates nothing', async () => {
    const b = new TestBrowser(t.app);
    const res = await b.post('/api/accounts', { email: 'weak@example.org', password: 'password' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0].details.coding[0].code).toBe('KB-PASSWORD-REJECTED');
    expect(body.issue[0].expression).toEqual(['password']);
    const many = await b.post('/api/accounts', { email: 'weakling@example.org', password: 'weakling@example.org' });
    expect(many.statusCode).toBe(400);
    expect(many.json().issue.length).toBeGreaterThanOrEqual(1);
    expect(many.body).toContain('email address');
    await smtp.none('weak@example.org', 100);
    const count = await t.deps.db.query("select count(*)::int as n from user_account where email like 'weak%'");
    expect(count.rows[0]).toEqual({ n: 0 });
  });

  it('refuses malformed input with a 400 naming the field', async () => {
    const b = new TestBrowser(t.app);
    const res = await b.post('/api/accounts', { email: 'not-an-email', password: PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0]).toMatchObject({ code: 'invalid', expression: ['body.email'] });
  });

  it('refuses a verification link that is reused or expired', async () => {
    const b = new TestBrowser(t.app);
    await b.post('/api/accounts', { email: 'links@example.org', password: PASSWORD });
    const token = tokenFrom(await smtp.next('links@example.org'), '/verify-email');
    expect((await b.post('/api/accounts/verify-email', { token })).statusCode).toBe(204);
    const again = await b.post('/api/accounts/verify-email', { token });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('KB-TOKEN-INVALID');

    await b.post('/api/accounts', { email: 'late@example.org', password: PASSWORD });
    const late = tokenFrom(await smtp.next('late@example.org'), '/verify-email');
    clock.advance(25 * HOUR);
    const expired = await b.post('/api/accounts/verify-email', { token: late });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('KB-TOKEN-INVALID');
    // A new link can be asked for; the answer is the same for unknown addresses.
    const resend = await b.post('/api/accounts/verify-email/resend', { email: 'late@example.org' });
    const unknown = await b.post('/api/accounts/verify-email/resend', { email: 'nobody@example.org' });
    expect(resend.statusCode).toBe(202);
    expect(unknown.json()).toEqual(resend.json());
    const fresh = tokenFrom(await smtp.next('late@example.org'), '/verify-email');
    expect((await b.post('/api/accounts/verify-email', { token: fresh })).statusCode).toBe(204);
    await smtp.none('nobody@example.org', 50);
  });

  it('keeps only hashes of passwords and link tokens', async () => {
    const rows = await t.deps.db.query<{ password_hash: string }>("select password_hash from user_account where email = 'Rosa@Example.org'");
    expect(rows.rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    const tokens = await t.deps.db.query<{ token_hash: string }>('select token_hash from account_token');
    for (const r of tokens.rows) expect(r.token_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
