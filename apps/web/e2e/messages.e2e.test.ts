import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrg,
  enrolledPatient,
  expectAccessible,
  hasChromium,
  heading,
  newPage,
  patientAccount,
  readyStaff,
  screenshot,
  sendPatient,
  signInAs,
  startWorld,
  type Staff,
  type World,
} from './test-support.ts';

/**
 * Messages with the care team, in the browser: Theo (15) writes to his clinic himself; his
 * father Pat, acting for him, writes about his inhaler and never sees Theo's own conversation,
 * not in the list and not at its address; a nurse answers both (through the staff API); each
 * of them sees the unread count, opens the conversation, and Pat replies. Theo reads his
 * father's conversation but cannot write in it.
 */
const THEO = 'theo.lee@example.org';
const PAT = 'pat.lee@example.org';
let w: World;
let nurse: Staff;
const problems: string[][] = [];
const threads: Record<string, string> = {};
const started = Date.now();

function yearsAgo(years: number): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years, 0, 15);
  return d.toISOString().slice(0, 10);
}

async function browser(): Promise<Page> {
  const { page, problems: p } = await newPage(w);
  problems.push(p);
  return page;
}

async function openMessages(page: Page, name: RegExp = /^Messages/): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
  await heading(page, 'Messages');
}

async function write(page: Page, subject: string, body: string): Promise<void> {
  await page.getByRole('link', { name: 'New message' }).click();
  await heading(page, 'New message');
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Message').fill(body);
  await page.getByRole('button', { name: 'Send' }).click();
  await heading(page, subject);
}

async function staffThreads(): Promise<{ id: string; subject: string }[]> {
  const res = await nurse.b.get('/api/staff/messages');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { threads: { id: string; subject: string }[] }).threads;
}

beforeAll(async () => {
  if (!hasChromium) return;
  w = await startWorld();
  const kvmc = await createOrg(w, 'Kennebec Valley Medical Center', 'KVMC');
  const birthDate = yearsAgo(15);
  const theo = await sendPatient(w, kvmc, { mrn: 'H2002', family: 'Lee', given: 'Theo', birthDate, ssn: '333445555', gender: 'male' });
  const desk = await readyStaff(w, 'desk@kvmc.example.org', ['front-desk'], kvmc.id);
  nurse = await readyStaff(w, 'nurse@kvmc.example.org', ['nurse'], kvmc.id);
  await enrolledPatient(w, desk, theo, THEO, 'Theo Lee', birthDate);
  await patientAccount(w, PAT, 'Pat Lee');
  const grant = await desk.b.post('/api/proxy-grants', { proxyEmail: PAT, patientId: theo, basis: 'parent' });
  expect(grant.statusCode, grant.body).toBe(201);
}, 180_000);

