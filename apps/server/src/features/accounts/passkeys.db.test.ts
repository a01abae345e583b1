import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestServer,
  signedIn,
  signUpVerified,
  SoftwareAuthenticator,
  startSmtpCapture,
  TEST_PASSWORD as PASSWORD,
  TestBrowser,
  testClock,
  totpCode,
  type SmtpCapture,
  type TestServer,
} from '@kennebec/test-support';
import { hashSecret } from './passwords/hash.ts';
import { createAccount } from './users.ts';

/**
 * Passkeys end to end through the JSON API, with a software authenticator standing in for the
 * browser and the platform authenticator.
 */
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

async function register(b: TestBrowser, auth: SoftwareAuthenticator, name = 'Laptop', o: Parameters<SoftwareAuthenticator['create']>[1] = {}) {
  const options = await b.post('/api/passkeys/options');
  expect(options.statusCode, options.body).toBe(200);
  return b.post('/api/passkeys', { name, response: auth.create(options.json(), o) });
}

/** A verified patient, signed in, with one passkey. */
async function patientWithPasskey(email: string) {
  await signUpVerified(t, smtp, email);
  const b = await signedIn(t, email);
  const auth = new SoftwareAuthenticator();
  const added = await register(b, auth);
  expect(added.statusCode, added.body).toBe(201);
  await smtp.next(email, /passkey was added/);
  return { b, auth, passkey: added.json() as { id: string; name: string } };
}

/** Passwordless sign-in in a new browser; `tamper` may change the assertion. */
async function passkeySignIn(auth: SoftwareAuthenticator, o: Parameters<SoftwareAuthenticator['get']>[1] = {}, b = new TestBrowser(t.app)) {
  const options = await b.post('/api/session/passkey/options');
  expect(options.statusCode, options.body).toBe(200);
  const response = auth.get(options.json(), o);
  return { b, response, res: await b.post('/api/session/passkey', { response }) };
}

async function auditActions(userId: string): Promise<string[]> {
  await t.deps.audit.flush();
  const res = await t.deps.db.query<{ action: string; outcome: string }>(`select action, outcome from audit_entry where actor = $1 order by seq`, [`User/${userId}`]);
  return res.rows.map((r) => `${r.action}:${r.outcome}`);
}

async function staffAccount(email: string): Promise<string> {
  const id = await createAccount(t.deps.db, { kind: 'staff', email, passwordHash: await hashSecret(PASSWORD), emailVerified: true }, clock.now());
  await t.deps.db.query('insert into staff_member (user_id, org_id, roles) values ($1, null, $2::text[])', [id, ['hie-admin']]);
  return id;
}

