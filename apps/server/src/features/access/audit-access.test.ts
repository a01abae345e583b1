import { describe, expect, it } from 'vitest';
import { parseScopes } from '@kennebec/fhir';
import { authorizeAuditRead } from './authorize.ts';
import { actorPurpose } from './actor.ts';

const client = (scope: string) => ({ kind: 'client' as const, clientId: 'c', orgId: null, scopes: parseScopes(scope).scopes });

describe('reading the audit trail', () => {
  it('is granted by an AuditEvent scope named as such, for the interaction it names', () => {
    expect(authorizeAuditRead(client('system/AuditEvent.rs'), 's')).toEqual({ scope: 'all' });
    expect(authorizeAuditRead(client('system/AuditEvent.r'), 'r')).toEqual({ scope: 'all' });
    expect(() => authorizeAuditRead(client('system/AuditEvent.r'), 's')).toThrow(/AuditEvent/);
  });

  it('is not granted by a wildcard, nor to the server itself', () => {
    expect(() => authorizeAuditRead(client('system/*.cruds'), 's')).toThrow(expect.objectContaining({ status: 403 }));
    expect(() => authorizeAuditRead({ kind: 'system', origin: 'mllp' }, 'r')).toThrow(expect.objectContaining({ status: 403 }));
  });
});

describe('purpose of use', () => {
  it('is the one the actor states, else healthcare operations for the server’s own work', () => {
    expect(actorPurpose({ ...client('system/*.rs'), purposeOfUse: 'ETREAT' })).toBe('ETREAT');
    expect(actorPurpose(client('system/*.rs'))).toBeNull();
    expect(actorPurpose({ kind: 'system', origin: 'mllp' })).toBe('HOPERAT');
  });
});
