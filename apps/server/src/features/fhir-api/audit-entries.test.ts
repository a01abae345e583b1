import { describe, expect, it } from 'vitest';
import type { Bundle } from 'fhir/r4';
import { MAX_REFERENCES } from '@kennebec/audit';
import { classify, failureEntry, patientsInQuery, readEntry, requestFields } from './audit-entries.ts';
import type { FhirRequest } from './types.ts';

const BASE = 'http://kennebec.test/fhir/R4';
const client = { kind: 'client' as const, clientId: 'app', orgId: 'kvmc', scopes: [] };
const req = (method: FhirRequest['method'], path: string, query: [string, string][] = [], body?: unknown): FhirRequest => ({
  method,
  path,
  query,
  headers: {},
  body,
  actor: client,
  context: { requestId: 'r1', clientIp: '10.1.2.3', userAgent: 'ua' },
});

describe('audit entries of FHIR requests', () => {
  it('name the interaction the router will carry out', () => {
    const cases: [FhirRequest['method'], string, unknown, string][] = [
      ['GET', 'Patient/1', undefined, 'read Patient 1'],
      ['HEAD', 'Patient/1/_history/2', undefined, 'vread Patient 1'],
      ['GET', 'Patient', undefined, 'search Patient'],
      ['POST', 'Patient/_search', undefined, 'search Patient'],
      ['GET', 'Patient/1/_history', undefined, 'history Patient 1'],
      ['GET', '_history', undefined, 'history'],
      ['POST', 'Patient', undefined, 'create Patient'],
      ['PUT', 'Patient/1', undefined, 'update Patient 1'],
      ['DELETE', 'Patient/1', undefined, 'delete Patient 1'],
      ['GET', 'Patient/1/$everything', undefined, 'operation Patient 1 $everything'],
      ['POST', 'Patient/$match', undefined, 'operation Patient $match'],
      ['POST', '', { resourceType: 'Bundle', type: 'transaction' }, 'transaction'],
      ['POST', '', { resourceType: 'Bundle', type: 'batch' }, 'batch'],
    ];
    for (const [method, path, body, expected] of cases) {
      const i = classify(req(method, path, [], body));
      expect([i?.action, i?.resourceType, i?.id, i?.operation].filter(Boolean).join(' '), `${method} ${path}`).toBe(expected);
    }
    expect(classify(req('GET', 'metadata'))).toBeUndefined();
  });

  it('take the patients named by search parameters, never other values', () => {
    expect(patientsInQuery('Observation', [['patient', 'p1,Patient/p2'], ['subject', `${BASE}/Patient/p3`], ['code', 'x'], ['subject:Patient.name', 'Smith']])).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3']);
    expect(patientsInQuery('Patient', [['_id', 'p9'], ['name', 'Smith']])).toEqual(['Patient/p9']);
    expect(patientsInQuery('Observation', [['_id', 'o1'], ['subject', 'Group/g']])).toEqual([]);
  });

  it('carry who, for whom, why and from where', () => {
    const f = requestFields({ ...client, purposeOfUse: 'TREAT', onBehalfOf: 'Patient/p1' }, { requestId: 'r', clientIp: '::1', userAgent: 'ua' });
    expect(f).toMatchObject({ actor: 'Client/app', actorOrg: 'Organization/kvmc', onBehalfOf: 'Patient/p1', purposeOfUse: 'TREAT', clientIp: '::1', requestId: 'r' });
    expect(requestFields({ kind: 'system', origin: 'mllp', orgId: 'lab' }, undefined)).toMatchObject({ actor: 'System/mllp', actorOrg: 'Organization/lab', purposeOfUse: 'HOPERAT', clientIp: null });
    expect(requestFields(undefined, undefined)).toMatchObject({ actor: 'anonymous', purposeOfUse: null });
  });

  it('list what a search returned, up to the cap, with the true count and the patients', () => {
    const n = MAX_REFERENCES + 500;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        ...Array.from({ length: n }, (_, i) => ({ fullUrl: `${BASE}/Observation/o${i}`, resource: { resourceType: 'Observation' as const, id: `o${i}`, status: 'final' as const, code: {}, subject: { reference: `Patient/p${i % 3}` } }, search: { mode: 'match' as const } })),
        { resource: { resourceType: 'OperationOutcome' as const, issue: [] }, search: { mode: 'outcome' as const } },
      ],
    };
    const e = readEntry(req('GET', 'Observation', [['code', 'x']]), { action: 'search', resourceType: 'Observation' }, { status: 200, body: bundle }, BASE);
    expect(e.entities).toHaveLength(MAX_REFERENCES);
    expect(e.entities?.[0]).toBe('Observation/o0');
    expect(e.entitiesTotal).toBe(n);
    expect(e.patients).toEqual(['Patient/p0', 'Patient/p1', 'Patient/p2']);
    expect(e).toMatchObject({ action: 'search', resourceType: 'Observation', outcome: 'success', status: 200, requestId: 'r1', clientIp: '10.1.2.3' });
  });

  it('record a refused write with the patients its body names, and no content', () => {
    const body = { resourceType: 'Observation', status: 'final', code: { text: 'secret diagnosis' }, subject: { reference: 'Patient/p1' } };
    const e = failureEntry(req('POST', 'Observation', [], body), { action: 'create', resourceType: 'Observation' }, 403);
    expect(e).toMatchObject({ action: 'create', outcome: 'denied', status: 403, patients: ['Patient/p1'], entities: [] });
    expect(JSON.stringify(e)).not.toContain('secret');
  });
});
