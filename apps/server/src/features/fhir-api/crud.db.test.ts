import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, TEST_BASE_URL, type TestServer } from '@kennebec/test-support';
import { createSource } from '../sources/index.ts';

let t: TestServer;
let auth: Record<string, string>;
const FHIR = '/fhir/R4';
const json = { 'content-type': 'application/fhir+json' };
const patient = { resourceType: 'Patient', name: [{ family: 'Quimby', given: ['Ruth'] }], gender: 'female', birthDate: '1961-04-02' };

beforeAll(async () => {
  t = await createTestServer();
  auth = { authorization: `Bearer ${await t.token()}` };
});
afterAll(async () => t.close());

async function create(body: object = patient) {
  const res = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res;
}

describe('FHIR REST interactions', () => {
  it('serves a CapabilityStatement for FHIR 4.0.1 without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${FHIR}/metadata` });
    expect(res.statusCode).toBe(200);
    const cs = res.json();
    expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
    const patientRes = cs.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patientRes.interaction.map((i: { code: string }) => i.code)).toEqual(
      expect.arrayContaining(['read', 'vread', 'create', 'update', 'delete', 'history-instance', 'history-type', 'search-type']),
    );
    expect(cs.rest[0].interaction.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
  });

  it('creates with a server id, Location and ETag, and ignores a client id', async () => {
    const res = await create({ ...patient, id: 'client-chosen' });
    const body = res.json();
    expect(body.id).not.toBe('client-chosen');
    expect(res.headers.location).toBe(`${TEST_BASE_URL}${FHIR}/Patient/${body.id}/_history/1`);
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(body.meta.versionId).toBe('1');
  });

  it('reads and vreads, with ETag and Last-Modified', async () => {
    const id = (await create()).json().id;
    const read = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}`, headers: auth });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe('W/"1"');
    expect(read.headers['last-modified']).toBeDefined();
    const vread = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}/_history/1`, headers: auth });
    expect(vread.json().id).toBe(id);
    const missing = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}/_history/9`, headers: auth });
    expect(missing.statusCode).toBe(404);
  });

  it('returns 404 with an OperationOutcome for an unknown id', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/nope`, headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
  });

  it('updates with If-Match, and answers 412 on a stale version', async () => {
    const id = (await create()).json().id;
    const ok = await t.app.inject({ method: 'PUT', url: `${FHIR}/Patient/${id}`, headers: { ...auth, ...json, 'if-match': 'W/"1"' }, payload: { ...patient, id, gender: 'other' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('W/"2"');
    const stale = await t.app.inject({ method: 'PUT', url: `${FHIR}/Patient/${id}`, headers: { ...auth, ...json, 'if-match': 'W/"1"' }, payload: { ...patient, id } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().resourceType).toBe('OperationOutcome');
  });

  it('rejects an update whose body id differs from the URL', async () => {
    const id = (await create()).json().id;
    const res = await t.app.inject({ method: 'PUT', url: `${FHIR}/Patient/${id}`, headers: { ...auth, ...json }, payload: { ...patient, id: 'other' } });
    expect(res.statusCode).toBe(400);
  });

  it('creates on PUT to a new id (201)', async () => {
    const res = await t.app.inject({ method: 'PUT', url: `${FHIR}/Patient/put-new-1`, headers: { ...auth, ...json }, payload: { ...patient, id: 'put-new-1' } });
    expect(res.statusCode).toBe(201);
  });

  it('deletes: a later read is 410, history keeps every version', async () => {
    const id = (await create()).json().id;
    const del = await t.app.inject({ method: 'DELETE', url: `${FHIR}/Patient/${id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    const read = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}`, headers: auth });
    expect(read.statusCode).toBe(410);
    const hist = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}/_history`, headers: auth });
    const bundle = hist.json();
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 2 });
    expect(bundle.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual(['DELETE', 'POST']);
  });

  it('pages type history with next links', async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.inject({ method: 'POST', url: `${FHIR}/Device`, headers: { ...auth, ...json }, payload: { resourceType: 'Device', status: 'active' } });
    }
    const p1 = (await t.app.inject({ method: 'GET', url: `${FHIR}/Device/_history?_count=2`, headers: auth })).json();
    expect(p1.entry).toHaveLength(2);
    const next = p1.link.find((l: { relation: string }) => l.relation === 'next').url.replace(TEST_BASE_URL, '');
    const p2 = (await t.app.inject({ method: 'GET', url: next, headers: auth })).json();
    expect(p2.entry).toHaveLength(1);
    expect(p2.link.find((l: { relation: string }) => l.relation === 'next')).toBeUndefined();
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json, prefer: 'return=minimal' }, payload: patient });
    expect(minimal.statusCode).toBe(201);
    expect(minimal.body).toBe('');
    expect(minimal.headers.location).toBeDefined();
    const oo = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json, prefer: 'return=OperationOutcome' }, payload: patient });
    expect(oo.json().resourceType).toBe('OperationOutcome');
  });

  it('accepts application/json, the base URL with a trailing slash, and _format', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient/`, headers: { ...auth, 'content-type': 'application/json' }, payload: patient });
    expect(res.statusCode).toBe(201);
    const id = res.json().id;
    const asJson = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}?_format=json`, headers: auth });
    expect(asJson.statusCode).toBe(200);
    const xml = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}?_format=xml`, headers: auth });
    expect(xml.statusCode).toBe(406);
  });
});

