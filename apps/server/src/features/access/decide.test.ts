import { describe, expect, it } from 'vitest';
import { evaluateProxy } from '@kennebec/consent';
import { decide, decideOperation, requireOperation, type Principal, type UserActor, type DecisionRequest } from './index.ts';

const patientUser: UserActor = { kind: 'user', userId: 'u-a', accountKind: 'patient', orgId: null, roles: [] };
const staff = (roles: UserActor['roles'], orgId: string | null = 'org-1'): UserActor => ({ kind: 'user', userId: 's', accountKind: 'staff', orgId, roles });
const now = new Date('2030-03-01T00:00:00Z');
const grant = (birth: string) => evaluateProxy({ basis: 'parent', subjectBirthDate: birth, grantedAt: '2020-01-01T00:00:00Z' }, now);
const alice: Principal = { actor: patientUser, self: ['pa', 'pa2'], proxies: [] };
const parent: Principal = {
  actor: patientUser,
  self: ['pp'],
  proxies: [
    { subject: 'child', patientIds: ['child'], decision: grant('2024-05-01') },
    { subject: 'teen', patientIds: ['teen'], decision: grant('2015-01-01') },
    { subject: 'adult', patientIds: ['adult'], decision: grant('2010-01-01') },
  ],
};
const read = (patients: string[] | 'any', extra: Partial<DecisionRequest> = {}): DecisionRequest => ({ action: 'read', resourceType: 'Observation', patients, purpose: 'PATRQT', ...extra });

describe('decide', () => {
  it('permits a patient their own records, across every source record of their Person', () => {
    expect(decide(alice, read(['pa2'])).permit).toBe(true);
    expect(decide(alice, read('any'))).toEqual({ permit: true, scope: { kind: 'patients', groups: [{ patientIds: ['pa', 'pa2'], hiddenLabels: [], relation: 'self' }] } });
  });

  it("denies a patient another patient's record, and a resource that is nobody's", () => {
    expect(decide(alice, read(['pb']))).toMatchObject({ permit: false });
    expect(decide(alice, read([]))).toMatchObject({ permit: false });
  });

  it('denies a patient without linked records any patient data, and every write', () => {
    expect(decide({ actor: patientUser, self: [], proxies: [] }, read('any'))).toMatchObject({ permit: false });
    for (const action of ['create', 'update', 'delete'] as const) expect(decide(alice, read(['pa'], { action })).permit).toBe(false);
  });

  it('needs the PATRQT purpose for a patient', () => {
    expect(decide(alice, read(['pa'], { purpose: 'TREAT' })).permit).toBe(false);
  });

  it("lets a parent read a child's record, a teen's without teen-confidential labels, and not an adult's", () => {
    expect(decide(parent, read(['child'], { labels: ['PSY'] })).permit).toBe(true);
    expect(decide(parent, read(['teen'])).permit).toBe(true);
    expect(decide(parent, read(['teen'], { labels: ['SEX'] }))).toEqual({ permit: false, reason: 'hidden by a sensitivity label' });
    expect(decide(parent, read(['adult'])).permit).toBe(false);
    const any = decide(parent, read('any'));
    expect(any.permit && any.scope.kind === 'patients' && any.scope.groups.map((g) => [g.patientIds[0], g.hiddenLabels.length > 0])).toEqual([
      ['pp', false],
      ['child', false],
      ['teen', true],
    ]);
  });

  it('gives clinical staff their organization, billing and HIE staff no clinical data', () => {
    const req = read('any', { purpose: 'TREAT' });
    expect(decide({ actor: staff(['nurse']), self: [], proxies: [] }, req)).toEqual({ permit: true, scope: { kind: 'organization', orgId: 'org-1' } });
    expect(decide({ actor: staff(['billing']), self: [], proxies: [] }, req)).toMatchObject({ permit: false, reason: 'billing staff see no clinical data' });
    expect(decide({ actor: staff(['hie-admin'], null), self: [], proxies: [] }, req).permit).toBe(false);
    expect(decide({ actor: staff(['hie-privacy-officer'], null), self: [], proxies: [] }, req).permit).toBe(false);
    expect(decide({ actor: staff(['provider']), self: [], proxies: [] }, { ...req, action: 'update' }).permit).toBe(false);
    expect(decide({ actor: staff(['provider']), self: [], proxies: [] }, { ...req, purpose: 'PATRQT' }).permit).toBe(false);
  });

  it('lets clients act by their system scopes over every patient', () => {
    const client = { kind: 'client' as const, clientId: 'c', orgId: null, scopes: [{ context: 'system' as const, resourceType: 'Observation', interactions: new Set(['r' as const]) }] };
    expect(decide({ actor: client, self: [], proxies: [] }, read('any', { purpose: 'TREAT' }))).toEqual({ permit: true, scope: { kind: 'all' } });
    expect(decide({ actor: client, self: [], proxies: [] }, read('any', { action: 'search' }))).toMatchObject({ permit: false, reason: 'requires scope system/Observation.s' });
  });

  it('lets portal users read reference data but not the enterprise Person', () => {
    expect(decide(alice, read('any', { resourceType: 'Organization' })).permit).toBe(true);
    expect(decide(alice, read('any', { resourceType: 'Person' })).permit).toBe(false);
    expect(decide(alice, read('any', { resourceType: 'Organization', action: 'update' })).permit).toBe(false);
  });
});

describe('decideOperation (staff administrative work on their organization\'s records)', () => {
  it('lets front desk, nurses, providers and org admins enroll, for their own organization only', () => {
    for (const role of ['front-desk', 'nurse', 'provider', 'org-admin'] as const) expect(decideOperation(staff([role]), { operation: 'enroll' })).toEqual({ permit: true, orgId: 'org-1' });
    for (const role of ['billing', 'hie-admin', 'hie-privacy-officer'] as const) expect(decideOperation(staff([role]), { operation: 'enroll' }).permit).toBe(false);
    expect(decideOperation(staff(['front-desk'], null), { operation: 'enroll' }).permit).toBe(false);
    expect(decideOperation(patientUser, { operation: 'enroll' }).permit).toBe(false);
    expect(decideOperation({ kind: 'system', origin: 'seed' }, { operation: 'enroll' }).permit).toBe(false);
  });

  it('lets only front desk and org admins manage proxies, and only org admins change enrollment settings', () => {
    expect(decideOperation(staff(['front-desk']), { operation: 'manage-proxies', recordOrg: 'org-1' }).permit).toBe(true);
    expect(decideOperation(staff(['nurse']), { operation: 'manage-proxies', recordOrg: 'org-1' }).permit).toBe(false);
    expect(decideOperation(staff(['org-admin']), { operation: 'enrollment-settings' }).permit).toBe(true);
    expect(decideOperation(staff(['front-desk']), { operation: 'enrollment-settings' }).permit).toBe(false);
  });

  it("treats another organization's record as not found, so ids cannot be probed", () => {
    expect(decideOperation(staff(['front-desk']), { operation: 'manage-proxies', recordOrg: 'org-2' })).toMatchObject({ permit: false, notFound: true });
    expect(() => requireOperation(staff(['front-desk']), { operation: 'manage-proxies', recordOrg: 'org-2' }, 'Patient/p1')).toThrow(/Patient\/p1/);
    expect(() => requireOperation(staff(['billing']), { operation: 'manage-proxies', recordOrg: 'org-1' }, 'Patient/p1')).toThrow(/front-desk, org-admin/);
  });
});
