import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4';
import {
  createTestServer,
  signedIn,
  signUpVerified,
  startSmtpCapture,
  testClock,
  TestBrowser,
  TEST_PASSWORD,
  totpCode,
  type SmtpCapture,
  type TestServer,
} from '@kennebec/test-support';
import { fhirApiFor } from '../../compose.ts';
import { findUserByEmail } from '../accounts/index.ts';
import type { UserActor } from '../access/index.ts';
import type { FhirApi } from '../fhir-api/index.ts';
import { createSource } from '../sources/index.ts';
import { createStaffUser } from '../staff/index.ts';

/**
 * Every health-data endpoint, tried as every kind of actor: the patient, another patient
 * (including guessed ids), a parent of a child and of a teen, a parent after the teen's 18th
 * birthday, staff of the patient's organization, of another one, billing staff, a client
 * without the scope, and nobody. Each answer is checked for permit or deny and for what the
 * body must never contain.
 */
const clock = testClock('2030-03-01T09:00:00Z');
const links = new Map<string, string[]>();
let t: TestServer;
let smtp: SmtpCapture;
let api: FhirApi;
let orgA: string;
let orgB: string;
const ids: Record<string, string> = {};
const browsers: Record<string, TestBrowser> = {};
const actors: Record<string, UserActor> = {};

async function fhir(method: 'POST', type: string, body: Record<string, unknown>, token: string): Promise<string> {
  const res = await t.app.inject({ method, url: `/fhir/R4/${type}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

const patient = (family: string, given: string, birthDate: string, ssn: string) => ({
  resourceType: 'Patient',
  name: [{ family, given: [given] }],
  birthDate,
  gender: 'female',
  identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: ssn }],
  address: [{ line: ['12 Harbor Road'], city: 'Portland', state: 'ME', postalCode: '04101' }],
});
const lab = (pid: string, code: string) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${pid}` },
});
const condition = (pid: string, icd: string) => ({
  resourceType: 'Condition',
  subject: { reference: `Patient/${pid}` },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: icd }] },
});

async function staffBrowser(email: string, roles: string[], orgId: string): Promise<TestBrowser> {
  const created = await createStaffUser({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: clock.now() }, { email, roles, orgId });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await new TestBrowser(t.app).post('/api/password/reset', { token, password: TEST_PASSWORD })).statusCode).toBe(204);
  const b = await signedIn(t, email);
  const { secret } = (await b.post('/api/mfa/totp/enrol')).json() as { secret: string };
  expect((await b.post('/api/mfa/totp/confirm', { code: totpCode(secret, clock.now()) })).statusCode).toBe(200);
  clock.advance(60_000);
  actors[email.split('@')[0] as string] = { kind: 'user', userId: created.id, accountKind: 'staff', orgId, roles: roles as UserActor['roles'] };
  return b;
}

