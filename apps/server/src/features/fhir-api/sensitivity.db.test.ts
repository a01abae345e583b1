import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Condition, Observation } from 'fhir/r4';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { fhirApiFor } from '../../compose.ts';
import { createSource } from '../sources/index.ts';
import { ingestDepsFor, ingestHl7v2 } from '../ingestion/index.ts';

/**
 * Every stored version carries the sensitivity labels its codes call for, whichever path wrote
 * it (FHIR API, HL7 v2 ingest), and they are searchable with `_security`.
 */
let t: TestServer;
let auth: Record<string, string>;
const LABELS = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const json = { 'content-type': 'application/fhir+json' };

beforeAll(async () => {
  t = await createTestServer();
  auth = { authorization: `Bearer ${await t.token()}` };
});
afterAll(async () => t.close());

const condition = (code: string): Condition => ({
  resourceType: 'Condition',
  subject: { reference: 'Patient/p-1' },
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code }] },
});

describe('sensitivity labels', () => {
  it('labels a mental-health condition on create and update, and keeps ordinary ones unlabelled', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/fhir/R4/Condition', headers: { ...auth, ...json }, payload: condition('F32.9') });
    expect(created.statusCode, created.body).toBe(201);
    const c = created.json() as Condition;
    expect(c.meta?.security).toEqual([{ system: LABELS, code: 'PSY', display: 'psychiatry information sensitivity' }]);
    // An update that changes the code to a substance-use one adds that label too.
    const updated = await t.app.inject({ method: 'PUT', url: `/fhir/R4/Condition/${c.id}`, headers: { ...auth, ...json }, payload: { ...condition('F11.20'), id: c.id } });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((updated.json() as Condition).meta?.security?.map((s) => s.code)).toEqual(['ETH']);
    const plain = await t.app.inject({ method: 'POST', url: '/fhir/R4/Condition', headers: { ...auth, ...json }, payload: condition('E11.9') });
    expect((plain.json() as Condition).meta?.security).toBeUndefined();
  });

  it('finds and excludes labelled resources with _security', async () => {
    const only = await t.app.inject({ method: 'GET', url: `/fhir/R4/Condition?_security=${encodeURIComponent(`${LABELS}|ETH`)}`, headers: auth });
    expect(only.statusCode, only.body).toBe(200);
    expect((only.json() as Bundle).entry?.map((e) => (e.resource as Condition).code?.coding?.[0]?.code)).toEqual(['F11.20']);
    const without = await t.app.inject({ method: 'GET', url: `/fhir/R4/Condition?_security:not=${encodeURIComponent(`${LABELS}|ETH`)}`, headers: auth });
    expect((without.json() as Bundle).entry?.map((e) => (e.resource as Condition).code?.coding?.[0]?.code)).toEqual(['E11.9']);
  });

  it('labels results received over HL7 v2', async () => {
    await createSource(t.deps, { name: 'Lab', hl7Facility: 'SENSLAB' });
    const msg = [
      'MSH|^~\\&|LIS|SENSLAB|KENNEBEC|HIE|20260101080000||ORU^R01^ORU_R01|S1|P|2.5.1',
      'PID|1||M1^^^SENSLAB^MR||Doe^Jane||19900101|F',
      'OBR|1|O1|F1|75622-1^HIV 1+2 Ab+Ag^LN|||20260101070000',
      'OBX|1|CWE|75622-1^HIV 1+2 Ab+Ag^LN||260385009^Negative^SCT||||||F',
      'OBX|2|NM|2345-7^Glucose^LN||99|mg/dL|70-99|N|||F',
    ].join('\r');
    const api = fhirApiFor(t.deps);
    const result = await ingestHl7v2(ingestDepsFor(t.deps, api.dispatch), msg, 'file');
    expect(result.code, result.ack).toBe('AA');
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Observation?_count=10', headers: auth });
    const byCode = new Map(((res.json() as Bundle).entry ?? []).map((e) => [(e.resource as Observation).code.coding?.[0]?.code, (e.resource as Observation).meta?.security?.map((s) => s.code)]));
    expect(byCode.get('75622-1')).toEqual(['HIV']);
    expect(byCode.get('2345-7')).toBeUndefined();
  });
});
