import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  condition,
  createOrg,
  expectAccessible,
  hasChromium,
  heading,
  labResult,
  newPage,
  patientAccount,
  readyStaff,
  screenshot,
  send,
  sendPatient,
  startWorld,
  TEST_PASSWORD,
  type World,
} from './test-support.ts';

/**
 * A parent who acts for two children: the person switcher is always in view, a child's whole
 * record shows, a teen's confidential information (mental health, by its sensitivity label)
 * never does. Then the same parent on a 360 px wide phone.
 */
const PARENT = 'pat.lee@example.org';
let w: World;
const started = Date.now();
const problems: string[][] = [];

function yearsAgo(years: number): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCMonth(0, 15);
  return d.toISOString().slice(0, 10);
}

async function signIn(page: Page): Promise<void> {
  await page.goto('/');
  await heading(page, 'Sign in');
  await page.getByLabel('Email address').fill(PARENT);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await heading(page, 'Welcome, Pat Lee');
}

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorld();
  const kvmc = await createOrg(w, 'Kennebec Valley Medical Center', 'KVMC');
  const maya = await sendPatient(w, kvmc, { mrn: 'H2001', family: 'Lee', given: 'Maya', birthDate: yearsAgo(8), ssn: '222334444' });
  const theo = await sendPatient(w, kvmc, { mrn: 'H2002', family: 'Lee', given: 'Theo', birthDate: yearsAgo(15), ssn: '333445555', gender: 'male' });
  await send(w, kvmc, condition(maya, '195967001', 'Asthma'));
  await send(w, kvmc, condition(theo, '233678006', 'Childhood asthma'));
  await send(w, kvmc, condition(theo, '370143000', 'Major depressive disorder'));
  const ldl = { system: 'http://loinc.org', code: '13457-7', display: 'Cholesterol in LDL' };
  for (const [when, v] of [['2024-02-01T10:00:00Z', 96], ['2024-08-01T10:00:00Z', 118], ['2025-02-01T10:00:00Z', 104]] as const) {
    await send(w, kvmc, labResult(theo, when, v, { code: ldl, unit: 'mg/dL', low: 0, high: 110, text: 'LDL cholesterol' }));
  }
  await patientAccount(w, PARENT, 'Pat Lee');
  const desk = await readyStaff(w, 'desk@kvmc.example.org', ['front-desk'], kvmc.id);
  for (const patientId of [maya, theo]) {
    const res = await desk.b.post('/api/proxy-grants', { proxyEmail: PARENT, patientId, basis: 'parent' });
    expect(res.statusCode, res.body).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems.flat()).toEqual([]);
  await w.close();
  console.log(`proxy and phone: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.skipIf(!hasChromium)('a parent in the portal', () => {
  it('sees a child’s record and a teen’s without the teen’s confidential information', async () => {
    const { page, problems: p } = await newPage(w);
    problems.push(p);
    await signIn(page);
    const bar = page.getByRole('region', { name: 'Whose record' });
    await expect.poll(() => bar.textContent()).toContain('You are viewing: Maya Lee (child)');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Health' }).click();
    await page.getByRole('navigation', { name: 'Sections of the record' }).getByRole('link', { name: 'Health problems' }).click();
    await heading(page, 'Health problems');
    await expect.poll(() => page.getByRole('list', { name: 'Health problems' }).textContent()).toContain('Asthma');
    await expectAccessible(page, 'child problems');

    await bar.getByLabel('View the record of').selectOption({ label: 'Theo Lee (teen)' });
    // Choosing alone changes nothing; the button does.
    expect(await bar.textContent()).toContain('You are viewing: Maya Lee (child)');
    await bar.getByRole('button', { name: 'Switch' }).click();
    await expect.poll(() => bar.textContent()).toContain('You are viewing: Theo Lee (teen)');
    expect(await bar.textContent()).toContain('Some information is private to Theo Lee');
    const list = page.getByRole('list', { name: 'Health problems' });
    await expect.poll(() => list.textContent()).toContain('Childhood asthma');
    expect(await page.getByRole('main').textContent()).not.toContain('depressive');
    await expectAccessible(page, 'teen problems');
    await screenshot(page, 'proxy-teen');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
    await page.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'People I help' }).click();
    await heading(page, 'People I help');
    const people = page.getByRole('list', { name: 'People I help' });
    await expect.poll(() => people.getByRole('listitem').count()).toBe(2);
    expect(await people.textContent()).toContain('Some of their information is private to them.');
    await expectAccessible(page, 'people I help');
    await page.context().close();
  });

  it('works on a 360 px phone: nothing wider than the screen, charts and switcher usable', async () => {
    const { page, problems: p } = await newPage(w, { viewport: { width: 360, height: 740 }, isMobile: true });
    problems.push(p);
    await signIn(page);
    const width = () => page.evaluate<number>('document.documentElement.scrollWidth');
    expect(await width()).toBeLessThanOrEqual(360);
    const bar = page.getByRole('region', { name: 'Whose record' });
    await bar.getByLabel('View the record of').selectOption({ label: 'Theo Lee (teen)' });
    await bar.getByRole('button', { name: 'Switch' }).click();
    await expect.poll(() => bar.textContent()).toContain('Theo Lee (teen)');
    await expect.poll(() => page.getByRole('list', { name: 'New results' }).getByRole('listitem').count()).toBe(3);
    expect(await width()).toBeLessThanOrEqual(360);
    await expectAccessible(page, 'phone home');
    await screenshot(page, 'phone-home');
    await page.getByRole('list', { name: 'New results' }).getByRole('link', { name: 'LDL cholesterol' }).first().click();
    await heading(page, 'Test result');
    await page.getByRole('img', { name: /LDL cholesterol over time/ }).waitFor();
    expect(await width()).toBeLessThanOrEqual(360);
    await expectAccessible(page, 'phone result');
    await screenshot(page, 'phone-result');
    // The skip link is the first stop of the keyboard and leads to the main content.
    await page.reload();
    await heading(page, 'Test result');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');
    await page.context().close();
  });
});
