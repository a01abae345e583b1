import { expect } from 'vitest';
import { TestBrowser, tokenFrom, type SmtpCapture, type TestServer } from '@kennebec/test-support';
import { base32Decode, totpAt } from './totp.ts';

/** Shared steps of the accounts tests, each through the HTTP API as a browser would take them. */
export const PASSWORD = 'gulls circle the old lighthouse';

export function testClock(start = '2030-03-01T09:00:00Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Signs up a patient and follows the emailed link, as they would. */
export async function signUpVerified(t: TestServer, smtp: SmtpCapture, email: string, password = PASSWORD): Promise<void> {
  const b = new TestBrowser(t.app);
  const res = await b.post('/api/accounts', { email, password });
  expect(res.statusCode, res.body).toBe(202);
  const token = tokenFrom(await smtp.next(email, /Confirm/), '/verify-email');
  const v = await b.post('/api/accounts/verify-email', { token });
  expect(v.statusCode, v.body).toBe(204);
}

export async function signedIn(t: TestServer, email: string, password = PASSWORD): Promise<TestBrowser> {
  const b = new TestBrowser(t.app);
  const res = await b.post('/api/session', { email, password });
  expect(res.statusCode, res.body).toBe(200);
  return b;
}

/** The TOTP code an authenticator app shows for this secret at this time. */
export function totpCode(secretBase32: string, at: Date): string {
  return totpAt(base32Decode(secretBase32), at);
}
