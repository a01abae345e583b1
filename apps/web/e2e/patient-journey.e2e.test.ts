import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Authenticator,
  condition,
  createOrg,
  expectAccessible,
  hasChromium,
  heading,
  HBA1C,
  labResult,
  newPage,
  readyStaff,
  screenshot,
  send,
  sendPatient,
  startWorld,
  TEST_PASSWORD,
  type World,
} from './test-support.ts';

/**
 * The patient's journey, as a person takes it in the browser: an organization invites them
 * (staff through the JSON API), the invitation arrives by email, they open the link, create an
 * account, confirm their address, set up two-step sign-in, answer the code and their birth date,
 * and see their lab results from two organizations with a trend chart. Every page passes axe.
 */
const EMAIL = 'ann.rivera@example.org';
let w: World;
let page: Page;
let problems: string[];
let totp: Authenticator;
const started = Date.now();

const path = (url: string) => new URL(url).pathname + new URL(url).search;

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorld();
  const kvmc = await createOrg(w, 'Kennebec Valley Medical Center', 'KVMC');
  const lab = await createOrg(w, 'Casco Bay Laboratory', 'CBLAB');
  const ann = { family: 'Rivera', given: 'Ann', birthDate: '1984-06-02', ssn: '123456789' };
  const atK = await sendPatient(w, kvmc, { ...ann, mrn: 'H1001' });
  const atL = await sendPatient(w, lab, { ...ann, mrn: 'L0001' });
  for (const [when, v] of [['2023-03-01T09:00:00Z', 6.1], ['2023-09-01T09:00:00Z', 5.9]] as const) await send(w, kvmc, labResult(atK, when, v));
  for (const [when, v] of [['2024-01-10T09:00:00Z', 6.4], ['2024-06-15T09:00:00Z', 5.7], ['2024-12-01T09:00:00Z', 5.4]] as const) await send(w, lab, labResult(atL, when, v));
  await send(w, kvmc, {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: `Patient/${atK}` },
    medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975', display: 'Metformin 500 MG Oral Tablet' }], text: 'Metformin 500 mg tablet' },
    authoredOn: '2024-01-12',
    dosageInstruction: [{ text: 'One tablet twice a day with meals' }],
  });
  await send(w, kvmc, {
    resourceType: 'AllergyIntolerance',
    patient: { reference: `Patient/${atK}` },
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' }], text: 'Penicillin' },
    criticality: 'high',
    reaction: [{ manifestation: [{ text: 'Hives' }] }],
  });
  await send(w, kvmc, condition(atK, '44054006', 'Type 2 diabetes mellitus'));
  await send(w, kvmc, {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    type: [{ text: 'Diabetes follow-up' }],
    subject: { reference: `Patient/${atK}` },
    period: { start: '2024-12-03T14:00:00Z', end: '2024-12-03T14:30:00Z' },
  });
  await send(w, kvmc, {
    resourceType: 'Immunization',
    status: 'completed',
    patient: { reference: `Patient/${atK}` },
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '158', display: 'Influenza, injectable, quadrivalent' }], text: 'Influenza vaccine' },
    occurrenceDateTime: '2024-10-01',
  });
  for (const [when, kg] of [['2024-01-12', 82.5], ['2024-06-20', 80.1], ['2024-12-03', 78.4]] as const) {
    await send(w, kvmc, {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }], text: 'Body weight' },
      subject: { reference: `Patient/${atK}` },
      effectiveDateTime: when,
      valueQuantity: { value: kg, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
    });
  }
  await send(w, kvmc, {
    resourceType: 'DocumentReference',
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '34133-9', display: 'Summary of episode note' }], text: 'Visit summary' },
    subject: { reference: `Patient/${atK}` },
    date: '2024-12-03T15:00:00Z',
    content: [{ attachment: { contentType: 'text/plain', title: 'Diabetes follow-up summary' } }],
  });
  expect(HBA1C.code).toBe('4548-4');

  // The front desk checks Ann's photo ID and invites her, as the staff console will.
  const desk = await readyStaff(w, 'desk@kvmc.example.org', ['front-desk'], kvmc.id);
  const found = (await desk.b.get('/api/enrollment/patients?mrn=H1001')).json() as { patients: { id: string }[] };
  expect(found.patients[0]?.id).toBe(atK);
  const check = await desk.b.post(`/api/enrollment/patients/${atK}/id-checks`, { idType: 'driver-licence' });
  expect(check.statusCode, check.body).toBe(201);
  const inv = await desk.b.post('/api/enrollment/invitations', { patientId: atK, email: EMAIL, idCheckId: check.json().id });
  expect(inv.statusCode, inv.body).toBe(201);
  ({ page, problems } = await newPage(w));
}, 120_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems).toEqual([]);
  await w.close();
  console.log(`patient journey: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.skipIf(!hasChromium)('the patient journey in the browser', () => {
  it('goes from the invitation email to an account with two-step sign-in and a linked record', async () => {
    const mail = await w.smtp.next(EMAIL, /invitation/);
    const link = /https?:\/\/\S+\/enroll\?token=\S+/.exec(mail.text)?.[0] ?? '';
    const code = /^([A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(mail.text)?.[1] ?? '';
    expect(link).toContain(w.base);

    const res = await page.goto(path(link));
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await heading(page, 'Your invitation from Kennebec Valley Medical Center');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(page, 'invitation');
    await screenshot(page, 'enroll');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create an account');
    await page.getByLabel('Your name').fill('Ann Rivera');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('at least 15 characters');
    await expectAccessible(page, 'sign-up with an error');
    await page.getByLabel('New password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading(page, 'Check your email');

    const confirm = await w.smtp.next(EMAIL, /Confirm/);
    await page.goto(path(/https?:\/\/\S+\/verify-email\?token=\S+/.exec(confirm.text)?.[0] ?? ''));
    await heading(page, 'Confirm your email address');
    await expectAccessible(page, 'verify email');
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByText('Your email address is confirmed').waitFor();
    await page.getByRole('main').getByRole('link', { name: 'Sign in' }).click();

    await heading(page, 'Sign in');
    await expectAccessible(page, 'sign in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back at the invitation, now signed in: first, two-step sign-in.
    await heading(page, 'Your invitation from Kennebec Valley Medical Center');
    await page.getByRole('link', { name: 'Set up two-step sign-in' }).click();
    await heading(page, 'Set up two-step sign-in');
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const shown = (await page.getByLabel(/^Setup key:/).textContent()) ?? '';
    totp = new Authenticator(shown.replace(/\s/g, ''));
    expect(totp.secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expectAccessible(page, 'authenticator setup');
    await screenshot(page, 'mfa-setup');
    await page.getByLabel('Code from your authenticator app').fill(await totp.code());
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    const codes = page.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem');
    await expect.poll(() => codes.count()).toBe(10);
    await page.getByRole('button', { name: 'I have saved my codes' }).click();

    await heading(page, 'Your invitation from Kennebec Valley Medical Center');
    await page.getByLabel('Invitation code').fill('AAAA-AAAA');
    await page.getByLabel('Date of birth').fill('1984-06-02');
    await page.getByRole('button', { name: 'Link my record' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invitation code is not right. 4 attempt(s) left');
    await expectAccessible(page, 'invitation with a wrong code');
    await page.getByLabel('Invitation code').fill(code);
    await page.getByRole('button', { name: 'Link my record' }).click();
    await page.getByText('Your record at Kennebec Valley Medical Center is now linked to your account.').waitFor();
    await page.getByRole('link', { name: 'Go to my health record' }).click();
  });

  it('shows the home page with results from both organizations, medications, allergies and visits', async () => {
    await heading(page, 'Welcome, Ann Rivera');
    await expect.poll(() => page.getByRole('region', { name: 'Whose record' }).textContent()).toContain('You are viewing: Ann Rivera (you)');
    const results = page.getByRole('list', { name: 'New results' });
    await expect.poll(() => results.getByRole('listitem').count()).toBe(5);
    const text = await results.textContent();
    expect(text).toContain('From Casco Bay Laboratory');
    expect(text).toContain('From Kennebec Valley Medical Center');
    expect(text).toContain('High');
    await expect.poll(() => page.getByRole('list', { name: 'Active medications' }).textContent()).toContain('Metformin 500 mg tablet');
    expect(await page.getByRole('list', { name: 'Allergies' }).textContent()).toContain('Penicillin');
    expect(await page.getByRole('list', { name: 'Recent visits' }).textContent()).toContain('Diabetes follow-up');
    await expectAccessible(page, 'home');
    await screenshot(page, 'home');
  });

  it('shows a result with its reference range, flag and a trend chart with a data table', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Health' }).click();
    await heading(page, 'My Health');
    const download = await page.getByRole('link', { name: 'Download the whole record' }).getAttribute('href');
    const bundle = await page.request.get(download ?? '');
    expect(bundle.status()).toBe(200);
    expect(((await bundle.json()) as { resourceType: string }).resourceType).toBe('Bundle');
    await page.getByRole('navigation', { name: 'Sections of the record' }).getByRole('link', { name: 'Test results' }).click();
    await heading(page, 'Test results');
    await expect.poll(() => page.getByRole('list', { name: 'Test results' }).getByRole('listitem').count()).toBe(5);
    await expectAccessible(page, 'results');
    await screenshot(page, 'results');
    await page.getByRole('list', { name: 'Test results' }).getByRole('link', { name: 'Hemoglobin A1c' }).first().click();
    await heading(page, 'Test result');
    const facts = await page.getByRole('main').textContent();
    expect(facts).toContain('Reference range');
    expect(facts).toMatch(/4[–-]5\.6 %/);
    expect(facts).toContain('Casco Bay Laboratory');
    const chart = page.getByRole('img', { name: /Hemoglobin A1c over time/ });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-labelledby')).toBeTruthy();
    await page.getByText('Show the numbers as a table').click();
    const table = page.getByRole('table', { name: 'Hemoglobin A1c over time' });
    await expect.poll(() => table.getByRole('row').count()).toBe(6);
    const rows = await table.textContent();
    expect(rows).toContain('Kennebec Valley Medical Center');
    expect(rows).toContain('Casco Bay Laboratory');
    expect(rows).toContain('outside the range');
    await expectAccessible(page, 'result detail');
    await screenshot(page, 'result-trend');
  });

  it('shows every section of My Health', async () => {
    const sections: [string, string][] = [
      ['Vital signs', 'Body weight'],
      ['Medications', 'Metformin 500 mg tablet'],
      ['Allergies', 'Penicillin'],
      ['Health problems', 'Type 2 diabetes mellitus'],
      ['Immunizations', 'Influenza vaccine'],
      ['Visits', 'Diabetes follow-up'],
      ['Documents', 'Visit summary'],
    ];
    for (const [name, expected] of sections) {
      await page.getByRole('navigation', { name: 'Sections of the record' }).getByRole('link', { name }).click();
      await heading(page, name);
      await expect.poll(() => page.getByRole('main').textContent()).toContain(expected);
      await expectAccessible(page, name);
    }
    expect(await page.getByRole('main').textContent()).toContain('From Kennebec Valley Medical Center');
    await page.getByRole('navigation', { name: 'Sections of the record' }).getByRole('link', { name: 'Vital signs' }).click();
    await page.getByRole('img', { name: /Body weight over time/ }).waitFor();
    await screenshot(page, 'vitals');
  });

  it('shows the account: linked organizations, two-step sign-in on, sessions', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await heading(page, 'Profile');
    await expect.poll(() => page.getByRole('list', { name: 'Linked organizations' }).textContent()).toContain('Kennebec Valley Medical Center');
    await expectAccessible(page, 'profile');
    const nav = page.getByRole('navigation', { name: 'Account settings' });
    await nav.getByRole('link', { name: 'Two-step sign-in' }).click();
    await page.getByText('Two-step sign-in is on.').waitFor();
    await expectAccessible(page, 'security');
    await nav.getByRole('link', { name: 'Where you are signed in' }).click();
    await page.getByText('This device').waitFor();
    await expectAccessible(page, 'sessions');
  });

  it('returns to the page and keeps typed text when the session ends mid-use', async () => {
    await page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'Who can see my record' }).click();
    await heading(page, 'Who can see my record');
    await page.getByText('Nobody else can see your record.').waitFor();
    await page.getByLabel('Email address').fill('sam.rivera@example.org');
    await page.getByLabel('Health record').selectOption('view');
    // The session ends (here: the cookie is gone, as after the idle timeout) while she types.
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await heading(page, 'Sign in');
    await page.getByText('Your session ended').waitFor();
    expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/account/proxies');
    await page.getByLabel('Email address').fill(EMAIL);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Enter your code');
    await expectAccessible(page, 'code step');
    await page.getByLabel('Code from your authenticator app').fill(await totp.code());
    await page.getByRole('button', { name: 'Continue' }).click();
    await heading(page, 'Who can see my record');
    expect(await page.getByLabel('Email address').inputValue()).toBe('sam.rivera@example.org');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByText('We emailed an invitation to sam.rivera@example.org.').waitFor();
    expect(await page.getByRole('main').textContent()).toMatch(/shown only now\):\s*\S+/);
    await w.smtp.next('sam.rivera@example.org', /./);
    await expectAccessible(page, 'proxies');
  });

  it('switches to Spanish, remembers it, and sets the page language', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await heading(page, 'Welcome, Ann Rivera');
    await page.getByRole('button', { name: 'Español' }).click();
    await heading(page, 'Hola, Ann Rivera');
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await page.reload();
    await heading(page, 'Hola, Ann Rivera');
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await expect.poll(() => page.getByRole('list', { name: 'Resultados nuevos' }).textContent()).toContain('De Casco Bay Laboratory');
    await page.getByRole('navigation', { name: 'Principal' }).getByRole('link', { name: 'Mi salud' }).waitFor();
    await expectAccessible(page, 'home in Spanish');
    await screenshot(page, 'home-es');
    await page.getByRole('button', { name: 'English' }).click();
    await heading(page, 'Welcome, Ann Rivera');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in');
  });
});
