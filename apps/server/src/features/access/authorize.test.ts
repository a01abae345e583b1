import { describe, expect, it } from 'vitest';
import { actorReference, authorize, isPermitted, type UserActor } from './index.ts';

describe('the user actor', () => {
  const nurse: UserActor = { kind: 'user', userId: 'u1', accountKind: 'staff', orgId: 'org1', roles: ['nurse'] };
  const patient: UserActor = { kind: 'user', userId: 'u2', accountKind: 'patient', orgId: null, roles: [] };

  it('has no health-data permissions yet, whatever its roles', () => {
    for (const actor of [nurse, patient, { ...nurse, roles: ['hie-admin' as const] }]) {
      for (const interaction of ['c', 'r', 'u', 'd', 's'] as const) {
        expect(isPermitted(actor, { resourceType: 'Patient', interaction })).toBe(false);
      }
      expect(() => authorize(actor, { resourceType: 'Observation', interaction: 'r' })).toThrow(/Not permitted to read Observation/);
    }
  });

  it('is recorded as User/{id}', () => {
    expect(actorReference(patient)).toBe('User/u2');
  });
});
