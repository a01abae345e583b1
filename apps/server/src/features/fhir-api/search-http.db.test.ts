import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4';
import { createTestServer, TEST_BASE_URL, type TestServer } from '@kennebec/test-support';

let t: TestServer;
let auth: Record<string, string>;
let patientId: string;
const json = { 'content-type': 'application/fhir+json' };

beforeAll(async () => {
  t = await createTestServer();
  auth = { authorization: `Bearer ${await t.token()}` };
  const p = await t.app.inject({
    method: 'POST',
    url: '/fhir/R4/Patient',
    headers: { ...auth, ...json },
    payload: { resourceType: 'Patient', name: [{ family: 'Ouellette', given: ['Zoé'] }], birthDate: '1984-07-01', meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }] } },
  });
  patientId = p.json().id;
  for (let i = 0; i < 5; i++) {
    await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: { ...auth, ...json },
      payload: { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] }, subject: { reference: `Patient/${patientId}` }, valueQuantity: { value: 90 + i * 10, system: 'http://unitsofmeasure.org', code: 'mg/dL', unit: 'mg/dL' }, effectiveDateTime: `2024-0${i + 1}-15` },
    });
  }
});
afterAll(async () => t.close());

async function get(url: string) {
  const res = await t.app.inject({ method: 'GET', url, headers: auth });
  return { res, bundle: res.json() as Bundle };
}

describe('search over HTTP', () => {
  it('returns a searchset with self link, total and matches', async () => {
    const { res, bundle } = await get('/fhir/R4/Patient?name=ouell&_total=accurate');
    expect(res.statusCode).toBe(200);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(bundle.entry?.[0]).toMatchObject({ fullUrl: `${TEST_BASE_URL}/fhir/R4/Patient/${patientId}`, search: { mode: 'match' } });
    expect(bundle.link?.[0]?.relation).toBe('self');
  });

  it('matches accents insensitively and :exact exactly', async () => {
    expect((await get('/fhir/R4/Patient?given=zoe')).bundle.entry).toHaveLength(1);
    expect((await get('/fhir/R4/Patient?given:exact=Zoé')).bundle.entry).toHaveLength(1);
    expect((await get('/fhir/R4/Patient?given:exact=zoe')).bundle.entry ?? []).toHaveLength(0);
  });

  it('searches Observations by patient and code, with quantity and date prefixes', async () => {
    const base = `/fhir/R4/Observation?patient=${patientId}&code=http://loinc.org|2339-0`;
    expect((await get(base)).bundle.entry).toHaveLength(5);
    expect((await get(`${base}&value-quantity=gt115|http://unitsofmeasure.org|mg/dL`)).bundle.entry).toHaveLength(2);
    expect((await get(`${base}&date=ge2024-03&date=lt2024-05`)).bundle.entry).toHaveLength(2);
  });

  it('chains into the Patient and includes it', async () => {
    const { bundle } = await get('/fhir/R4/Observation?subject:Patient.birthdate=1984-07-01&_include=Observation:subject&_count=2');
    const modes = bundle.entry?.map((e) => e.search?.mode);
    expect(modes?.filter((m) => m === 'match')).toHaveLength(2);
    expect(modes).toContain('include');
  });

  it('revincludes Observations of a Patient', async () => {
    const { bundle } = await get(`/fhir/R4/Patient?_id=${patientId}&_revinclude=Observation:subject`);
    expect(bundle.entry?.filter((e) => e.search?.mode === 'include')).toHaveLength(5);
  });

  it('pages with next links and sorts', async () => {
    const first = await get(`/fhir/R4/Observation?patient=${patientId}&_sort=-date&_count=2`);
    const dates: string[] = (first.bundle.entry ?? []).map((e) => (e.resource as { effectiveDateTime: string }).effectiveDateTime);
    let next = first.bundle.link?.find((l) => l.relation === 'next')?.url;
    while (next) {
      const page = await get(next.replace(TEST_BASE_URL, ''));
      dates.push(...(page.bundle.entry ?? []).map((e) => (e.resource as { effectiveDateTime: string }).effectiveDateTime));
      next = page.bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(dates).toEqual(['2024-05-15', '2024-04-15', '2024-03-15', '2024-02-15', '2024-01-15']);
  });

  it('pages without repeats when one resource matches through several index rows', async () => {
    for (let i = 0; i < 3; i++) {
      await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { ...auth, ...json }, payload: { resourceType: 'Patient', name: [{ family: 'Marchand', given: ['Marcel', 'Marc'] }] } });
    }
    const ids: string[] = [];
    let next: string | undefined = '/fhir/R4/Patient?name=marc&_count=1';
    while (next) {
      const page = await get(next.replace(TEST_BASE_URL, ''));
      ids.push(...(page.bundle.entry ?? []).map((e) => e.resource?.id ?? ''));
      next = page.bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it('answers _summary=count with only the total', async () => {
    const { bundle } = await get(`/fhir/R4/Observation?patient=${patientId}&_summary=count`);
    expect(bundle.total).toBe(5);
    expect(bundle.entry).toBeUndefined();
  });

  it('searches by POST _search with a form body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient/_search', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'family=ouellette' });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Bundle).entry).toHaveLength(1);
  });

  it('finds security labels with _security', async () => {
    const { bundle } = await get('/fhir/R4/Patient?_security=http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY');
    expect(bundle.entry?.map((e) => e.resource?.id)).toEqual([patientId]);
  });

  it('rejects an unknown parameter, or ignores it with a warning when lenient', async () => {
    const strict = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient?shoe-size=9', headers: auth });
    expect(strict.statusCode).toBe(400);
    const lenient = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient?shoe-size=9', headers: { ...auth, prefer: 'handling=lenient' } });
    expect(lenient.statusCode).toBe(200);
    expect((lenient.json() as Bundle).entry?.some((e) => e.search?.mode === 'outcome')).toBe(true);
  });

  it('rejects a malformed date with 400', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/fhir/R4/Observation?date=2024-13-45', headers: auth })).statusCode).toBe(400);
  });

  it('lists in the CapabilityStatement only parameters the server accepts', async () => {
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/R4/metadata' })).json();
    for (const type of ['Patient', 'Observation', 'Condition', 'Encounter']) {
      const params = cs.rest[0].resource.find((r: { type: string }) => r.type === type).searchParam as { name: string; type: string }[];
      expect(params.length).toBeGreaterThan(5);
      for (const p of params.filter((q) => q.type !== 'composite')) {
        const value = p.type === 'date' ? '2020' : p.type === 'number' || p.type === 'quantity' ? '1' : p.type === 'reference' ? 'Patient/1' : 'x';
        const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/${type}?${encodeURIComponent(p.name)}=${encodeURIComponent(value)}&_summary=count`, headers: auth });
        expect(res.statusCode, `${type}?${p.name}: ${res.body}`).toBe(200);
      }
    }
  });
});
