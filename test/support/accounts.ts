import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { createStaffUser, type StaffRole } from '@kennebec/server';
import type { TestServer } from './app.ts';
import { TestBrowser } from './browser.ts';
import { tokenFrom, type SmtpCapture } from './smtp.ts';

/** Steps the accounts tests share, each through the HTTP API as a browser would take them. */
export const TEST_PASSWORD = 'gulls circle the old lighthouse';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A clock the test moves by hand; give it to createTestServer({ clock }). */
export function testClock(start = '2030-03-01T09:00:00Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Signs up a patient and follows the emailed link, as they would. */
export async function signUpVerified(t: TestServer, smtp: SmtpCapture, email: string, password = TEST_PASSWORD): Promise<void> {
  const b = new TestBrowser(t.app);
  const res = await b.post('/api/accounts', { email, password });
  expect(res.statusCode, res.body).toBe(202);
  const token = tokenFrom(await smtp.next(email, /Confirm/), '/verify-email');
  const v = await b.post('/api/accounts/verify-email', { token });
  expect(v.statusCode, v.body).toBe(204);
}

export async function signedIn(t: TestServer, email: string, password = TEST_PASSWORD): Promise<TestBrowser> {
  const b = new TestBrowser(t.app);
  const res = await b.post('/api/session', { email, password });
  expect(res.statusCode, res.body).toBe(200);
  return b;
}

/**
 * The code an authenticator app shows for a base32 secret at a time: RFC 6238 with SHA-1,
 * 30-second steps, 6 digits. Written here independently of the server's implementation, so
 * tests check the server against the RFC rather than against itself.
 */
export function totpCode(secretBase32: string, at: Date): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * A staff user, created as an admin would (kennebec staff create), who has chosen a password
 * through the emailed link, signed in and enrolled an authenticator: a fully signed-in session.
 */
export async function signedInStaff(t: TestServer, user: { email: string; roles: readonly StaffRole[]; orgId?: string | null }): Promise<{ browser: TestBrowser; userId: string }> {
  const created = await createStaffUser({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: t.deps.clock.now() }, { email: user.email, roles: user.roles, orgId: user.orgId ?? null });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  const set = await new TestBrowser(t.app).post('/api/password/reset', { token, password: TEST_PASSWORD });
  expect(set.statusCode, set.body).toBe(204);
  const browser = await signedIn(t, user.email);
  const { secret } = (await browser.post('/api/mfa/totp/enrol')).json() as { secret: string };
  const confirmed = await browser.post('/api/mfa/totp/confirm', { code: totpCode(secret, t.deps.clock.now()) });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return { browser, userId: created.id };
}
