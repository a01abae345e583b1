import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInStaff, startServedWorld, staffAccount } from './console/test-support.ts';
import { createOrg, expectAccessible, hasChromium, heading, newPage, screenshot, sendPatient, type World } from './test-support.ts';

/**
 * In development (no SMTP_URL) the server mails to its own in-process SMTP server, and the staff
 * console shows that mailbox: an invitation sent at the desk can be followed without a real
 * mail server.
 */
let w: World;
let page: Page;
let problems: string[];

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startServedWorld({ devMail: true });
  const org = await createOrg(w, 'Penobscot Bay Family Practice', 'PBFP');
  await sendPatient(w, org, { mrn: 'P2001', family: 'Nadeau', given: 'Claire', birthDate: '1979-08-21', ssn: '987654321' });
  await staffAccount(w, 'desk@pbfp.example.org', ['front-desk'], org.id);
  ({ page, problems } = await newPage(w));
}, 120_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems).toEqual([]);
  await w.close();
});

describe.skipIf(!hasChromium)('the development mailbox', () => {
  it('shows the invitation the desk just sent', async () => {
    await page.goto('/staff/enroll');
    await signInStaff(page, 'desk@pbfp.example.org');
    await heading(page, 'Find a patient');
    await page.getByLabel('Medical record number (MRN)').fill('P2001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Nadeau, Claire' }).click();
    await page.getByRole('radio', { name: 'Passport' }).check();
    await page.getByRole('button', { name: 'Record the ID check' }).click();
    await page.getByLabel('Patient’s email address').fill('claire.nadeau@example.org');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByText('Invitation sent to claire.nadeau@example.org.').waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailbox (development)' }).click();
    await heading(page, 'Mailbox');
    const mail = page.getByRole('article', { name: 'Your invitation from Penobscot Bay Family Practice' });
    await expect.poll(async () => (await mail.count()) > 0 || (await page.getByRole('button', { name: 'Check for new mail' }).click(), false)).toBe(true);
    expect(await mail.textContent()).toContain('claire.nadeau@example.org');
    expect(await mail.textContent()).toMatch(/\/enroll\?token=/);
    await expectAccessible(page, 'mailbox');
    await screenshot(page, 'staff-mailbox');
  });
});
