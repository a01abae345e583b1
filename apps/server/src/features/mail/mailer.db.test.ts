import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, signUpVerified, startSmtpCapture, TestBrowser, type SmtpCapture } from '@kennebec/test-support';
import { createMailer } from './mailer.ts';

let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
});
afterAll(async () => smtp.close());

describe('mail', () => {
  it('sends plain-text mail through the SMTP server of SMTP_URL', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'Kennebec <no-reply@kennebec.test>', logger: pino({ level: 'silent' }) });
    try {
      await mailer.send({ to: 'someone@example.org', subject: 'Hello', text: 'Plain text only.' });
      const mail = await smtp.next('someone@example.org');
      expect(mail).toMatchObject({ from: 'no-reply@kennebec.test', subject: 'Hello' });
      expect(mail.text.trim()).toBe('Plain text only.');
      expect(mailer.mailbox).toBeUndefined();
    } finally {
      await mailer.close();
    }
  });

  it('without SMTP_URL, in development, delivers over SMTP to an in-process server shown at /dev/mailbox', async () => {
    const t = await createTestServer();
    try {
      expect((await t.app.inject({ method: 'GET', url: '/dev/mailbox' })).json()).toEqual({ messages: [] });
      await new TestBrowser(t.app).post('/api/accounts', { email: 'dev@example.org', password: 'a long enough dev passphrase' });
      let messages: { to: string[]; subject: string; text: string }[] = [];
      for (let i = 0; i < 50 && messages.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        messages = (await t.app.inject({ method: 'GET', url: '/dev/mailbox' })).json().messages;
      }
      expect(messages[0]).toMatchObject({ to: ['dev@example.org'], subject: 'Confirm your email address' });
      expect(messages[0]?.text).toMatch(/\/verify-email\?token=/);
    } finally {
      await t.close();
    }
  });

  it('has no mailbox in production mode', async () => {
    const t = await createTestServer({ env: { NODE_ENV: 'production', SMTP_URL: smtp.url } });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/dev/mailbox' })).statusCode).toBe(404);
      const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      expect(doc.paths['/dev/mailbox']).toBeUndefined();
      // Mail still goes out, to the configured server.
      await signUpVerified(t, smtp, 'prod@example.org');
    } finally {
      await t.close();
    }
  });
});