async function patientBrowser(name: string): Promise<TestBrowser> {
  const email = `${name}@mail.example`;
  await signUpVerified(t, smtp, email);
  const user = await findUserByEmail(t.deps.db, email);
  actors[name] = { kind: 'user', userId: user?.id ?? '', accountKind: 'patient', orgId: null, roles: [] };
  return signedIn(t, email);
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({
    clock,
    env: { SMTP_URL: smtp.url },
    patientLinks: { patientsOf: async (userId) => links.get(userId) ?? [] },
  });
  api = fhirApiFor(t.deps);
  orgA = (await createSource(t.deps, { name: 'Harbor Clinic', hl7Facility: 'HARBOR' })).id;
  orgB = (await createSource(t.deps, { name: 'Hill Hospital', hl7Facility: 'HILL' })).id;
  const a = await t.token('system/*.cruds', orgA);
  const b = await t.token('system/*.cruds', orgB);
  ids.alice = await fhir('POST', 'Patient', patient('Quimby', 'Alice', '1980-04-02', '123-45-6789'), a);
  ids.aliceAtB = await fhir('POST', 'Patient', patient('Quimby', 'Alice', '1980-04-02', '123-45-6789'), b);
  ids.bob = await fhir('POST', 'Patient', { ...patient('Ostrander', 'Robert', '1975-09-30', '987-65-4321'), gender: 'male' }, a);
  ids.child = await fhir('POST', 'Patient', patient('Quimby', 'Clara', '2024-05-01', '111-22-3333'), a);
  ids.teen = await fhir('POST', 'Patient', patient('Quimby', 'Tessa', '2015-01-01', '444-55-6666'), a);
  ids.aliceLab = await fhir('POST', 'Observation', lab(ids.alice, '2345-7'), a);
  ids.aliceLabAtB = await fhir('POST', 'Observation', lab(ids.aliceAtB, '718-7'), b);
  ids.bobLab = await fhir('POST', 'Observation', lab(ids.bob, '2345-7'), a);
  ids.childLab = await fhir('POST', 'Observation', lab(ids.child, '2345-7'), a);
  ids.teenAsthma = await fhir('POST', 'Condition', condition(ids.teen, 'J45.909'), a);
  ids.teenDepression = await fhir('POST', 'Condition', condition(ids.teen, 'F32.9'), a);

  browsers.alice = await patientBrowser('alice');
  browsers.bob = await patientBrowser('bob');
  browsers.parent = await patientBrowser('parent');
  links.set(actors.alice?.userId as string, [ids.alice]);
  links.set(actors.bob?.userId as string, [ids.bob]);
  browsers.nurseA = await staffBrowser('nurseA@harbor.example', ['nurse'], orgA);
  // The parent's grants, as the proxies feature stores them (granted by staff of the clinic);
  // the access point reads them through its ProxyGrants port and decides by age at each request.
  for (const subject of [ids.child, ids.teen]) {
    await t.deps.db.query(
      `insert into proxy_grant (id, proxy_user_id, subject_patient_id, org_id, basis, granted_by, granted_by_kind, granted_at)
       values ($1, $2, $3, $4, 'parent', $5, 'staff', $6)`,
      [`grant-${subject}`, actors.parent?.userId, subject, orgA, actors.nurseA?.userId, '2029-01-01T00:00:00Z'],
    );
  }
  browsers.nurseB = await staffBrowser('nurseB@hill.example', ['nurse'], orgB);
  browsers.billingA = await staffBrowser('billingA@harbor.example', ['billing'], orgA);
  browsers.anonymous = new TestBrowser(t.app);
}, 120_000);
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const record = (who: string, patientKey: string, section: string) => browsers[who]?.get(`/api/portal/people/${ids[patientKey] ?? patientKey}/record?section=${section}`);
const itemIds = (body: string): string[] => (JSON.parse(body) as { items: { id: string }[] }).items.map((i) => i.id);

