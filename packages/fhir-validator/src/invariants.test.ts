import { describe, expect, it } from 'vitest';
import { validateResource, type ValidationIssue } from './index.ts';
import { errorLines, typicalObservation } from './test-fixtures.ts';

function invariants(resource: Record<string, unknown>): Array<[string, string, string]> {
  return validateResource(resource)
    .issues.filter((i: ValidationIssue) => i.code === 'invariant' && !i.diagnostics.includes('dom-6'))
    .map((i) => [i.severity, /Constraint failed: ([a-z]+-\d+)/.exec(i.diagnostics)?.[1] ?? i.diagnostics, i.expression[0] ?? '']);
}

const obs = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] } };

describe('datatype invariants', () => {
  it('per-1: Period end before start', () => {
    const encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
    expect(invariants({ ...encounter, period: { start: '2021-02-03', end: '2021-02-01' } })).toEqual([['error', 'per-1', 'Encounter.period']]);
    expect(invariants({ ...encounter, period: { start: '2021-02-03T10:00:00Z', end: '2021-02-03T09:00:00Z' } })).toHaveLength(1);
    expect(invariants({ ...encounter, period: { start: '2021-02-01', end: '2021-02-03' } })).toEqual([]);
    expect(invariants({ ...encounter, period: { start: '2021-02-01' } })).toEqual([]);
  });

  it('per-1 on mixed precision follows FHIRPath (fhirpath.js decides)', () => {
    const encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } };
    expect(invariants({ ...encounter, period: { start: '2020', end: '2021-02-03' } })).toEqual([]);
    expect(invariants({ ...encounter, period: { start: '2022', end: '2021-02-03' } })).toEqual([['error', 'per-1', 'Encounter.period']]);
  });

  it('qty-3 and sqty-1 (SimpleQuantity profile on referenceRange.low)', () => {
    expect(invariants({ ...obs, valueQuantity: { value: 1, code: 'mg' } })).toEqual([['error', 'qty-3', 'Observation.value.ofType(Quantity)']]);
    const range = { ...obs, referenceRange: [{ low: { value: 1, comparator: '<', system: 'http://unitsofmeasure.org', code: 'mg' } }] };
    expect(invariants(range)).toEqual([['error', 'sqty-1', 'Observation.referenceRange[0].low']]);
  });

  it('att-1 and rng-2 through nested datatypes', () => {
    expect(invariants({ resourceType: 'Patient', photo: [{ data: 'AAAA' }] })).toEqual([['error', 'att-1', 'Patient.photo[0]']]);
    const mg = { system: 'http://unitsofmeasure.org', code: 'mg' };
    const range = { ...obs, valueRange: { low: { value: 5, ...mg }, high: { value: 1, ...mg } } };
    expect(invariants(range)).toEqual([['error', 'rng-2', 'Observation.value.ofType(Range)']]);
  });
});

describe('resource invariants', () => {
  it('obs-6: dataAbsentReason together with a value', () => {
    const dar = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }] };
    expect(invariants({ ...obs, valueString: 'x', dataAbsentReason: dar })).toEqual([['error', 'obs-6', 'Observation']]);
    expect(invariants({ ...obs, dataAbsentReason: dar })).toEqual([]);
  });

  it('obs-7: a value together with a component of the same code (fhirpath.js)', () => {
    const component = [{ code: obs.code, valueString: 'y' }];
    expect(invariants({ ...obs, valueString: 'x', component })).toEqual([['error', 'obs-7', 'Observation']]);
    expect(invariants({ ...obs, component })).toEqual([]);
    expect(invariants({ ...obs, valueString: 'x', component: [{ code: { text: 'other' }, valueString: 'y' }] })).toEqual([]);
  });

  it('obs-3 in a backbone element and que-1 in recursive items (contentReference)', () => {
    expect(invariants({ ...obs, referenceRange: [{ type: { text: 'normal' } }] })).toEqual([['error', 'obs-3', 'Observation.referenceRange[0]']]);
    const questionnaire = {
      resourceType: 'Questionnaire',
      status: 'draft',
      item: [{ linkId: 'g', type: 'group', item: [{ linkId: 'g2', type: 'group' }] }],
    };
    expect(invariants(questionnaire)).toEqual([['error', 'que-1', 'Questionnaire.item[0].item[0]']]);
  });

  it('app-3 and Bundle bdl-3 (FHIRPath with %resource)', () => {
    const appointment = { resourceType: 'Appointment', status: 'booked', participant: [{ status: 'accepted', actor: { reference: 'Patient/1' } }] };
    expect(invariants(appointment)).toEqual([['error', 'app-3', 'Appointment']]);
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' } }] };
    expect(invariants(bundle)).toEqual([['error', 'bdl-3', 'Bundle']]);
  });

  it('reports warning-severity invariants as warnings', () => {
    const vs = { resourceType: 'ValueSet', status: 'draft', name: 'lower case name' };
    expect(invariants(vs)).toEqual([['warning', 'vsd-0', 'ValueSet']]);
    expect(validateResource(vs).valid).toBe(true);
  });

  it('evaluates ras-2 on a choice value and ctm-1 against contained resources', () => {
    const risk = { resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' }, prediction: [{ probabilityDecimal: 101 }] };
    expect(invariants(risk)).toEqual([['error', 'ras-2', 'RiskAssessment.prediction[0]']]);
    const careTeam = {
      resourceType: 'CareTeam',
      contained: [{ resourceType: 'Patient', id: 'p' }],
      participant: [{ member: { reference: '#p' }, onBehalfOf: { reference: 'Organization/1' } }],
    };
    expect(invariants(careTeam)).toEqual([['error', 'ctm-1', 'CareTeam.participant[0]']]);
    expect(invariants({ ...careTeam, participant: [{ member: { reference: 'Practitioner/1' }, onBehalfOf: { reference: 'Organization/1' } }] })).toEqual([
      ['error', 'dom-3', 'CareTeam.contained[0]'],
    ]);
  });
});

