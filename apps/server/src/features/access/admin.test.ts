import { describe, expect, it } from 'vitest';
import { parseScopes } from '@kennebec/fhir';
import { authorizeAdmin, mayAdminister, STAFF_ROLES, type AdminCapability, type ClientActor, type StaffRole, type UserActor } from './index.ts';

const CAPABILITIES: AdminCapability[] = ['sources.read', 'sources.create', 'sources.certificates', 'messages.read', 'messages.reprocess', 'mpi.read', 'mpi.act'];
const staff = (role: StaffRole): UserActor => ({ kind: 'user', userId: `u-${role}`, accountKind: 'staff', orgId: role.startsWith('hie-') ? null : 'org1', roles: [role] });
const client = (scope: string): ClientActor => ({ kind: 'client', clientId: 'c1', orgId: null, scopes: parseScopes(scope).scopes });

describe('who may administer the HIE', () => {
  it('lets an HIE admin do everything and a privacy officer read the index only', () => {
    expect(CAPABILITIES.filter((c) => mayAdminister(staff('hie-admin'), c))).toEqual(CAPABILITIES);
    expect(CAPABILITIES.filter((c) => mayAdminister(staff('hie-privacy-officer'), c))).toEqual(['mpi.read']);
  });

  it('lets no organization staff and no patient do anything, whatever roles they claim', () => {
    for (const role of STAFF_ROLES.filter((r) => !r.startsWith('hie-'))) {
      expect(CAPABILITIES.filter((c) => mayAdminister(staff(role), c)), role).toEqual([]);
    }
    const patient: UserActor = { kind: 'user', userId: 'p', accountKind: 'patient', orgId: null, roles: ['hie-admin'] };
    expect(CAPABILITIES.filter((c) => mayAdminister(patient, c))).toEqual([]);
    expect(() => authorizeAdmin(staff('nurse'), 'mpi.read')).toThrow(/only HIE staff \(hie-admin, hie-privacy-officer\) may/);
  });

  it('gives a client what its Organization and Person scopes stand for', () => {
    expect(CAPABILITIES.filter((c) => mayAdminister(client('system/Organization.rs system/Person.rs'), c))).toEqual(['sources.read', 'messages.read', 'mpi.read']);
    expect(CAPABILITIES.filter((c) => mayAdminister(client('system/*.cruds'), c))).toEqual(CAPABILITIES);
    expect(() => authorizeAdmin(client('system/Person.rs'), 'mpi.act')).toThrow(/requires scope system\/Person.u/);
  });
});
