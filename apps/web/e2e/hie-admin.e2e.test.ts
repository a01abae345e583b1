import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from '@kennebec/server';
import { expectNoSideScroll, sendMllp, signInStaff, startServedWorld, staffAccount } from './console/test-support.ts';
import { createOrg, expectAccessible, hasChromium, heading, newPage, screenshot, send, type Org, type World } from './test-support.ts';

/**
 * HIE administration in the browser: an HIE admin signs in with an authenticator app, sees the
 * sources and their feeds, reprocesses a message that failed because its source was not yet
 * registered (sent over real MLLP), links a review-queue pair after comparing the two records
 * and undoes it from the link history, keeps another pair apart; a privacy officer looks without
 * changing anything. Elements are found by role and accessible name; axe checks every page.
 */
const ADMIN = 'admin@hie.example.org';
const OFFICER = 'privacy@hie.example.org';
let w: World & { mllpPort: number };
let north: Org;
let south: Org;
let page: Page;
let problems: string[];
const ids: Record<string, string> = {};
const started = Date.now();

function person(org: Org, mrn: string, family: string, given: string, birthDate: string, line: string, city: string, zip: string) {
  return {
    resourceType: 'Patient',
    identifier: [{ system: org.system, value: mrn, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
    name: [{ family, given: [given] }],
    gender: 'female',
    birthDate,
    address: [{ line: [line], city, state: 'ME', postalCode: zip }],
  };
}

const adt = (control: string) =>
  ['MSH|^~\\&|EHR|MERCY|KENNEBEC|HIE|20260101080000||ADT^A04^ADT_A01|' + control + '|P|2.5.1', 'EVN|A04|20260101080000', 'PID|1||M100^^^MERCY^MR||Doe^Ray||19700101|M'].join('\r');

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startServedWorld();
  north = await createOrg(w, 'Kennebec Valley Medical Center', 'KVMC');
  south = await createOrg(w, 'Casco Bay Laboratory', 'CBLAB');
  // Two borderline pairs: same names, birth dates a few days apart, different addresses.
  ids.a = await send(w, north, person(north, 'R-1', 'Gagnon', 'Anne', '1990-05-05', '3 Elm St', 'Bath', '04530'));
  ids.b = await send(w, south, person(south, 'R-2', 'Gagnon', 'Anne', '1990-05-08', '77 Pine Rd', 'Portland', '04101'));
  ids.c = await send(w, north, person(north, 'R-3', 'Tremblay', 'Lise', '1975-02-03', '9 Oak Ave', 'Augusta', '04330'));
  ids.d = await send(w, south, person(south, 'R-4', 'Tremblay', 'Lise', '1975-02-08', '40 Birch Ln', 'Lewiston', '04240'));
  // A hospital not registered yet sends a registration: refused (AR), logged with its error.
  const ack = await sendMllp(w.mllpPort, adt('MERCY-0001'));
  expect(ack).toContain('MSA|AR|MERCY-0001');
  await staffAccount(w, ADMIN, ['hie-admin'], null, 'Harper Admin');
  await staffAccount(w, OFFICER, ['hie-privacy-officer'], null, 'Pat Privacy');
  ({ page, problems } = await newPage(w));
}, 120_000);

