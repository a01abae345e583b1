import { describe, expect, it } from 'vitest';
import { validateResource } from '@kennebec/fhir-validator';
import { actionCode, outcomeCode, toAuditEvent, whoReference } from './audit-event.ts';
import { normalizeEntry, type AuditEntryInput } from './entry.ts';
import { patientsInJson, patientsInResource } from './patients.ts';

const NOW = '2026-03-01T10:00:00.000Z';
const event = (input: AuditEntryInput) => toAuditEvent(normalizeEntry(input, '7f1c2d8e-0000-4000-8000-000000000001', NOW), { observer: 'Kennebec http://kennebec.test' });

function errorsOf(resource: unknown): string[] {
  return validateResource(resource, { expectedType: 'AuditEvent' })
    .issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => `${i.expression?.join(',') ?? ''}: ${i.diagnostics ?? ''}`);
}

describe('AuditEvent mapping', () => {
  it('maps a read by a client, with address, purpose, organization, patient and request id, to a valid R4 AuditEvent', () => {
    const e = event({
      actor: 'Client/abc',
      actorOrg: 'Organization/kvmc',
      action: 'read',
      resourceType: 'Observation',
      entities: ['Observation/9'],
      patients: ['Patient/1'],
      purposeOfUse: 'TREAT',
      outcome: 'success',
      status: 200,
      clientIp: '10.0.0.7',
      userAgent: 'curl/8',
      requestId: 'req-1',
    });
    expect(errorsOf(e)).toEqual([]);
    expect(e).toMatchObject({
      resourceType: 'AuditEvent',
      type: { code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
      action: 'R',
      recorded: NOW,
      outcome: '0',
      source: { observer: { display: 'Kennebec http://kennebec.test' } },
    });
    const [requestor, org] = e.agent;
    expect(requestor).toMatchObject({ requestor: true, network: { address: '10.0.0.7', type: '2' }, who: { identifier: { value: 'Client/abc' } } });
    expect(requestor?.purposeOfUse?.[0]?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' });
    expect(org).toMatchObject({ requestor: false, who: { reference: 'Organization/kvmc' } });
    const what = (e.entity ?? []).map((x) => x.what?.reference ?? x.what?.identifier?.value);
    expect(what).toEqual(['Patient/1', 'Observation/9', 'req-1']);
    expect(e.entity?.[0]?.role?.code).toBe('1');
  });

  it('maps a denied search with a truncated match list, a proxy acting for someone, and a sign-in, all valid', () => {
    const search = event({ actor: 'anonymous', action: 'search', resourceType: 'Patient', outcome: 'denied', status: 401 });
    expect(errorsOf(search)).toEqual([]);
    expect(search).toMatchObject({ action: 'E', outcome: '4', outcomeDesc: 'denied (HTTP 401)' });
    const many = event({ actor: 'Client/a', action: 'search', resourceType: 'Observation', entities: ['Observation/1'], entitiesTotal: 1500, outcome: 'success', status: 200 });
    expect(errorsOf(many)).toEqual([]);
    expect(many.entity?.find((x) => x.role?.code === '24')?.detail?.[0]?.valueString).toBe('1500 (the first 1 listed)');
    const proxy = event({ actor: 'RelatedPerson/r1', onBehalfOf: 'Patient/p1', action: 'read', resourceType: 'Patient', entities: ['Patient/p1'], patients: ['Patient/p1'], purposeOfUse: 'PWATRNY', outcome: 'success', status: 200 });
    expect(errorsOf(proxy)).toEqual([]);
    expect(proxy.agent[0]?.who).toEqual({ reference: 'RelatedPerson/r1' });
    expect(proxy.agent[1]?.who).toEqual({ reference: 'Patient/p1' });
    const signIn = event({ actor: 'User/42', action: 'sign-in-failed', outcome: 'denied', status: 401 });
    expect(errorsOf(signIn)).toEqual([]);
    expect(signIn).toMatchObject({ type: { code: '110114' }, subtype: [{ code: '110122' }], action: 'E', outcome: '4' });
  });

  it('codes actions and outcomes as R4 does', () => {
    expect(['create', 'update', 'delete', 'read', 'vread', 'history', 'search', 'operation'].map((a) => actionCode(a, 200))).toEqual(['C', 'U', 'D', 'R', 'R', 'R', 'E', 'E']);
    expect(actionCode('update', 201)).toBe('C');
    expect(outcomeCode({ outcome: 'error', status: 404 })).toBe('4');
    expect(outcomeCode({ outcome: 'error', status: 503 })).toBe('8');
    expect(whoReference('System/mllp')).toEqual({ identifier: { system: 'https://kennebec.health/fhir/sid/actor', value: 'System/mllp' }, display: 'System/mllp' });
  });
});

describe('patients concerned', () => {
  const obs = { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Patient/p2/_history/3' }, { reference: 'Practitioner/d' }] };

  it('are found in a resource object and in its stored JSON text alike', () => {
    expect(patientsInResource(obs as never)).toEqual(['Patient/p1', 'Patient/p2']);
    expect(patientsInJson(JSON.stringify(obs))).toEqual(['Patient/p1', 'Patient/p2']);
    expect(patientsInJson(JSON.stringify(obs, null, 1))).toEqual(['Patient/p1', 'Patient/p2']);
    expect(patientsInJson('{"resourceType":"Patient","id":"p9"}', { resourceType: 'Patient', id: 'p9' })).toEqual(['Patient/p9']);
  });

  it('are not taken from text that only looks like a reference', () => {
    const tricky = { resourceType: 'Observation', note: [{ text: '"reference":"Patient/evil"' }] };
    expect(patientsInJson(JSON.stringify(tricky))).toEqual([]);
    expect(patientsInResource(tricky as never)).toEqual([]);
  });
});
