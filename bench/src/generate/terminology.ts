/** Code system URLs and tiny CodeableConcept builders shared by the resource factories. */
import type { CodeableConcept, Coding, Quantity } from 'fhir/r4';

export const SYS = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
  ssn: 'http://hl7.org/fhir/sid/us-ssn',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  v2DiagnosticService: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3Interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  v3MaritalStatus: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  v3ParticipationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  obsCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  medRequestCategory: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  locationPhysicalType: 'http://terminology.hl7.org/CodeSystem/location-physical-type',
  usCoreDocCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  bcp47: 'urn:ietf:bcp:47',
  cdcRace: 'urn:oid:2.16.840.1.113883.6.238',
  usCoreRace: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
  usCoreEthnicity: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
  goalAchievement: 'http://terminology.hl7.org/CodeSystem/goal-achievement',
} as const;

/** A code from a catalog: the same shape is reused for every code system. */
export interface Code {
  readonly code: string;
  readonly display: string;
}

/** Fresh objects every call: consumers may mutate resources, so nothing is shared between them. */
export function coding(system: string, c: Code): Coding {
  return { system, code: c.code, display: c.display };
}

export function concept(system: string, c: Code, text: string = c.display): CodeableConcept {
  return { coding: [{ system, code: c.code, display: c.display }], text };
}

export function simpleConcept(system: string, code: string, display: string): CodeableConcept {
  return { coding: [{ system, code, display }] };
}

export function quantity(value: number, unit: string, code: string = unit): Quantity {
  return { value, unit, system: SYS.ucum, code };
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
