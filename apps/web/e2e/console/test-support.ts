/** Browser-test support of the staff console and the HIE administration (the shared world is in ../test-support.ts). */
import { connect } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createStaffUser, startServer } from '@kennebec/server';
import { createTestServer, freePort, startSmtpCapture } from '@kennebec/test-support';
import { apiClient, Authenticator, CHROMIUM, heading, TEST_PASSWORD, type World } from '../test-support.ts';

/**
 * Staff in the browser: an account made as `kennebec staff create` makes it, its password chosen
 * through the set-password link, then signing in on the shared sign-in page: the first time
 * through setting up the authenticator app (the portal's own page), later with a code.
 */
export async function staffAccount(w: World, email: string, roles: string[], orgId: string | null, name?: string): Promise<void> {
  const created = await createStaffUser({ db: w.t.deps.db, baseUrl: w.base, now: new Date() }, { email, roles, orgId, ...(name ? { name } : {}) });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await apiClient(w).post('/api/password/reset', { token, password: TEST_PASSWORD })).statusCode).toBe(204);
}

/** Signs in from wherever the page is (it must show the sign-in form); returns the authenticator. */
export async function signInStaff(page: Page, email: string, totp?: Authenticator): Promise<Authenticator> {
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (totp) {
    await heading(page, 'Enter your code');
    await page.getByLabel('Code from your authenticator app').fill(await totp.code());
    await page.getByRole('button', { name: 'Continue' }).click();
    return totp;
  }
  // Staff must have a second factor: the first sign-in goes through setting it up.
  await heading(page, 'Set up two-step sign-in');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const shown = (await page.getByLabel(/^Setup key:/).textContent()) ?? '';
  const app = new Authenticator(shown.replace(/\s/g, ''));
  await page.getByLabel('Code from your authenticator app').fill(await app.code());
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await page.getByRole('button', { name: 'I have saved my codes' }).click();
  return app;
}

/** The page has no horizontal scroll at its width (a 360 px phone). */
export async function expectNoSideScroll(page: Page, what: string): Promise<void> {
  // Evaluated as text: these tests type-check against Node's types, without the DOM's.
  const [scroll, width] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, window.innerWidth]');
  expect(scroll, `${what} scrolls sideways`).toBeLessThanOrEqual(width);
}

/**
 * A world whose server is started as `kennebec serve` starts it: HTTP and the plain MLLP
 * listener (on a free port), so feeds arrive over real TCP.
 */
export async function startServedWorld(opts: { devMail?: boolean } = {}): Promise<World & { mllpPort: number }> {
  const smtp = await startSmtpCapture();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // devMail: no SMTP_URL, as in development: mail goes to the in-process SMTP server and /dev/mailbox.
  const mail: Record<string, string> = opts.devMail ? {} : { SMTP_URL: smtp.url };
  const t = await createTestServer({ env: { BASE_URL: base, ...mail, LOG_LEVEL: 'silent', PORT: String(port), HOST: '127.0.0.1', MLLP_PORT: '0' } });
  const served = await startServer(t.deps);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    t,
    smtp,
    base,
    browser,
    mllpPort: served.mllpPort ?? 0,
    async close() {
      await browser.close();
      await t.app.close();
      // Stops the listeners, appends what the audit trail still holds, closes the database.
      await served.stop();
      await smtp.close();
    },
  };
}

/** Sends one HL7 v2 message over MLLP and returns its ACK (segments joined by newlines). */
export function sendMllp(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () => socket.destroy(new Error('no ACK within 10 s')));
    socket.on('connect', () => socket.write(`\x0b${message}\x1c\r`));
    socket.on('data', (chunk: string) => {
      data += chunk;
      const end = data.indexOf('\x1c');
      if (end >= 0) {
        socket.end();
        resolve(data.slice(data.indexOf('\x0b') + 1, end).replace(/\r/g, '\n'));
      }
    });
    socket.on('error', reject);
  });
}
