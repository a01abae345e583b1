import { describe, expect, it } from 'vitest';
import { checkCodingBinding } from './bindings.ts';
import { validateResource } from './index.ts';
import { IssueList } from './issues.ts';
import { runtimeModel } from './model-runtime.ts';
import { typicalObservation } from './test-fixtures.ts';

function codeErrors(resource: Record<string, unknown>) {
  return validateResource(resource).issues.filter((i) => i.code === 'code-invalid');
}

describe('required bindings on code', () => {
  it("rejects Patient.gender 'mal' and accepts the four administrative genders", () => {
    expect(codeErrors({ resourceType: 'Patient', gender: 'mal' })).toEqual([
      {
        severity: 'error',
        code: 'code-invalid',
        diagnostics: "The code 'mal' is not in the required value set http://hl7.org/fhir/ValueSet/administrative-gender",
        expression: ['Patient.gender'],
      },
    ]);
    for (const gender of ['male', 'female', 'other', 'unknown']) expect(codeErrors({ resourceType: 'Patient', gender })).toEqual([]);
  });

  it("rejects Observation.status 'bogus' and is case-sensitive", () => {
    expect(codeErrors({ ...typicalObservation, status: 'bogus' }).map((i) => i.expression[0])).toEqual(['Observation.status']);
    expect(codeErrors({ ...typicalObservation, status: 'FINAL' })).toHaveLength(1);
    // 'corrected' is nested under 'amended' in the code system hierarchy
    expect(codeErrors({ ...typicalObservation, status: 'corrected' })).toEqual([]);
  });

  it('checks bindings inside datatypes and backbone elements', () => {
    expect(codeErrors({ resourceType: 'Patient', telecom: [{ system: 'telephone', value: '1' }] })[0]?.expression).toEqual(['Patient.telecom[0].system']);
    expect(codeErrors({ resourceType: 'Patient', name: [{ use: 'legal' }] })[0]?.expression).toEqual(['Patient.name[0].use']);
    const quantity = { ...typicalObservation, valueQuantity: { value: 1, comparator: '~' } };
    delete (quantity as { component?: unknown }).component;
    expect(codeErrors(quantity)[0]?.expression).toEqual(['Observation.value.ofType(Quantity).comparator']);
  });

  it('does not check preferred, extensible or example bindings', () => {
    expect(codeErrors({ ...typicalObservation, category: [{ coding: [{ system: 'http://x.org', code: 'y' }] }] })).toEqual([]);
    expect(codeErrors({ resourceType: 'Patient', language: 'xx-unknown' })).toEqual([]);
  });

  it('skips required bindings whose value set needs an external code system (MIME types)', () => {
    expect(codeErrors({ resourceType: 'Patient', photo: [{ contentType: 'not/a-registered-type' }] })).toEqual([]);
  });
});

describe('required bindings on CodeableConcept', () => {
  const condition = { resourceType: 'Condition', subject: { reference: 'Patient/1' } };
  const clinical = 'http://terminology.hl7.org/CodeSystem/condition-clinical';

  it('accepts a CodeableConcept with at least one coding from the value set', () => {
    const cc = { coding: [{ system: 'http://snomed.info/sct', code: '55561003' }, { system: clinical, code: 'active' }] };
    expect(codeErrors({ ...condition, clinicalStatus: cc })).toEqual([]);
  });

  it('rejects codings all outside the value set, wrong systems, and text only', () => {
    expect(codeErrors({ ...condition, clinicalStatus: { coding: [{ system: clinical, code: 'bogus' }] } })).toHaveLength(1);
    expect(codeErrors({ ...condition, clinicalStatus: { coding: [{ system: 'http://other.org', code: 'active' }] } })).toHaveLength(1);
    expect(codeErrors({ ...condition, clinicalStatus: { text: 'active' } })).toHaveLength(1);
  });
});

describe('required bindings on Coding', () => {
  const vs = runtimeModel().types.get('Patient')?.props.get('gender')?.element.valueSet;

  it('checks system and code', () => {
    if (!vs) throw new Error('administrative-gender not expanded');
    const system = 'http://hl7.org/fhir/administrative-gender';
    const run = (coding: Record<string, unknown>) => {
      const issues = new IssueList();
      checkCodingBinding(coding, vs, 'X.coding', issues);
      return issues.issues.length;
    };
    expect(run({ system, code: 'male' })).toBe(0);
    expect(run({ system, code: 'mal' })).toBe(1);
    expect(run({ system: 'http://other.org', code: 'male' })).toBe(1);
    expect(run({ display: 'Male' })).toBe(1);
  });
});
