import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSideScroll, signInStaff, staffAccount } from './console/test-support.ts';
import {
  apiClient,
  createOrg,
  expectAccessible,
  hasChromium,
  heading,
  newPage,
  patientAccount,
  screenshot,
  sendPatient,
  startWorld,
  TEST_PASSWORD,
  type Authenticator,
  type Org,
  type World,
} from './test-support.ts';

/**
 * The front desk in the browser: signing in with a password and an authenticator app (set up at
 * the first sign-in), finding a patient, recording the photo ID check, sending the invitation
 * (which arrives over SMTP), resending and revoking it; granting, downloading and revoking proxy
 * access; approving and declining proxy requests; the enrollment settings; Spanish; a phone.
 * Elements are found by role and accessible name; axe checks every page.
 */
const DESK = 'desk@kvmc.example.org';
const ANN = 'ann.rivera@example.org';
const PARENT = 'maria.rivera@example.org';
const ASKER = 'sam.okafor@example.org';
let w: World;
let kvmc: Org;
let page: Page;
let problems: string[];
let totp: Authenticator;
const ids: Record<string, string> = {};
const started = Date.now();

const mailLink = (text: string) => /https?:\/\/\S+\/enroll\?token=(\S+)/.exec(text)?.[1] ?? '';
const mailCode = (text: string) => /^([A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(text)?.[1] ?? '';

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorld();
  kvmc = await createOrg(w, 'Kennebec Valley Medical Center', 'KVMC');
  ids.ann = await sendPatient(w, kvmc, { mrn: 'H1001', family: 'Rivera', given: 'Ann', birthDate: '1984-06-02', ssn: '123456789' });
  ids.leo = await sendPatient(w, kvmc, { mrn: 'H1002', family: 'Rivera', given: 'Leo', birthDate: '2017-03-14', ssn: '123456780', gender: 'male' });
  ids.ruth = await sendPatient(w, kvmc, { mrn: 'H1003', family: 'Okafor', given: 'Ruth', birthDate: '1941-11-30', ssn: '123456781' });
  await staffAccount(w, DESK, ['front-desk', 'org-admin'], kvmc.id, 'Dana Desk');
  await patientAccount(w, PARENT, 'Maria Rivera');
  await patientAccount(w, ASKER, 'Sam Okafor');
  ({ page, problems } = await newPage(w));
}, 120_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems).toEqual([]);
  await w.close();
  console.log(`staff console: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.skipIf(!hasChromium)('the staff console in the browser', () => {
  it('signs staff in with a password and an authenticator app, set up at the first sign-in', async () => {
    await page.goto('/staff');
    await heading(page, 'Sign in');
    expect(page.url()).toContain('returnTo=%2Fstaff');
    totp = await signInStaff(page, DESK);
    await heading(page, 'Staff console');
    expect(new URL(page.url()).pathname).toBe('/staff');
    await page.getByText('Signed in as Dana Desk.').waitFor();
    await expectAccessible(page, 'staff home');
    await screenshot(page, 'staff-home');

    // Signing in again asks for the code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto('/staff/invitations');
    await signInStaff(page, DESK, totp);
    await heading(page, 'Invitations');
    await expectAccessible(page, 'invitations, empty');
  });

  it('finds the patient, records the photo ID check and sends the invitation, which arrives by email', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Find a patient' }).click();
    await heading(page, 'Find a patient');
    // A search without its fields says what is missing, next to the field.
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Enter the medical record number.').waitFor();
    await page.getByLabel('Medical record number (MRN)').fill('H1001');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await expect.poll(() => results.getByRole('listitem').count()).toBe(1);
    expect(await results.textContent()).toContain('Not enrolled');
    await expectAccessible(page, 'find a patient, results');
    await screenshot(page, 'staff-find-patient');

    // By name and date of birth: both Riveras share the family name; the birth date picks one.
    await page.getByRole('radio', { name: 'Name and date of birth' }).check();
    await page.getByLabel('Family name').fill('rivera');
    await page.getByLabel('Date of birth', { exact: true }).fill('2017-03-14');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => results.textContent()).toContain('Rivera, Leo');
    await page.getByLabel('Date of birth', { exact: true }).fill('1984-06-02');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => results.textContent()).toContain('Rivera, Ann');

    await results.getByRole('link', { name: 'Rivera, Ann' }).click();
    await heading(page, 'Rivera, Ann');
    await expectAccessible(page, 'patient page');
    // The invitation waits for the ID check.
    expect(await page.getByRole('button', { name: 'Send the invitation' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Record the ID check' }).click();
    await page.getByText('Choose the kind of photo ID you saw.').waitFor();
    await page.getByRole('radio', { name: 'Driver’s license' }).check();
    await page.getByRole('button', { name: 'Record the ID check' }).click();
    await page.getByText(/^Photo ID checked: Driver’s license/).waitFor();

    await page.getByLabel('Patient’s email address').fill(ANN);
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByText(`Invitation sent to ${ANN}.`).waitFor();
    const mail = await w.smtp.next(ANN, /^Your invitation from Kennebec Valley Medical Center$/);
    expect(mailLink(mail.text)).not.toBe('');
    expect(mailCode(mail.text)).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // Nothing about the patient is in the email.
    expect(mail.text).not.toMatch(/Rivera|1984|H1001/);
    ids.firstToken = decodeURIComponent(mailLink(mail.text));
    const invitations = page.getByRole('list', { name: 'Invitations of this patient' });
    await expect.poll(() => invitations.textContent()).toContain('Waiting');
    await screenshot(page, 'staff-patient-invited');
  });

  it('resends the invitation after a confirmation dialog: a new link, the old one stops working', async () => {
    const invitations = page.getByRole('list', { name: 'Invitations of this patient' });
    const resend = invitations.getByRole('button', { name: `Resend the invitation to ${ANN}` });
    // Escape closes the dialog without doing anything, and the focus comes back to the button.
    await resend.click();
    const dialog = page.getByRole('dialog', { name: 'Resend the invitation?' });
    await dialog.waitFor();
    await expectAccessible(page, 'resend dialog');
    await screenshot(page, 'staff-resend-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate<string>('document.activeElement?.getAttribute("aria-label") ?? ""')).toBe(`Resend the invitation to ${ANN}`);

    await resend.click();
    await dialog.getByRole('button', { name: 'Resend the invitation' }).click();
    await page.getByText(`A new invitation was sent to ${ANN}.`).waitFor();
    const mail = await w.smtp.next(ANN, /^Your invitation from/);
    const token = decodeURIComponent(mailLink(mail.text));
    expect(token).not.toBe(ids.firstToken);
    const b = apiClient(w);
    expect((await b.get(`/api/enrollment/invitation?token=${encodeURIComponent(ids.firstToken ?? '')}`)).statusCode).toBe(400);
    expect((await b.get(`/api/enrollment/invitation?token=${encodeURIComponent(token)}`)).statusCode).toBe(200);
    ids.secondToken = token;
    await expect.poll(() => invitations.textContent()).toContain('(sent 2 times)');
  });

  it('revokes the invitation from the organization’s list', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Invitations' }).click();
    await heading(page, 'Invitations');
    const list = page.getByRole('list', { name: 'Invitations' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    // The patient's name is known from this tab's search.
    await list.getByRole('link', { name: 'Rivera, Ann' }).waitFor();
    await expectAccessible(page, 'invitations');
    await screenshot(page, 'staff-invitations');
    await list.getByRole('button', { name: `Revoke the invitation to ${ANN}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the invitation?' });
    await dialog.getByText(`The link and code sent to ${ANN} stop working.`).waitFor();
    await dialog.getByRole('button', { name: 'Revoke the invitation' }).click();
    await page.getByText(`The invitation to ${ANN} was revoked.`).waitFor();
    // The message takes the focus, so a screen reader reads it out.
    expect(await page.evaluate<string>('document.activeElement?.textContent ?? ""')).toContain('was revoked');
    await expect.poll(() => list.textContent()).toContain('Revoked');
    expect(await list.getByRole('button').count()).toBe(0);
    expect((await apiClient(w).get(`/api/enrollment/invitation?token=${encodeURIComponent(ids.secondToken ?? '')}`)).statusCode).toBe(400);

    // The filter shows one status at a time.
    await page.getByLabel('Show').selectOption('pending');
    await page.getByText('No invitations.').waitFor();
    await page.getByLabel('Show').selectOption('revoked');
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
  });

  it('grants a parent access to a child, and an attorney with the uploaded document, which downloads; revokes with a reason', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Find a patient' }).click();
    await page.getByRole('radio', { name: 'Medical record number' }).check();
    await page.getByLabel('Medical record number (MRN)').fill('H1002');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Rivera, Leo' }).click();
    await heading(page, 'Rivera, Leo');
    const proxies = page.getByRole('region', { name: 'Proxies' });
    await proxies.getByText('Nobody acts for this patient.').waitFor();
    // Someone without a portal account cannot be granted access.
    await proxies.getByLabel('Proxy’s email address').fill('nobody@example.org');
    await proxies.getByRole('radio', { name: 'Parent of a minor' }).check();
    await proxies.getByRole('button', { name: 'Grant access' }).click();
    await page.getByRole('alert').getByText('No patient portal account has this email address.').waitFor();
    await proxies.getByLabel('Proxy’s email address').fill(PARENT);
    await proxies.getByRole('button', { name: 'Grant access' }).click();
    await page.getByText(`${PARENT} can now act for this patient.`).waitFor();
    const grants = page.getByRole('list', { name: 'Proxies of this patient' });
    await expect.poll(() => grants.textContent()).toContain('Parent of a minor');
    expect(await grants.textContent()).toContain('Active');
    await expectAccessible(page, 'child with a proxy');

    // An attorney for an adult: the document is uploaded with the grant and downloads again.
    await page.getByRole('link', { name: 'Back to the search' }).click();
    await page.getByLabel('Medical record number (MRN)').fill('H1003');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Okafor, Ruth' }).click();
    await heading(page, 'Okafor, Ruth');
    await proxies.getByLabel('Proxy’s email address').fill(ASKER);
    await proxies.getByRole('radio', { name: 'Power of attorney for an adult' }).check();
    await proxies.getByRole('button', { name: 'Grant access' }).click();
    await page.getByText('Choose the document file.').waitFor();
    const pdf = Buffer.from('%PDF-1.4\n% power of attorney, test\n%%EOF\n');
    await proxies.getByLabel('Power of attorney', { exact: true }).setInputFiles({ name: 'poa.pdf', mimeType: 'application/pdf', buffer: pdf });
    await proxies.getByLabel('Health record').selectOption('view');
    await proxies.getByLabel('Appointments').selectOption('act');
    await expectAccessible(page, 'grant form for an adult');
    await screenshot(page, 'staff-grant-poa');
    await proxies.getByRole('button', { name: 'Grant access' }).click();
    await page.getByText(`${ASKER} can now act for this patient.`).waitFor();
    await expect.poll(() => grants.textContent()).toContain('Appointments: view and act');
    const [download] = await Promise.all([page.waitForEvent('download'), grants.getByRole('button', { name: `Download the document for ${ASKER}` }).click()]);
    expect(download.suggestedFilename()).toMatch(/^power-of-attorney-.+\.pdf$/);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(path).equals(pdf)).toBe(true);

    await grants.getByRole('button', { name: `Revoke access of ${ASKER}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke proxy access?' });
    await dialog.getByRole('button', { name: 'Revoke access' }).click();
    await dialog.getByText('Enter the reason.').waitFor();
    await dialog.getByLabel('Reason').fill('Power of attorney withdrawn by the patient');
    await expectAccessible(page, 'revoke dialog');
    await dialog.getByRole('button', { name: 'Revoke access' }).click();
    await page.getByText(`The access of ${ASKER} was revoked.`).waitFor();
    await expect.poll(() => grants.textContent()).toContain('Power of attorney withdrawn by the patient');
  });

  it('approves one proxy request after finding the record, and declines another', async () => {
    const sam = apiClient(w);
    expect((await sam.post('/api/session', { email: ASKER, password: TEST_PASSWORD })).statusCode).toBe(200);
    await sam.get('/api/session');
    const asked = await sam.post('/api/proxy-requests', { orgId: kvmc.id, basis: 'guardian-of-minor', subjectName: 'Leo Rivera', subjectBirthDate: '2017-03-14', note: 'I look after Leo on weekdays.' });
    expect(asked.statusCode, asked.body).toBe(201);
    const again = await sam.post('/api/proxy-requests', { orgId: kvmc.id, basis: 'parent', subjectName: 'Nobody Known', subjectBirthDate: '2019-01-01' });
    expect(again.statusCode, again.body).toBe(201);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Proxy requests' }).click();
    await heading(page, 'Proxy requests');
    const requests = page.getByRole('list', { name: 'Proxy requests' });
    await expect.poll(() => requests.getByRole('listitem').count()).toBe(2);
    expect(await requests.textContent()).toContain('I look after Leo on weekdays.');
    await expectAccessible(page, 'proxy requests');
    await screenshot(page, 'staff-proxy-requests');

    await requests.getByRole('button', { name: `Decline: Nobody Known, asked by ${ASKER}` }).click();
    await page.getByRole('dialog', { name: 'Decline the request?' }).getByRole('button', { name: 'Decline the request' }).click();
    await page.getByText(`The request from ${ASKER} was declined.`).waitFor();
    await expect.poll(() => requests.getByRole('listitem').count()).toBe(1);

    await requests.getByRole('link', { name: `Review and approve: Leo Rivera, asked by ${ASKER}` }).click();
    await heading(page, 'Approve a proxy request');
    // The search starts from what the person wrote: family name and birth date.
    expect(await page.getByLabel('Family name').inputValue()).toBe('Rivera');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Choose Rivera, Leo' }).click();
    await page.getByText('Record chosen: Rivera, Leo, MRN H1002.').waitFor();
    await expectAccessible(page, 'approve a request');
    await page.getByRole('button', { name: 'Approve the request' }).click();
    await page.getByText(`Approved: ${ASKER} can now act for this patient.`).waitFor();
    await page.getByRole('link', { name: 'Open the patient’s page' }).click();
    await heading(page, 'Rivera, Leo');
    await expect.poll(() => page.getByRole('list', { name: 'Proxies of this patient' }).textContent()).toContain(ASKER);
  });

  it('lets the org admin choose the identity question, in English and in Spanish', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await heading(page, 'Enrollment settings');
    expect(await page.getByRole('radio', { name: 'Date of birth' }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: 'Last four digits of the Social Security number' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await expectAccessible(page, 'settings');

    await page.getByRole('button', { name: 'Español' }).click();
    await heading(page, 'Configuración de la inscripción');
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.getByRole('radio', { name: 'Últimos cuatro dígitos del número de Seguro Social' }).isChecked()).toBe(true);
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Invitaciones' }).click();
    await heading(page, 'Invitaciones');
    await expect.poll(() => page.getByRole('list', { name: 'Invitaciones' }).textContent()).toContain('Revocada');
    await expectAccessible(page, 'invitations in Spanish');
    await screenshot(page, 'staff-invitations-es');
    await page.getByRole('button', { name: 'English' }).click();
    await heading(page, 'Invitations');
  });

  it('works on a 360 px phone', async () => {
    const phone = await newPage(w, { viewport: { width: 360, height: 740 }, isMobile: true });
    try {
      // The same session as on the desktop (a second sign-in would wait for a fresh code).
      await phone.context.addCookies(await page.context().cookies());
      await phone.page.goto('/staff/enroll');
      await heading(phone.page, 'Find a patient');
      await phone.page.getByLabel('Medical record number (MRN)').fill('H1001');
      await phone.page.getByRole('button', { name: 'Search' }).click();
      await phone.page.getByRole('list', { name: 'Search results' }).getByRole('link', { name: 'Rivera, Ann' }).click();
      await heading(phone.page, 'Rivera, Ann');
      await expectNoSideScroll(phone.page, 'patient page');
      await expectAccessible(phone.page, 'patient page on a phone');
      await screenshot(phone.page, 'staff-phone-patient');
      await phone.page.goto('/staff/invitations');
      await heading(phone.page, 'Invitations');
      await expectNoSideScroll(phone.page, 'invitations');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('tells a patient account that the console is for staff', async () => {
    const other = await newPage(w);
    try {
      await other.page.goto('/sign-in?returnTo=%2Fstaff');
      await other.page.getByLabel('Email address').fill(PARENT);
      await other.page.getByLabel('Password').fill(TEST_PASSWORD);
      await other.page.getByRole('button', { name: 'Sign in' }).click();
      await heading(other.page, 'For staff only');
      await expectAccessible(other.page, 'staff only');
    } finally {
      await other.context.close();
    }
  });
});
