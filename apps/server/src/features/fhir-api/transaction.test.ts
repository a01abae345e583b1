import { describe, expect, it } from 'vitest';
import { rewriteReferences } from './transaction.ts';

describe('rewriteReferences', () => {
  const ids = new Map([['urn:uuid:1', 'Patient/p1']]);

  it('rewrites every reference to an entry, leaves the input as it was and shares what did not change', () => {
    const code = { coding: [{ system: 'http://loinc.org', code: '2345-7' }] };
    const input = { resourceType: 'Observation', code, subject: { reference: 'urn:uuid:1' }, performer: [{ reference: 'Practitioner/x' }, { reference: 'urn:uuid:1' }] };
    const before = JSON.stringify(input);
    const out = rewriteReferences(input, ids, 0);
    expect(out).toEqual({ ...input, subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Practitioner/x' }, { reference: 'Patient/p1' }] });
    expect(JSON.stringify(input)).toBe(before);
    expect(out.code).toBe(code);
    expect(out.performer[0]).toBe(input.performer[0]);
  });

  it('returns the input itself when nothing refers to an entry', () => {
    const input = { resourceType: 'Observation', subject: { reference: 'Patient/p9' } };
    expect(rewriteReferences(input, ids, 0)).toBe(input);
  });

  it('refuses a urn:uuid that no entry has', () => {
    expect(() => rewriteReferences({ subject: { reference: 'urn:uuid:2' } }, ids, 3)).toThrow(/Bundle.entry\[3\].*urn:uuid:2/);
  });
});
