import { describe, expect, it } from 'vitest';
import type { AllergyIntolerance, Condition, Encounter, FhirResource, Immunization, MedicationRequest, MedicationStatement, Observation, Procedure, Resource } from 'fhir/r4';
import { completeness, groupSameFacts, type FactCopy } from './same-fact.ts';
import { momentKey, quantityKey } from './same-fact-rules.ts';

const PATIENTS = new Set(['h1', 'l1', 'c1']);
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

const hba1c = (patient: string, over: Partial<Observation> = {}): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: LOINC, code: '4548-4' }] },
  subject: { reference: `Patient/${patient}` },
  effectiveDateTime: '2024-03-02T08:00:00-05:00',
  valueQuantity: { value: 7.2, unit: '%', system: UCUM, code: '%' },
  ...over,
});

const copy = (resource: FhirResource, sourceOrg: string | null, storedAt = 0): FactCopy => ({ resource, sourceOrg, storedAt });

/** The groups as lists of input indexes, representative first. */
const grouped = (copies: FactCopy[]): number[][] => groupSameFacts(copies, PATIENTS).map((f) => [f.representative, ...f.others]);

describe('normalized keys', () => {
  it('compares times to the minute in UTC, and a bare date only with a bare date', () => {
    expect(momentKey('2024-03-02T08:00:00-05:00')).toBe('2024-03-02T13:00Z');
    expect(momentKey('2024-03-02T13:00:59Z')).toBe('2024-03-02T13:00Z');
    expect(momentKey('2024-03-02T23:30:00-05:00')).toBe('2024-03-03T04:30Z');
    expect(momentKey('2024-03-02')).toBe('2024-03-02');
    expect(momentKey('2024-03')).toBeUndefined();
    expect(momentKey('not a date')).toBeUndefined();
  });

  it('compares quantities by value and unit, the UCUM code first, without case', () => {
    expect(quantityKey({ value: 7.2, unit: 'percent', system: UCUM, code: '%' })).toBe(quantityKey({ value: 7.20, unit: '%' }));
    expect(quantityKey({ value: 182, unit: 'mg/dL' })).toBe(quantityKey({ value: 182, unit: 'mg/dl' }));
    expect(quantityKey({ value: 182, unit: 'mg/dL' })).not.toBe(quantityKey({ value: 10.1, unit: 'mmol/L' }));
    expect(quantityKey({ value: 5, comparator: '<', unit: 'mg/dL' })).not.toBe(quantityKey({ value: 5, unit: 'mg/dL' }));
    expect(quantityKey({ unit: 'mg/dL' })).toBeUndefined();
  });
});