describe('contained resources and local references', () => {
  const org = { resourceType: 'Organization', id: 'org1', name: 'Acme' };

  it('accepts a contained resource referenced from the container', () => {
    expect(errorLines(validateResource({ resourceType: 'Patient', contained: [org], managingOrganization: { reference: '#org1' } }))).toEqual([]);
  });

  it('dom-3: reports a contained resource nothing refers to', () => {
    expect(invariants({ resourceType: 'Patient', contained: [org] })).toEqual([['error', 'dom-3', 'Patient.contained[0]']]);
  });

  it('dom-3: accepts references from other contained resources, canonicals, and back-references to "#"', () => {
    const practitioner = { resourceType: 'Practitioner', id: 'pr1', qualification: [{ code: { text: 'MD' }, issuer: { reference: '#org1' } }] };
    const patient = { resourceType: 'Patient', contained: [org, practitioner], generalPractitioner: [{ reference: '#pr1' }] };
    expect(invariants(patient)).toEqual([]);
    const vs = { resourceType: 'ValueSet', id: 'vs1', status: 'draft' };
    const questionnaire = { resourceType: 'Questionnaire', status: 'draft', contained: [vs], item: [{ linkId: 'a', type: 'choice', answerValueSet: '#vs1' }] };
    expect(invariants(questionnaire)).toEqual([]);
    const provenance = { resourceType: 'Provenance', id: 'prov', recorded: '2021-01-01T00:00:00Z', agent: [{ who: { reference: 'Practitioner/1' } }], target: [{ reference: '#' }] };
    expect(invariants({ resourceType: 'Patient', contained: [provenance] })).toEqual([]);
  });

  it('dom-2, dom-4, dom-5 and a missing id on contained resources', () => {
    const nested = { ...org, contained: [{ resourceType: 'Location', id: 'l' }] };
    const ref = { managingOrganization: { reference: '#org1' } };
    expect(invariants({ resourceType: 'Patient', contained: [nested], ...ref }).map((i) => i[1])).toContain('dom-2');
    const meta = { ...org, meta: { versionId: '2', security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } };
    expect(invariants({ resourceType: 'Patient', contained: [meta], ...ref }).map((i) => i[1])).toEqual(['dom-4', 'dom-5']);
    const noId = validateResource({ resourceType: 'Patient', contained: [{ resourceType: 'Organization', name: 'x' }] });
    expect(noId.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toContain('required');
  });

  it('ref-1: reports a local reference with no matching contained resource', () => {
    expect(invariants({ resourceType: 'Patient', managingOrganization: { reference: '#missing' } })).toEqual([
      ['error', 'ref-1', 'Patient.managingOrganization.reference'],
    ]);
  });

  it('validates contained resources recursively, with their own invariants', () => {
    const badObs = { ...typicalObservation, id: 'o1', status: 'bogus', valueString: 'x', dataAbsentReason: { text: 'x' } };
    delete (badObs as { component?: unknown }).component;
    delete (badObs as { meta?: unknown }).meta; // dom-4 is tested above
    const lines = errorLines(validateResource({ resourceType: 'Patient', contained: [badObs], link: [{ other: { reference: '#o1' }, type: 'seealso' }] }));
    expect(lines).toEqual([
      "Patient.contained[0].status: The code 'bogus' is not in the required value set http://hl7.org/fhir/ValueSet/observation-status",
      'Patient.contained[0]: Constraint failed: obs-6: dataAbsentReason SHALL only be present if Observation.value[x] is not present',
    ]);
  });

  it('validates Bundle entries as resources of their own', () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:c757873d-ec9a-4326-a141-556f43239520', resource: { resourceType: 'Patient', gender: 'mal' } }] };
    expect(errorLines(validateResource(bundle))).toEqual([
      "Bundle.entry[0].resource.gender: The code 'mal' is not in the required value set http://hl7.org/fhir/ValueSet/administrative-gender",
    ]);
    const unknown = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Spaceship' } }] };
    expect(validateResource(unknown).issues[0]).toMatchObject({ severity: 'error', code: 'not-supported', expression: ['Bundle.entry[0].resource.resourceType'] });
  });
});
