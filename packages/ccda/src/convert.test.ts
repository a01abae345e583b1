import type { AllergyIntolerance, Bundle, Condition, DiagnosticReport, DocumentReference, Encounter, FhirResource, Immunization, MedicationStatement, Observation, Patient, Procedure } from 'fhir/r4';
import { validateResource } from '@kennebec/fhir-validator';
import { describe, expect, it } from 'vitest';
import { convertCcda, parseTs } from './index.ts';
import { SYNTHETIC_CCD } from './test-fixtures.ts';

const result = convertCcda(SYNTHETIC_CCD);

function all<T extends FhirResource>(type: T['resourceType'], bundle: Bundle = result.bundle): T[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

describe('synthetic CCD → transaction Bundle', () => {
  it('produces valid FHIR R4 resources, conditional creates and urn:uuid fullUrls', () => {
    expect(result.bundle.type).toBe('transaction');
    for (const e of result.bundle.entry ?? []) {
      expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
      const v = validateResource(e.resource);
      expect(v.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'), e.resource?.resourceType).toEqual([]);
      if (e.resource?.resourceType === 'Binary') expect(e.request).toEqual({ method: 'PUT', url: `Binary/${result.binaryId}` });
      else expect(e.request?.ifNoneExist).toMatch(/^identifier=.+%7C.+/);
    }
  });

  it('maps the patient from recordTarget', () => {
    const [p] = all<Patient>('Patient');
    expect(p?.identifier?.[0]).toEqual({ system: 'urn:oid:2.16.840.1.113883.19.5.99999.2', value: 'MRN-42' });
    expect(p?.name).toEqual([{ use: 'official', family: 'Patient', given: ['Test', 'Q'] }]);
    expect(p?.gender).toBe('female');
    expect(p?.birthDate).toBe('1980-03-15');
    expect(p?.address?.[0]).toMatchObject({ use: 'home', city: 'Augusta', state: 'ME', line: ['1 Test Street'] });
    expect(p?.telecom).toEqual([{ system: 'phone', value: '+1(555)555-0100', use: 'mobile' }, { system: 'email', value: 'test@example.org' }]);
    const race = p?.extension?.find((x) => x.url.endsWith('us-core-race'));
    expect(race?.extension?.map((x) => x.url)).toEqual(['ombCategory', 'detailed', 'text']);
    expect(p?.extension?.find((x) => x.url.endsWith('us-core-ethnicity'))?.extension?.[0]?.valueCoding?.code).toBe('2186-5');
  });

  it('maps problems, keeping translations, originalText and nullFlavor rules', () => {
    const conditions = all<Condition>('Condition');
    expect(conditions).toHaveLength(2);
    const [htn, ankle] = conditions;
    expect(htn?.code?.coding?.map((c) => c.system)).toEqual(['http://snomed.info/sct', 'http://hl7.org/fhir/sid/icd-10-cm']);
    expect(htn?.code?.text).toBe('Essential hypertension');
    expect(htn?.clinicalStatus?.coding?.[0]).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' });
    expect(htn?.verificationStatus?.coding?.[0]?.system).toBe('http://terminology.hl7.org/CodeSystem/condition-ver-status');
    expect(htn?.onsetDateTime).toBe('2018-01-01');
    expect(htn?.identifier?.[0]).toEqual({ system: 'urn:oid:1.2.3.4', value: 'p1' });
    // nullFlavor value with originalText: text only, no empty coding; no id → hash key
    expect(ankle?.code).toEqual({ text: 'Sprained ankle' });
    expect(ankle?.abatementDateTime).toBe('2016');
    expect(ankle?.clinicalStatus?.coding?.[0]?.code).toBe('resolved');
    expect(ankle?.identifier?.[0]?.system).toBe('https://kennebec.health/fhir/sid/ccda-fact');
    // nullFlavor value without text: skipped with an issue
    expect(result.issues.some((i) => i.code === 'ccda-entry-no-code')).toBe(true);
  });

  it('maps allergies with reaction, severity, criticality, and NKA as "no known allergy", not as a substance', () => {
    const [pcn, nka] = all<AllergyIntolerance>('AllergyIntolerance');
    expect(pcn).toMatchObject({ type: 'allergy', category: ['medication'], criticality: 'high', onsetDateTime: '2010' });
    expect(pcn?.code?.coding?.[0]).toMatchObject({ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '7980' });
    expect(pcn?.reaction?.[0]?.manifestation[0]?.coding?.[0]?.code).toBe('247472004');
    expect(pcn?.reaction?.[0]?.severity).toBe('severe');
    expect(nka?.code?.coding).toEqual([{ system: 'http://snomed.info/sct', code: '716186003', display: 'No known allergy' }]);
    expect(nka?.verificationStatus?.coding?.[0]?.code).toBe('confirmed');
    expect(nka?.type).toBeUndefined();
    expect(nka?.category).toBeUndefined();
    expect(nka?.reaction).toBeUndefined();
  });

  it('maps medications to MedicationStatement with dosage', () => {
    const [m] = all<MedicationStatement>('MedicationStatement');
    expect(m?.status).toBe('active');
    expect(m?.medicationCodeableConcept?.coding?.[0]?.code).toBe('314076');
    expect(m?.effectivePeriod).toEqual({ start: '2018-01-15' });
    expect(m?.dosage?.[0]).toMatchObject({ text: 'Lisinopril 10 mg once daily', timing: { repeat: { frequency: 1, period: 24, periodUnit: 'h' } }, doseAndRate: [{ doseQuantity: { value: 1 } }] });
    expect(m?.dosage?.[0]?.route?.coding?.[0]?.system).toBe('http://ncimeta.nci.nih.gov');
  });

  it('maps results: DiagnosticReport + PQ/ST/CD/IVL values, units, ranges, interpretation, nullFlavor', () => {
    const [report] = all<DiagnosticReport>('DiagnosticReport');
    expect(report).toMatchObject({ status: 'final', effectiveDateTime: '2023-12-01T08:30:00-05:00' });
    expect(report?.result).toHaveLength(5);
    const labs = all<Observation>('Observation').filter((o) => o.category?.[0]?.coding?.[0]?.code === 'laboratory');
    const byCode = new Map(labs.map((o) => [o.code.coding?.[0]?.code, o]));
    expect(byCode.get('2345-7')).toMatchObject({
      valueQuantity: { value: 182, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
      referenceRange: [{ low: { value: 70 }, high: { value: 99 } }],
    });
    expect(byCode.get('5778-6')?.valueString).toBe('yellow');
    expect(byCode.get('882-1')?.valueCodeableConcept?.coding?.[0]?.code).toBe('278149003');
    expect(byCode.get('2093-3')).toMatchObject({ status: 'preliminary', valueRange: { low: { value: 200 }, high: { value: 240 } } });
    // an observation without its own time takes the organizer's
    expect(byCode.get('5778-6')?.effectiveDateTime).toBe('2023-12-01T08:30:00-05:00');
    const nullValue = byCode.get('718-7');
    expect(nullValue?.valueQuantity).toBeUndefined();
    expect(nullValue?.dataAbsentReason?.coding?.[0]?.code).toBe('asked-unknown');
  });

  it('maps vital signs with the vital-signs category', () => {
    const vitals = all<Observation>('Observation').filter((o) => o.category?.[0]?.coding?.[0]?.code === 'vital-signs');
    expect(vitals.map((v) => v.code.coding?.[0]?.code)).toEqual(['8867-4', '8302-2']);
    expect(vitals[0]?.effectiveDateTime).toBe('2023-12-01T08:15:00-05:00');
    expect(vitals[1]?.valueQuantity).toEqual({ value: 165, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' });
  });

  it('maps immunizations; negationInd → not-done with the refusal reason', () => {
    const [given, refused] = all<Immunization>('Immunization');
    expect(given).toMatchObject({ status: 'completed', occurrenceDateTime: '2023-10-15', lotNumber: 'LOT-1' });
    expect(given?.vaccineCode.coding?.[0]?.system).toBe('http://hl7.org/fhir/sid/cvx');
    expect(refused?.status).toBe('not-done');
    expect(refused?.statusReason?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'PATOBJ' });
  });

  it('maps procedures and encounters', () => {
    expect(all<Procedure>('Procedure')[0]).toMatchObject({ status: 'completed', performedDateTime: '2005-06-07' });
    expect(all<Encounter>('Encounter')[0]).toMatchObject({
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      period: { start: '2023-12-01T08:00:00-05:00', end: '2023-12-01T09:00:00-05:00' },
    });
  });

  it('keeps the document as DocumentReference + Binary', () => {
    const [doc] = all<DocumentReference>('DocumentReference');
    expect(doc).toMatchObject({
      masterIdentifier: { system: 'urn:oid:2.16.840.1.113883.19.5.99999.1', value: 'DOC-1' },
      status: 'current',
      date: '2024-01-02T10:30:00-05:00',
      author: [{ display: 'Ann Author' }],
      custodian: { display: 'Test Clinic' },
    });
    expect(doc?.type?.coding?.[0]?.code).toBe('34133-9');
    expect(doc?.content[0]?.attachment.url).toBe(`Binary/${result.binaryId}`);
    const binary = result.bundle.entry?.find((e) => e.resource?.resourceType === 'Binary')?.resource;
    expect(binary?.resourceType === 'Binary' && Buffer.from(binary.data ?? '', 'base64').toString('utf8')).toBe(SYNTHETIC_CCD);
    expect(result.documentId).toEqual({ system: 'urn:oid:2.16.840.1.113883.19.5.99999.1', value: 'DOC-1' });
  });

  it('references the patient from every fact', () => {
    for (const e of result.bundle.entry ?? []) {
      const r = e.resource as unknown as Record<string, { reference?: string } | undefined>;
      const ref = r.subject ?? r.patient;
      if (ref) expect(ref.reference).toBe(result.patientFullUrl);
    }
  });
});

describe('idempotency', () => {
  it('gives the same conditional keys and fullUrls when the same document is sent twice', () => {
    const again = convertCcda(Buffer.from(SYNTHETIC_CCD));
    expect(again.bundle).toEqual(result.bundle);
  });

  it('keeps hash keys stable when only the document wrapper changes, and scopes them by sourceOrgId', () => {
    const other = convertCcda(SYNTHETIC_CCD.replace('DOC-1', 'DOC-2').replace('20240102103000', '20240301090000'));
    const keys = (b: Bundle): string[] => (b.entry ?? []).filter((e) => e.resource?.resourceType === 'Condition').map((e) => e.request?.ifNoneExist ?? '');
    expect(keys(other.bundle)).toEqual(keys(result.bundle));
    const scoped = convertCcda(SYNTHETIC_CCD, { sourceOrgId: 'org-7', identifierSystemForIds: 'urn:example:facts' });
    const hashed = all<Condition>('Condition', scoped.bundle)[1]?.identifier?.[0];
    expect(hashed?.system).toBe('urn:example:facts');
    expect(hashed?.value).not.toBe(all<Condition>('Condition')[1]?.identifier?.[0]?.value);
  });
});

describe('HL7 TS → FHIR dateTime', () => {
  it.each([
    ['2024', '2024'],
    ['202403', '2024-03'],
    ['20240315', '2024-03-15'],
    ['2024031510-0500', '2024-03-15T10:00:00-05:00'],
    ['202403151030+0100', '2024-03-15T10:30:00+01:00'],
    ['20240315103045.123-0000', '2024-03-15T10:30:45.123+00:00'],
    ['20240315103045', '2024-03-15'],
  ])('%s → %s', (ts, expected) => {
    expect(parseTs(ts)?.dateTime).toBe(expected);
  });

  it('rejects malformed values and marks instants', () => {
    expect(parseTs('2024-03-15')).toBeUndefined();
    expect(parseTs('20241315')).toBeUndefined();
    expect(parseTs('20240315103045-0500')?.instant).toBe(true);
    expect(parseTs('202403151030-0500')?.instant).toBe(false);
    expect(parseTs('20150722230000-5000')?.dateTime).toBe('2015-07-22');
  });
});
