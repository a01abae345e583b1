/**
 * Typical resources as written by a patient portal / HIE feed (shape of US Core examples,
 * synthetic values). Used by bench.ts and the tests.
 */

export const typicalPatient = {
  resourceType: 'Patient',
  id: 'example',
  meta: { versionId: '3', lastUpdated: '2024-05-01T10:12:00Z', profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] },
  text: {
    status: 'generated',
    div: '<div xmlns="http://www.w3.org/1999/xhtml"><p><b>Amy V. Shaw</b>, female, born 1987-02-20</p><p>MRN 1032702</p></div>',
  },
  extension: [
    {
      url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
      extension: [
        { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', display: 'White' } },
        { url: 'text', valueString: 'White' },
      ],
    },
    { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: 'F' },
  ],
  identifier: [
    {
      use: 'usual',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical Record Number' }], text: 'Medical Record Number' },
      system: 'http://hospital.smarthealthit.org',
      value: '1032702',
    },
  ],
  active: true,
  name: [
    { use: 'official', family: 'Shaw', given: ['Amy', 'V.'], period: { start: '2016-12-06', end: '2020-07-22' } },
    { use: 'maiden', family: 'Baxter', given: ['Amy', 'V.'], suffix: ['PharmD'], period: { start: '2020-07-22' } },
  ],
  telecom: [
    { system: 'phone', value: '555-555-5555', use: 'home' },
    { system: 'email', value: 'amy.shaw@example.com' },
  ],
  gender: 'female',
  birthDate: '1987-02-20',
  address: [
    { use: 'home', line: ['49 Meadow St'], city: 'Mounds', state: 'OK', postalCode: '74047', country: 'US', period: { start: '2016-12-06' } },
  ],
  communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US' }] }, preferred: true }],
};

export const typicalObservation = {
  resourceType: 'Observation',
  id: 'blood-pressure',
  meta: { versionId: '1', lastUpdated: '2024-05-01T10:15:00Z', profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-blood-pressure'] },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Blood pressure 109/44 mmHg (2024-05-01)</p></div>' },
  identifier: [{ system: 'urn:ietf:rfc:3986', value: 'urn:uuid:187e0c12-8dd2-67e2-99b2-bf273c878281' }],
  status: 'final',
  category: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }], text: 'Vital Signs' },
  ],
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
  subject: { reference: 'Patient/example' },
  encounter: { reference: 'Encounter/example' },
  effectiveDateTime: '2024-05-01T09:30:10+01:00',
  performer: [{ reference: 'Practitioner/practitioner-1' }],
  interpretation: [
    { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L', display: 'low' }], text: 'Below low normal' },
  ],
  component: [
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
      valueQuantity: { value: 109, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }] },
      valueQuantity: { value: 44, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
      referenceRange: [{ low: { value: 60, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' }, text: 'normal' }],
    },
  ],
};

/** Errors and fatals of a result, as "expression: diagnostics" lines (for readable failures). */
export function errorLines(result: { issues: Array<{ severity: string; expression: string[]; diagnostics: string }> }): string[] {
  return result.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression[0]}: ${i.diagnostics}`);
}

