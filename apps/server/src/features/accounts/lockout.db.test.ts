import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, type SmtpCapture, type TestServer, TEST_PASSWORD as PASSWORD, signUpVerified, testClock } from '@kennebec/test-support';
import type { SecurityEvent } from './security-events.ts';

let t: TestServer;
let smtp: SmtpCapture;
const clock = testClock();
const events: SecurityEvent[] = [];
beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url }, securityEvents: { record: (e) => void events.push(e) } });
  await signUpVerified(t, smtp, 'victim@example.org');
  await signUpVerified(t, smtp, 'bystander@example.org');
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

let ipCounter = 1;
/** A sign-in from a fresh address unless one is given, so that only the per-account count applies. */
function attempt(email: string, password: string, ip = `203.0.113.${ipCounter++ % 250}`) {
  return t.app.inject({ method: 'POST', url: '/api/session', remoteAddress: ip, payload: { email, password } });
}
const shape = (r: Awaited<ReturnType<typeof attempt>>) => ({ status: r.statusCode, body: r.body.replace(/"requestId":"[^"]*"/, ''), retryAfter: r.headers['retry-after'] });

describe('failed sign-in throttling', () => {
  it('locks an account name after 5 failures, the same way whether or not the account exists', async () => {
    const known: ReturnType<typeof shape>[] = [];
    const unknown: ReturnType<typeof shape>[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(shape(await attempt('victim@example.org', `wrong guess number ${i}!`)));
      unknown.push(shape(await attempt('ghost@example.org', `wrong guess number ${i}!`)));
    }
    // The right password is refused while locked: a guess cannot be confirmed during the lock.
    known.push(shape(await attempt('victim@example.org', PASSWORD)));
    unknown.push(shape(await attempt('ghost@example.org', PASSWORD)));
    expect(known.map((k) => k.status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(unknown).toEqual(known);
    expect(known[0]?.body).toContain('KB-SIGN-IN-FAILED');
    expect(known[5]?.body).toContain('KB-THROTTLED');
    expect(known[5]?.retryAfter).toBe('30');

    clock.advance(31_000);
    expect((await attempt('victim@example.org', PASSWORD)).statusCode).toBe(200);
  });

  it('doubles the lock with every further failure, up to 15 minutes', async () => {
    const waits: string[] = [];
    let failures = 0;
    while (waits.length < 8) {
      const r = await attempt('ghost2@example.org', 'not the password at all');
      if (r.statusCode === 401) failures++;
      else {
        waits.push(String(r.headers['retry-after']));
        clock.advance(Number(r.headers['retry-after']) * 1000 + 1000);
      }
    }
    expect(failures).toBe(12);
    expect(waits.slice(0, 6)).toEqual(['30', '60', '120', '240', '480', '900']);
    expect(waits[waits.length - 1]).toBe('900');
  });

  it('locks a client address after 20 failures on any names, without locking those accounts elsewhere', async () => {
    const scanner = '198.51.100.7';
    for (let i = 0; i < 20; i++) expect((await attempt(`scan${i}@example.org`, 'not the password at all', scanner)).statusCode).toBe(401);
    const blocked = await attempt('bystander@example.org', PASSWORD, scanner);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBe(60);
    expect((await attempt('bystander@example.org', PASSWORD, '198.51.100.8')).statusCode).toBe(200);
    // IPv6 clients are counted by /64.
    for (let i = 0; i < 20; i++) await attempt(`v6scan${i}@example.org`, 'not the password at all', `2001:db8:7:7::${i + 1}`);
    expect((await attempt('bystander@example.org', PASSWORD, '2001:db8:7:7:ffff::1')).statusCode).toBe(429);
  });

  it('takes about as long for an unknown address as for a wrong password', async () => {
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      await attempt(email, 'definitely not the password');
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await signUpVerified(t, smtp, 'timing@example.org');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await time('timing@example.org'));
      unknown.push(await time(`nobody${i}@example.org`));
      clock.advance(16 * 60_000);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const ratio = median(unknown) / median(known);
    console.log(`failed sign-in median: known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('records security events that name no email address, with the client address only where the audit trail reads it', async () => {
    const failures = events.filter((e) => e.type === 'sign-in' && e.outcome === 'failure');
    expect(failures.some((e) => e.reason === 'unknown-account' && e.userId === undefined)).toBe(true);
    expect(failures.some((e) => e.reason === 'wrong-password' && typeof e.userId === 'string')).toBe(true);
    expect(events.some((e) => e.type === 'sign-in' && e.outcome === 'throttled')).toBe(true);
    const text = JSON.stringify(events);
    expect(text).not.toMatch(/@example\.org/);
    expect(failures.every((e) => typeof e.clientIp === 'string' && e.clientIp.length > 0)).toBe(true);
    const withoutAddress = JSON.stringify(events.map(({ clientIp: _ip, userAgent: _ua, ...rest }) => rest));
    expect(withoutAddress).not.toMatch(/203\.0\.113|198\.51\.100/);
  });
});
