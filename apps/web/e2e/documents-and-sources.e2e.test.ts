import type { Immunization, Patient } from 'fhir/r4';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { practiceCcd } from '@kennebec/server';
import {
  createOrg,
  enrolledPatient,
  expectAccessible,
  hasChromium,
  heading,
  ingestCcda,
  newPage,
  readyStaff,
  screenshot,
  send,
  sendPatient,
  signInAs,
  startWorld,
  type World,
} from './test-support.ts';

/**
 * The record as several organizations send it: a hospital registers Ann and gives her a flu
 * shot, the laboratory reports her HbA1c, and the family practice sends the demo's
 * Continuity of Care Document (C-CDA) listing the same shot and the same HbA1c. The portal
 * shows each fact once, "From" both organizations, and Ann reads the practice's documents:
 * the CCD as the demo sends it, and a visit summary whose narrative has a table, a numbered
 * list, styled text, and a script and links that must never reach the page.
 */
const EMAIL = 'ann.rivera@example.org';
let w: World;
let page: Page;
let problems: string[];
const started = Date.now();

const ANN: Patient = {
  resourceType: 'Patient',
  name: [{ family: 'Rivera', given: ['Ann'] }],
  gender: 'female',
  birthDate: '1984-06-02',
  address: [{ line: ['12 Water Street'], city: 'Augusta', state: 'ME', postalCode: '04330' }],
  telecom: [{ system: 'phone', value: '207-555-0143' }],
};
const FLU: Immunization = {
  resourceType: 'Immunization',
  status: 'completed',
  patient: { reference: 'Patient/x' },
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '150', display: 'Influenza, injectable, quadrivalent, preservative free' }], text: 'Influenza vaccine' },
  occurrenceDateTime: '2025-10-15',
};