describe('registering a passkey', () => {
  it('offers a discoverable credential with user verification for this server, and stores the verified key', async () => {
    await signUpVerified(t, smtp, 'reg@example.org');
    const b = await signedIn(t, 'reg@example.org');
    const options = (await b.post('/api/passkeys/options')).json();
    const userId = (await b.get('/api/session')).json().user.id as string;
    expect(options).toMatchObject({
      rp: { id: 'kennebec.test', name: 'Kennebec' },
      user: { id: Buffer.from(userId).toString('base64url'), name: 'reg@example.org' },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [],
    });
    expect(options.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-8, -7, -257]);

    const auth = new SoftwareAuthenticator();
    const response = auth.create(options);
    const added = await b.post('/api/passkeys', { name: 'Work laptop', response });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ name: 'Work laptop', lastUsedAt: null, transports: ['internal', 'hybrid'], backedUp: false });
    expect((await smtp.next('reg@example.org', /passkey was added/)).text).not.toContain('Work laptop');

    const row = await t.deps.db.query<{ credential_id: string; public_key: Uint8Array; sign_count: number | string; user_id: string }>('select * from passkey where user_id = $1', [userId]);
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0]?.credential_id).toBe(response.id);
    expect(Buffer.from(row.rows[0]?.public_key ?? [])[0]).toBe(0xa5); // a COSE_Key: a CBOR map of 5 entries
    expect(Number(row.rows[0]?.sign_count)).toBe(0);

    const list = (await b.get('/api/passkeys')).json();
    expect(list.passkeys).toEqual([added.json()]);
    expect((await b.get('/api/session')).json().user.mfa).toEqual({ totp: false, recoveryCodesLeft: 0, passkeys: 1 });
    // The next options exclude it, and presenting it again is refused.
    const next = (await b.post('/api/passkeys/options')).json();
    expect(next.excludeCredentials).toEqual([expect.objectContaining({ id: response.id })]);
    const again = await b.post('/api/passkeys', { response: auth.create(next, { reuse: auth.credentials[0] }) });
    expect(again.statusCode).toBe(400);
    expect(again.body).toMatch(/already registered/);
    expect(auditActionsFor(await auditActions(userId))).toEqual(['passkey.added:success', 'passkey.added:denied']);
  });

  it('refuses a credential made for another origin or challenge, without user verification, or without options first', async () => {
    await signUpVerified(t, smtp, 'reg-bad@example.org');
    const b = await signedIn(t, 'reg-bad@example.org');
    const auth = new SoftwareAuthenticator();
    const cases: [Parameters<SoftwareAuthenticator['create']>[1], RegExp][] = [
      [{ origin: 'https://kennebec.test.evil.example' }, /another site/],
      [{ challenge: Buffer.from('not the challenge').toString('base64url') }, /another challenge/],
      [{ type: 'webauthn.get' }, /expected kind/],
      [{ rpId: 'evil.example' }, /could not be verified/],
      [{ noUserVerification: true }, /verify the user/],
    ];
    for (const [o, why] of cases) {
      const res = await register(b, auth, 'x', o);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.body).toContain('KB-PASSKEY-REJECTED');
      expect(res.body).toMatch(why);
    }
    // No options asked for (or the last ones already answered): nothing to answer.
    const options = (await b.post('/api/passkeys/options')).json();
    expect((await b.post('/api/passkeys', { response: auth.create(options) })).statusCode).toBe(201);
    const replay = await b.post('/api/passkeys', { response: auth.create(options) });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toMatch(/No passkey challenge/);
    expect((await b.get('/api/passkeys')).json().passkeys).toHaveLength(1);
  });

  it('needs a session and its CSRF token, and refuses patients still at the second-factor prompt', async () => {
    const anon = new TestBrowser(t.app);
    expect((await anon.post('/api/passkeys/options')).statusCode).toBe(401);
    expect((await anon.get('/api/passkeys')).statusCode).toBe(401);
    const { b } = await patientWithPasskey('csrf@example.org');
    const noToken = await b.post('/api/passkeys/options', {}, { 'x-csrf-token': 'nope' });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.body).toContain('KB-CSRF');
  });

  it('expires the options after 5 minutes', async () => {
    await signUpVerified(t, smtp, 'slow@example.org');
    const b = await signedIn(t, 'slow@example.org');
    const options = (await b.post('/api/passkeys/options')).json();
    clock.advance(5 * 60_000);
    await b.get('/api/session'); // keep the session alive
    const late = await b.post('/api/passkeys', { response: new SoftwareAuthenticator().create(options) });
    expect(late.statusCode).toBe(400);
    expect(late.body).toMatch(/No passkey challenge/);
  });
});

function auditActionsFor(actions: string[]): string[] {
  return actions.filter((a) => a.startsWith('passkey.'));
}