afterEach(async (ctx) => {
  // What the page showed when a step failed, beside the other screenshots.
  if (hasChromium && ctx.task.result?.state === 'fail') await screenshot(page, `failed-admin-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
});

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems).toEqual([]);
  await w.close();
  console.log(`HIE admin: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.skipIf(!hasChromium)('the HIE administration in the browser', () => {
  it('signs the HIE admin in with an authenticator app and shows the sources with their feeds', async () => {
    await page.goto('/admin');
    await signInStaff(page, ADMIN);
    await heading(page, 'HIE administration');
    await expectAccessible(page, 'admin home');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data sources' }).click();
    await heading(page, 'Data sources');
    const sources = page.getByRole('list', { name: 'Data sources' });
    // One heading per source (each lists its counts too).
    await expect.poll(() => sources.getByRole('heading', { level: 2 }).count()).toBe(2);
    expect(await sources.textContent()).toContain('HL7 facility KVMC');
    // The unregistered sender's message is counted apart.
    const unknown = page.getByRole('region', { name: 'Messages from unknown senders' });
    expect(await unknown.getByRole('list', { name: 'All time' }).textContent()).toContain('1 rejected');
    await expectAccessible(page, 'sources');
    await screenshot(page, 'admin-sources');
  });

  it('reprocesses a failed message once its source is registered', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages' }).click();
    await heading(page, 'Messages');
    const list = page.getByRole('list', { name: 'Messages' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(await list.textContent()).toContain('ADT^A04');
    expect(await list.textContent()).toContain('Rejected');
    expect(await list.textContent()).toContain('MERCY');
    // The message's content is never shown.
    expect(await list.textContent()).not.toContain('Doe');
    await expectAccessible(page, 'failed messages');
    await screenshot(page, 'admin-messages');

    // Reprocessing before the fix fails again, and says so.
    await list.getByRole('button', { name: 'Reprocess ADT^A04 · control ID MERCY-0001' }).click();
    await list.getByText('Reprocessed, and it failed again (AR).').waitFor();

    // That run is logged too: the original and its retry are both listed.
    await createSource(w.t.deps, { name: 'Mercy Hospital', hl7Facility: 'MERCY' });
    await page.reload();
    await heading(page, 'Messages');
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    await list.getByRole('button', { name: 'Reprocess ADT^A04 · control ID MERCY-0001' }).first().click();
    await list.getByText('Reprocessed: the message was accepted.').waitFor();
    await page.reload();
    await expect.poll(() => list.textContent()).toContain('Processed on a later run');
    expect(await list.getByRole('button', { name: /^Reprocess/ }).count()).toBe(1);
    // The source's filter shows its messages, processed ones included.
    await page.getByLabel('Show').selectOption('all');
    await page.getByLabel('Source').selectOption({ label: 'Mercy Hospital' });
    await expect.poll(() => list.textContent()).toContain('Processed');
  });

  it('links a review-queue pair after comparing the two records, and undoes it from the link history', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue' }).click();
    await heading(page, 'Review queue');
    const queue = page.getByRole('list', { name: 'Review queue' });
    await expect.poll(() => queue.getByRole('listitem').count()).toBe(2);
    await expectAccessible(page, 'review queue');
    await screenshot(page, 'admin-review-queue');

    await queue.getByRole('link', { name: 'Gagnon, Anne and Gagnon, Anne' }).click();
    await heading(page, 'Compare two records');
    const compare = page.getByRole('table', { name: 'The two records, side by side' });
    const dates = compare.getByRole('row', { name: /Date of birth/ });
    expect(await dates.textContent()).toContain('May 5, 1990');
    expect(await dates.textContent()).toContain('May 8, 1990');
    expect(await compare.getByRole('row', { name: /Source/ }).textContent()).toMatch(/Casco Bay Laboratory.*Kennebec Valley Medical Center|Kennebec Valley Medical Center.*Casco Bay Laboratory/);
    const evidence = page.getByRole('table', { name: 'How each field compared' });
    expect(await evidence.getByRole('row', { name: /Date of birth/ }).textContent()).toMatch(/Partly the same|Nearly the same|Different/);
    await expectAccessible(page, 'compare two records');
    await screenshot(page, 'admin-review');

    // A decision needs its choice and a reason.
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText('Choose whether to link the records or keep them apart.').waitFor();
    await page.getByText('Enter the reason (at least 3 characters).').waitFor();
    await page.getByRole('radio', { name: 'Same person: link the records' }).check();
    await page.getByLabel('Reason').fill('Birth date typo confirmed with the laboratory by phone');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText('The records are linked.').waitFor();
    const personOf = async (id: string) => ((await w.t.app.inject({ method: 'GET', url: `/admin/mpi/patients/${id}/history`, headers: { authorization: `Bearer ${await w.t.token('system/Person.rs')}` } })).json() as { personId: string }).personId;
    expect(await personOf(ids.a ?? '')).toBe(await personOf(ids.b ?? ''));

    await page.getByRole('link', { name: 'Link history of record A' }).click();
    await heading(page, 'Link history of a record');
    const history = page.getByRole('list', { name: 'Link history' });
    await expect.poll(() => history.textContent()).toContain('Linked after review');
    expect(await history.textContent()).toContain('Birth date typo confirmed with the laboratory by phone');
    await expectAccessible(page, 'link history');
    await history.getByRole('button', { name: /^Undo: Linked after review/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Undo this change?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Undo the change' }).click();
    await dialog.getByText('Enter the reason (at least 3 characters).').waitFor();
    await dialog.getByLabel('Reason').fill('Linked by mistake: different mothers on the registration');
    await expectAccessible(page, 'undo dialog');
    await screenshot(page, 'admin-undo-dialog');
    await dialog.getByRole('button', { name: 'Undo the change' }).click();
    await page.getByText(/^Undone \(change \d+\)\.$/).waitFor();
    await expect.poll(() => history.textContent()).toContain('Undo of an earlier change');
    expect(await history.textContent()).toMatch(/Undone by change \d+/);
    expect(await personOf(ids.a ?? '')).not.toBe(await personOf(ids.b ?? ''));

    // The Person's page lists its record and the same history.
    await page.getByRole('term').filter({ hasText: 'Person now' }).waitFor();
    await page.getByRole('definition').getByRole('link').first().click();
    await heading(page, 'Person');
    await expect.poll(() => page.getByRole('list', { name: 'Records of this Person' }).getByRole('listitem').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'person');
  });

  it('keeps another pair apart with a reason', async () => {
    await page.goto('/admin/reviews');
    await heading(page, 'Review queue');
    const queue = page.getByRole('list', { name: 'Review queue' });
    await expect.poll(() => queue.getByRole('listitem').count()).toBe(1);
    await queue.getByRole('link', { name: 'Tremblay, Lise and Tremblay, Lise' }).click();
    await heading(page, 'Compare two records');
    await page.getByRole('radio', { name: 'Different people: keep them apart' }).check();
    await page.getByLabel('Reason').fill('Different mothers per registration notes');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText('The records are kept apart.').waitFor();
    await page.getByRole('link', { name: 'Back to the review queue' }).click();
    await page.getByText('Nothing to review.').waitFor();
    await page.getByLabel('Show').selectOption('kept-apart');
    await expect.poll(() => queue.textContent()).toContain('Tremblay, Lise');
  });

  it('reads in Spanish and fits a 360 px phone', async () => {
    const phone = await newPage(w, { viewport: { width: 360, height: 740 }, isMobile: true });
    try {
      await phone.context.addCookies(await page.context().cookies());
      await phone.page.goto('/admin/reviews?status=all');
      await heading(phone.page, 'Review queue');
      await phone.page.getByRole('button', { name: 'Español' }).click();
      await heading(phone.page, 'Cola de revisión');
      await phone.page.getByRole('list', { name: 'Cola de revisión' }).getByRole('link', { name: 'Gagnon, Anne y Gagnon, Anne' }).click();
      await heading(phone.page, 'Comparar dos registros');
      await phone.page.getByRole('table', { name: 'Los dos registros, lado a lado' }).waitFor();
      await expectNoSideScroll(phone.page, 'compare on a phone');
      await expectAccessible(phone.page, 'compare in Spanish on a phone');
      await screenshot(phone.page, 'admin-phone-review-es');
      expect(phone.problems).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('lets a privacy officer look at the index without changing it, and keeps sources and messages from them', async () => {
    const other = await newPage(w);
    try {
      await other.page.goto('/admin/reviews?status=all');
      await signInStaff(other.page, OFFICER);
      await heading(other.page, 'Review queue');
      const nav = other.page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link', { name: 'Data sources' }).count()).toBe(0);
      await other.page.getByRole('list', { name: 'Review queue' }).getByRole('link', { name: 'Gagnon, Anne and Gagnon, Anne' }).click();
      await heading(other.page, 'Compare two records');
      await expectAccessible(other.page, 'compare, read only');
      // The pair's newer record (record A) is the one the review moved; found by its id.
      await nav.getByRole('link', { name: 'Find a Person' }).click();
      await heading(other.page, 'Find a Person');
      await expectAccessible(other.page, 'find a person');
      await other.page.getByLabel('Record (Patient) id').fill(ids.b ?? '');
      await other.page.getByRole('button', { name: 'Open the link history' }).click();
      await heading(other.page, 'Link history of a record');
      await expect.poll(() => other.page.getByRole('list', { name: 'Link history' }).textContent()).toContain('Linked after review');
      expect(await other.page.getByRole('button', { name: /^Undo/ }).count()).toBe(0);
      await other.page.goto('/admin/message-log');
      await heading(other.page, 'Not available with your role');
      await expectAccessible(other.page, 'not your role');
      expect(other.problems).toEqual([]);
    } finally {
      await other.context.close();
    }
  });
});
