import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { createStaffUser } from '@kennebec/server';
import { apiClient, Authenticator, heading, TEST_PASSWORD, type World } from './test-support.ts';

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
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, `${what} scrolls sideways`).toBeLessThanOrEqual(width);
}
