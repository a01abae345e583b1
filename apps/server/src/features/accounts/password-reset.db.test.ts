import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, tokenFrom, TestBrowser, type SmtpCapture, type TestServer, HOUR, MINUTE, TEST_PASSWORD as PASSWORD, signedIn, signUpVerified, testClock } from '@kennebec/test-support';

let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock();
const NEW_PASSWORD = 'seven herons on the frozen river';
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('password reset by email', () => {
  it('answers the same for unknown addresses and sends them nothing', async () => {
    await signUpVerified(t, smtp, 'known@example.org');
    const b = new TestBrowser(t.app);
    const known = await b.post('/api/password/forgot', { email: 'known@example.org' });
    const unknown = await b.post('/api/password/forgot', { email: 'unknown@example.org' });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    expect(unknown.headers['content-length']).toBe(known.headers['content-length']);
    await smtp.next('known@example.org', /Reset/);
    await smtp.none('unknown@example.org', 100);
  });

  it('sets the new password, ends every session, and refuses the link a second time', async () => {
    await signUpVerified(t, smtp, 'reset@example.org');
    const laptop = await signedIn(t, 'reset@example.org');
    const phone = await signedIn(t, 'reset@example.org');
    clock.advance(2 * MINUTE);
    await new TestBrowser(t.app).post('/api/password/forgot', { email: 'reset@example.org' });
    const token = tokenFrom(await smtp.next('reset@example.org', /Reset/), '/reset-password');

    const weak = await new TestBrowser(t.app).post('/api/password/reset', { token, password: '12345678' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain('KB-PASSWORD-REJECTED');

    const done = await new TestBrowser(t.app).post('/api/password/reset', { token, password: NEW_PASSWORD });
    expect(done.statusCode, done.body).toBe(204);
    for (const b of [laptop, phone]) {
      const s = await b.get('/api/session');
      expect(s.json().authenticated).toBe(false);
    }
    expect((await new TestBrowser(t.app).post('/api/session', { email: 'reset@example.org', password: PASSWORD })).statusCode).toBe(401);
    expect((await new TestBrowser(t.app).post('/api/session', { email: 'reset@example.org', password: NEW_PASSWORD })).statusCode).toBe(200);

    const reused = await new TestBrowser(t.app).post('/api/password/reset', { token, password: 'yet another long passphrase' });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain('KB-TOKEN-INVALID');
  });

  it('refuses an expired link (one hour), and an older link once a newer one was used', async () => {
    await signUpVerified(t, smtp, 'expiry@example.org');
    const b = new TestBrowser(t.app);
    await b.post('/api/password/forgot', { email: 'expiry@example.org' });
    const first = tokenFrom(await smtp.next('expiry@example.org', /Reset/), '/reset-password');
    clock.advance(HOUR + MINUTE);
    const expired = await b.post('/api/password/reset', { token: first, password: NEW_PASSWORD });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain('KB-TOKEN-INVALID');

    await b.post('/api/password/forgot', { email: 'expiry@example.org' });
    const second = tokenFrom(await smtp.next('expiry@example.org', /Reset/), '/reset-password');
    clock.advance(2 * MINUTE);
    await b.post('/api/password/forgot', { email: 'expiry@example.org' });
    const third = tokenFrom(await smtp.next('expiry@example.org', /Reset/), '/reset-password');
    expect((await b.post('/api/password/reset', { token: third, password: NEW_PASSWORD })).statusCode).toBe(204);
    expect((await b.post('/api/password/reset', { token: second, password: 'yet another long passphrase' })).statusCode).toBe(400);
  });

  it('sends at most one reset mail a minute to an address', async () => {
    await signUpVerified(t, smtp, 'flood@example.org');
    const b = new TestBrowser(t.app);
    for (let i = 0; i < 3; i++) expect((await b.post('/api/password/forgot', { email: 'flood@example.org' })).statusCode).toBe(202);
    await smtp.next('flood@example.org', /Reset/);
    await smtp.none('flood@example.org', 200);
  });

  it('changes the password with the current one, ending the other sessions and telling the owner', async () => {
    await signUpVerified(t, smtp, 'change@example.org');
    const here = await signedIn(t, 'change@example.org');
    const there = await signedIn(t, 'change@example.org');
    const wrong = await here.post('/api/account/password', { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD });
    expect(wrong.statusCode).toBe(401);
    const res = await here.post('/api/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.statusCode, res.body).toBe(204);
    expect((await here.get('/api/session')).json().authenticated).toBe(true);
    expect((await there.get('/api/session')).json().authenticated).toBe(false);
    await smtp.next('change@example.org', /password was changed/);
  });

  it('stops mailing one address after five anonymous account mails, silently, and slows down a flooding client', async () => {
    await signUpVerified(t, smtp, 'flooded@example.org');
    const b = new TestBrowser(t.app);
    const answers = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(2 * MINUTE);
      answers.push(await b.post('/api/password/forgot', { email: 'flooded@example.org' }));
    }
    expect(answers.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(answers.map((r) => r.body)).size).toBe(1);
    // The confirmation mail and four resets make five; the fifth and sixth resets are not sent.
    for (let i = 0; i < 4; i++) await smtp.next('flooded@example.org', /Reset/);
    await smtp.none('flooded@example.org', 200);
    clock.advance(2 * HOUR);
    await b.post('/api/password/forgot', { email: 'flooded@example.org' });
    await smtp.next('flooded@example.org', /Reset/);
    // One client asking for mail to many addresses is told to wait.
    const statuses: number[] = [];
    for (let i = 0; i < 52; i++) statuses.push((await b.post('/api/password/forgot', { email: `stranger${i}@example.org` })).statusCode);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, 40).every((s) => s === 202)).toBe(true);
  });
});