describe('Observation', () => {
  it('merges one result from two sources: shared LOINC code, same minute in another zone, same value', () => {
    const lab = hba1c('l1', { effectiveDateTime: '2024-03-02T13:00:00Z', code: { coding: [{ system: 'urn:oid:1.2.3.lab', code: 'A1C' }, { system: LOINC, code: '4548-4' }] } });
    expect(grouped([copy(hba1c('h1'), 'hosp'), copy(lab, 'lab')])).toEqual([[1, 0]]);
  });

  it('keeps apart the same code and time with a different value, unit, time or status family', () => {
    const base = copy(hba1c('h1'), 'hosp');
    for (const over of [
      { valueQuantity: { value: 7.3, unit: '%' } },
      { valueQuantity: { value: 7.2, unit: 'mmol/mol' } },
      { effectiveDateTime: '2024-03-02T08:01:00-05:00' },
      { effectiveDateTime: '2024-03-02' },
      { status: 'preliminary' as const },
    ]) {
      expect(grouped([base, copy(hba1c('l1', over), 'lab')]), JSON.stringify(over)).toEqual([[0], [1]]);
    }
  });

  it('never merges without a time, a value, a known source, or within one source', () => {
    const { effectiveDateTime: _, ...untimed } = hba1c('h1');
    expect(grouped([copy(untimed, 'hosp'), copy({ ...untimed, subject: { reference: 'Patient/l1' } }, 'lab')])).toHaveLength(2);
    const { valueQuantity: __, ...absent } = hba1c('h1', { dataAbsentReason: { text: 'not done' } });
    expect(grouped([copy(absent, 'hosp'), copy({ ...absent, subject: { reference: 'Patient/l1' } }, 'lab')])).toHaveLength(2);
    expect(grouped([copy(hba1c('h1'), null), copy(hba1c('l1'), null)])).toHaveLength(2);
    expect(grouped([copy(hba1c('h1'), 'hosp'), copy(hba1c('h1'), 'hosp')])).toHaveLength(2);
    expect(grouped([copy(hba1c('h1', { status: 'entered-in-error' }), 'hosp'), copy(hba1c('l1', { status: 'entered-in-error' }), 'lab')])).toHaveLength(2);
  });

  it('never merges a copy about someone who is not this person', () => {
    expect(grouped([copy(hba1c('h1'), 'hosp'), copy(hba1c('stranger'), 'lab')])).toHaveLength(2);
  });

  it('keeps copies with different security labels apart', () => {
    const restricted = hba1c('l1', { meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } });
    expect(grouped([copy(hba1c('h1'), 'hosp'), copy(restricted, 'lab')])).toHaveLength(2);
  });

  it('merges coded values sharing a code and string values ignoring case and spacing', () => {
    const coded = (p: string, codings: { system: string; code: string }[]): Observation => {
      const { valueQuantity: _, ...o } = hba1c(p, { code: { coding: [{ system: LOINC, code: '5196-1' }] } });
      return { ...o, valueCodeableConcept: { coding: codings } };
    };
    const neg = { system: 'http://snomed.info/sct', code: '260385009' };
    expect(grouped([copy(coded('h1', [neg]), 'hosp'), copy(coded('l1', [{ system: 'urn:local', code: 'NEG' }, neg]), 'lab')])).toEqual([[1, 0]]);
    expect(grouped([copy(coded('h1', [neg]), 'hosp'), copy(coded('l1', [{ system: 'http://snomed.info/sct', code: '10828004' }]), 'lab')])).toHaveLength(2);
    const text = (p: string, s: string): Observation => {
      const { valueQuantity: _, ...o } = hba1c(p);
      return { ...o, valueString: s };
    };
    expect(grouped([copy(text('h1', 'Clear  yellow'), 'hosp'), copy(text('l1', 'clear yellow'), 'lab')])).toHaveLength(1);
  });

  it('merges blood pressures only when every component agrees', () => {
    const bp = (p: string, sys: number, dia: number): Observation => {
      const { valueQuantity: _, ...o } = hba1c(p, { code: { coding: [{ system: LOINC, code: '85354-9' }] } });
      const c = (code: string, value: number) => ({ code: { coding: [{ system: LOINC, code }] }, valueQuantity: { value, unit: 'mm[Hg]', system: UCUM, code: 'mm[Hg]' } });
      return { ...o, component: [c('8480-6', sys), c('8462-4', dia)] };
    };
    expect(grouped([copy(bp('h1', 120, 80), 'hosp'), copy(bp('c1', 120, 80), 'clinic')])).toHaveLength(1);
    expect(grouped([copy(bp('h1', 120, 80), 'hosp'), copy(bp('c1', 120, 82), 'clinic')])).toHaveLength(2);
  });

  it('joins three sources into one fact, but never two copies of one source into it', () => {
    const facts = grouped([copy(hba1c('h1'), 'hosp'), copy(hba1c('l1'), 'lab'), copy(hba1c('c1'), 'clinic'), copy(hba1c('l1'), 'lab')]);
    expect(facts.map((f) => [...f].sort())).toEqual([[0, 1, 2], [3]]);
  });
});

