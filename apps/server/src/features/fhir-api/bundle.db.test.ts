import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry } from 'fhir/r4';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { fhirApiFor } from '../../compose.ts';
import type { FhirRequest } from './types.ts';

let t: TestServer;
let auth: Record<string, string>;
const json = { 'content-type': 'application/fhir+json' };

beforeAll(async () => {
  t = await createTestServer();
  auth = { authorization: `Bearer ${await t.token()}` };
});
afterAll(async () => t.close());

const PATIENT_URN = 'urn:uuid:6d4b8f3c-0c1e-4b7a-9e2f-1a2b3c4d5e6f';
const observation = (i: number, subject = PATIENT_URN) => ({
  resource: {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: subject },
    valueQuantity: { value: 60 + i, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  },
  request: { method: 'POST', url: 'Observation' },
});

async function post(body: object, url = '/fhir/R4/') {
  return t.app.inject({ method: 'POST', url, headers: { ...auth, ...json }, payload: body });
}

async function count(type: string): Promise<number> {
  const res = await t.deps.db.query<{ n: string }>('select count(*) as n from resource where resource_type = $1 and not deleted', [type]);
  return Number(res.rows[0]?.n);
}

describe('transaction Bundles', () => {
  it('stores every entry and rewrites urn:uuid references to the assigned ids', async () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        ...Array.from({ length: 49 }, (_, i) => observation(i)),
        { fullUrl: PATIENT_URN, resource: { resourceType: 'Patient', name: [{ family: 'Urnly' }] }, request: { method: 'POST', url: 'Patient' } },
      ],
    };
    const res = await post(bundle);
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as Bundle;
    expect(out.type).toBe('transaction-response');
    expect(out.entry).toHaveLength(50);
    for (const e of out.entry ?? []) expect(e.response?.status).toBe('201 Created');
    const patientLocation = out.entry?.[49]?.response?.location ?? '';
    const patientId = patientLocation.split('/')[1];
    const obsId = (out.entry?.[0]?.response?.location ?? '').split('/')[1] as string;
    const obs = await t.deps.store.read('Observation', obsId);
    expect((obs?.resource as unknown as { subject: { reference: string } }).subject.reference).toBe(`Patient/${patientId}`);
  });

  it('is all-or-nothing: one invalid entry stores nothing and names the entry', async () => {
    const before = await count('Observation');
    const bad = observation(1);
    (bad.resource as Record<string, unknown>).status = 'not-a-status';
    const res = await post({ resourceType: 'Bundle', type: 'transaction', entry: [observation(0, 'Patient/x'), bad] });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json().issue)).toContain('Bundle.entry[1]');
    expect(await count('Observation')).toBe(before);
  });

  it('is all-or-nothing when a later entry fails in the database phase', async () => {
    const before = await count('Patient');
    const created = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { ...auth, ...json }, payload: { resourceType: 'Patient' } });
    const id = created.json().id as string;
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: 'Rollback' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id, gender: 'male' }, request: { method: 'PUT', url: `Patient/${id}`, ifMatch: 'W/"7"' } },
      ],
    });
    expect(res.statusCode).toBe(412);
    expect(await count('Patient')).toBe(before + 1);
  });

  it('resolves conditional creates to the existing resource', async () => {
    const ident = { system: 'urn:oid:1.2.3.4', value: 'MRN-777' };
    const entry = { fullUrl: 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', identifier: [ident] }, request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:oid:1.2.3.4|MRN-777' } };
    const first = (await post({ resourceType: 'Bundle', type: 'transaction', entry: [entry, observation(0, entry.fullUrl)] })).json() as Bundle;
    const second = (await post({ resourceType: 'Bundle', type: 'transaction', entry: [entry, observation(1, entry.fullUrl)] })).json() as Bundle;
    expect(first.entry?.[0]?.response?.status).toBe('201 Created');
    expect(second.entry?.[0]?.response?.status).toBe('200 OK');
    expect(second.entry?.[0]?.response?.location).toBe(first.entry?.[0]?.response?.location);
  });

  it('rejects a reference to a urn:uuid that is not in the Bundle', async () => {
    const res = await post({ resourceType: 'Bundle', type: 'transaction', entry: [observation(0, 'urn:uuid:99999999-9999-4999-8999-999999999999')] });
    expect(res.statusCode).toBe(400);
  });

  it('processes DELETE before POST before PUT before GET', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { ...auth, ...json }, payload: { resourceType: 'Patient' } });
    const id = created.json().id as string;
    const res = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'GET', url: `Patient/${id}` } },
        { resource: { resourceType: 'Patient', id: 'tx-put-1', gender: 'female' }, request: { method: 'PUT', url: 'Patient/tx-put-1' } },
        { request: { method: 'DELETE', url: `Patient/${id}` } },
      ],
    });
    // The GET runs last, after the DELETE, so it finds the resource gone and the transaction fails.
    expect(res.statusCode).toBe(410);
    expect(await t.deps.store.read('Patient', 'tx-put-1')).toBeUndefined();
  });

  it('requires the create scope for every POST entry', async () => {
    const readOnly = { authorization: `Bearer ${await t.token('system/*.rs')}` };
    const res = await t.app.inject({ method: 'POST', url: '/fhir/R4', headers: { ...readOnly, ...json }, payload: { resourceType: 'Bundle', type: 'transaction', entry: [observation(0, 'Patient/x')] } });
    expect(res.statusCode).toBe(403);
  });
});

