import { describe, expect, it } from 'vitest';
import { formatScope, formatScopes, intersectScope, normalizeScopes, parseScopes, type ParsedScope } from './scopes.ts';

const letters = (s: ParsedScope) => [...s.interactions].sort().join('');
const one = (token: string): ParsedScope => {
  const { scopes } = parseScopes(token);
  expect(scopes).toHaveLength(1);
  return scopes[0]!;
};

describe('parseScopes', () => {
  it('parses v2 resource scopes in every context', () => {
    expect(one('system/*.rs')).toEqual({ context: 'system', resourceType: '*', interactions: new Set(['r', 's']) });
    expect(one('system/Patient.cruds')).toMatchObject({ context: 'system', resourceType: 'Patient' });
    expect(letters(one('system/Patient.cruds'))).toBe('cdrsu');
    expect(one('user/Observation.r')).toMatchObject({ context: 'user', resourceType: 'Observation' });
    expect(one('patient/*.s')).toMatchObject({ context: 'patient', resourceType: '*' });
  });

  it('accepts any in-order subset of cruds', () => {
    for (const p of ['c', 'r', 'u', 'd', 's', 'cr', 'cd', 'rs', 'us', 'crud', 'cuds', 'cruds']) {
      expect(parseScopes(`system/Patient.${p}`).invalid).toEqual([]);
    }
  });

  it('rejects out-of-order, repeated, unknown or missing permission letters', () => {
    for (const p of ['sr', 'rr', 'rx', 'dc', 'crudss', '', 'R', 'reads', 'constructor', 'toString', '**']) {
      const token = `system/Patient.${p}`;
      expect(parseScopes(token)).toEqual({ scopes: [], other: [], invalid: [token] });
    }
  });

  it('maps v1 permissions to v2', () => {
    expect(letters(one('system/*.read'))).toBe('rs');
    expect(letters(one('system/*.write'))).toBe('cdu');
    expect(letters(one('system/*.*'))).toBe('cdrsu');
    expect(letters(one('patient/Patient.read'))).toBe('rs');
  });

  it('keeps non-resource scopes apart and reports invalid tokens', () => {
    const r = parseScopes('openid fhirUser launch launch/patient offline_access system/*.rs foo System/*.rs system/patient.rs openid');
    expect(r.scopes.map(formatScope)).toEqual(['system/*.rs']);
    expect(r.other).toEqual(['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access']);
    expect(r.invalid).toEqual(['foo', 'System/*.rs', 'system/patient.rs']);
  });

  it('rejects malformed shapes and granular (query) scopes', () => {
    const bad = ['system/', 'system/*', '/Patient.rs', 'system/Patient', 'admin/*.rs', 'system/Pat-ient.rs', 'patient/Observation.rs?category=laboratory'];
    expect(parseScopes(bad.join(' ')).invalid).toEqual(bad);
  });

  it('tolerates repeated spaces and an empty string', () => {
    expect(parseScopes('  system/*.rs   system/Patient.c ').scopes).toHaveLength(2);
    expect(parseScopes('')).toEqual({ scopes: [], other: [], invalid: [] });
  });
});

describe('formatScope', () => {
  it('writes letters in canonical order and round-trips', () => {
    expect(formatScope({ context: 'system', resourceType: 'Patient', interactions: new Set(['s', 'r', 'c']) })).toBe('system/Patient.crs');
    for (const t of ['system/*.cruds', 'user/Observation.rs', 'patient/Patient.d']) expect(formatScope(one(t))).toBe(t);
    expect(formatScope(one('system/*.read'))).toBe('system/*.rs');
  });
});

describe('normalizeScopes / intersectScope', () => {
  const parse = (s: string) => parseScopes(s).scopes;

  it('merges duplicates and drops types covered by a wildcard', () => {
    expect(formatScopes(normalizeScopes(parse('system/Patient.r system/Patient.s system/*.rs system/Observation.c')))).toBe(
      'system/*.rs system/Observation.c',
    );
  });

  it('intersects a request with what is allowed', () => {
    const allowed = parse('system/*.rs system/Patient.cruds');
    expect(formatScopes(intersectScope(one('system/Observation.rs'), allowed))).toBe('system/Observation.rs');
    expect(formatScopes(intersectScope(one('system/Observation.cruds'), allowed))).toBe('system/Observation.rs');
    expect(formatScopes(intersectScope(one('system/Patient.cud'), allowed))).toBe('system/Patient.cud');
    expect(formatScopes(intersectScope(one('system/*.cruds'), allowed))).toBe('system/*.rs system/Patient.cruds');
    expect(intersectScope(one('system/Observation.c'), allowed)).toEqual([]);
    expect(intersectScope(one('patient/Patient.rs'), allowed)).toEqual([]);
  });

  it('narrows a requested wildcard to the allowed types', () => {
    expect(formatScopes(intersectScope(one('system/*.rs'), parse('system/Patient.r system/Observation.rs')))).toBe(
      'system/Observation.rs system/Patient.r',
    );
  });
});