afterAll(async () => {
  if (!hasChromium) return;
  expect(problems.flat()).toEqual([]);
  await w.close();
  console.log(`messages: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.skipIf(!hasChromium)('messages in the portal', () => {
  it('lets a teen write to his clinic himself', async () => {
    const page = await browser();
    await signInAs(page, THEO, 'Welcome, Theo Lee');
    await openMessages(page);
    await page.getByText('No messages yet.').waitFor();
    await expectAccessible(page, 'no messages');
    await page.getByRole('link', { name: 'New message' }).click();
    await heading(page, 'New message');
    await page.getByText('To the care team of Kennebec Valley Medical Center.').waitFor();
    await expectAccessible(page, 'new message');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await heading(page, 'Messages');
    await write(page, 'A private question', 'Is what we talked about\nat my visit private?');
    const conversation = page.getByRole('list', { name: 'Messages in this conversation' });
    await expect.poll(() => conversation.textContent()).toContain('Theo Lee');
    expect(await conversation.textContent()).toContain('at my visit private?');
    await expectAccessible(page, 'a conversation');
    await page.context().close();
    threads.teen = (await staffThreads()).find((t) => t.subject === 'A private question')?.id ?? '';
    expect(threads.teen).not.toBe('');
  });

  it('lets his father write acting for him, without ever showing him the teen’s own conversation', async () => {
    const page = await browser();
    await signInAs(page, PAT, 'Welcome, Pat Lee');
    await expect.poll(() => page.getByRole('region', { name: 'Whose record' }).textContent()).toContain('You are viewing: Theo Lee (teen)');
    await openMessages(page);
    await page.getByText('No messages yet.').waitFor();
    expect(await page.getByRole('main').textContent()).not.toContain('A private question');
    await page.getByRole('link', { name: 'New message' }).click();
    await heading(page, 'New message');
    await page.getByText('To the care team of the organization that gave you access to Theo Lee’s record.').waitFor();
    await page.getByRole('link', { name: 'Cancel' }).click();
    await write(page, 'Theo’s inhaler', 'His inhaler runs out next week. Can you renew it?');
    const conversation = page.getByRole('list', { name: 'Messages in this conversation' });
    await expect.poll(() => conversation.textContent()).toContain('Pat Lee acting for Theo Lee');
    await expectAccessible(page, 'a proxy’s conversation');
    // The teen's conversation at its own address: not found, like one that does not exist.
    await page.goto(`/messages/${threads.teen}`);
    await heading(page, 'Conversation');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('We could not find this.');
    expect(await page.getByRole('main').textContent()).not.toContain('private');
    await page.context().close();
    threads.parent = (await staffThreads()).find((t) => t.subject === 'Theo’s inhaler')?.id ?? '';
    expect(threads.parent).not.toBe('');
  });

  it('shows the father the nurse’s answer as unread, then read once opened; he replies', async () => {
    for (const [id, text] of [
      [threads.teen, 'Yes: what you tell us about your health stays between you and us.'],
      [threads.parent, 'Renewed: it is ready at the pharmacy.'],
    ] as const) {
      const res = await nurse.b.post(`/api/staff/messages/${id}/replies`, { body: text });
      expect(res.statusCode, res.body).toBe(201);
    }
    const page = await browser();
    await signInAs(page, PAT, 'Welcome, Pat Lee');
    await openMessages(page, /^Messages \(1 unread\)$/);
    const list = page.getByRole('list', { name: 'Conversations' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(1);
    expect(await list.textContent()).toContain('1 new');
    expect(await page.getByRole('main').textContent()).not.toContain('A private question');
    await expectAccessible(page, 'an unread conversation');
    await screenshot(page, 'messages');
    await list.getByRole('link', { name: 'Theo’s inhaler' }).click();
    await heading(page, 'Theo’s inhaler');
    await expect.poll(() => page.getByRole('list', { name: 'Messages in this conversation' }).textContent()).toContain('Renewed: it is ready at the pharmacy.');
    expect(await page.getByRole('main').textContent()).not.toContain('stays between you and us');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages', exact: true }).waitFor();
    await page.getByLabel('Your reply').fill('Thank you!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Your message was sent.').waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Messages in this conversation' }).getByRole('listitem').count()).toBe(3);
    await expectAccessible(page, 'after a reply');
    await screenshot(page, 'message-thread');
    await page.context().close();
  });

  it('lets the teen read his father’s conversation without writing in it', async () => {
    const page = await browser();
    await signInAs(page, THEO, 'Welcome, Theo Lee');
    await openMessages(page, /^Messages \(\d+ unread\)$/);
    const list = page.getByRole('list', { name: 'Conversations' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    await list.getByRole('link', { name: 'A private question' }).click();
    await heading(page, 'A private question');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('stays between you and us');
    await page.getByLabel('Your reply').waitFor();
    await page.getByRole('link', { name: 'Back to messages' }).click();
    await heading(page, 'Messages');
    await list.getByRole('link', { name: 'Theo’s inhaler' }).click();
    await heading(page, 'Theo’s inhaler');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Pat Lee acting for Theo Lee');
    expect(await page.getByLabel('Your reply').count()).toBe(0);
    await page.getByText(/You can read this conversation; only .* and the care team write in it\./).waitFor();
    await expectAccessible(page, 'a conversation the teen reads');
    await page.context().close();
  });
});