describe('a passkey as the second factor', () => {
  it("completes a patient's mfa-verify session instead of a TOTP code, and records the use", async () => {
    const { b, auth, passkey } = await patientWithPasskey('second@example.org');
    const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
    expect((await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);

    const s = await signedIn(t, 'second@example.org');
    const session = (await s.get('/api/session')).json();
    expect(session.stage).toBe('mfa-verify');
    expect(session.user.mfa.passkeys).toBe(1);
    const options = await s.post('/api/session/mfa/passkey/options');
    expect(options.statusCode, options.body).toBe(200);
    expect(options.json()).toMatchObject({ rpId: 'kennebec.test', userVerification: 'preferred', allowCredentials: [{ id: auth.credentials[0]?.id, type: 'public-key' }] });
    clock.advance(1000);
    const done = await s.post('/api/session/mfa/passkey', { response: auth.get(options.json(), { noUserVerification: true }) });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ stage: 'full', session: { authMethod: 'password' } });
    expect((await s.get('/api/sessions')).statusCode).toBe(200);
    const listed = (await s.get('/api/passkeys')).json().passkeys[0];
    expect(listed).toMatchObject({ id: passkey.id, lastUsedAt: clock.now().toISOString() });
    // Once full, the prompt is gone.
    expect((await s.post('/api/session/mfa/passkey/options')).statusCode).toBe(422);
  });

  it("refuses another user's passkey, a reused challenge, and a passkey-less account", async () => {
    const alice = await patientWithPasskey('alice2f@example.org');
    const bob = await patientWithPasskey('bob2f@example.org');
    const { secret } = (await alice.b.post('/api/mfa/totp/enrol')).json() as { secret: string };
    expect((await alice.b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);

    const s = await signedIn(t, 'alice2f@example.org');
    const options = (await s.post('/api/session/mfa/passkey/options')).json();
    // Bob's authenticator answers Alice's challenge with Bob's credential.
    const foreign = await s.post('/api/session/mfa/passkey', { response: bob.auth.get(options, { credential: bob.auth.credentials[0] }) });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toMatch(/not registered to the account/);
    expect((await s.get('/api/session')).json().stage).toBe('mfa-verify');
    // That attempt used the challenge up: Alice's own right answer to it now fails too.
    const reused = await s.post('/api/session/mfa/passkey', { response: alice.auth.get(options) });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toMatch(/No passkey challenge/);
    const fresh = (await s.post('/api/session/mfa/passkey/options')).json();
    const ok = await s.post('/api/session/mfa/passkey', { response: alice.auth.get(fresh) });
    expect(ok.statusCode, ok.body).toBe(200);

    // A challenge belongs to the session that asked for it.
    // An account without a passkey is not offered one.
    await signUpVerified(t, smtp, 'carol2f@example.org');
    const carol = await signedIn(t, 'carol2f@example.org');
    const carolTotp = (await carol.post('/api/mfa/totp/enrol')).json() as { secret: string };
    expect((await carol.post('/api/mfa/totp/confirm', { code: totpCode(carolTotp.secret, clock.now()) })).statusCode).toBe(200);
    const plain = await signedIn(t, 'carol2f@example.org');
    const none = await plain.post('/api/session/mfa/passkey/options');
    expect(none.statusCode).toBe(422);
    expect(none.body).toMatch(/no passkey/);

    const s2 = await signedIn(t, 'alice2f@example.org');
    const s3 = await signedIn(t, 'alice2f@example.org');
    const opts2 = (await s2.post('/api/session/mfa/passkey/options')).json();
    const elsewhere = await s3.post('/api/session/mfa/passkey', { response: alice.auth.get(opts2) });
    expect(elsewhere.statusCode).toBe(400);
  });

  it('lets staff use a passkey as their second factor: enrolled at mfa-enrol, then asked for at each password sign-in', async () => {
    const staffId = await staffAccount('pk.staff@example.org');
    const b = await signedIn(t, 'pk.staff@example.org');
    expect((await b.get('/api/session')).json().stage).toBe('mfa-enrol');
    const auth = new SoftwareAuthenticator();
    const added = await register(b, auth, 'Security key');
    expect(added.statusCode, added.body).toBe(201);
    expect((await b.get('/api/session')).json().stage).toBe('full');

    const again = await signedIn(t, 'pk.staff@example.org');
    expect((await again.get('/api/session')).json().stage).toBe('mfa-verify');
    const options = (await again.post('/api/session/mfa/passkey/options')).json();
    expect((await again.post('/api/session/mfa/passkey', { response: auth.get(options) })).statusCode).toBe(200);

    // The last second factor of a staff account stays.
    const gone = await again.delete(`/api/passkeys/${added.json().id}`);
    expect(gone.statusCode).toBe(403);
    expect(auditActionsFor(await auditActions(staffId))).toEqual(['passkey.added:success']);
  });
});

