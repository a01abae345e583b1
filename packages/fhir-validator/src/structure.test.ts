import { describe, expect, it } from 'vitest';
import { isKnownResourceType, resourceTypes, validateResource, type ValidationIssue } from './index.ts';
import { errorLines, typicalObservation, typicalPatient } from './test-fixtures.ts';

function errors(resource: unknown): ValidationIssue[] {
  return validateResource(resource).issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
}

function only(resource: unknown): ValidationIssue {
  const list = errors(resource);
  expect(list, JSON.stringify(list, null, 1)).toHaveLength(1);
  return list[0] as ValidationIssue;
}

describe('valid resources', () => {
  it('accepts typical Patient and Observation without errors', () => {
    expect(errorLines(validateResource(typicalPatient))).toEqual([]);
    expect(errorLines(validateResource(typicalObservation))).toEqual([]);
    expect(validateResource(typicalPatient).valid).toBe(true);
  });

  it('accepts a minimal resource and reports only the dom-6 best-practice warning', () => {
    const result = validateResource({ resourceType: 'Patient' });
    expect(result.valid).toBe(true);
    expect(result.issues).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'invariant', expression: ['Patient'] }),
    ]);
  });

  it('does not modify the resource it validates', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { ...typicalObservation, valueString: 'x' }, request: { method: 'POST', url: 'Observation' } }],
    };
    const before = JSON.stringify(bundle);
    validateResource(bundle);
    expect(JSON.stringify(bundle)).toBe(before);
    expect(Object.getOwnPropertyNames(bundle.entry[0]?.resource ?? {})).toEqual(Object.keys(bundle.entry[0]?.resource ?? {}));
  });

  it('gives every issue an expression', () => {
    const result = validateResource({ resourceType: 'Observation', foo: 1, status: 'x', code: {}, valueString: '' });
    expect(result.issues.length).toBeGreaterThan(3);
    for (const issue of result.issues) expect(issue.expression.length).toBeGreaterThan(0);
  });
});

describe('resourceType', () => {
  it('reports a missing resourceType as fatal/required', () => {
    expect(validateResource({ id: 'x' }).issues).toEqual([
      { severity: 'fatal', code: 'required', diagnostics: "Missing 'resourceType'", expression: ['resourceType'] },
    ]);
  });

  it('reports an unknown resourceType as fatal/not-supported', () => {
    const issue = only({ resourceType: 'Spaceship' });
    expect(issue).toMatchObject({ severity: 'fatal', code: 'not-supported', expression: ['resourceType'] });
    // abstract types and R4B-only types are not writable R4 resources
    expect(only({ resourceType: 'DomainResource' }).code).toBe('not-supported');
    expect(only({ resourceType: 'SubscriptionStatus' }).code).toBe('not-supported');
  });

  it('reports a type different from the expected one as fatal/invalid', () => {
    const result = validateResource(typicalPatient, { expectedType: 'Observation' });
    expect(result.valid).toBe(false);
    expect(result.issues[0]).toMatchObject({ severity: 'fatal', code: 'invalid' });
    expect(validateResource(typicalPatient, { expectedType: 'Patient' }).valid).toBe(true);
  });

  it('rejects non-objects', () => {
    for (const value of [null, 'Patient', [typicalPatient], 42]) {
      expect(validateResource(value).issues[0]).toMatchObject({ severity: 'fatal', code: 'structure' });
    }
  });

  it('lists the 146 R4 resource types', () => {
    expect(resourceTypes).toHaveLength(146);
    expect(resourceTypes).toContain('Patient');
    expect(isKnownResourceType('Observation')).toBe(true);
    expect(isKnownResourceType('Resource')).toBe(false);
    expect(isKnownResourceType('patient')).toBe(false);
  });
});

describe('unknown elements', () => {
  it('reports unknown elements at the resource and nested levels', () => {
    expect(only({ resourceType: 'Patient', foo: 1 })).toMatchObject({ code: 'structure', expression: ['Patient.foo'] });
    expect(only({ resourceType: 'Patient', name: [{ surname: 'x' }] }).expression).toEqual(['Patient.name[0].surname']);
    expect(only({ resourceType: 'Patient', resourceType2: 'x' }).diagnostics).toBe("Unknown element 'resourceType2'");
  });

  it('rejects resourceType inside a datatype and fhir_comments (not part of R4 JSON)', () => {
    expect(only({ resourceType: 'Patient', name: [{ resourceType: 'HumanName', family: 'x' }] }).code).toBe('structure');
    expect(only({ resourceType: 'Patient', fhir_comments: ['x'] }).code).toBe('structure');
  });
});