describe('conditional updates in a transaction', () => {
  const SYS = 'https://lab.example/result';
  const result = (value: string, v: number, extra: Record<string, unknown> = {}) => ({
    resource: {
      resourceType: 'Observation',
      status: 'final',
      identifier: [{ system: SYS, value }],
      code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
      valueQuantity: { value: v, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      ...extra,
    },
    request: { method: 'PUT', url: `Observation?identifier=${encodeURIComponent(`${SYS}|${value}`)}` },
  });
  const tx = (entry: unknown[]) => post({ resourceType: 'Bundle', type: 'transaction', entry });
  const statuses = (res: { json: () => unknown }) => ((res.json() as Bundle).entry ?? []).map((e) => e.response?.status);
  const locations = (res: { json: () => unknown }) => ((res.json() as Bundle).entry ?? []).map((e) => e.response?.location);

  it('updates the resources the criteria find and creates the others, in one transaction', async () => {
    const first = await tx([result('R-1', 90), result('R-2', 91)]);
    expect(first.statusCode, first.body).toBe(200);
    expect(statuses(first)).toEqual(['201 Created', '201 Created']);
    const second = await tx([result('R-2', 95), result('R-3', 92), result('R-1', 96)]);
    expect(statuses(second)).toEqual(['200 OK', '201 Created', '200 OK']);
    const [r2, , r1] = locations(second);
    const [r1Before, r2Before] = locations(first);
    expect(r1).toBe(r1Before?.replace('/_history/1', '/_history/2'));
    expect(r2).toBe(r2Before?.replace('/_history/1', '/_history/2'));
    const stored = await t.deps.store.read('Observation', r1?.split('/')[1] as string);
    expect((stored?.resource as unknown as { valueQuantity: { value: number } }).valueQuantity.value).toBe(96);
  });

  it('stores no new version when an entry repeats the current content', async () => {
    const first = await tx([result('R-10', 50)]);
    const again = await tx([result('R-10', 50)]);
    expect(statuses(again)).toEqual(['200 OK']);
    expect(locations(again)).toEqual(locations(first));
    const id = locations(first)[0]?.split('/')[1] as string;
    expect((await t.deps.store.history('Observation', id)).total).toBe(1);
  });

  it('applies two entries that find the same resource one after the other', async () => {
    const first = await tx([result('R-20', 1)]);
    const res = await tx([result('R-20', 2), result('R-20', 3)]);
    expect(statuses(res)).toEqual(['200 OK', '200 OK']);
    const id = locations(first)[0]?.split('/')[1] as string;
    expect(locations(res)).toEqual([`Observation/${id}/_history/2`, `Observation/${id}/_history/3`]);
  });

  it('fails the whole transaction with 412 when the criteria match more than one resource', async () => {
    for (let i = 0; i < 2; i++) {
      await t.app.inject({ method: 'POST', url: '/fhir/R4/Observation', headers: { ...auth, ...json }, payload: result('R-DUP', i).resource });
    }
    const before = await count('Observation');
    const res = await tx([result('R-30', 1), result('R-DUP', 2)]);
    expect(res.statusCode).toBe(412);
    expect(JSON.stringify(res.json())).toContain('Bundle.entry[1]');
    expect(await count('Observation')).toBe(before);
  });

  it('resolves other criteria by search, as before', async () => {
    const entry = (gender: string) => ({ resource: { resourceType: 'Patient', name: [{ family: 'Criterion' }], birthDate: '1961-02-03', gender }, request: { method: 'PUT', url: 'Patient?family=Criterion&birthdate=1961-02-03' } });
    expect(statuses(await tx([entry('female')]))).toEqual(['201 Created']);
    expect(statuses(await tx([entry('male')]))).toEqual(['200 OK']);
  });
});

describe('several transaction Bundles in one database transaction', () => {
  const SYS = 'https://lab.example/grouped';
  const put = (value: string, v: number) => ({
    resource: { resourceType: 'Observation', status: 'final', identifier: [{ system: SYS, value }], code: { text: 'glucose' }, valueQuantity: { value: v } },
    request: { method: 'PUT', url: `Observation?identifier=${encodeURIComponent(`${SYS}|${value}`)}` },
  });
  const request = (orgId: string, entry: unknown[]): FhirRequest => ({
    method: 'POST',
    path: '',
    query: [],
    headers: {},
    body: { resourceType: 'Bundle', type: 'transaction', entry },
    actor: { kind: 'system', origin: `test:${orgId}`, orgId },
  });
  const stored = async (value: string) =>
    (
      await t.deps.db.query<{ id: string; version_id: number; source_org: string; author: string; value: number }>(
        `select r.id, r.version_id, r.source_org, r.author, (r.content->'valueQuantity'->>'value')::float8 as value
         from resource r join sp_token i on i.resource_type = r.resource_type and i.resource_id = r.id
         where r.resource_type = 'Observation' and i.param = 'identifier' and i.system = $1 and i.code = $2`,
        [SYS, value],
      )
    ).rows;

  it('answers each Bundle, and records the writer of each on its versions', async () => {
    const api = fhirApiFor(t.deps);
    const responses = await api.transactions([request('org-a', [put('G-1', 1)]), request('org-b', [put('G-2', 2), put('G-3', 3)])]);
    expect(responses.map((r) => ((r.body as Bundle).entry ?? []).map((e) => e.response?.status))).toEqual([['201 Created'], ['201 Created', '201 Created']]);
    expect(await stored('G-1')).toMatchObject([{ source_org: 'org-a', author: 'System/test:org-a', value: 1 }]);
    expect(await stored('G-3')).toMatchObject([{ source_org: 'org-b', author: 'System/test:org-b', value: 3 }]);
  });

  it('applies Bundles that share criteria in turn, as if one came after the other', async () => {
    const api = fhirApiFor(t.deps);
    const responses = await api.transactions([request('org-a', [put('G-10', 1)]), request('org-a', [put('G-10', 2)]), request('org-a', [put('G-11', 3)])]);
    expect(responses.map((r) => (r.body as Bundle).entry?.[0]?.response?.status)).toEqual(['201 Created', '200 OK', '201 Created']);
    expect(await stored('G-10')).toMatchObject([{ version_id: 2, value: 2 }]);
  });

  it('keeps nothing of any Bundle when one fails, and runs the work given with them in the same transaction', async () => {
    const api = fhirApiFor(t.deps);
    const bad = { ...put('G-21', 1), resource: { ...put('G-21', 1).resource, status: 'not-a-status' } };
    await expect(
      api.transactions([request('org-a', [put('G-20', 1)]), request('org-a', [bad])], async (tx) => {
        await tx.query(`insert into inbound_message (channel, status, raw, ack) values ('file', 'processed', 'G-20', '')`);
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(await stored('G-20')).toEqual([]);
    const conflict = put('G-22', 1);
    await t.app.inject({ method: 'POST', url: '/fhir/R4/Observation', headers: { ...auth, ...json }, payload: conflict.resource });
    await t.app.inject({ method: 'POST', url: '/fhir/R4/Observation', headers: { ...auth, ...json }, payload: conflict.resource });
    await expect(
      api.transactions([request('org-a', [put('G-23', 1)]), request('org-a', [conflict])], async (tx) => {
        await tx.query(`insert into inbound_message (channel, status, raw, ack) values ('file', 'processed', 'G-23', '')`);
      }),
    ).rejects.toMatchObject({ status: 412 });
    expect(await stored('G-23')).toEqual([]);
    const logged = await t.deps.db.query(`select 1 from inbound_message where raw in ('G-20', 'G-23')`);
    expect(logged.rows).toEqual([]);
  });

  it('records each entry of each Bundle in the audit trail, in the same transaction', async () => {
    const api = fhirApiFor(t.deps);
    const withContext = (req: FhirRequest, requestId: string): FhirRequest => ({ ...req, context: { requestId } });
    const ids = [`grouped-audit-${Date.now()}-a`, `grouped-audit-${Date.now()}-b`];
    await api.transactions([withContext(request('org-a', [put('G-30', 1)]), ids[0] as string), withContext(request('org-b', [put('G-31', 2), put('G-32', 3)]), ids[1] as string)]);
    await t.deps.audit.flush();
    const entries = async (requestId: string) =>
      (await t.deps.db.query<{ action: string; resource_type: string; status: number; actor_org: string | null }>('select action, resource_type, status, actor_org from audit_entry where request_id = $1 order by seq', [requestId])).rows;
    expect(await entries(ids[0] as string)).toMatchObject([{ action: 'update', resource_type: 'Observation', status: 201 }]);
    expect(await entries(ids[1] as string)).toMatchObject([
      { action: 'update', resource_type: 'Observation', status: 201 },
      { action: 'update', resource_type: 'Observation', status: 201 },
    ]);
    // A failed group keeps no audit entry of its own: its Bundles are applied again one by one.
    const failedId = `grouped-audit-${Date.now()}-c`;
    const bad = { ...put('G-34', 1), resource: { ...put('G-34', 1).resource, status: 'not-a-status' } };
    await expect(api.transactions([withContext(request('org-a', [put('G-33', 1)]), failedId), request('org-a', [bad])])).rejects.toMatchObject({ status: 400 });
    await t.deps.audit.flush();
    expect(await entries(failedId)).toEqual([]);
  });

  it('refuses writes of server-managed and read-only types (405) and keeps nothing of the group', async () => {
    const api = fhirApiFor(t.deps);
    const person = { resource: { resourceType: 'Person', name: [{ family: 'Grouped' }] }, request: { method: 'POST', url: 'Person' } };
    const event = { resource: { resourceType: 'AuditEvent' }, request: { method: 'POST', url: 'AuditEvent' } };
    for (const refused of [person, event]) {
      await expect(api.transactions([request('org-a', [put('G-40', 1)]), request('org-a', [refused])])).rejects.toMatchObject({ status: 405 });
    }
    expect(await stored('G-40')).toEqual([]);
  });
});

describe('batch Bundles', () => {
  it('processes each entry on its own and reports each outcome', async () => {
    const res = await post({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        observation(0, 'Patient/whoever'),
        { resource: { resourceType: 'Observation', status: 'bogus' }, request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
      ],
    });
    expect(res.statusCode).toBe(200);
    const entries = (res.json() as Bundle).entry as BundleEntry[];
    expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '400 Bad Request', '404 Not Found']);
    expect(entries[1]?.response?.outcome).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('rejects a Bundle of another type', async () => {
    const res = await post({ resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(res.statusCode).toBe(400);
  });
});
