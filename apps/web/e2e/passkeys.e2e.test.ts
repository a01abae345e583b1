import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, Authenticator, expectAccessible, hasChromium, heading, newPage, patientAccount, screenshot, startWorld, TEST_PASSWORD, type World } from './test-support.ts';

/**
 * Passkeys in the browser, with Chromium's virtual authenticator (DevTools protocol, WebAuthn
 * domain) standing in for a fingerprint reader: a patient with an authenticator app adds a
 * passkey on the Account page, renames it, signs in with it alone, uses it as the second step
 * after her password, cannot add the same device twice, removes it, and is refused when she
 * tries it again. The site runs on http://localhost (WebAuthn refuses IP addresses).
 */
const EMAIL = 'pia.nadeau@example.org';
let w: World;
let page: Page;
let problems: string[];
let cdp: CDPSession;
let authenticatorId: string;
let totp: Authenticator;
const started = Date.now();

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorld({ host: 'localhost' });
  await patientAccount(w, EMAIL, 'Pia Nadeau');
  // Two-step sign-in with an authenticator app, set up as the Security page would.
  const b = apiClient(w);
  expect((await b.post('/api/session', { email: EMAIL, password: TEST_PASSWORD })).statusCode).toBe(200);
  await b.get('/api/session');
  const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
  totp = new Authenticator(secret);
  expect((await b.post('/api/mfa/totp/confirm', { code: await totp.code() })).statusCode).toBe(200);

  ({ page, problems } = await newPage(w));
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  }));
}, 120_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems).toEqual([]);
  await w.close();
  console.log(`passkeys: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

async function passwordAndCode(): Promise<void> {
  await page.goto('/sign-in');
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(EMAIL);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(page, 'Enter your code');
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await heading(page, 'Sign in');
}

const passkeys = () => page.getByRole('list', { name: 'Your passkeys' });

describe.skipIf(!hasChromium)('passkeys in the browser', () => {
  it('adds a passkey on the Account page and renames it', async () => {
    await passwordAndCode();
    await page.getByLabel('Code from your authenticator app').fill(await totp.code());
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Welcome, Pia Nadeau');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'Passkeys' }).click();
    await heading(page, 'Passkeys');
    await page.getByText('You have no passkeys yet.').waitFor();
    await expectAccessible(page, 'no passkeys');
    await page.getByLabel('Name for the new passkey (optional)').fill('This laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey “This laptop” added.').waitFor();
    await expect.poll(() => passkeys().getByRole('listitem').count()).toBe(1);
    expect(await passkeys().textContent()).toContain('Not used yet');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);

    await passkeys().getByRole('button', { name: 'Rename This laptop' }).click();
    await page.getByLabel('New name for This laptop').fill('Work laptop');
    await expectAccessible(page, 'renaming a passkey');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Passkey renamed to “Work laptop”.').waitFor();
    await expect.poll(() => passkeys().getByRole('listitem').first().textContent()).toContain('Work laptop');
    await expectAccessible(page, 'passkeys');
    await screenshot(page, 'passkeys');
  });

  it('signs in with the passkey alone', async () => {
    await signOut();
    await expectAccessible(page, 'sign in with a passkey offered');
    await page.getByRole('button', { name: 'Use a passkey', exact: true }).click();
    await heading(page, 'Welcome, Pia Nadeau');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await heading(page, 'Profile');
    expect(await page.getByRole('main').textContent()).toMatch(/Signed in with\s*Passkey/);
  });

  it('answers the second step with the passkey instead of a code', async () => {
    await signOut();
    await passwordAndCode();
    await expectAccessible(page, 'code step with a passkey offered');
    await page.getByRole('button', { name: 'Use a passkey instead' }).click();
    await heading(page, 'Welcome, Pia Nadeau');
  });

  it('says so when the device already holds a passkey for the account, then removes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'Passkeys' }).click();
    await heading(page, 'Passkeys');
    await expect.poll(() => passkeys().textContent()).toMatch(/Last used/);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('This device already holds a passkey for your account.');
    await expectAccessible(page, 'passkey already on this device');

    await passkeys().getByRole('button', { name: 'Remove Work laptop' }).click();
    await page.getByText('Remove “Work laptop”? It will no longer sign you in.').waitFor();
    await page.getByRole('button', { name: 'Remove the passkey' }).click();
    await page.getByText('Passkey “Work laptop” removed.').waitFor();
    await page.getByText('You have no passkeys yet.').waitFor();
  });

  it('refuses a passkey the account no longer has', async () => {
    await signOut();
    await page.getByRole('button', { name: 'Use a passkey', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('That passkey was not accepted.');
    await heading(page, 'Sign in');
    await expectAccessible(page, 'passkey refused');
  });
});
