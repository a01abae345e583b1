/** Typical US Core resources, shared by the index benchmark and the builder tests. */
import type { Observation, Patient } from 'fhir/r4';

export const samplePatient: Patient = {
  resourceType: 'Patient',
  id: 'bench-patient',
  meta: {
    versionId: '1',
    lastUpdated: '2026-01-01T00:00:00.000Z',
    profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'],
    security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'N' }],
  },
  extension: [
    {
      url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
      extension: [
        { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', display: 'White' } },
        { url: 'text', valueString: 'White' },
      ],
    },
    {
      url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
      extension: [
        { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2186-5', display: 'Not Hispanic or Latino' } },
        { url: 'text', valueString: 'Not Hispanic or Latino' },
      ],
    },
  ],
  identifier: [
    { system: 'http://hospital.example.org/mrn', value: '1032702', type: { text: 'Medical Record Number' } },
    { system: 'http://hl7.org/fhir/sid/us-ssn', value: '999-47-9181' },
  ],
  active: true,
  name: [{ use: 'official', family: 'Shaw', given: ['Amy', 'V.'], prefix: ['Ms.'] }],
  telecom: [
    { system: 'phone', value: '555-555-5555', use: 'home' },
    { system: 'email', value: 'amy.shaw@example.com' },
  ],
  gender: 'female',
  birthDate: '1987-02-20',
  address: [{ line: ['49 Meadow St'], city: 'Mounds', state: 'OK', postalCode: '74047', country: 'US' }],
  generalPractitioner: [{ reference: 'Practitioner/prac-1' }],
  managingOrganization: { reference: 'Organization/org-1' },
};

export const sampleObservation: Observation = {
  resourceType: 'Observation',
  id: 'bench-observation',
  meta: { versionId: '1', lastUpdated: '2026-01-01T00:00:00.000Z', profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-blood-pressure'] },
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
  subject: { reference: 'Patient/bench-patient' },
  encounter: { reference: 'Encounter/enc-1' },
  effectiveDateTime: '2026-01-01T10:30:00Z',
  performer: [{ reference: 'Practitioner/prac-1' }],
  component: [
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
      valueQuantity: { value: 109, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8462-4', display: 'Diastolic blood pressure' }] },
      valueQuantity: { value: 44, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
  ],
};

export const sampleHeartRate: Observation = {
  resourceType: 'Observation',
  id: 'bench-heart-rate',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: 'Patient/bench-patient' },
  effectiveDateTime: '2026-01-01T10:30:00Z',
  valueQuantity: { value: 44, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
};
