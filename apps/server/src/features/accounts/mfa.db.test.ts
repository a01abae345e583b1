import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, TestBrowser, type SmtpCapture, type TestServer, TEST_PASSWORD as PASSWORD, signedIn, signUpVerified, testClock, totpCode } from '@kennebec/test-support';

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

/** Signs up, signs in and enrols TOTP; returns the browser, the secret and the recovery codes. */
async function enrolled(email: string) {
  await signUpVerified(t, smtp, email);
  const b = await signedIn(t, email);
  const enrol = await b.post('/api/mfa/totp/enrol');
  expect(enrol.statusCode, enrol.body).toBe(200);
  const { secret, otpauthUri } = enrol.json() as { secret: string; otpauthUri: string };
  expect(otpauthUri).toContain(`secret=${secret}`);
  const confirm = await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) });
  expect(confirm.statusCode, confirm.body).toBe(200);
  // Two steps on: the confirming code's step is behind us, the one before now is unused.
  clock.advance(60_000);
  return { b, secret, recoveryCodes: confirm.json().recoveryCodes as string[] };
}

describe('TOTP second factor', () => {
  it('enrols only after a first code confirms the secret, and stores the secret sealed', async () => {
    await signUpVerified(t, smtp, 'enrol@example.org');
    const b = await signedIn(t, 'enrol@example.org');
    const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
    const wrong = await b.post('/api/mfa/totp/confirm', { code: '000000' === totpCode(secret, clock.now()) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('KB-CODE-INVALID');
    expect((await b.get('/api/session')).json().user.mfa.totp).toBe(false);

    const ok = await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) });
    expect(ok.statusCode).toBe(200);
    const codes = ok.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect((await b.get('/api/session')).json().user.mfa).toEqual({ totp: true, recoveryCodesLeft: 10, passkeys: 0 });
    expect((await b.post('/api/mfa/totp/enrol')).statusCode).toBe(422);

    const row = await t.deps.db.query<{ secret_sealed: string }>('select secret_sealed from mfa_totp t join user_account u on u.id = t.user_id where u.email = $1', ['enrol@example.org']);
    expect(row.rows[0]?.secret_sealed).toMatch(/^v1\./);
    expect(row.rows[0]?.secret_sealed).not.toContain(secret);
    const hashes = await t.deps.db.query<{ code_hash: string }>('select code_hash from mfa_recovery_code');
    for (const h of hashes.rows) expect(h.code_hash).toMatch(/^\$argon2id\$/);
  });

  it('asks for a code at the next sign-in, accepts one step of drift, and refuses a replayed code', async () => {
    const { secret } = await enrolled('verify@example.org');
    const b = await signedIn(t, 'verify@example.org');
    expect((await b.get('/api/session')).json().stage).toBe('mfa-verify');
    const blocked = await b.get('/api/sessions');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.body).toContain('KB-MFA-REQUIRED');

    // A code from the previous 30 s step still works (clock drift).
    const code = totpCode(secret, new Date(clock.now().getTime() - 30_000));
    const ok = await b.post('/api/session/mfa', { code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().stage).toBe('full');
    expect((await b.get('/api/sessions')).statusCode).toBe(200);

    // The same code again, in another sign-in, is refused.
    const other = await signedIn(t, 'verify@example.org');
    const replay = await other.post('/api/session/mfa', { code });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('KB-CODE-INVALID');
    // So is a code two steps away.
    const stale = await other.post('/api/session/mfa', { code: totpCode(secret, new Date(clock.now().getTime() - 90_000)) });
    expect(stale.statusCode).toBe(400);
    clock.advance(30_000);
    expect((await other.post('/api/session/mfa', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
  });

  it('accepts each recovery code once, and renewing them voids the old ones', async () => {
    const { secret, recoveryCodes } = await enrolled('recover@example.org');
    const b = await signedIn(t, 'recover@example.org');
    const first = recoveryCodes[0] as string;
    const used = await b.post('/api/session/mfa', { recoveryCode: first.toUpperCase() });
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json().user.mfa.recoveryCodesLeft).toBe(9);

    const again = await signedIn(t, 'recover@example.org');
    expect((await again.post('/api/session/mfa', { recoveryCode: first })).statusCode).toBe(400);
    expect((await again.post('/api/session/mfa', { code: '123456', recoveryCode: first })).statusCode).toBe(400);

    const renewed = await b.post('/api/mfa/recovery-codes', { code: totpCode(secret, clock.now()) });
    expect(renewed.statusCode, renewed.body).toBe(200);
    expect((await again.post('/api/session/mfa', { recoveryCode: recoveryCodes[1] })).statusCode).toBe(400);
    expect((await again.post('/api/session/mfa', { recoveryCode: renewed.json().recoveryCodes[0] })).statusCode).toBe(200);
  });

  it('locks code entry after 5 wrong codes', async () => {
    const { secret } = await enrolled('brute@example.org');
    const b = await signedIn(t, 'brute@example.org');
    const right = totpCode(secret, clock.now());
    const wrongCode = right === '999999' ? '999998' : '999999';
    for (let i = 0; i < 5; i++) expect((await b.post('/api/session/mfa', { code: wrongCode })).statusCode).toBe(400);
    const locked = await b.post('/api/session/mfa', { code: right });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('30');
  });

  it('lets a patient turn TOTP off with a current code, after which sign-in needs no code', async () => {
    const { b, secret } = await enrolled('optout@example.org');
    expect((await b.request('DELETE', '/api/mfa/totp', { code: '000000' })).statusCode).toBe(400);
    clock.advance(30_000);
    const off = await b.request('DELETE', '/api/mfa/totp', { code: totpCode(secret, clock.now()) });
    expect(off.statusCode, off.body).toBe(204);
    expect((await signedIn(t, 'optout@example.org').then((x) => x.get('/api/session'))).json().stage).toBe('full');
  });

  it('needs a session for every MFA route', async () => {
    const anon = new TestBrowser(t.app);
    expect((await anon.post('/api/mfa/totp/enrol')).statusCode).toBe(401);
    expect((await anon.post('/api/session/mfa', { code: '123456' })).statusCode).toBe(401);
    expect(PASSWORD).toBeTruthy();
  });
});
