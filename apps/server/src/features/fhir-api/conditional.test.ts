import { describe, expect, it } from 'vitest';
import { getSearchRegistry, parseSearchRequest } from '@kennebec/fhir';
import { criteriaKey, singleTokenCriteria } from './conditional.ts';

/** What the search parser makes of the criteria, reduced to the one token they may name. */
function byTheParser(type: string, params: [string, string][]): unknown {
  let req;
  try {
    req = parseSearchRequest(type, params, getSearchRegistry());
  } catch {
    return undefined;
  }
  const f = req.filters[0];
  if (params.length !== 1 || req.filters.length !== 1 || req.warnings.length > 0 || f?.kind !== 'token' || f.not || f.values.length !== 1) return undefined;
  const v = f.values[0];
  if (typeof v?.system !== 'string' || v.system === '' || v.code === undefined || v.code === '') return undefined;
  return { resourceType: type, param: f.code, system: v.system, code: v.code };
}

describe('singleTokenCriteria', () => {
  const cases: [string, [string, string][]][] = [
    ['Patient', [['identifier', 'urn:oid:1.2.3|MRN-1']]],
    ['Observation', [['identifier', 'https://lab.example/obs|ORD-1|2345-7|']]],
    ['Observation', [['identifier', 'https://lab.example/obs|ORD-1\\|2345-7\\|']]],
    ['Patient', [['identifier', 'urn:oid:1.2|a\\,b']]],
    ['Patient', [['identifier', 'urn:oid:1.2|a\\\\']]],
    ['Patient', [['identifier', 'urn:oid:1.2|a\\$b\\x']]],
    ['Patient', [['identifier', 'urn:oid:1.2|a\\']]],
    ['Patient', [['identifier', 'sys\\|tem|code']]],
    ['Patient', [['identifier', 'urn:oid:1.2|MRN-1,']]],
    ['Patient', [['identifier', ',urn:oid:1.2|MRN-1']]],
    ['Patient', [['identifier', 'urn:oid:1.2|MRN-1,urn:oid:1.2|MRN-2']]],
    ['Patient', [['identifier', 'MRN-1']]],
    ['Patient', [['identifier', '|MRN-1']]],
    ['Patient', [['identifier', 'urn:oid:1.2|']]],
    ['Patient', [['identifier', '|']]],
    ['Patient', [['identifier', '']]],
    ['Patient', [['identifier:not', 'urn:oid:1.2|MRN-1']]],
    ['Patient', [['identifier:text', 'urn:oid:1.2|MRN-1']]],
    ['Patient', [['gender', 'http://hl7.org/fhir/administrative-gender|female']]],
    ['Patient', [['family', 'urn:oid:1.2|MRN-1']]],
    ['Patient', [['_id', 'a|b']]],
    ['Patient', [['_security', 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R']]],
    ['Patient', [['no-such-param', 'a|b']]],
    ['NoSuchType', [['identifier', 'a|b']]],
    ['Patient', [['identifier', 'urn:oid:1.2|MRN-1'], ['gender', 'female']]],
    ['Patient', []],
    ['Encounter', [['identifier', 'https://kennebec.health/fhir/sid/hl7-facility/X/visit-number|V100']]],
  ];

  it('finds the token the search parser would find, and nothing where it would find anything else', () => {
    for (const [type, params] of cases) {
      expect(singleTokenCriteria(type, params), `${type}?${params.map(([k, v]) => `${k}=${v}`).join('&')}`).toEqual(byTheParser(type, params));
    }
  });

  it('names the token it found', () => {
    expect(singleTokenCriteria('Observation', [['identifier', 'https://lab.example/obs|ORD-1\\|2345-7\\|']])).toEqual({
      resourceType: 'Observation',
      param: 'identifier',
      system: 'https://lab.example/obs',
      code: 'ORD-1|2345-7|',
    });
  });
});

describe('criteriaKey', () => {
  it('is the same whatever the order of the parameters', () => {
    expect(criteriaKey('Patient', [['family', 'a'], ['birthdate', '1970']])).toBe(criteriaKey('Patient', [['birthdate', '1970'], ['family', 'a']]));
  });
});