describe('the portal record, actor by actor', () => {
  // [actor, person, section, status, ids that must be there, ids that must never appear]
  const cases: [string, string, string, number, string[], string[]][] = [
    ['alice', 'alice', 'labs', 200, ['aliceLab', 'aliceLabAtB'], ['bobLab', 'childLab']],
    ['alice', 'aliceAtB', 'labs', 200, ['aliceLab', 'aliceLabAtB'], ['bobLab']],
    ['alice', 'bob', 'labs', 404, [], ['bobLab', 'aliceLab']],
    ['alice', 'bobLab', 'labs', 404, [], ['bob']],
    ['alice', 'no-such-patient', 'labs', 404, [], []],
    ['bob', 'alice', 'labs', 404, [], ['aliceLab', 'aliceLabAtB']],
    ['bob', 'bob', 'labs', 200, ['bobLab'], ['aliceLab']],
    ['parent', 'child', 'labs', 200, ['childLab'], ['aliceLab']],
    ['parent', 'teen', 'problems', 200, ['teenAsthma'], ['teenDepression']],
    ['parent', 'alice', 'labs', 404, [], ['aliceLab']],
    ['nurseA', 'alice', 'labs', 200, ['aliceLab', 'aliceLabAtB'], ['bobLab']],
    ['nurseA', 'teen', 'problems', 200, ['teenAsthma', 'teenDepression'], []],
    ['nurseB', 'alice', 'labs', 200, ['aliceLab', 'aliceLabAtB'], []],
    ['nurseB', 'bob', 'labs', 404, [], ['bobLab']],
    ['billingA', 'alice', 'labs', 403, [], ['aliceLab']],
    ['anonymous', 'alice', 'labs', 401, [], ['aliceLab']],
  ];
  it.each(cases)('%s reading %s (%s) gets %i', async (who, person, section, status, present, absent) => {
    const res = await record(who, person, section);
    expect(res?.statusCode, res?.body).toBe(status);
    const body = res?.body ?? '';
    if (status === 200) expect(itemIds(body).sort()).toEqual(present.map((k) => ids[k]).sort());
    for (const k of absent) expect(body).not.toContain(ids[k]);
  });

  it('lists self and the people one acts for; a guessed id gives the same 404 as an unknown one', async () => {
    const people = async (who: string) => ((await browsers[who]?.get('/api/portal/people'))?.json() as { people: { patientId: string; relation: string; hiddenLabels: string[] }[] }).people;
    expect(await people('alice')).toMatchObject([{ patientId: ids.alice, relation: 'self', hiddenLabels: [] }]);
    const parentSees = new Map((await people('parent')).map((p) => [p.patientId, p.hiddenLabels.length > 0]));
    expect(parentSees).toEqual(new Map([
      [ids.child, false],
      [ids.teen, true],
    ]));
    expect((await browsers.nurseA?.get('/api/portal/people'))?.statusCode).toBe(403);
    const guessed = await record('alice', 'bob', 'labs');
    const unknown = await record('alice', 'no-such-patient', 'labs');
    expect(guessed?.json()).toMatchObject({ issue: [{ code: 'not-found' }] });
    expect((guessed?.body ?? '').replace(ids.bob as string, 'X')).toBe((unknown?.body ?? '').replace('no-such-patient', 'X'));
  });

  it('downloads a whole record through the same decision: own records from every source, hidden labels hidden, others 404', async () => {
    const download = async (who: string, key: string) => browsers[who]?.get(`/api/portal/people/${ids[key] ?? key}/export`);
    const mine = await download('alice', 'alice');
    expect(mine?.statusCode, mine?.body).toBe(200);
    expect(mine?.headers['content-disposition']).toMatch(/^attachment; filename="kennebec-record-\d{4}-\d{2}-\d{2}\.json"$/);
    const bundle = mine?.json() as Bundle;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    const got = (bundle.entry ?? []).map((e) => e.resource?.id);
    expect(got).toEqual(expect.arrayContaining([ids.alice, ids.aliceAtB, ids.aliceLab, ids.aliceLabAtB]));
    for (const k of ['bob', 'bobLab', 'childLab', 'teenDepression']) expect(mine?.body).not.toContain(ids[k]);
    const teen = await download('parent', 'teen');
    expect(teen?.statusCode).toBe(200);
    expect(teen?.body).toContain(ids.teenAsthma);
    expect(teen?.body).not.toContain(ids.teenDepression);
    const guessed = await download('bob', 'alice');
    expect(guessed?.statusCode).toBe(404);
    expect(guessed?.body).not.toContain(ids.aliceLab);
    expect((await download('nurseA', 'alice'))?.statusCode).toBe(403);
    expect((await download('anonymous', 'alice'))?.statusCode).toBe(401);
    await t.deps.audit.flush();
    const rows = await t.deps.db.query<{ actor: string; outcome: string; patients: string[]; entities_total: number }>(
      `select actor, outcome, patients, entities_total from audit_entry where action = 'export' order by seq`,
    );
    expect(rows.rows.map((r) => [r.actor, r.outcome, r.patients])).toEqual([
      [`User/${actors.alice?.userId}`, 'success', [`Patient/${ids.alice}`]],
      [`User/${actors.parent?.userId}`, 'success', [`Patient/${ids.teen}`]],
      [`User/${actors.bob?.userId}`, 'denied', [`Patient/${ids.alice}`]],
    ]);
    expect(rows.rows[0]?.entities_total).toBe(got.length);
  });

  it('records every portal read in the audit trail: who, acting for whom, why, whose record', async () => {
    const ok = await record('parent', 'teen', 'problems');
    const denied = await record('alice', 'bob', 'labs');
    await t.deps.audit.flush();
    const rows = await t.deps.db.query<{ actor: string; on_behalf_of: string | null; purpose_of_use: string; patients: string[]; entities: string[]; outcome: string; request_id: string }>(
      `select actor, on_behalf_of, purpose_of_use, patients, entities, outcome, request_id from audit_entry where request_id = any($1::text[]) order by seq`,
      [[ok?.headers['x-request-id'], denied?.headers['x-request-id']]],
    );
    expect(rows.rows).toEqual([
      {
        actor: `User/${actors.parent?.userId}`,
        on_behalf_of: `Patient/${ids.teen}`,
        purpose_of_use: 'PATRQT',
        patients: [`Patient/${ids.teen}`],
        entities: [`Condition/${ids.teenAsthma}`],
        outcome: 'success',
        request_id: ok?.headers['x-request-id'],
      },
      { actor: `User/${actors.alice?.userId}`, on_behalf_of: null, purpose_of_use: 'PATRQT', patients: [`Patient/${ids.bob}`], entities: [], outcome: 'denied', request_id: denied?.headers['x-request-id'] },
    ]);
  });

  it("ends a parent's access on the teen's 18th birthday", async () => {
    const before = await record('parent', 'teen', 'problems');
    expect(before?.statusCode).toBe(200);
    const saved = clock.now();
    clock.advance(Date.parse('2033-01-01T00:00:00Z') - saved.getTime());
    try {
      // (The session has long ended: sign in again.)
      const b = await signedIn(t, 'parent@mail.example');
      const after = await b.get(`/api/portal/people/${ids.teen}/record?section=problems`);
      expect(after?.statusCode).toBe(404);
      expect(after?.body).not.toContain(ids.teenAsthma);
      const people = (await b.get('/api/portal/people')).json() as { people: { patientId: string }[] };
      expect(people.people.map((p) => p.patientId)).toEqual([ids.child]);
    } finally {
      clock.advance(saved.getTime() - clock.now().getTime());
    }
  });
});

