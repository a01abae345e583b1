import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, TestBrowser, type SmtpCapture, type TestServer, HOUR, MINUTE, TEST_PASSWORD as PASSWORD, signedIn, signUpVerified, testClock } from '@kennebec/test-support';
import { hashSecret } from './passwords/hash.ts';
import { createAccount } from './users.ts';

let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock();
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url } });
  await signUpVerified(t, smtp, 'pat@example.org');
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('sessions', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie, stored only as a hash', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'pat@example.org', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^kennebec_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(res.headers['cache-control']).toBe('no-store');
    const token = /kennebec_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    const stored = await t.deps.db.query('select 1 from user_session where token_hash = $1 or id = $1', [token]);
    expect(stored.rows).toEqual([]);
  });

  it('uses a __Host- Secure cookie when the server is served over HTTPS', async () => {
    const https = await createTestServer({ env: { BASE_URL: 'https://portal.example.org' } });
    try {
      await createAccount(https.deps.db, { kind: 'patient', email: 'tls@example.org', passwordHash: await hashSecret(PASSWORD), emailVerified: true }, new Date());
      const res = await https.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { origin: 'https://portal.example.org' },
        payload: { email: 'tls@example.org', password: PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(200);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-kennebec_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect((await https.app.inject({ method: 'GET', url: '/api/openapi.json' })).json().components.securitySchemes.session.name).toBe('__Host-kennebec_session');
    } finally {
      await https.close();
    }
  });

  it('gives a new session id at every sign-in and ends the one the browser had', async () => {
    const b = await signedIn(t, 'pat@example.org');
    const first = b.cookies.get('kennebec_session');
    const again = await b.post('/api/session', { email: 'pat@example.org', password: PASSWORD });
    expect(again.statusCode).toBe(200);
    expect(b.cookies.get('kennebec_session')).not.toBe(first);
    const stale = await t.app.inject({ method: 'GET', url: '/api/session', cookies: { kennebec_session: first ?? '' } });
    expect(stale.json().authenticated).toBe(false);
  });

  it('ends a session after 15 idle minutes, and keeps it alive while it is used', async () => {
    const b = await signedIn(t, 'pat@example.org');
    for (let i = 0; i < 4; i++) {
      clock.advance(14 * MINUTE);
      expect((await b.get('/api/sessions')).statusCode).toBe(200);
    }
    clock.advance(15 * MINUTE + 1000);
    const res = await b.get('/api/sessions');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('KB-SESSION-REQUIRED');
  });

  it('ends a session 12 hours after sign-in however busy it is', async () => {
    const b = await signedIn(t, 'pat@example.org');
    for (let elapsed = 0; elapsed < 12 * HOUR - 10 * MINUTE; elapsed += 10 * MINUTE) {
      clock.advance(10 * MINUTE);
      expect((await b.get('/api/sessions')).statusCode, `at ${elapsed / MINUTE} min`).toBe(200);
    }
    clock.advance(10 * MINUTE);
    expect((await b.get('/api/sessions')).statusCode).toBe(401);
  });

  it('refuses state-changing requests without the CSRF token, with a wrong one, or from another origin (403)', async () => {
    const b = await signedIn(t, 'pat@example.org');
    const token = b.csrf;
    b.csrf = undefined;
    const missing = await b.delete('/api/sessions?keep=current');
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('KB-CSRF');
    b.csrf = 'x'.repeat(43);
    expect((await b.delete('/api/sessions?keep=current')).statusCode).toBe(403);
    b.csrf = token;
    const foreign = await b.delete('/api/sessions?keep=current', { origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).toContain('KB-CSRF');
    const crossSite = await b.request('DELETE', '/api/sessions?keep=current', undefined, { origin: '', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    // Login CSRF: a sign-in posted from another site is refused too.
    const login = await t.app.inject({ method: 'POST', url: '/api/session', headers: { origin: 'https://evil.example' }, payload: { email: 'pat@example.org', password: PASSWORD } });
    expect(login.statusCode).toBe(403);
    expect((await b.delete('/api/sessions?keep=current')).statusCode).toBe(200);
  });

  it('lists my sessions and ends one, the others, or all of them', async () => {
    const a = await signedIn(t, 'pat@example.org');
    const b = await signedIn(t, 'pat@example.org');
    const c = await signedIn(t, 'pat@example.org');
    const list = (await a.get('/api/sessions')).json().sessions as { id: string; current: boolean }[];
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const bId = (await b.get('/api/session')).json().session.id as string;

    expect((await a.delete(`/api/sessions/${bId}`)).statusCode).toBe(204);
    expect((await b.get('/api/session')).json().authenticated).toBe(false);
    expect((await a.delete(`/api/sessions/${bId}`)).statusCode).toBe(404);

    const others = await a.delete('/api/sessions?keep=current');
    expect(others.statusCode).toBe(200);
    expect(others.json().ended).toBeGreaterThanOrEqual(1);
    expect((await c.get('/api/session')).json().authenticated).toBe(false);
    expect((await a.get('/api/session')).json().authenticated).toBe(true);

    const d = await signedIn(t, 'pat@example.org');
    const everywhere = await a.delete('/api/sessions');
    expect(everywhere.json().ended).toBe(2);
    for (const x of [a, d]) expect((await x.get('/api/session')).json().authenticated).toBe(false);
    expect(a.cookies.has('kennebec_session')).toBe(false);
  });

  it('signs out of this session only', async () => {
    const a = await signedIn(t, 'pat@example.org');
    const b = await signedIn(t, 'pat@example.org');
    expect((await a.delete('/api/session')).statusCode).toBe(204);
    expect((await a.get('/api/session')).json()).toEqual({ authenticated: false, signInMethods: ['password', 'passkey'] });
    expect((await b.get('/api/session')).json().authenticated).toBe(true);
  });

  it('removes sessions that ended unseen at the next sign-in', async () => {
    await signUpVerified(t, smtp, 'tidy@example.org');
    await signedIn(t, 'tidy@example.org');
    await signedIn(t, 'tidy@example.org');
    clock.advance(16 * MINUTE);
    await signedIn(t, 'tidy@example.org');
    const rows = await t.deps.db.query("select count(*)::int as n from user_session s join user_account u on u.id = s.user_id where u.email = 'tidy@example.org'");
    expect(rows.rows[0]).toEqual({ n: 1 });
  });

  it('never gives a signed-in user health data: the FHIR API does not take the session', async () => {
    const b = await signedIn(t, 'pat@example.org');
    const res = await b.get('/fhir/R4/Patient');
    expect(res.statusCode).toBe(401);
  });
});

describe('session without an account', () => {
  it('reports authenticated: false and the sign-in methods', async () => {
    const res = await new TestBrowser(t.app).get('/api/session');
    expect(res.json()).toEqual({ authenticated: false, signInMethods: ['password', 'passkey'] });
  });
});
