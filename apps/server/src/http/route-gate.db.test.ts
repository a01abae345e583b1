import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, startSmtpCapture, testClock, TestBrowser, type SmtpCapture, type TestServer } from '@kennebec/test-support';
import { createOrg, patientAccount, readyStaff } from '../features/enrollment/test-fixture.ts';
import { STAFF_ROLES, type StaffRole } from '../features/access/index.ts';
import { admits, apiRegistryOf, type ApiRoute, type CallerIdentity } from './api-routes.ts';

/**
 * The authorization matrix over every endpoint outside FHIR: each route declared with
 * apiRoute() is tried as every kind of caller it does not admit (nobody, a patient, staff of
 * each role, an OAuth client), with a valid session and CSRF token so that nothing but the
 * caller's identity is wrong. Each must be refused (401 for nobody, 403 otherwise) before the
 * route reads its input or does anything. A new route is covered the moment it is declared.
 *
 * The finer question (the right kind of caller, but another patient's or organization's data)
 * is answered by the access decision point and tried in each feature's own tests and in
 * features/portal/authorization-matrix.db.test.ts.
 */
const clock = testClock('2031-02-03T10:00:00Z');
let t: TestServer;
let smtp: SmtpCapture;
let routes: ApiRoute[] = [];

interface Persona {
  name: string;
  identity: CallerIdentity;
  browser: TestBrowser;
}
const personas: Persona[] = [];

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url } });
  const org = await createOrg(t, 'Gate Clinic', 'GATE');
  personas.push({ name: 'nobody', identity: { kind: 'anonymous' }, browser: new TestBrowser(t.app) });
  personas.push({ name: 'patient', identity: { kind: 'account', userId: '', orgId: null, accountKind: 'patient', roles: [], stage: 'full' }, browser: await patientAccount(t, smtp, 'pat@gate.example') });
  for (const role of STAFF_ROLES) {
    const orgId = role.startsWith('hie-') ? null : org.id;
    const staff = await readyStaff(t, clock, `${role}@gate.example`, [role], orgId);
    await staff.b.get('/api/session');
    personas.push({ name: role, identity: { kind: 'account', userId: '', orgId, accountKind: 'staff', roles: [role as StaffRole], stage: 'full' }, browser: staff.b });
  }
  const token = await t.token('system/*.cruds', org.id);
  const client = new TestBrowser(t.app);
  personas.push({ name: 'client', identity: { kind: 'client' }, browser: client });
  (client as unknown as { bearer: string }).bearer = token;
  routes = apiRegistryOf(t.app)?.routes ?? [];
}, 120_000);
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** The route's path with a made-up value for each parameter. */
const concrete = (url: string): string => url.replace(/:[A-Za-z0-9_]+/g, 'gate-test-id');

async function call(p: Persona, route: ApiRoute) {
  const headers: Record<string, string> = {};
  if (p.name === 'client') headers.authorization = `Bearer ${(p.browser as unknown as { bearer: string }).bearer}`;
  return p.browser.request(route.method, concrete(route.url), route.method === 'GET' || route.method === 'DELETE' ? undefined : {}, headers);
}

describe('every endpoint, tried by every caller it is not for', () => {
  it('knows the routes and callers', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(personas.map((p) => p.name)).toEqual(['nobody', 'patient', ...STAFF_ROLES, 'client']);
    for (const r of routes) expect(r.who.length, `${r.operationId} declares who may call it`).toBeGreaterThan(0);
  });

  it('refuses each caller a route does not admit: 401 for nobody, 403 for the rest, before reading input', async () => {
    const wrong: string[] = [];
    let tried = 0;
    for (const route of routes) {
      for (const p of personas) {
        if (admits(route.who, p.identity)) continue;
        // Open to clients: an unauthenticated request goes on to the OAuth answer (401 too).
        const res = await call(p, route);
        tried += 1;
        const expected = p.name === 'nobody' ? 401 : 403;
        if (res.statusCode !== expected) wrong.push(`${p.name} ${route.method} ${route.url}: ${res.statusCode} ${res.body.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(tried).toBeGreaterThan(200);
  }, 120_000);

  it('lets the callers a route admits past the gate (read-only routes)', async () => {
    const blocked: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET' && !r.who.includes('anyone'))) {
      for (const p of personas) {
        if (p.name === 'nobody' || !admits(route.who, p.identity)) continue;
        const res = await call(p, route);
        if (res.body.includes(' may use ')) blocked.push(`${p.name} ${route.method} ${route.url}`);
      }
    }
    expect(blocked).toEqual([]);
  }, 60_000);

  it('writes down a signed-in caller refused at the gate', async () => {
    const count = async () => {
      await t.deps.audit.flush();
      const rows = await t.deps.db.query<{ n: number }>(`select count(*)::int as n from audit_entry where action = 'refused' and operation = 'listInvitations' and outcome = 'denied'`);
      return rows.rows[0]?.n ?? 0;
    };
    const before = await count();
    const patient = personas.find((p) => p.name === 'patient');
    const res = await patient?.browser.get('/api/enrollment/invitations');
    expect(res?.statusCode).toBe(403);
    expect(await count()).toBe(before + 1);
  });
});