describe('passwordless sign-in with a passkey', () => {
  // Failed passkey sign-ins count against the client address, the same for every test here:
  // an hour without failures forgets them.
  beforeEach(() => clock.advance(61 * 60_000));

  it('signs in with a discoverable credential and user verification, as a multi-factor sign-in', async () => {
    const { auth } = await patientWithPasskey('nopw@example.org');
    const b = new TestBrowser(t.app);
    const options = await b.post('/api/session/passkey/options');
    expect(options.statusCode).toBe(200);
    expect(options.json()).toMatchObject({ rpId: 'kennebec.test', userVerification: 'required' });
    expect(options.json().allowCredentials ?? []).toEqual([]);
    expect(String(options.headers['set-cookie'])).toMatch(/^kennebec_passkey=[A-Za-z0-9_-]{43};.*HttpOnly.*SameSite=Strict/);
    const res = await b.post('/api/session/passkey', { response: auth.get(options.json()) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ authenticated: true, stage: 'full', user: { email: 'nopw@example.org' }, session: { authMethod: 'passkey' } });
    expect((await b.get('/api/sessions')).json().sessions.find((x: { current: boolean }) => x.current)).toMatchObject({ authMethod: 'passkey' });
    const userId = res.json().user.id as string;
    expect(await auditActions(userId)).toContain('sign-in:success');
  });

  it('satisfies the MFA requirement of staff', async () => {
    await staffAccount('pk.nopw.staff@example.org');
    const b = await signedIn(t, 'pk.nopw.staff@example.org');
    const auth = new SoftwareAuthenticator();
    expect((await register(b, auth)).statusCode).toBe(201);
    const { res } = await passkeySignIn(auth);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ stage: 'full', user: { kind: 'staff' } });
  });

  it('refuses a wrong origin, a wrong challenge, no user verification, and a missing or foreign user handle', async () => {
    const alice = await patientWithPasskey('alice.nopw@example.org');
    const bob = await patientWithPasskey('bob.nopw@example.org');
    const bobHandle = bob.auth.credentials[0]?.userHandle ?? '';
    const cases: [Parameters<SoftwareAuthenticator['get']>[1], RegExp][] = [
      [{ origin: 'https://evil.example' }, /another site/],
      [{ challenge: Buffer.from('an old challenge').toString('base64url') }, /another challenge/],
      [{ type: 'webauthn.create' }, /expected kind/],
      [{ rpId: 'evil.example' }, /could not be verified/],
      [{ noUserVerification: true }, /verify the user/],
      [{ userHandle: null }, /not registered to the account/],
      [{ userHandle: bobHandle }, /not registered to the account/],
    ];
    for (const [o, why] of cases) {
      const { res } = await passkeySignIn(alice.auth, o);
      expect(res.statusCode, JSON.stringify(o)).toBe(400);
      expect(res.body).toContain('KB-PASSKEY-REJECTED');
      expect(res.body).toMatch(why);
    }
  });

  it('uses each challenge once, only in the browser that asked, and only for 5 minutes', async () => {
    const { auth } = await patientWithPasskey('once@example.org');
    const { b, response, res } = await passkeySignIn(auth);
    expect(res.statusCode).toBe(200);
    // The same assertion again, from the same browser: its challenge is gone.
    const replay = await b.post('/api/session/passkey', { response });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toMatch(/No passkey challenge/);

    // Options asked for in one browser, answered from another.
    const asker = new TestBrowser(t.app);
    const options = (await asker.post('/api/session/passkey/options')).json();
    const other = new TestBrowser(t.app);
    expect((await other.post('/api/session/passkey', { response: auth.get(options) })).statusCode).toBe(400);
    await other.post('/api/session/passkey/options');
    expect((await other.post('/api/session/passkey', { response: auth.get(options) })).statusCode).toBe(400);

    const late = new TestBrowser(t.app);
    const lateOptions = (await late.post('/api/session/passkey/options')).json();
    clock.advance(5 * 60_000 + 1);
    const tooLate = await late.post('/api/session/passkey', { response: auth.get(lateOptions) });
    expect(tooLate.statusCode).toBe(400);
    expect(tooLate.body).toMatch(/No passkey challenge/);
  });

  it('refuses an assertion whose signature counter went backwards, and records it', async () => {
    const { auth } = await patientWithPasskey('clone@example.org');
    expect((await passkeySignIn(auth, { signCount: 7 })).res.statusCode).toBe(200);
    const copy = await passkeySignIn(auth, { signCount: 3 });
    expect(copy.res.statusCode).toBe(400);
    expect(copy.res.body).toMatch(/counter went backwards/);
    // Equal is not enough either.
    expect((await passkeySignIn(auth, { signCount: 7 })).res.statusCode).toBe(400);
    const row = await t.deps.db.query<{ sign_count: number | string; user_id: string }>('select sign_count, user_id from passkey where credential_id = $1', [auth.credentials[0]?.id]);
    expect(Number(row.rows[0]?.sign_count)).toBe(7);
    expect((await passkeySignIn(auth, { signCount: 8 })).res.statusCode).toBe(200);
    const actions = await auditActions(row.rows[0]?.user_id ?? '');
    expect(actions.filter((a) => a.startsWith('passkey.sign-count'))).toEqual(['passkey.sign-count-regressed:denied', 'passkey.sign-count-regressed:denied']);
    // The password sign-in that added the passkey, then the passkey sign-ins.
    expect(actions.filter((a) => a.startsWith('sign-in'))).toEqual(['sign-in:success', 'sign-in:success', 'sign-in-failed:denied', 'sign-in-failed:denied', 'sign-in:success']);
  });

  it('accepts authenticators that keep no counter (always 0)', async () => {
    const { auth } = await patientWithPasskey('nocounter@example.org');
    expect((await passkeySignIn(auth, { signCount: 0 })).res.statusCode).toBe(200);
    expect((await passkeySignIn(auth, { signCount: 0 })).res.statusCode).toBe(200);
  });

  it('refuses an unknown credential, and locks the client address after 20 failures', async () => {
    const stranger = new SoftwareAuthenticator();
    stranger.create({ challenge: 'x', rp: { id: 'kennebec.test' }, user: { id: Buffer.from('nobody').toString('base64url') } });
    for (let i = 0; i < 20; i++) {
      const { res } = await passkeySignIn(stranger);
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/not registered/);
    }
    const { res } = await passkeySignIn(stranger);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
    clock.advance(61 * 60_000);
    expect((await passkeySignIn(stranger)).res.statusCode).toBe(400);
    clock.advance(61 * 60_000);
  });
});

