import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, tokenFrom, TestBrowser, TEST_PASSWORD, type SmtpCapture, type TestServer } from '@kennebec/test-support';
import { createLogger } from '../../logger.ts';

let t: TestServer;
let smtp: SmtpCapture;
const lines: string[] = [];
beforeAll(async () => {
  smtp = await startSmtpCapture();
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  t = await createTestServer({ env: { SMTP_URL: smtp.url }, logger: createLogger('debug', sink) });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('account logs', () => {
  it('record security events by account id, never an email address, password, token or client address', async () => {
    const b = new TestBrowser(t.app);
    await b.post('/api/accounts', { email: 'quiet.person@example.org', password: TEST_PASSWORD });
    const token = tokenFrom(await smtp.next('quiet.person@example.org'), '/verify-email');
    await b.post('/api/accounts/verify-email', { token });
    await b.post('/api/session', { email: 'quiet.person@example.org', password: 'wrong wrong wrong wrong' });
    await b.post('/api/session', { email: 'nobody.home@example.org', password: 'wrong wrong wrong wrong' });
    await b.post('/api/session', { email: 'quiet.person@example.org', password: TEST_PASSWORD });
    await b.post('/api/password/forgot', { email: 'quiet.person@example.org' });
    const reset = tokenFrom(await smtp.next('quiet.person@example.org', /Reset/), '/reset-password');
    await b.post('/api/password/reset', { token: reset, password: 'an entirely different passphrase' });

    const log = lines.join('');
    expect(log).toMatch(/"event":"sign-in"/);
    expect(log).toMatch(/"event":"password.reset"/);
    for (const secret of ['quiet.person', 'nobody.home', 'example.org', TEST_PASSWORD, 'wrong wrong', 'entirely different', token, reset, b.cookies.get('kennebec_session') ?? 'no-cookie', '127.0.0.1']) {
      expect(log, secret).not.toContain(secret);
    }
  });
});
