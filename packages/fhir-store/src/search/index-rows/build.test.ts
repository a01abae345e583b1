import type { Resource } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { buildIndexRows } from '../index.ts';
import { sampleObservation, samplePatient } from '../samples.ts';

const rows = (r: unknown) => buildIndexRows(r as Resource);
const of = <T extends { param: string }>(list: T[], param: string): Omit<T, 'param'>[] =>
  list.filter((r) => r.param === param).map(({ param: _p, ...rest }) => rest);

describe('buildIndexRows: strings', () => {
  const r = rows(samplePatient);

  it('indexes every part of a HumanName, normalized, with the exact text', () => {
    expect(of(r.string, 'name')).toEqual([
      { value: 'shaw', exact: 'Shaw' },
      { value: 'amy', exact: 'Amy' },
      { value: 'v.', exact: 'V.' },
      { value: 'ms.', exact: 'Ms.' },
    ]);
    expect(of(r.string, 'family')).toEqual([{ value: 'shaw', exact: 'Shaw' }]);
  });

  it('indexes every part of an Address', () => {
    expect(of(r.string, 'address').map((s) => s.value)).toEqual(['49 meadow st', 'mounds', 'ok', '74047', 'us']);
    expect(of(r.string, 'address-city')).toEqual([{ value: 'mounds', exact: 'Mounds' }]);
  });

  it('removes accents, folds case and collapses whitespace; drops duplicates', () => {
    const p = rows({ resourceType: 'Patient', name: [{ family: 'Müller', given: ['  Élodie   Ann ', 'Müller'], text: 'Élodie Müller' }] });
    expect(of(p.string, 'name')).toEqual([
      { value: 'muller', exact: 'Müller' },
      { value: 'elodie ann', exact: '  Élodie   Ann ' },
      { value: 'elodie muller', exact: 'Élodie Müller' },
    ]);
  });

  it('cuts very long values so they fit a b-tree entry', () => {
    const p = rows({ resourceType: 'Organization', name: 'x'.repeat(5000) });
    expect(of(p.string, 'name')[0]?.value).toHaveLength(500);
    expect(of(p.string, 'name')[0]?.exact).toHaveLength(5000);
  });
});

