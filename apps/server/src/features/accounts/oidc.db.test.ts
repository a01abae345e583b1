import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServer,
  signedIn,
  signUpVerified,
  startOidcProvider,
  startSmtpCapture,
  TestBrowser,
  TEST_BASE_URL,
  type SmtpCapture,
  type TestOidcProvider,
  type TestServer,
} from '@kennebec/test-support';
import type { SecurityEvent } from './security-events.ts';

let t: TestServer;
let smtp: SmtpCapture;
let idp: TestOidcProvider;
const events: SecurityEvent[] = [];
const lastFailure = () => events.filter((e) => e.outcome === 'failure').at(-1)?.reason;
const CALLBACK = `${TEST_BASE_URL}/api/auth/oidc/callback`;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  idp = await startOidcProvider({
    redirectUri: CALLBACK,
    accounts: {
      'idp-alice': { email: 'alice@idp.example', email_verified: true, name: 'Alice Idp' },
      'idp-taken': { email: 'taken@example.org', email_verified: true },
      'idp-unverified': { email: 'loose@idp.example', email_verified: false },
      'idp-linker': { email: 'other-address@idp.example', email_verified: true },
    },
  });
  t = await createTestServer({ env: { SMTP_URL: smtp.url, ...idp.env }, securityEvents: { record: (e) => void events.push(e) } });
});
afterAll(async () => {
  await t.close();
  await idp.close();
  await smtp.close();
});

/** Starts sign-in in the browser; returns the provider URL it was sent to. */
async function start(b: TestBrowser, returnTo = '/portal'): Promise<string> {
  const res = await b.get(`/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`);
  expect(res.statusCode, res.body).toBe(302);
  const location = String(res.headers.location);
  expect(location.startsWith(`${idp.issuer}/`)).toBe(true);
  const url = new URL(location);
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  for (const p of ['state', 'nonce', 'code_challenge']) expect(url.searchParams.get(p)).toBeTruthy();
  return location;
}

/** The browser arrives back at our callback. */
function callback(b: TestBrowser, callbackUrl: string) {
  const u = new URL(callbackUrl);
  return b.get(`${u.pathname}${u.search}`);
}

describe('sign-in with an OpenID Connect provider', () => {
  it('signs in a new person, creating a patient account from their verified email, and again later', async () => {
    const b = new TestBrowser(t.app);
    expect((await b.get('/api/session')).json().signInMethods).toEqual(['password', 'passkey', 'oidc']);
    const back = await callback(b, await idp.authorize(await start(b), 'idp-alice'));
    expect(back.statusCode, back.body).toBe(302);
    expect(back.headers.location).toBe('/portal');
    const session = (await b.get('/api/session')).json();
    expect(session).toMatchObject({ authenticated: true, stage: 'full', session: { authMethod: 'oidc' }, user: { kind: 'patient', email: 'alice@idp.example', emailVerified: true, name: 'Alice Idp' } });

    const again = new TestBrowser(t.app);
    expect((await callback(again, await idp.authorize(await start(again), 'idp-alice'))).statusCode).toBe(302);
    expect((await again.get('/api/session')).json().user.id).toBe(session.user.id);
    const count = await t.deps.db.query("select count(*)::int as n from user_account where email = 'alice@idp.example'");
    expect(count.rows[0]).toEqual({ n: 1 });
  });

  it('refuses a callback whose state does not match the one this browser started', async () => {
    const b = new TestBrowser(t.app);
    const url = new URL(await idp.authorize(await start(b), 'idp-alice'));
    url.searchParams.set('state', 'forged-state');
    const res = await callback(b, url.href);
    expect(res.statusCode).toBe(400);
    expect(lastFailure()).toBe('OAUTH_INVALID_RESPONSE');
    expect(res.body).toContain('KB-OIDC-FAILED');
    expect(b.cookies.has('kennebec_session')).toBe(false);
  });

  it('refuses a code issued for another nonce (an injected authorization response)', async () => {
    const b = new TestBrowser(t.app);
    const authUrl = new URL(await start(b));
    authUrl.searchParams.set('nonce', 'attacker-nonce');
    const res = await callback(b, await idp.authorize(authUrl.href, 'idp-alice'));
    expect(res.statusCode).toBe(400);
    // State and PKCE match: the ID token's nonce claim is what fails.
    expect(lastFailure()).toBe('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    expect(res.body).toContain('KB-OIDC-FAILED');
    expect(b.cookies.has('kennebec_session')).toBe(false);
  });

  it('refuses a callback in a browser that did not start the sign-in', async () => {
    const starter = new TestBrowser(t.app);
    const cb = await idp.authorize(await start(starter), 'idp-alice');
    const victim = new TestBrowser(t.app);
    const res = await callback(victim, cb);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('started in another browser');
  });

  it('never joins an existing account by email; the owner must sign in and link', async () => {
    await signUpVerified(t, smtp, 'taken@example.org');
    const b = new TestBrowser(t.app);
    const res = await callback(b, await idp.authorize(await start(b), 'idp-taken'));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('already exists');
    expect(b.cookies.has('kennebec_session')).toBe(false);
  });

  it('creates nothing for an identity whose email the provider has not verified', async () => {
    const b = new TestBrowser(t.app);
    const res = await callback(b, await idp.authorize(await start(b), 'idp-unverified'));
    expect(res.statusCode).toBe(400);
    const rows = await t.deps.db.query("select 1 from user_account where email = 'loose@idp.example'");
    expect(rows.rows).toEqual([]);
  });

  it('links an external identity to the account of a signed-in user, who can then sign in with it', async () => {
    await signUpVerified(t, smtp, 'linker@example.org');
    const b = await signedIn(t, 'linker@example.org');
    const me = (await b.get('/api/session')).json().user.id as string;
    const res = await callback(b, await idp.authorize(await start(b, '/settings'), 'idp-linker'));
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe('/settings');
    expect((await b.get('/api/session')).json().user.id).toBe(me);

    const fresh = new TestBrowser(t.app);
    await callback(fresh, await idp.authorize(await start(fresh), 'idp-linker'));
    expect((await fresh.get('/api/session')).json()).toMatchObject({ authenticated: true, user: { id: me, email: 'linker@example.org' } });
  });

  it('refuses a returnTo that leaves the site', async () => {
    const b = new TestBrowser(t.app);
    for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      expect((await b.get(`/api/auth/oidc/start?returnTo=${encodeURIComponent(target)}`)).statusCode).toBe(400);
    }
  });
});