describe('the FHIR API, actor by actor', () => {
  const as = (who: string) => actors[who] as UserActor;
  const get = (who: string, path: string, query: [string, string][] = []) => api.dispatch({ method: 'GET', path, query, headers: {}, actor: as(who) });
  const status = async (p: Promise<unknown>): Promise<number> => {
    try {
      return ((await p) as { status: number }).status;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  const searchIds = async (who: string, type: string, query: [string, string][] = []) =>
    (((await get(who, type, query)).body as Bundle).entry ?? []).map((e) => e.fullUrl?.split('/').pop());

  it('is bearer-token only: a session or nobody gets 401, a client without the scope 403', async () => {
    for (const who of ['alice', 'nurseA', 'anonymous']) {
      const res = await browsers[who]?.get(`/fhir/R4/Observation/${ids.aliceLab}`);
      expect(res?.statusCode).toBe(401);
    }
    const token = await t.token('system/Patient.r');
    for (const url of [`/fhir/R4/Observation/${ids.aliceLab}`, '/fhir/R4/Observation', `/fhir/R4/Patient/${ids.alice}/$everything`]) {
      const res = await t.app.inject({ method: 'GET', url: url.replace('Patient.r', ''), headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, url).toBe(url.includes('$everything') ? 200 : 403);
      if (!url.includes('$everything')) expect(res.body).not.toContain(ids.aliceLab);
    }
  });

  it('reads: own record yes, anyone else 404 like an unknown id', async () => {
    expect(await status(get('alice', `Observation/${ids.aliceLab}`))).toBe(200);
    expect(await status(get('alice', `Observation/${ids.aliceLabAtB}`))).toBe(200);
    expect(await status(get('alice', `Observation/${ids.bobLab}`))).toBe(404);
    expect(await status(get('alice', `Patient/${ids.bob}`))).toBe(404);
    expect(await status(get('alice', `Observation/${ids.bobLab}/_history/1`))).toBe(404);
    expect(await status(get('alice', `Observation/${ids.bobLab}/_history`))).toBe(404);
    expect(await status(get('parent', `Condition/${ids.teenDepression}`))).toBe(404);
    expect(await status(get('parent', `Condition/${ids.teenAsthma}`))).toBe(200);
    expect(await status(get('nurseB', `Observation/${ids.bobLab}`))).toBe(404);
    expect(await status(get('nurseA', `Observation/${ids.bobLab}`))).toBe(200);
    expect(await status(get('billingA', `Observation/${ids.bobLab}`))).toBe(403);
  });

  it('searches only ever return permitted records, whatever the parameters', async () => {
    expect((await searchIds('alice', 'Observation')).sort()).toEqual([ids.aliceLab, ids.aliceLabAtB].sort());
    expect(await searchIds('alice', 'Observation', [['patient', `Patient/${ids.bob}`]])).toEqual([]);
    // Pages are cut after the restriction: two permitted results, one per page.
    const first = (await get('alice', 'Observation', [['_count', '1']])).body as Bundle;
    const next = first.link?.find((l) => l.relation === 'next')?.url ?? '';
    expect(first.entry).toHaveLength(1);
    const second = (await get('alice', 'Observation', [...new URL(next).searchParams] as [string, string][])).body as Bundle;
    expect([first, second].map((b) => b.entry?.[0]?.fullUrl?.split('/').pop()).sort()).toEqual([ids.aliceLab, ids.aliceLabAtB].sort());
    expect(await searchIds('alice', 'Patient', [['_id', ids.bob as string]])).toEqual([]);
    expect((await searchIds('parent', 'Condition')).sort()).toEqual([ids.teenAsthma]);
    expect((await searchIds('nurseB', 'Observation')).sort()).toEqual([ids.aliceLab, ids.aliceLabAtB].sort());
    expect(await status(get('billingA', 'Observation'))).toBe(403);
    expect(await status(get('alice', '_history'))).toBe(403);
  });

  it('refuses writes and $everything to portal users and staff', async () => {
    for (const who of ['alice', 'parent', 'nurseA']) {
      const create = api.dispatch({ method: 'POST', path: 'Observation', query: [], headers: {}, body: lab(ids.alice as string, '2345-7'), actor: as(who) });
      expect(await status(create)).toBe(403);
      expect(await status(get(who, `Patient/${ids.alice}/$everything`))).toBe(403);
    }
  });
});