describe('cardinality', () => {
  it('reports missing required elements (Observation.status, Observation.code)', () => {
    const list = errors({ resourceType: 'Observation' });
    expect(list.map((i) => [i.code, i.expression[0]])).toEqual([
      ['required', 'Observation.status'],
      ['required', 'Observation.code'],
    ]);
  });

  it('reports a missing required choice and required backbone children', () => {
    expect(only({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' } })).toMatchObject({
      code: 'required',
      diagnostics: expect.stringContaining("'medication[x]'"),
    });
    expect(only({ resourceType: 'Patient', link: [{ type: 'seealso' }] }).expression).toEqual(['Patient.link[0].other']);
  });

  it('requires an array for repeating elements and a single value otherwise', () => {
    expect(only({ resourceType: 'Patient', name: { family: 'x' } })).toMatchObject({ code: 'structure', expression: ['Patient.name'] });
    expect(only({ resourceType: 'Patient', gender: ['male', 'female'] })).toMatchObject({ code: 'structure', expression: ['Patient.gender'] });
    expect(only({ resourceType: 'Observation', status: 'final', code: [{ text: 'x' }] }).expression).toEqual(['Observation.code']);
  });

  it('counts a primitive given only as an extension (_status) as present', () => {
    const ext = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    expect(errors({ resourceType: 'Observation', _status: ext, code: { text: 'x' } })).toEqual([]);
  });
});

describe('datatype rules', () => {
  it('requires absolute URIs for Coding.system and Identifier.system', () => {
    expect(only({ resourceType: 'Patient', identifier: [{ system: 'mrn', value: '1' }] })).toMatchObject({
      code: 'value',
      expression: ['Patient.identifier[0].system'],
    });
    expect(only({ resourceType: 'Patient', maritalStatus: { coding: [{ system: 'local', code: 'M' }] } }).expression).toEqual([
      'Patient.maritalStatus.coding[0].system',
    ]);
    expect(errors({ resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.36.146.595.217.0.1', value: '1' }] })).toEqual([]);
  });
});

describe('choice types', () => {
  it('accepts each allowed type name', () => {
    for (const value of [{ valueString: 'x' }, { valueBoolean: true }, { valueInteger: 3 }, { valueQuantity: { value: 1 } }, { valuePeriod: { start: '2020' } }]) {
      expect(errors({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...value })).toEqual([]);
    }
  });

  it('rejects a type not allowed for the choice', () => {
    expect(only({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueDate: '2020-01-01' })).toMatchObject({
      code: 'structure',
      expression: ['Observation.valueDate'],
    });
    expect(only({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, value: 'x' }).expression).toEqual(['Observation.value']);
  });

  it('rejects two types for the same choice', () => {
    const issue = only({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueString: 'a', valueBoolean: true });
    expect(issue).toMatchObject({ code: 'structure', expression: ['Observation.value'] });
    expect(issue.diagnostics).toContain("'valueString'");
  });

  it('locates choice values with ofType()', () => {
    const issue = only({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: '1' } });
    expect(issue.expression).toEqual(['Observation.value.ofType(Quantity).value']);
  });
});

describe('JSON value types', () => {
  it('requires strings, numbers and booleans as the primitive type says', () => {
    expect(only({ resourceType: 'Patient', birthDate: 19800101 }).diagnostics).toContain('expected a string');
    expect(only({ resourceType: 'Patient', active: 'true' }).diagnostics).toContain('expected a boolean');
    expect(only({ resourceType: 'Patient', multipleBirthInteger: '2' }).diagnostics).toContain('expected a number');
  });

  it('requires objects for complex types', () => {
    expect(only({ resourceType: 'Observation', status: 'final', code: 'x' })).toMatchObject({ code: 'structure', expression: ['Observation.code'] });
  });
});

describe('empty elements (ele-1) and null', () => {
  it('rejects an empty object, an empty array, an empty string and null', () => {
    expect(only({ resourceType: 'Patient', maritalStatus: {} })).toMatchObject({ code: 'invariant', expression: ['Patient.maritalStatus'] });
    expect(only({ resourceType: 'Patient', telecom: [] })).toMatchObject({ code: 'invariant', expression: ['Patient.telecom'] });
    expect(only({ resourceType: 'Patient', name: [{ family: '' }] })).toMatchObject({ code: 'value', expression: ['Patient.name[0].family'] });
    expect(only({ resourceType: 'Patient', gender: null })).toMatchObject({ code: 'structure', expression: ['Patient.gender'] });
    expect(only({ resourceType: 'Patient', name: [null] }).expression).toEqual(['Patient.name[0]']);
  });

  it('rejects an element that only has an id', () => {
    expect(only({ resourceType: 'Patient', maritalStatus: { id: 'a' } }).diagnostics).toContain('ele-1');
  });
});

describe('primitive extensions (_name)', () => {
  const ext = { extension: [{ url: 'http://example.org/certainty', valueCode: 'estimated' }] };

  it('accepts _birthDate next to birthDate, or alone, and an id-only _birthDate with a value', () => {
    expect(errors({ resourceType: 'Patient', birthDate: '1980-01-01', _birthDate: ext })).toEqual([]);
    expect(errors({ resourceType: 'Patient', _birthDate: ext })).toEqual([]);
    expect(errors({ resourceType: 'Patient', birthDate: '1980-01-01', _birthDate: { id: 'b' } })).toEqual([]);
  });

  it('accepts arrays aligned with null', () => {
    const patient = { resourceType: 'Patient', name: [{ given: ['Ann', null, 'Lee'], _given: [null, ext, null] }] };
    expect(errors(patient)).toEqual([]);
  });

  it('rejects misaligned arrays, null at both positions, and bad _name shapes', () => {
    expect(only({ resourceType: 'Patient', name: [{ given: ['Ann', 'Lee'], _given: [null] }] }).code).toBe('structure');
    expect(only({ resourceType: 'Patient', name: [{ given: ['Ann', null], _given: [null, null] }] }).expression).toEqual(['Patient.name[0].given[1]']);
    expect(only({ resourceType: 'Patient', birthDate: '1980-01-01', _birthDate: 'x' }).code).toBe('structure');
    expect(only({ resourceType: 'Patient', _birthDate: {} }).diagnostics).toContain('ele-1');
    expect(only({ resourceType: 'Patient', _birthDate: { value: '1980' } }).expression).toEqual(['Patient.birthDate.value']);
  });

  it('rejects _name for complex elements and unknown names', () => {
    expect(only({ resourceType: 'Patient', _name: ext }).code).toBe('structure');
    expect(only({ resourceType: 'Patient', _nickname: ext }).code).toBe('structure');
  });

  it('validates the extensions inside _name', () => {
    expect(only({ resourceType: 'Patient', birthDate: '1980-01-01', _birthDate: { extension: [{ valueCode: 'x' }] } })).toMatchObject({
      code: 'required',
      expression: ['Patient.birthDate.extension[0].url'],
    });
  });
});

describe('extensions (ext-1)', () => {
  const url = 'http://example.org/ext';

  it('accepts a value or nested extensions, and modifierExtension', () => {
    expect(errors({ resourceType: 'Patient', extension: [{ url, valueString: 'x' }] })).toEqual([]);
    expect(errors({ resourceType: 'Patient', extension: [{ url, extension: [{ url: 'a', valueInteger: 1 }] }] })).toEqual([]);
    expect(errors({ resourceType: 'Patient', modifierExtension: [{ url, valueBoolean: true }] })).toEqual([]);
  });

  it('requires a url', () => {
    expect(only({ resourceType: 'Patient', extension: [{ valueString: 'x' }] })).toMatchObject({
      code: 'required',
      expression: ['Patient.extension[0].url'],
    });
  });

  it('rejects both a value and extensions, and neither', () => {
    expect(only({ resourceType: 'Patient', extension: [{ url, valueString: 'x', extension: [{ url: 'a', valueString: 'y' }] }] })).toMatchObject({
      code: 'invariant',
      expression: ['Patient.extension[0]'],
    });
    expect(only({ resourceType: 'Patient', extension: [{ url }] }).diagnostics).toContain('ext-1');
  });

  it('rejects an unknown value type', () => {
    expect(only({ resourceType: 'Patient', extension: [{ url, valueCodeX: 'x' }] }).expression).toEqual(['Patient.extension[0].valueCodeX']);
  });
});
