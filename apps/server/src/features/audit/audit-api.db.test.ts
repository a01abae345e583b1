import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent, Bundle } from 'fhir/r4';
import { validateResource } from '@kennebec/fhir-validator';
import type { ChainedRecord } from '@kennebec/audit';
import { createTestServer, TEST_BASE_URL, type TestServer } from '@kennebec/test-support';
import { selectEntries } from './rows.ts';
import { verifyAuditChain } from './verify-chain.ts';

/** Every FHIR interaction leaves its entry; auditors read the trail as AuditEvents. */
let t: TestServer;
let auth: Record<string, string>;
let auditor: Record<string, string>;
let clientRef: string;
const FHIR = '/fhir/R4';
const json = { 'content-type': 'application/fhir+json' };
const FAMILY = 'Quimbyzzle';
const BIRTH = '1961-04-02';

async function entriesFor(requestId: string): Promise<ChainedRecord[]> {
  await t.deps.audit.flush();
  return selectEntries(t.deps.db, 'where request_id = $1', [requestId], 'order by seq');
}

async function only(requestId: string): Promise<ChainedRecord> {
  const list = await entriesFor(requestId);
  expect(list).toHaveLength(1);
  return list[0] as ChainedRecord;
}

function rid(res: { headers: Record<string, unknown> }): string {
  return res.headers['x-request-id'] as string;
}

async function post(type: string, body: object, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'POST', url: `${FHIR}/${type}`, headers: { ...auth, ...json, ...headers }, payload: body });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res;
}

let patientId: string;
let obsId: string;
let since: string;

beforeAll(async () => {
  since = new Date(Date.now() - 1000).toISOString();
  t = await createTestServer();
  const token = await t.token();
  auth = { authorization: `Bearer ${token}` };
  auditor = { authorization: `Bearer ${await t.token('system/AuditEvent.rs')}` };
  const p = await post('Patient', { resourceType: 'Patient', name: [{ family: FAMILY, given: ['Ruth'] }], birthDate: BIRTH });
  patientId = p.json().id;
  const o = await post('Observation', { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: `Patient/${patientId}` } });
  obsId = o.json().id;
  clientRef = (await only(rid(o))).actor;
});
afterAll(async () => t.close());