describe('managing passkeys', () => {
  it('renames and removes my passkeys; a removed passkey no longer signs in', async () => {
    const { b, auth, passkey } = await patientWithPasskey('manage@example.org');
    const renamed = await b.request('PATCH', `/api/passkeys/${passkey.id}`, { name: '  Phone  ' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().name).toBe('Phone');
    expect((await b.request('PATCH', `/api/passkeys/${passkey.id}`, { name: '' })).statusCode).toBe(400);

    const removed = await b.delete(`/api/passkeys/${passkey.id}`);
    expect(removed.statusCode).toBe(204);
    expect((await b.get('/api/passkeys')).json().passkeys).toEqual([]);
    expect((await b.delete(`/api/passkeys/${passkey.id}`)).statusCode).toBe(404);
    const { res } = await passkeySignIn(auth);
    expect(res.statusCode).toBe(400);
    const userId = (await b.get('/api/session')).json().user.id as string;
    expect(auditActionsFor(await auditActions(userId))).toEqual(['passkey.added:success', 'passkey.renamed:success', 'passkey.removed:success']);
  });

  it("cannot see, rename or remove another user's passkey", async () => {
    const alice = await patientWithPasskey('alice.m@example.org');
    const bob = await patientWithPasskey('bob.m@example.org');
    expect((await alice.b.get('/api/passkeys')).json().passkeys.map((p: { id: string }) => p.id)).toEqual([alice.passkey.id]);
    expect((await alice.b.request('PATCH', `/api/passkeys/${bob.passkey.id}`, { name: 'mine now' })).statusCode).toBe(404);
    expect((await alice.b.delete(`/api/passkeys/${bob.passkey.id}`)).statusCode).toBe(404);
    expect((await bob.b.get('/api/passkeys')).json().passkeys).toEqual([expect.objectContaining({ id: bob.passkey.id, name: 'Laptop' })]);
  });
});
