import type { Condition, FhirResource, MedicationRequest, Observation, Patient } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { CHRONIC_CONDITIONS } from './conditions-catalog.ts';
import { generatePatientRecords } from './index.ts';
import { NOW, options } from './test-support.ts';

const patients: Patient[] = [];
const byType = new Map<string, FhirResource[]>();
for (const { patient, resources } of generatePatientRecords(options({ patients: 1500, seed: 7 }))) {
  patients.push(patient);
  for (const r of resources) {
    const list = byType.get(r.resourceType) ?? [];
    list.push(r);
    byType.set(r.resourceType, list);
  }
}
const all = <T extends FhirResource>(type: T['resourceType']): T[] => (byType.get(type) ?? []) as T[];
const total = patients.length + [...byType.values()].reduce((n, list) => n + list.length, 0);

const SENSITIVE = new Map(
  CHRONIC_CONDITIONS.filter((c) => c.sensitivity).map((c) => [c.snomed.code, c.sensitivity as string]),
);
const label = (r: { meta?: { security?: { code?: string }[] } }): string | undefined => r.meta?.security?.[0]?.code;

describe('realistic distributions', () => {
  it('averages about resourcesPerPatient resources, with every resource type present', () => {
    expect(total / patients.length).toBeGreaterThan(45);
    expect(total / patients.length).toBeLessThan(58);
    for (const type of [
      'Encounter', 'Observation', 'DiagnosticReport', 'Condition', 'MedicationRequest', 'AllergyIntolerance',
      'Immunization', 'Procedure', 'DocumentReference', 'CareTeam', 'Goal',
    ]) {
      expect(all(type as FhirResource['resourceType']).length, type).toBeGreaterThan(10);
    }
  });

  it('scales record size with resourcesPerPatient', () => {
    let resources = 0;
    for (const r of generatePatientRecords(options({ patients: 200, resourcesPerPatient: 150 }))) resources += 1 + r.resources.length;
    expect(resources / 200).toBeGreaterThan(120);
    expect(resources / 200).toBeLessThan(180);
  });

  it('covers both sexes and ages from newborns to the very old', () => {
    const female = patients.filter((p) => p.gender === 'female').length;
    const male = patients.filter((p) => p.gender === 'male').length;
    expect(female / patients.length).toBeGreaterThan(0.4);
    expect(male / patients.length).toBeGreaterThan(0.4);
    const nowYear = Number(NOW.slice(0, 4));
    const ages = patients.map((p) => nowYear - Number(p.birthDate?.slice(0, 4)));
    expect(Math.min(...ages)).toBeLessThanOrEqual(1);
    expect(Math.max(...ages)).toBeGreaterThanOrEqual(88);
    expect(Math.max(...ages)).toBeLessThanOrEqual(96);
    expect(ages.filter((a) => a < 18).length / ages.length).toBeGreaterThan(0.15);
    expect(ages.filter((a) => a >= 65).length / ages.length).toBeGreaterThan(0.1);
  });

  it('has varied names, some SSNs (all in the never-issued 9xx range) and unique MRNs', () => {
    const families = new Set(patients.map((p) => p.name?.[0]?.family));
    expect(families.size).toBeGreaterThan(200);
    expect(patients.some((p) => p.name?.[0]?.family?.includes('-'))).toBe(true);
    const ssns = patients.flatMap((p) => p.identifier?.filter((i) => i.system === 'http://hl7.org/fhir/sid/us-ssn') ?? []);
    expect(ssns.length / patients.length).toBeGreaterThan(0.4);
    expect(ssns.length / patients.length).toBeLessThan(0.8);
    expect(ssns.every((i) => /^9\d{8}$/.test(i.value ?? ''))).toBe(true);
    const mrns = patients.map((p) => p.identifier?.find((i) => i.type?.coding?.[0]?.code === 'MR')?.value);
    expect(new Set(mrns).size).toBe(patients.length);
  });

  it('produces mostly normal labs with some flagged high and low', () => {
    const labs = all<Observation>('Observation').filter((o) => o.category?.[0]?.coding?.[0]?.code === 'laboratory');
    const flags = labs.map((o) => o.interpretation?.[0]?.coding?.[0]?.code);
    const abnormal = flags.filter((f) => f !== 'N').length / labs.length;
    expect(abnormal).toBeGreaterThan(0.04);
    expect(abnormal).toBeLessThan(0.3);
    expect(flags).toContain('H');
    expect(flags).toContain('L');
    for (const o of labs.slice(0, 500)) {
      const range = o.referenceRange?.[0];
      const value = o.valueQuantity?.value ?? NaN;
      const expected = range?.low && value < (range.low.value ?? 0) ? 'L' : range?.high && value > (range.high.value ?? 0) ? 'H' : 'N';
      expect(o.interpretation?.[0]?.coding?.[0]?.code).toBe(expected);
    }
  });
});

describe('sensitive data', () => {
  it('labels mental-health, substance-use and HIV conditions, and only those', () => {
    const conditions = all<Condition>('Condition');
    const found = new Set<string>();
    for (const c of conditions) {
      const expected = SENSITIVE.get(c.code?.coding?.[0]?.code ?? '');
      expect(label(c)).toBe(expected);
      if (expected) found.add(expected);
    }
    expect([...found].sort()).toEqual(['ETH', 'HIV', 'PSY']);
    const share = conditions.filter((c) => label(c)).length / conditions.length;
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.12);
  });

  it('labels prescriptions written for a sensitive condition the same way', () => {
    const conditionLabel = new Map(all<Condition>('Condition').map((c) => [`Condition/${c.id}`, label(c)]));
    const meds = all<MedicationRequest>('MedicationRequest');
    for (const m of meds) expect(label(m)).toBe(conditionLabel.get(m.reasonReference?.[0]?.reference ?? ''));
    expect(meds.some((m) => label(m))).toBe(true);
  });
});