describe('audit of FHIR interactions', () => {
  it('records a read: who, from where, which record and whose', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${FHIR}/Observation/${obsId}`, headers: { ...auth, 'user-agent': 'audit-test/1' } });
    expect(res.statusCode).toBe(200);
    const e = await only(rid(res));
    expect(clientRef).toMatch(/^Client\//);
    expect(e).toMatchObject({
      actor: clientRef,
      action: 'read',
      resourceType: 'Observation',
      entities: [`Observation/${obsId}`],
      patients: [`Patient/${patientId}`],
      outcome: 'success',
      status: 200,
      clientIp: '127.0.0.1',
      userAgent: 'audit-test/1',
      purposeOfUse: null,
      onBehalfOf: null,
    });
  });

  it('records each write in its transaction: create, update, conditional create, delete (with the patients of what was deleted)', async () => {
    const created = await post('Observation', { resourceType: 'Observation', status: 'final', code: { text: 'bp' }, subject: { reference: `Patient/${patientId}` } });
    const id = created.json().id;
    expect(await only(rid(created))).toMatchObject({ action: 'create', status: 201, entities: [`Observation/${id}`], patients: [`Patient/${patientId}`] });
    const updated = await t.app.inject({ method: 'PUT', url: `${FHIR}/Observation/${id}`, headers: { ...auth, ...json }, payload: { ...(created.json() as object), status: 'amended' } });
    expect(await only(rid(updated))).toMatchObject({ action: 'update', status: 200, entities: [`Observation/${id}`] });
    const again = await post('Patient', { resourceType: 'Patient', name: [{ family: FAMILY }] }, { 'if-none-exist': `_id=${patientId}` });
    expect(again.statusCode).toBe(200);
    expect(await only(rid(again))).toMatchObject({ action: 'create', status: 200, entities: [`Patient/${patientId}`] });
    const deleted = await t.app.inject({ method: 'DELETE', url: `${FHIR}/Observation/${id}`, headers: auth });
    expect(deleted.statusCode).toBe(204);
    expect(await only(rid(deleted))).toMatchObject({ action: 'delete', status: 204, entities: [`Observation/${id}`], patients: [`Patient/${patientId}`] });
  });

  it('records vread, history and search with the references returned and the patients concerned', async () => {
    const vread = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${patientId}/_history/1`, headers: auth });
    expect(await only(rid(vread))).toMatchObject({ action: 'vread', entities: [`Patient/${patientId}`], patients: [`Patient/${patientId}`] });
    const history = await t.app.inject({ method: 'GET', url: `${FHIR}/Observation/_history`, headers: auth });
    expect((await only(rid(history))).action).toBe('history');
    expect((await only(rid(history))).patients).toContain(`Patient/${patientId}`);
    const search = await t.app.inject({ method: 'GET', url: `${FHIR}/Observation?subject=Patient/${patientId}&_include=Observation:subject`, headers: auth });
    const e = await only(rid(search));
    expect(e).toMatchObject({ action: 'search', resourceType: 'Observation', patients: [`Patient/${patientId}`], status: 200 });
    expect(e.entities).toEqual(expect.arrayContaining([`Observation/${obsId}`, `Patient/${patientId}`]));
    expect(e.entitiesTotal).toBe(e.entities.length);
    const none = await t.app.inject({ method: 'GET', url: `${FHIR}/Condition?patient=nobody-here`, headers: auth });
    expect(await only(rid(none))).toMatchObject({ action: 'search', entities: [], patients: ['Patient/nobody-here'] });
  });

  it('records each entry of a transaction in it, and a failed transaction as one failure and nothing else', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: FHIR,
      headers: { ...auth, ...json },
      payload: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:0b2c7c2e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', name: [{ family: FAMILY }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:0b2c7c2e-0000-4000-8000-000000000001' } }, request: { method: 'POST', url: 'Observation' } },
          { request: { method: 'GET', url: `Patient/${patientId}` } },
        ],
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const list = await entriesFor(rid(ok));
    expect(list.map((e) => `${e.action} ${e.resourceType} ${e.status}`)).toEqual(['create Patient 201', 'create Observation 201', `read Patient 200`]);
    const newPatient = list[0]?.entities[0] as string;
    expect(list[1]?.patients).toEqual([newPatient]);
    const failed = await t.app.inject({
      method: 'POST',
      url: FHIR,
      headers: { ...auth, ...json },
      payload: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: `Patient/${patientId}` } }, request: { method: 'POST', url: 'Observation' } },
          { resource: { resourceType: 'Patient', id: patientId }, request: { method: 'PUT', url: `Patient/${patientId}`, ifMatch: 'W/"99"' } },
        ],
      },
    });
    expect(failed.statusCode).toBe(412);
    expect(await only(rid(failed))).toMatchObject({ action: 'transaction', outcome: 'error', status: 412, entities: [] });
  });

  it('records each entry of a batch as a request of its own', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: FHIR,
      headers: { ...auth, ...json },
      payload: { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${patientId}` } }, { request: { method: 'GET', url: 'Patient/missing' } }] },
    });
    expect(res.statusCode).toBe(200);
    const list = await entriesFor(rid(res));
    expect(list.map((e) => [e.action, e.outcome, e.status, e.entities[0]])).toEqual([
      ['read', 'success', 200, `Patient/${patientId}`],
      ['read', 'error', 404, 'Patient/missing'],
    ]);
  });

  it('records refusals: no token as anonymous (401), a missing scope as the client (403), both denied', async () => {
    const anon = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${patientId}`, headers: { 'user-agent': 'nosy/1' } });
    expect(anon.statusCode).toBe(401);
    expect(await only(rid(anon))).toMatchObject({ actor: 'anonymous', action: 'read', outcome: 'denied', status: 401, entities: [`Patient/${patientId}`], patients: [`Patient/${patientId}`], userAgent: 'nosy/1' });
    const limited = { authorization: `Bearer ${await t.token('system/Observation.rs')}` };
    const denied = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient?name=${FAMILY}`, headers: limited });
    expect(denied.statusCode).toBe(403);
    const e = await only(rid(denied));
    expect(e).toMatchObject({ action: 'search', resourceType: 'Patient', outcome: 'denied', status: 403 });
    expect(e.actor).toMatch(/^Client\//);
    const failed = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/no-such-one`, headers: auth });
    expect(await only(rid(failed))).toMatchObject({ action: 'read', outcome: 'error', status: 404 });
  });

  it('records $everything and $match as operations with what they returned', async () => {
    const all = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${patientId}/$everything`, headers: auth });
    expect(all.statusCode).toBe(200);
    const e = await only(rid(all));
    expect(e).toMatchObject({ action: 'operation', operation: '$everything', resourceType: 'Patient' });
    // The patient, and the Person the MPI linked the patient to.
    expect(e.patients[0]).toBe(`Patient/${patientId}`);
    expect(e.patients.slice(1)).toEqual([expect.stringMatching(/^Person\//)]);
    expect(e.entities).toEqual(expect.arrayContaining([`Patient/${patientId}`, `Observation/${obsId}`]));
    const match = await t.app.inject({
      method: 'POST',
      url: `${FHIR}/Patient/$match`,
      headers: { ...auth, ...json },
      payload: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: FAMILY, given: ['Ruth'] }], birthDate: BIRTH } }] },
    });
    expect(match.statusCode).toBe(200);
    expect(await only(rid(match))).toMatchObject({ action: 'operation', operation: '$match', resourceType: 'Patient' });
  });

  it('keeps no health data in the trail: references only', async () => {
    await t.app.inject({ method: 'GET', url: `${FHIR}/Patient?family=${FAMILY}&birthdate=${BIRTH}`, headers: auth });
    await t.deps.audit.flush();
    const all = await t.deps.db.query<{ row: string }>('select row_to_json(a)::text as row from audit_entry a');
    const text = all.rows.map((r) => r.row).join('\n');
    expect(text).not.toContain(FAMILY);
    expect(text).not.toContain(BIRTH);
    expect(text).not.toContain('weight');
  });
});

describe('AuditEvent API', () => {
  async function search(query: string, headers = auditor): Promise<Bundle> {
    const res = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent?${query}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Bundle;
  }
  const events = (b: Bundle) => (b.entry ?? []).map((e) => e.resource as AuditEvent);

  it('is refused without an AuditEvent scope granted by name, even to system/*.cruds, and the refusal is recorded', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent?patient=Patient/${patientId}`, headers: auth });
    expect(res.statusCode).toBe(403);
    expect(res.json().issue[0].details.coding[0].code).toBe('KB-FORBIDDEN');
    expect(await only(rid(res))).toMatchObject({ resourceType: 'AuditEvent', action: 'search', outcome: 'denied', status: 403, patients: [`Patient/${patientId}`] });
  });

  it('finds the events about a patient as valid R4 AuditEvents, and reading them is itself recorded', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent?patient=${patientId}&_count=1000`, headers: auditor });
    expect(res.statusCode).toBe(200);
    const found = events(res.json());
    expect(found.length).toBeGreaterThan(5);
    for (const ev of found) {
      const issues = validateResource(ev, { expectedType: 'AuditEvent' }).issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
      expect(issues, JSON.stringify(ev)).toEqual([]);
      expect((ev.entity ?? []).some((x) => x.what?.reference === `Patient/${patientId}`)).toBe(true);
    }
    const logged = await only(rid(res));
    expect(logged).toMatchObject({ action: 'search', resourceType: 'AuditEvent', outcome: 'success', patients: expect.arrayContaining([`Patient/${patientId}`]) });
    expect(logged.entities).toHaveLength(found.length);
    const one = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent/${found[0]?.id}`, headers: auditor });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(found[0]);
    expect((await only(rid(one))).entities).toEqual([`AuditEvent/${found[0]?.id}`]);
    for (const id of ['nope', '00000000-0000-4000-8000-000000000000']) {
      const missing = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent/${id}`, headers: auditor });
      expect(missing.statusCode).toBe(404);
    }
    const byId = events(await search(`_id=${found[1]?.id},not-a-uuid`));
    expect(byId.map((e) => e.id)).toEqual([found[1]?.id]);
  });

  it('searches by entity, agent, action, subtype, outcome and date, newest first, in keyset pages', async () => {
    const byEntity = events(await search(`entity=Observation/${obsId}`));
    expect(byEntity.length).toBeGreaterThan(0);
    expect(byEntity.every((e) => (e.entity ?? []).some((x) => x.what?.reference === `Observation/${obsId}`))).toBe(true);
    const anonymous = events(await search('agent=anonymous'));
    expect(anonymous.length).toBeGreaterThan(0);
    expect(anonymous.every((e) => e.agent[0]?.who?.identifier?.value === 'anonymous' && e.outcome === '4')).toBe(true);
    const creates = events(await search(`action=C&agent=${clientRef}`));
    expect(creates.length).toBeGreaterThan(2);
    expect(creates.every((e) => e.action === 'C')).toBe(true);
    const deletes = events(await search('subtype=http://hl7.org/fhir/restful-interaction|delete'));
    expect(deletes.map((e) => e.action)).toEqual(['D']);
    const refused = events(await search('outcome=4'));
    expect(refused.length).toBeGreaterThan(2);
    expect(refused.every((e) => e.outcome === '4')).toBe(true);
    expect(events(await search('date=gt2999-01-01'))).toEqual([]);
    const until = new Date(Date.now() + 60_000).toISOString();
    // The auditor's own searches are recorded too, under another agent: leave them out to page over a fixed set.
    const all = events(await search(`date=ge${since}&date=le${until}&agent=${clientRef}&_count=1000`));
    expect(all.length).toBeGreaterThan(10);
    const recorded = all.map((e) => e.recorded);
    expect([...recorded].sort().reverse()).toEqual(recorded);
    // Pages of 3 over the same query: all of them, each once.
    const seen: string[] = [];
    let url: string | undefined = `${FHIR}/AuditEvent?date=ge${since}&date=le${until}&agent=${clientRef}&_count=3`;
    const firstIds = all.map((e) => e.id);
    while (url) {
      const res = await t.app.inject({ method: 'GET', url, headers: auditor });
      const b = res.json() as Bundle;
      seen.push(...events(b).map((e) => e.id as string));
      url = b.link?.find((l) => l.relation === 'next')?.url?.replace(TEST_BASE_URL, '');
    }
    expect(seen).toEqual(firstIds);
  });

  it('rejects unknown parameters and bad values with 400', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent?name=x`, headers: auditor });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issue[0].details.coding[0].code).toBe('KB-SEARCH-PARAM');
    const bad = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent?action=X`, headers: auditor });
    expect(bad.statusCode).toBe(400);
    const lenient = await t.app.inject({ method: 'GET', url: `${FHIR}/AuditEvent?name=x&_count=1`, headers: { ...auditor, prefer: 'handling=lenient' } });
    expect(lenient.statusCode).toBe(200);
  });

  it('is never writable through the API: 405 with an OperationOutcome, also inside a transaction', async () => {
    const event = { resourceType: 'AuditEvent', type: { code: 'rest' }, recorded: '2026-01-01T00:00:00Z', agent: [{ requestor: true }], source: { observer: { display: 'x' } } };
    const everyone = { ...auth, ...json };
    for (const [method, url] of [['POST', 'AuditEvent'], ['PUT', 'AuditEvent/abc'], ['DELETE', 'AuditEvent/abc'], ['PUT', 'AuditEvent?_id=abc']] as const) {
      const res = await t.app.inject({ method, url: `${FHIR}/${url}`, headers: everyone, payload: method === 'DELETE' ? undefined : event });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.json().issue[0].details.coding[0].code).toBe('KB-METHOD');
    }
    const tx = await t.app.inject({ method: 'POST', url: FHIR, headers: everyone, payload: { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: event, request: { method: 'POST', url: 'AuditEvent' } }] } });
    expect(tx.statusCode).toBe(405);
    const before = await t.deps.db.query<{ n: string | number }>(`select count(*) as n from resource where resource_type = 'AuditEvent'`);
    expect(Number(before.rows[0]?.n)).toBe(0);
  });

  it('is listed in the CapabilityStatement as read and search only', async () => {
    const cs = (await t.app.inject({ method: 'GET', url: `${FHIR}/metadata` })).json();
    const ae = cs.rest[0].resource.find((r: { type: string }) => r.type === 'AuditEvent');
    expect(ae.interaction.map((i: { code: string }) => i.code)).toEqual(['read', 'search-type']);
    expect(ae.searchParam.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['patient', 'entity', 'agent', 'date', 'action']));
  });

  it('leaves an intact chain behind all of the above', async () => {
    await t.deps.audit.flush();
    const result = await verifyAuditChain(t.deps.db);
    expect(result.ok, JSON.stringify(result.broken)).toBe(true);
    expect(result.count).toBeGreaterThan(30);
  });
});