/** The visit summary's narrative: what C-CDA allows, and what the portal must drop. */
const RICH_PROBLEMS = `<title>Problems</title><text>
  <table border="1" onclick="steal()"><caption>Active problems</caption>
    <thead><tr><th>Problem</th><th>Since</th></tr></thead>
    <tbody><tr><td><content styleCode="Bold">Diabetes mellitus type 2</content></td><td>April 2019</td></tr>
      <tr><td colspan="2">Reviewed at this visit</td></tr></tbody>
  </table>
  <list listType="ordered"><item>Check feet <content styleCode="Italics">daily</content></item><item>Walk 30 minutes</item></list>
  <paragraph>See the <linkHtml href="javascript:alert(1)">diabetes plan</linkHtml>.<script>document.title='pwned'</script></paragraph>
  <renderMultiMedia referencedObject="img1"><caption>Foot exam photo</caption></renderMultiMedia>
</text>`;

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorld();
  const kvmc = await createOrg(w, 'Kennebec Valley Medical Center', 'KVMC');
  const lab = await createOrg(w, 'Casco Bay Laboratory', 'CBLAB');
  const practice = await createOrg(w, 'Penobscot Bay Family Practice', 'PBFP', '2.16.840.1.113883.3.9999.3');
  const atK = await send(w, kvmc, { ...ANN, identifier: [{ system: kvmc.system, value: 'H1001' }] });
  await send(w, kvmc, { ...FLU, patient: { reference: `Patient/${atK}` } });
  const atL = await sendPatient(w, lab, { mrn: 'L0001', family: 'Rivera', given: 'Ann', birthDate: '1984-06-02', ssn: '123456789' });
  // The laboratory's last HbA1c, the one the practice's CCD repeats (the demo's first person: 5.2 %).
  await send(w, lab, {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'Hemoglobin A1c' },
    subject: { reference: `Patient/${atL}` },
    effectiveDateTime: '2026-05-20T08:45:00Z',
    valueQuantity: { value: 5.2, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    referenceRange: [{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }],
  });
  const feed = { id: practice.id, name: practice.name, facility: practice.facility, oid: practice.oid ?? '', mrnSystem: practice.system };
  const ccd = practiceCcd({ patient: { ...ANN, id: atK }, immunizations: [{ ...FLU, patient: { reference: `Patient/${atK}` } }] }, 0, feed).content;
  await ingestCcda(w, practice, ccd);
  const visit = ccd
    .replace('extension="ccd-1"', 'extension="visit-1"')
    .replace(/<title>[^<]*Continuity of Care Document<\/title>/, '<title>Diabetes visit summary</title>')
    .replace(/<title>Problems<\/title><text>[^<]*<\/text>/, RICH_PROBLEMS);
  expect(visit).toContain('Active problems');
  await ingestCcda(w, practice, visit);

  const desk = await readyStaff(w, 'desk@kvmc.example.org', ['front-desk'], kvmc.id);
  await enrolledPatient(w, desk, atK, EMAIL, 'Ann Rivera', '1984-06-02');
  ({ page, problems } = await newPage(w));
}, 180_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems).toEqual([]);
  await w.close();
  console.log(`documents and sources: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.skipIf(!hasChromium)('one record from several organizations', () => {
  it('shows a result two organizations sent once, from both, on Home and in Test results', async () => {
    await signInAs(page, EMAIL, 'Welcome, Ann Rivera');
    const results = page.getByRole('list', { name: 'New results' });
    await expect.poll(() => results.getByRole('listitem').count()).toBe(1);
    expect(await results.textContent()).toMatch(/From (Casco Bay Laboratory and Penobscot Bay Family Practice|Penobscot Bay Family Practice and Casco Bay Laboratory)/);
    await expectAccessible(page, 'home with folded results');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My Health' }).click();
    const sections = page.getByRole('navigation', { name: 'Sections of the record' });
    await sections.getByRole('link', { name: 'Immunizations' }).click();
    await heading(page, 'Immunizations');
    const shots = page.getByRole('list', { name: 'Immunizations' });
    await expect.poll(() => shots.getByRole('listitem').count()).toBe(1);
    expect(await shots.textContent()).toMatch(/From (Kennebec Valley Medical Center and Penobscot Bay Family Practice|Penobscot Bay Family Practice and Kennebec Valley Medical Center)/);
    await sections.getByRole('link', { name: 'Test results' }).click();
    await heading(page, 'Test results');
    await expect.poll(() => page.getByRole('list', { name: 'Test results' }).getByRole('listitem').count()).toBe(1);
    await page.getByRole('list', { name: 'Test results' }).getByRole('link', { name: 'Hemoglobin A1c' }).click();
    await heading(page, 'Test result');
    expect(await page.getByRole('main').textContent()).toMatch(/Casco Bay Laboratory and Penobscot Bay Family Practice|Penobscot Bay Family Practice and Casco Bay Laboratory/);
    await expectAccessible(page, 'folded result');
    await screenshot(page, 'result-two-sources');
  });

  it('reads the practice’s CCD: header, then each section’s title and text', async () => {
    await page.getByRole('navigation', { name: 'Sections of the record' }).getByRole('link', { name: 'Documents' }).click();
    await heading(page, 'Documents');
    const docs = page.getByRole('list', { name: 'Documents' });
    await expect.poll(() => docs.getByRole('listitem').count()).toBe(2);
    expect(await docs.textContent()).toContain('From Penobscot Bay Family Practice');
    await docs.getByRole('link', { name: /Summarization of Episode Note|Continuity of Care/ }).first().click();
    await page.getByRole('heading', { level: 1, name: /Continuity of Care Document|Diabetes visit summary/ }).waitFor();
    const main = page.getByRole('main');
    await expect.poll(() => main.textContent()).toContain('Ann Rivera');
    const text = (await main.textContent()) ?? '';
    expect(text).toContain('Maren Holloway MD');
    expect(text).toContain('Penobscot Bay Family Practice');
    for (const title of ['Problems', 'Allergies', 'Medications', 'Results', 'Immunizations']) await main.getByRole('heading', { level: 2, name: title }).waitFor();
    await expectAccessible(page, 'CCD');
    await page.getByRole('link', { name: 'Back to documents' }).click();
    await heading(page, 'Documents');
  });

  it('renders a narrative’s table, list and styles as the page’s own elements, without scripts or links', async () => {
    await page.getByRole('list', { name: 'Documents' }).getByRole('link').nth(0).waitFor();
    const links = page.getByRole('list', { name: 'Documents' }).getByRole('link');
    // Open the visit summary, whichever order the two documents are listed in.
    for (let i = 0; i < (await links.count()); i++) {
      await links.nth(i).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await expect.poll(() => page.getByRole('main').textContent()).toContain('Ann Rivera');
      if ((await page.getByRole('heading', { level: 1 }).textContent()) === 'Diabetes visit summary') break;
      await page.getByRole('link', { name: 'Back to documents' }).click();
      await heading(page, 'Documents');
    }
    await heading(page, 'Diabetes visit summary');
    const table = page.getByRole('table', { name: 'Active problems' });
    await table.waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Problem', 'Since']);
    expect(await table.getByRole('cell', { name: 'Reviewed at this visit' }).getAttribute('colspan')).toBe('2');
    expect(await table.locator('.n-bold').textContent()).toBe('Diabetes mellitus type 2');
    const list = page.getByRole('main').locator('ol').filter({ hasText: 'Walk 30 minutes' });
    expect(await list.getByRole('listitem').count()).toBe(2);
    expect(await list.locator('.n-italic').textContent()).toBe('daily');
    const main = page.getByRole('main');
    expect(await main.textContent()).toContain('diabetes plan');
    expect(await main.textContent()).toContain('Image not shown here: Foot exam photo');
    expect(await main.locator('script, a[href^="javascript"], img, [onclick]').count()).toBe(0);
    expect(await main.getByRole('link', { name: 'diabetes plan' }).count()).toBe(0);
    expect(await page.title()).toBe('Diabetes visit summary – Kennebec');
    await expectAccessible(page, 'visit summary');
    await screenshot(page, 'document');
  });

  it('fits a 360 px phone: a wide table scrolls in its own box', async () => {
    const url = page.url();
    const phone = await newPage(w, { viewport: { width: 360, height: 740 }, isMobile: true });
    await signInAs(phone.page, EMAIL, 'Welcome, Ann Rivera');
    await phone.page.goto(new URL(url).pathname);
    await heading(phone.page, 'Diabetes visit summary');
    await phone.page.getByRole('table', { name: 'Active problems' }).waitFor();
    expect(await phone.page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await expectAccessible(phone.page, 'document on a phone');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });
});
