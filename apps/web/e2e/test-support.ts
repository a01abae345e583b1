import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { createClient, createSource, createStaffUser } from '@kennebec/server';
import { createTestServer, freePort, startSmtpCapture, TestBrowser, TEST_PASSWORD, totpCode, type SmtpCapture, type TestServer } from '@kennebec/test-support';

/**
 * The browser tests' world: the whole server listening on a random port of 127.0.0.1 with its
 * own fresh database and a real SMTP capture, Debian's Chromium driven by playwright-core
 * (never a downloaded browser), axe-core run inside each page, and data sent the way sources
 * send it (FHIR, with each organization's own client) and set up the way staff set it up
 * (through the JSON API).
 */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  // A clear word instead of a silent skip; CI installs Chromium (.ci/run) and never skips.
  console.warn(`Browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium).`);
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing in CI`);
}

const ROOT = new URL('../../../', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, 'test-artifacts/screenshots');

export interface World {
  t: TestServer;
  smtp: SmtpCapture;
  base: string;
  browser: Browser;
  close: () => Promise<void>;
}

export async function startWorld(): Promise<World> {
  const smtp = await startSmtpCapture();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t = await createTestServer({ env: { BASE_URL: base, SMTP_URL: smtp.url, LOG_LEVEL: 'silent' } });
  await t.app.listen({ port, host: '127.0.0.1' });
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
    async close() {
      await browser.close();
      await t.close();
      await smtp.close();
    },
  };
}

/** A browser context that fails the test on any Content-Security-Policy violation or page error. */
export async function newPage(w: World, opts: { viewport?: { width: number; height: number }; isMobile?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await w.browser.newContext({ baseURL: w.base, viewport: opts.viewport ?? { width: 1280, height: 900 }, ...(opts.isMobile ? { isMobile: true, hasTouch: true } : {}), locale: 'en-US' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Requests anywhere but the server under test would be a bug (no CDN, no fonts from elsewhere).
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => {
    problems.push(`request outside the server: ${route.request().url()}`);
    return route.abort();
  });
  return { context, page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.1 A and AA rules) in the page; serious and critical violations fail. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the DevTools protocol, not as an inline script: the page's CSP stays strict.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // Runs in the page (whose globals the Node-side types do not know).
    const g = globalThis as unknown as { document: unknown; axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } };
    const r = await g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${what}: ${JSON.stringify(bad, null, 1)}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The heading the page moved to, once it is there. */
export async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 10_000 });
}

// --- Data, sent and set up as in real life -------------------------------------------------

export interface Org {
  id: string;
  name: string;
  system: string;
  token: string;
}

export async function createOrg(w: World, name: string, facility: string): Promise<Org> {
  const src = await createSource(w.t.deps, { name, hl7Facility: facility });
  const client = await createClient(w.t.deps.db, { name: `${facility} feed`, scopes: 'system/*.cruds', orgId: src.id });
  const res = await w.t.app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).toString(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return { id: src.id, name, system: src.identifierSystem, token: (res.json() as { access_token: string }).access_token };
}

/** Stores a resource as the organization's feed would; returns its id. */
export async function send(w: World, org: Org, resource: Record<string, unknown>): Promise<string> {
  const res = await w.t.app.inject({
    method: 'POST',
    url: `/fhir/R4/${String(resource.resourceType)}`,
    headers: { authorization: `Bearer ${org.token}`, 'content-type': 'application/fhir+json' },
    payload: JSON.stringify(resource),
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

export interface Demographics {
  mrn: string;
  family: string;
  given: string;
  birthDate: string;
  ssn: string;
  gender?: 'female' | 'male';
}

export async function sendPatient(w: World, org: Org, p: Demographics): Promise<string> {
  return send(w, org, {
    resourceType: 'Patient',
    identifier: [
      { system: org.system, value: p.mrn, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } },
      { system: 'http://hl7.org/fhir/sid/us-ssn', value: p.ssn },
    ],
    name: [{ use: 'official', family: p.family, given: [p.given] }],
    gender: p.gender ?? 'female',
    birthDate: p.birthDate,
    address: [{ line: ['12 Water Street'], city: 'Augusta', state: 'ME', postalCode: '04330' }],
  });
}

const LOINC = 'http://loinc.org';
export const HBA1C = { system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' };

export function labResult(patientId: string, when: string, value: number, opts: { code?: typeof HBA1C; unit?: string; low?: number; high?: number; text?: string } = {}) {
  const code = opts.code ?? HBA1C;
  const unit = opts.unit ?? '%';
  const low = opts.low ?? 4.0;
  const high = opts.high ?? 5.6;
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [code], text: opts.text ?? 'Hemoglobin A1c' },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: when,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    referenceRange: [{ low: { value: low, unit }, high: { value: high, unit } }],
    ...(value > high ? { interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }] } : {}),
  };
}

export function condition(patientId: string, code: string, display: string, system = 'http://snomed.info/sct') {
  return {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    subject: { reference: `Patient/${patientId}` },
    code: { coding: [{ system, code, display }], text: display },
    onsetDateTime: '2024-02-01',
  };
}

/** A browser's view of the JSON API for setting things up (staff, accounts), from our origin. */
export function apiClient(w: World): TestBrowser {
  const b = new TestBrowser(w.t.app);
  b.origin = w.base;
  return b;
}

/**
 * TOTP codes for a secret, each one used once: a code is accepted one 30-second step early, so
 * a test need not wait for the clock when it signs in twice in a row.
 */
export class Authenticator {
  private last = -1;
  constructor(readonly secret: string) {}
  async code(): Promise<string> {
    let step = Math.max(Math.floor(Date.now() / 30_000), this.last + 1);
    while (step > Math.floor(Date.now() / 30_000) + 1) {
      await new Promise((r) => setTimeout(r, 1000));
      step = Math.max(Math.floor(Date.now() / 30_000), this.last + 1);
    }
    this.last = step;
    return totpCode(this.secret, new Date(step * 30_000 + 1_000));
  }
}

export interface Staff {
  b: TestBrowser;
  totp: Authenticator;
}

/** Staff who chose a password through their link, enrolled TOTP and signed in with a code. */
export async function readyStaff(w: World, email: string, roles: string[], orgId: string): Promise<Staff> {
  const created = await createStaffUser({ db: w.t.deps.db, baseUrl: w.base, now: new Date() }, { email, roles, orgId });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await apiClient(w).post('/api/password/reset', { token, password: TEST_PASSWORD })).statusCode).toBe(204);
  const first = apiClient(w);
  expect((await first.post('/api/session', { email, password: TEST_PASSWORD })).statusCode).toBe(200);
  await first.get('/api/session');
  const { secret } = (await first.post('/api/mfa/totp/enrol')).json() as { secret: string };
  const totp = new Authenticator(secret);
  expect((await first.post('/api/mfa/totp/confirm', { code: await totp.code() })).statusCode).toBe(200);
  const b = apiClient(w);
  expect((await b.post('/api/session', { email, password: TEST_PASSWORD })).statusCode).toBe(200);
  await b.get('/api/session');
  const res = await b.post('/api/session/mfa', { code: await totp.code() });
  expect(res.statusCode, res.body).toBe(200);
  return { b, totp };
}

/** A patient account made and confirmed through the API (for people the test does not watch sign up). */
export async function patientAccount(w: World, email: string, name: string): Promise<void> {
  const b = apiClient(w);
  expect((await b.post('/api/accounts', { email, password: TEST_PASSWORD, name })).statusCode).toBe(202);
  const mail = await w.smtp.next(email, /Confirm/);
  const token = /\/verify-email\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1] ?? '';
  expect((await b.post('/api/accounts/verify-email', { token: decodeURIComponent(token) })).statusCode).toBe(204);
}

export { TEST_PASSWORD };