describe('choosing the copy shown', () => {
  it('shows the most complete copy, then the one stored first', () => {
    const rich = hba1c('l1', { interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }], referenceRange: [{ text: '4.0-5.6' }] });
    expect(grouped([copy(hba1c('h1'), 'hosp', 1), copy(rich, 'lab', 2)])).toEqual([[1, 0]]);
    expect(grouped([copy(hba1c('h1'), 'hosp', 5), copy(hba1c('l1'), 'lab', 2)])).toEqual([[1, 0]]);
    expect(grouped([copy(hba1c('h1'), 'hosp', 2), copy(hba1c('l1'), 'lab', 2)])).toEqual([[0, 1]]);
  });

  it('counts populated values outside id, meta and narrative', () => {
    expect(completeness({ resourceType: 'Observation', id: 'x', meta: { versionId: '1' } } as Resource)).toBe(1);
    expect(completeness(hba1c('h1'))).toBeGreaterThan(completeness(hba1c('h1', { valueQuantity: { value: 7.2 } })));
  });
});

describe('other resource types', () => {
  const imm = (p: string, over: Partial<Immunization> = {}): Immunization => ({
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '150' }] },
    patient: { reference: `Patient/${p}` },
    occurrenceDateTime: '2023-10-15T10:30:00-04:00',
    ...over,
  });

  it('Immunization: same vaccine code on the same day, unless lot or dose number differ', () => {
    expect(grouped([copy(imm('h1'), 'hosp'), copy(imm('c1', { occurrenceDateTime: '2023-10-15' }), 'clinic')])).toHaveLength(1);
    expect(grouped([copy(imm('h1'), 'hosp'), copy(imm('c1', { occurrenceDateTime: '2023-10-16' }), 'clinic')])).toHaveLength(2);
    expect(grouped([copy(imm('h1', { lotNumber: 'AB-12' }), 'hosp'), copy(imm('c1', { lotNumber: 'ab12' }), 'clinic')])).toHaveLength(1);
    expect(grouped([copy(imm('h1', { lotNumber: 'AB12' }), 'hosp'), copy(imm('c1', { lotNumber: 'CD34' }), 'clinic')])).toHaveLength(2);
    expect(grouped([copy(imm('h1', { protocolApplied: [{ doseNumberPositiveInt: 1 }] }), 'hosp'), copy(imm('c1', { protocolApplied: [{ doseNumberPositiveInt: 2 }] }), 'clinic')])).toHaveLength(2);
    expect(grouped([copy(imm('h1'), 'hosp'), copy(imm('c1', { status: 'not-done' }), 'clinic')])).toHaveLength(2);
    expect(grouped([copy(imm('h1', { vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '88' }] } }), 'hosp'), copy(imm('c1'), 'clinic')])).toHaveLength(2);
  });

  it('Condition: same code and onset day, unless refuted or clinical status differs', () => {
    const cond = (p: string, over: Partial<Condition> = {}): Condition => ({
      resourceType: 'Condition',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006' }] },
      subject: { reference: `Patient/${p}` },
      onsetDateTime: '2019-05-01',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      ...over,
    });
    expect(grouped([copy(cond('h1'), 'hosp'), copy(cond('c1'), 'clinic')])).toHaveLength(1);
    expect(grouped([copy(cond('h1'), 'hosp'), copy(cond('c1', { onsetDateTime: '2019-06-01' }), 'clinic')])).toHaveLength(2);
    const { onsetDateTime: _, ...noOnset } = cond('c1');
    expect(grouped([copy(cond('h1'), 'hosp'), copy(noOnset, 'clinic')])).toHaveLength(2);
    expect(grouped([copy(cond('h1'), 'hosp'), copy(cond('c1', { clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] } }), 'clinic')])).toHaveLength(2);
    const refuted = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'refuted' }] };
    expect(grouped([copy(cond('h1', { verificationStatus: refuted }), 'hosp'), copy(cond('c1', { verificationStatus: refuted }), 'clinic')])).toHaveLength(2);
  });

  it('AllergyIntolerance: same substance code, unless criticality or status differ', () => {
    const allergy = (p: string, over: Partial<AllergyIntolerance> = {}): AllergyIntolerance => ({
      resourceType: 'AllergyIntolerance',
      code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7980' }] },
      patient: { reference: `Patient/${p}` },
      ...over,
    });
    expect(grouped([copy(allergy('h1'), 'hosp'), copy(allergy('c1', { criticality: 'high' }), 'clinic')])).toEqual([[1, 0]]);
    expect(grouped([copy(allergy('h1', { criticality: 'low' }), 'hosp'), copy(allergy('c1', { criticality: 'high' }), 'clinic')])).toHaveLength(2);
  });

  it('MedicationRequest and MedicationStatement: same drug code and day, unless the dose differs', () => {
    const rx = (p: string, dose?: number): MedicationRequest => ({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076' }] },
      subject: { reference: `Patient/${p}` },
      authoredOn: '2024-01-15',
      ...(dose ? { dosageInstruction: [{ doseAndRate: [{ doseQuantity: { value: dose, unit: 'tablet' } }] }] } : {}),
    });
    expect(grouped([copy(rx('h1', 1), 'hosp'), copy(rx('c1'), 'clinic')])).toHaveLength(1);
    expect(grouped([copy(rx('h1', 1), 'hosp'), copy(rx('c1', 2), 'clinic')])).toHaveLength(2);
    expect(grouped([copy(rx('h1'), 'hosp'), copy({ ...rx('c1'), medicationCodeableConcept: undefined, medicationReference: { reference: 'Medication/m' } }, 'clinic')])).toHaveLength(2);
    const ms = (p: string, effectiveDateTime: string): MedicationStatement => ({
      resourceType: 'MedicationStatement',
      status: 'active',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076' }] },
      subject: { reference: `Patient/${p}` },
      effectiveDateTime,
    });
    expect(grouped([copy(ms('h1', '2024-01-15'), 'hosp'), copy(ms('c1', '2024-01-15T09:00:00-05:00'), 'clinic')])).toHaveLength(1);
    expect(grouped([copy(ms('h1', '2024-01-15'), 'hosp'), copy(ms('c1', '2024-02-15'), 'clinic')])).toHaveLength(2);
  });

  it('Procedure: same code and day, unless both give times that differ', () => {
    const proc = (p: string, performedDateTime: string): Procedure => ({
      resourceType: 'Procedure',
      status: 'completed',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '82078001' }] },
      subject: { reference: `Patient/${p}` },
      performedDateTime,
    });
    expect(grouped([copy(proc('h1', '2024-03-02T08:00:00-05:00'), 'hosp'), copy(proc('l1', '2024-03-02'), 'lab')])).toHaveLength(1);
    expect(grouped([copy(proc('h1', '2024-03-02T08:00:00-05:00'), 'hosp'), copy(proc('l1', '2024-03-02T13:00:00Z'), 'lab')])).toHaveLength(1);
    expect(grouped([copy(proc('h1', '2024-03-02T08:00:00-05:00'), 'hosp'), copy(proc('l1', '2024-03-02T15:00:00-05:00'), 'lab')])).toHaveLength(2);
  });

  it('never merges encounters, nor types without a rule', () => {
    const enc = (p: string): Encounter => ({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${p}` }, period: { start: '2024-03-02' } });
    expect(grouped([copy(enc('h1'), 'hosp'), copy(enc('c1'), 'clinic')])).toHaveLength(2);
  });
});

describe('scale', () => {
  it('groups 5,000 copies in one pass', () => {
    const copies: FactCopy[] = [];
    for (let i = 0; i < 2500; i++) {
      const when = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
      copies.push(copy(hba1c('h1', { effectiveDateTime: when }), 'hosp'), copy(hba1c('l1', { effectiveDateTime: when }), 'lab'));
    }
    const started = performance.now();
    const facts = groupSameFacts(copies, PATIENTS);
    const ms = performance.now() - started;
    expect(facts).toHaveLength(2500);
    expect(ms).toBeLessThan(1000);
  });
});