describe('buildIndexRows: tokens', () => {
  const r = rows(samplePatient);

  it('Identifier: system|value with the type text for :text', () => {
    expect(of(r.token, 'identifier')).toEqual([
      { system: 'http://hospital.example.org/mrn', code: '1032702', text: 'medical record number' },
      { system: 'http://hl7.org/fhir/sid/us-ssn', code: '999-47-9181', text: null },
    ]);
  });

  it('ContactPoint: system|value; where(system=…) selects', () => {
    expect(of(r.token, 'telecom')).toEqual([
      { system: 'phone', code: '555-555-5555', text: null },
      { system: 'email', code: 'amy.shaw@example.com', text: null },
    ]);
    expect(of(r.token, 'email')).toEqual([{ system: 'email', code: 'amy.shaw@example.com', text: null }]);
  });

  it('code and boolean primitives have no system', () => {
    expect(of(r.token, 'gender')).toEqual([{ system: null, code: 'female', text: null }]);
    expect(of(r.token, 'active')).toEqual([{ system: null, code: 'true', text: null }]);
  });

  it('US Core race and ethnicity index the category Coding', () => {
    expect(of(r.token, 'race')).toEqual([{ system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', text: 'white' }]);
    expect(of(r.token, 'ethnicity')).toEqual([{ system: 'urn:oid:2.16.840.1.113883.6.238', code: '2186-5', text: 'not hispanic or latino' }]);
  });

  it('meta.security and meta.tag as tokens, meta.profile as uri', () => {
    expect(of(r.token, '_security')).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N', text: null }]);
    expect(of(r.uri, '_profile')).toEqual([{ value: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient' }]);
  });

  it('CodeableConcept: a row per coding with its display, and the text when it differs', () => {
    const o = rows(sampleObservation);
    expect(of(o.token, 'code')).toEqual([
      { system: 'http://loinc.org', code: '85354-9', text: 'blood pressure panel with all children optional' },
      { system: null, code: null, text: 'blood pressure' },
    ]);
    const textOnly = rows({ resourceType: 'Condition', code: { text: 'Headache' }, subject: { reference: 'Patient/1' } });
    expect(of(textOnly.token, 'code')).toEqual([{ system: null, code: null, text: 'headache' }]);
  });

  it('Patient.deceased (a boolean expression) goes through fhirpath.js', () => {
    expect(of(r.token, 'deceased')).toEqual([{ system: null, code: 'false', text: null }]);
    const dead = rows({ resourceType: 'Patient', deceasedDateTime: '2020-02-02' });
    expect(of(dead.token, 'deceased')).toEqual([{ system: null, code: 'true', text: null }]);
    expect(of(dead.date, 'death-date')).toEqual([{ low: '2020-02-02T00:00:00.000Z', high: '2020-02-02T23:59:59.999Z' }]);
  });
});

describe('buildIndexRows: references', () => {
  it('relative references by type and id (version dropped); resolve() is X filters by type', () => {
    const o = rows({ ...sampleObservation, subject: { reference: 'Patient/p1/_history/3' } });
    expect(of(o.reference, 'subject')).toEqual([{ targetType: 'Patient', targetId: 'p1', url: null }]);
    expect(of(o.reference, 'patient')).toEqual([{ targetType: 'Patient', targetId: 'p1', url: null }]);
    const g = rows({ ...sampleObservation, subject: { reference: 'Group/g1' } });
    expect(of(g.reference, 'patient')).toEqual([]);
    expect(of(g.reference, 'subject')).toEqual([{ targetType: 'Group', targetId: 'g1', url: null }]);
  });

  it('absolute, urn and canonical references by URL; contained ones not at all', () => {
    const o = rows({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: 'https://other.example/fhir/Patient/9' },
      performer: [{ reference: '#p1' }, { reference: 'urn:uuid:0f7c0b6e-7a1b-4b1e-9a3e-5b1c2d3e4f50' }],
      basedOn: [{ identifier: { value: 'x' } }],
    });
    expect(of(o.reference, 'subject')).toEqual([{ targetType: null, targetId: null, url: 'https://other.example/fhir/Patient/9' }]);
    expect(of(o.reference, 'patient')).toEqual([{ targetType: null, targetId: null, url: 'https://other.example/fhir/Patient/9' }]);
    expect(of(o.reference, 'performer')).toEqual([{ targetType: null, targetId: null, url: 'urn:uuid:0f7c0b6e-7a1b-4b1e-9a3e-5b1c2d3e4f50' }]);
    expect(of(o.reference, 'based-on')).toEqual([]);
    const q = rows({ resourceType: 'QuestionnaireResponse', status: 'completed', questionnaire: 'http://x.org/Questionnaire/q|1.0' });
    expect(of(q.reference, 'questionnaire')).toEqual([{ targetType: null, targetId: null, url: 'http://x.org/Questionnaire/q|1.0' }]);
  });
});

describe('buildIndexRows: dates', () => {
  it('partial dates cover their whole precision', () => {
    const p = rows({ resourceType: 'Patient', birthDate: '1980' });
    expect(of(p.date, 'birthdate')).toEqual([{ low: '1980-01-01T00:00:00.000Z', high: '1980-12-31T23:59:59.999Z' }]);
  });

  it('dateTime to the second, instants exactly', () => {
    const o = rows(sampleObservation);
    expect(of(o.date, 'date')).toEqual([{ low: '2026-01-01T10:30:00.000Z', high: '2026-01-01T10:30:00.999Z' }]);
    const d = rows({ resourceType: 'DocumentReference', status: 'current', content: [], date: '2024-05-06T07:08:09.123+02:00' });
    expect(of(d.date, 'date')).toEqual([{ low: '2024-05-06T05:08:09.123Z', high: '2024-05-06T05:08:09.123Z' }]);
  });

  it('Periods with an open end have a null bound', () => {
    const e = rows({ resourceType: 'Encounter', status: 'in-progress', class: { code: 'AMB' }, period: { start: '2024-02' } });
    expect(of(e.date, 'date')).toEqual([{ low: '2024-02-01T00:00:00.000Z', high: null }]);
    const f = rows({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, period: { end: '2024-02-03' } });
    expect(of(f.date, 'date')).toEqual([{ low: null, high: '2024-02-03T23:59:59.999Z' }]);
  });

  it('Timing: the outer limits of its events and bounds', () => {
    const m = rows({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      effectiveTiming: { event: ['2024-03-05', '2024-01-02T10:00:00Z'], repeat: { boundsPeriod: { start: '2024-02-01', end: '2024-04' } } },
    });
    expect(of(m.date, 'date')).toEqual([{ low: '2024-01-02T10:00:00.000Z', high: '2024-04-30T23:59:59.999Z' }]);
  });

  it('ignores values that are not dates', () => {
    const i = rows({ resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'x' }, patient: { reference: 'Patient/1' }, occurrenceString: 'last spring' });
    expect(of(i.date, 'date')).toEqual([]);
  });
});

describe('buildIndexRows: numbers and quantities', () => {
  it('quantities with their implicit precision range and units', () => {
    const o = rows({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 100, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } });
    expect(of(o.quantity, 'value-quantity')).toEqual([{ value: '100', low: '99.5', high: '100.5', system: 'http://unitsofmeasure.org', code: 'mg', unit: 'mg' }]);
    const p = rows({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 1.5 } });
    expect(of(p.quantity, 'value-quantity')).toEqual([{ value: '1.5', low: '1.45', high: '1.55', system: null, code: null, unit: null }]);
  });

  it('Range bounds, an open end infinite', () => {
    const c = rows({ resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetRange: { low: { value: 10, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' } } });
    expect(of(c.quantity, 'onset-age')).toEqual([{ value: '10', low: '10', high: 'Infinity', system: 'http://unitsofmeasure.org', code: 'a', unit: 'a' }]);
  });

  it('numbers (RiskAssessment.probability)', () => {
    const r = rows({ resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' }, prediction: [{ probabilityDecimal: 0.25 }, { probabilityRange: { low: { value: 0.1 }, high: { value: 0.3 } } }] });
    expect(of(r.number, 'probability')).toEqual([
      { value: '0.25', low: '0.245', high: '0.255' },
      { value: '0.1', low: '0.1', high: '0.3' },
    ]);
  });

  it('Money as a quantity in ISO 4217', () => {
    const c = rows({ resourceType: 'ChargeItem', status: 'billed', code: { text: 'x' }, subject: { reference: 'Patient/1' }, priceOverride: { value: 12.5, currency: 'USD' } });
    expect(of(c.quantity, 'price-override')).toEqual([{ value: '12.5', low: '12.45', high: '12.55', system: 'urn:iso:std:iso:4217', code: 'USD', unit: null }]);
  });
});

describe('buildIndexRows: composites and uris', () => {
  it('composite rows are keyed by the token component, with and without its system', () => {
    const o = rows(sampleObservation);
    expect(of(o.quantity, 'component-code-value-quantity$8480-6')).toEqual([
      { value: '109', low: '108.5', high: '109.5', system: 'http://unitsofmeasure.org', code: 'mm[Hg]', unit: 'mmHg' },
    ]);
    expect(of(o.quantity, 'component-code-value-quantity$http://loinc.org|8462-4').map((q) => q.value)).toEqual(['44']);
    expect(of(o.quantity, 'combo-code-value-quantity$8462-4').map((q) => q.value)).toEqual(['44']);
    expect(o.quantity.filter((q) => q.param.startsWith('code-value-quantity'))).toEqual([]);
  });

  it('uri values as they are', () => {
    const v = rows({ resourceType: 'ValueSet', status: 'active', url: 'http://example.org/fhir/ValueSet/x' });
    expect(of(v.uri, 'url')).toEqual([{ value: 'http://example.org/fhir/ValueSet/x' }]);
  });

  it('does not index _id and _lastUpdated (the resource table has them)', () => {
    const r = rows(samplePatient);
    const params = new Set([...r.token, ...r.date, ...r.string].map((x) => x.param));
    expect(params.has('_id')).toBe(false);
    expect(params.has('_lastUpdated')).toBe(false);
  });

  it('indexes resource types without parameters of their own only by the common ones', () => {
    const b = rows({ resourceType: 'Binary', contentType: 'text/plain', meta: { tag: [{ code: 'x' }] } });
    expect(b.token).toEqual([{ param: '_tag', system: null, code: 'x', text: null }]);
  });
});