describe('bad input never half-writes', () => {
  it('answers malformed JSON with 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json }, payload: '{"resourceType": "Patient",' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'structure' }] });
  });

  it('answers an unknown resource type in the URL with 404 and a wrong body type with 400', async () => {
    expect((await t.app.inject({ method: 'GET', url: `${FHIR}/Spaceship/1`, headers: auth })).statusCode).toBe(404);
    const wrong = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json }, payload: { resourceType: 'Observation' } });
    expect(wrong.statusCode).toBe(400);
    const unknown = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json }, payload: { resourceType: 'Spaceship' } });
    expect(unknown.statusCode).toBe(400);
  });

  it('answers an oversized body with 413', async () => {
    const small = await createTestServer({ env: { BODY_LIMIT: '2048' } });
    try {
      const token = await small.token();
      const big = { ...patient, name: [{ family: 'x'.repeat(5000) }] };
      const res = await small.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { authorization: `Bearer ${token}`, ...json }, payload: big });
      expect(res.statusCode).toBe(413);
      expect(res.json().resourceType).toBe('OperationOutcome');
    } finally {
      await small.close();
    }
  });

  it('answers an invalid resource with 400 listing every issue with its expression, and stores nothing', async () => {
    const before = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient'`);
    const res = await t.app.inject({
      method: 'POST',
      url: `${FHIR}/Patient`,
      headers: { ...auth, ...json },
      payload: { resourceType: 'Patient', gender: 'mal', birthDate: '1990-13-01', foo: 1 },
    });
    expect(res.statusCode).toBe(400);
    const issues = res.json().issue as { expression?: string[] }[];
    expect(issues.length).toBeGreaterThanOrEqual(3);
    for (const i of issues) expect(i.expression?.length).toBeGreaterThan(0);
    const after = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient'`);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('accepts a reference to a resource the server does not have yet', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${FHIR}/Observation`,
      headers: { ...auth, ...json },
      payload: { resourceType: 'Observation', status: 'final', code: { text: 'glucose' }, subject: { reference: 'Patient/not-arrived-yet' } },
    });
    expect(res.statusCode).toBe(201);
  });

  it('hides internals of unexpected failures behind a 500 with the request id', async () => {
    const broken = await createTestServer();
    try {
      const token = await broken.token();
      await broken.deps.db.query('alter table resource rename to resource_gone');
      const res = await broken.app.inject({ method: 'GET', url: `${FHIR}/Patient/x`, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/resource_gone|relation|select/i);
      expect(res.json().issue[0].diagnostics).toContain(res.headers['x-request-id']);
    } finally {
      await broken.deps.db.query('alter table resource_gone rename to resource');
      await broken.close();
    }
  });
});

describe('authentication and scopes', () => {
  it('answers 401 without a token or with a bad one', async () => {
    const none = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/x` });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const bad = await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/x`, headers: { authorization: 'Bearer not.a.token' } });
    expect(bad.statusCode).toBe(401);
  });

  it('enforces scopes per interaction and type (403)', async () => {
    const readOnly = { authorization: `Bearer ${await t.token('system/Patient.rs')}` };
    const id = (await create()).json().id;
    expect((await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}`, headers: readOnly })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...readOnly, ...json }, payload: patient })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `${FHIR}/Patient/${id}`, headers: readOnly })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `${FHIR}/Observation/x`, headers: readOnly })).statusCode).toBe(403);
    const v1 = { authorization: `Bearer ${await t.token('system/*.read')}` };
    expect((await t.app.inject({ method: 'GET', url: `${FHIR}/Patient/${id}`, headers: v1 })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...v1, ...json }, payload: patient })).statusCode).toBe(403);
  });

  it('records the writing client and its organization on each version', async () => {
    const source = await createSource(t.deps, { name: 'Mercy Clinic', hl7Facility: 'MERCY' });
    const orgToken = { authorization: `Bearer ${await t.token('system/*.cruds', source.id)}` };
    const res = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...orgToken, ...json }, payload: patient });
    const stored = await t.deps.store.read('Patient', res.json().id);
    expect(stored?.author).toMatch(/^Client\//);
    expect(stored?.sourceOrg).toBe(source.id);
  });
});

describe('conditional interactions', () => {
  const withMrn = (mrn: string) => ({ ...patient, identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.9999.9', value: mrn }] });

  it('conditional create returns the existing resource (200) instead of a duplicate', async () => {
    const headers = { ...auth, ...json, 'if-none-exist': 'identifier=urn:oid:2.16.840.1.113883.3.9999.9|C-1' };
    const first = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers, payload: withMrn('C-1') });
    const second = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers, payload: withMrn('C-1') });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);
  });

  it('conditional create with several matches is 412', async () => {
    await create(withMrn('C-2'));
    await create(withMrn('C-2'));
    const res = await t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers: { ...auth, ...json, 'if-none-exist': 'identifier=urn:oid:2.16.840.1.113883.3.9999.9|C-2' }, payload: withMrn('C-2') });
    expect(res.statusCode).toBe(412);
  });

  it('conditional update creates when nothing matches and updates the one match', async () => {
    const url = `${FHIR}/Patient?identifier=urn:oid:2.16.840.1.113883.3.9999.9|C-3`;
    const created = await t.app.inject({ method: 'PUT', url, headers: { ...auth, ...json }, payload: withMrn('C-3') });
    expect(created.statusCode).toBe(201);
    const updated = await t.app.inject({ method: 'PUT', url, headers: { ...auth, ...json }, payload: { ...withMrn('C-3'), gender: 'male' } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ id: created.json().id, gender: 'male', meta: { versionId: '2' } });
  });
});

describe('concurrent conditional creates', () => {
  it('store one resource when the same If-None-Exist arrives many times at once', async () => {
    const ident = { system: 'urn:oid:2.16.840.1.113883.3.9999.9', value: 'RACE-1' };
    const headers = { ...auth, ...json, 'if-none-exist': `identifier=${ident.system}|${ident.value}` };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.app.inject({ method: 'POST', url: `${FHIR}/Patient`, headers, payload: { ...patient, identifier: [ident] } })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
  });
});
