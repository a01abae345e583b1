import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, generateRegistryData, serializeRegistryData } from './generate.ts';
import { getSearchRegistry, searchParamsForCapability } from './registry.ts';

const registry = getSearchRegistry();

/**
 * The search parameters US Core 6.1 / 7.0 servers SHALL or SHOULD support for the resource types
 * Kennebec serves (CapabilityStatement us-core-server); race, ethnicity, gender-identity,
 * asserted-date, discharge-disposition, CareTeam role and Goal description are US Core's own.
 */
const US_CORE: Record<string, string[]> = {
  Patient: ['_id', 'birthdate', 'death-date', 'family', 'gender', 'given', 'identifier', 'name', 'race', 'ethnicity', 'gender-identity', '_lastUpdated'],
  Observation: ['category', 'code', 'date', 'patient', 'status', 'encounter', '_lastUpdated'],
  Condition: ['abatement-date', 'asserted-date', 'category', 'clinical-status', 'code', 'encounter', 'onset-date', 'patient', 'recorded-date', '_lastUpdated'],
  AllergyIntolerance: ['clinical-status', 'patient'],
  MedicationRequest: ['authoredon', 'encounter', 'intent', 'patient', 'status'],
  Immunization: ['date', 'patient', 'status'],
  Encounter: ['_id', 'class', 'date', 'discharge-disposition', 'identifier', 'location', 'patient', 'status', 'type', '_lastUpdated'],
  DiagnosticReport: ['category', 'code', 'date', 'patient', 'status', '_lastUpdated'],
  DocumentReference: ['_id', 'category', 'date', 'patient', 'period', 'status', 'type'],
  Procedure: ['code', 'date', 'patient', 'status'],
  Practitioner: ['_id', 'identifier', 'name'],
  Organization: ['address', 'name'],
  Location: ['address', 'address-city', 'address-postalcode', 'address-state', 'name'],
  CareTeam: ['patient', 'role', 'status'],
  Goal: ['description', 'lifecycle-status', 'patient', 'target-date'],
};

describe('search parameter registry', () => {
  it('is generated from the installed definitions (run generate.ts after upgrading them)', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(serializeRegistryData(generateRegistryData()));
  });

  it.each(Object.entries(US_CORE))('supports every US Core parameter of %s', (type, codes) => {
    for (const code of codes) expect(registry.get(type, code)?.supported, `${type}.${code}`).toBe(true);
  });

  it('restricts multi-resource expressions to the resource type', () => {
    const patient = registry.get('Observation', 'patient');
    expect(patient).toMatchObject({ type: 'reference', targets: ['Patient'], expression: 'Observation.subject.where(resolve() is Patient)' });
    expect(patient?.paths).toEqual([['Reference', 'subject', '@Patient']]);
    expect(registry.get('Condition', 'code')?.expression).toBe('Condition.code');
  });

  it('compiles choice types, casts and where() filters to property paths', () => {
    expect(registry.get('Observation', 'value-quantity')?.paths).toContainEqual(['Quantity', 'valueQuantity']);
    expect(registry.get('Observation', 'date')?.paths).toEqual([
      ['dateTime', 'effectiveDateTime'],
      ['Period', 'effectivePeriod'],
      ['Timing', 'effectiveTiming'],
      ['instant', 'effectiveInstant'],
    ]);
    expect(registry.get('Patient', 'email')?.paths).toEqual([['ContactPoint', 'telecom', '?system=email']]);
    expect(registry.get('Patient', 'race')?.paths).toContainEqual([
      'Coding', 'extension', '?url=http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', 'extension', 'valueCoding',
    ]);
  });

  it('keeps fhirpath.js only for what is not a property walk', () => {
    expect(registry.get('Patient', 'deceased')?.fhirpath).toBe('Patient.deceased.exists() and Patient.deceased != false');
    const compiled = registry.resourceTypes().flatMap((t) => registry.params(t)).filter((p) => p.fhirpath);
    expect(compiled.map((p) => p.code).sort()).toEqual(['composition', 'deceased', 'message']);
  });

  it('has the common parameters on every type, with type-specific expressions', () => {
    for (const type of ['Patient', 'Binary', 'Observation']) {
      for (const code of ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source']) {
        expect(registry.get(type, code)?.supported, `${type}.${code}`).toBe(true);
      }
    }
    expect(registry.get('Patient', '_security')?.expression).toBe('Patient.meta.security');
    expect(registry.get('Patient', '_profile')?.type).toBe('uri');
  });

  it('describes composites whose first component is a token', () => {
    const cvq = registry.get('Observation', 'component-code-value-quantity');
    expect(cvq?.composite).toEqual({
      types: ['token', 'quantity'],
      roots: [{ root: ['Observation.component', 'component'], a: [['CodeableConcept', 'code']], b: [['Quantity', 'valueQuantity']] }],
    });
  });

  it('marks what it cannot search as unsupported, and leaves it out of the CapabilityStatement', () => {
    for (const [type, code] of [['Location', 'near'], ['Patient', '_text'], ['Patient', '_content'], ['Patient', '_query'], ['DocumentReference', 'relationship']] as const) {
      expect(registry.get(type, code)?.supported, `${type}.${code}`).toBe(false);
    }
    const names = searchParamsForCapability('Location').map((p) => p.name);
    expect(names).not.toContain('near');
    expect(names).toContain('address-city');
  });

  it('lists capability entries with type, definition and documentation', () => {
    const params = searchParamsForCapability('Observation');
    expect(params).toContainEqual({
      name: 'code-value-quantity',
      type: 'composite',
      definition: 'http://hl7.org/fhir/SearchParameter/Observation-code-value-quantity',
      documentation: 'Code and quantity value parameter pair',
    });
    expect(params.find((p) => p.name === 'patient')?.documentation).toBe('The subject that the observation is about (if patient)');
    expect(searchParamsForCapability('Patient').find((p) => p.name === 'race')?.definition).toBe(
      'http://hl7.org/fhir/us/core/SearchParameter/us-core-race',
    );
  });

  it('expands "any resource" targets', () => {
    expect(registry.get('Provenance', 'target')?.targets).toContain('Patient');
    expect(registry.get('Provenance', 'target')?.targets.length).toBe(registry.resourceTypes().length);
  });

  it('knows every R4 resource type and rejects others', () => {
    expect(registry.resourceTypes()).toHaveLength(146);
    expect(registry.isResourceType('Binary')).toBe(true);
    expect(registry.isResourceType('Patients')).toBe(false);
    expect(registry.get('Patients', 'name')).toBeUndefined();
  });
});
