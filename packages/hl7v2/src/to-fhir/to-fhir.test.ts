import { readFileSync } from 'node:fs';
import type { Appointment, DiagnosticReport, DocumentReference, Encounter, FhirResource, Immunization, MedicationRequest, Observation, Patient } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { Hl7MappingError, Hl7UnsupportedError } from '../errors.ts';
import { parseMessage } from '../parse.ts';
import { toDateTime } from './datatypes.ts';
import { toFhir, type ToFhirOptions } from './index.ts';

const OPTIONS: ToFhirOptions = { sourceSystem: 'https://north.example/mrn', sourceOrgId: 'north', now: '2024-03-10T00:00:00Z' };
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
/** A segment from field number → value, so fixtures in tests do not depend on counting pipes. */
const seg = (name: string, values: Record<number, string>): string => {
  const n = Math.max(...Object.keys(values).map(Number));
  return [name, ...Array.from({ length: n }, (_, i) => values[i + 1] ?? '')].join('|');
};
const map = (text: string, options: ToFhirOptions = OPTIONS): ReturnType<typeof toFhir> => toFhir(parseMessage(text), options);

function resources<T extends FhirResource>(r: ReturnType<typeof toFhir>, type: T['resourceType']): T[] {
  return (r.bundle.entry ?? []).map((e) => e.resource).filter((x): x is T => x?.resourceType === type);
}

describe('golden mappings', () => {
  it.each(['adt-a01', 'adt-a40', 'oru-r01', 'vxu-v04', 'mdm-t02', 'rde-o11', 'ras-o17', 'siu-s12'])('%s', async (name) => {
    const result = map(fixture(`${name}.hl7`));
    await expect(JSON.stringify(result, null, 2) + '\n').toMatchFileSnapshot(`../fixtures/${name}.fhir.json`);
  });
});

describe('PID → Patient', () => {
  const r = map(fixture('adt-a01.hl7'));
  const [patient] = resources<Patient>(r, 'Patient');

  it('uses the OID of CX.4 as system and keys the conditional update on the MRN', () => {
    expect(patient?.identifier?.[0]).toMatchObject({ system: 'urn:oid:2.16.840.1.113883.19.5', value: 'MRN1001' });
    expect(r.bundle.entry?.[0]?.request).toEqual({ method: 'PUT', url: 'Patient?identifier=urn%3Aoid%3A2.16.840.1.113883.19.5|MRN1001' });
    expect(patient?.identifier?.some((i) => i.system === 'http://hl7.org/fhir/sid/us-ssn' && i.value === '999-00-1234')).toBe(true);
  });

  it('falls back to the configured system without an ISO assigning authority', () => {
    const m = map('MSH|^~\\&|A|B|C|D|20240101||ADT^A28|X|P|2.5\rPID|1||M9^^^LOCAL^MR||Doe^Jo\r');
    expect(resources<Patient>(m, 'Patient')[0]?.identifier?.[0]?.system).toBe(OPTIONS.sourceSystem);
    expect(resources<Encounter>(m, 'Encounter')).toEqual([]);
  });

  it('maps names, gender, birth date, address, telecom, race and ethnicity', () => {
    expect(patient?.name?.[0]).toEqual({ family: 'Testperson', given: ['Alice', 'Marie'], prefix: ['Dr.'], use: 'official' });
    expect(patient?.name?.[1]).toMatchObject({ family: 'Ally', use: 'nickname' });
    expect(patient?.gender).toBe('female');
    expect(patient?.birthDate).toBe('1980-02-15');
    expect(patient?.address?.[0]).toMatchObject({ line: ['12 Harbor Rd', 'Apt 4'], city: 'Portland', use: 'home' });
    expect(patient?.telecom).toEqual([
      { system: 'phone', value: '+1 (207) 5550100', use: 'home' },
      { system: 'email', value: 'alice@example.org' },
      { system: 'phone', value: '+1 (207) 5550199', use: 'work' },
    ]);
    expect(patient?.extension?.map((e) => e.url)).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity']);
    expect(patient?.managingOrganization).toEqual({ reference: 'Organization/north' });
  });

  it('maps death (PID-29/30) and keeps unknown sex as a warning', () => {
    const m = map(`MSH|^~\\&|A|B|C|D|20240101||ADT^A08|X|P|2.5\r${seg('PID', { 1: '1', 3: 'M9^^^^MR', 5: 'Doe^Jo', 7: '19400101', 8: 'Q', 29: '20230105', 30: 'Y' })}\r`);
    const p = resources<Patient>(m, 'Patient')[0];
    expect(p?.deceasedDateTime).toBe('2023-01-05');
    expect(p?.gender).toBeUndefined();
    expect(m.issues[0]?.code).toBe(103);
  });
});

describe('ADT events → Encounter status', () => {
  const adt = (trigger: string, pv1 = seg('PV1', { 1: '1', 2: 'I', 3: 'W1', 19: 'V1^^^^VN' })): Encounter | undefined =>
    resources<Encounter>(map(`MSH|^~\\&|A|B|C|D|20240101||ADT^${trigger}|X|P|2.5\rPID|1||M1^^^^MR\r${pv1}\r`), 'Encounter')[0];
  it.each([
    ['A01', 'in-progress'],
    ['A02', 'in-progress'],
    ['A03', 'finished'],
    ['A04', 'arrived'],
    ['A05', 'planned'],
    ['A11', 'cancelled'],
    ['A13', 'in-progress'],
  ])('%s → %s', (trigger, status) => {
    expect(adt(trigger)?.status).toBe(status);
  });

  it('A08 derives status from PV1-44/45 and keys the Encounter on PV1-19', () => {
    const e = adt('A08', seg('PV1', { 1: '1', 2: 'I', 3: 'W1', 19: 'V1^^^^VN', 44: '20240101', 45: '20240102' }));
    expect(e?.status).toBe('finished');
    expect(e?.identifier?.[0]).toMatchObject({ system: 'https://north.example/mrn/visit-number', value: 'V1' });
  });

  it('puts times without a zone at date precision unless a default zone is configured', () => {
    expect(toDateTime('202401021030')).toBe('2024-01-02');
    expect(toDateTime('202401021030', '-05:00')).toBe('2024-01-02T10:30:00-05:00');
    expect(toDateTime('20240102103000.25+0100')).toBe('2024-01-02T10:30:00.25+01:00');
    expect(toDateTime('2024-01-02')).toBeNull();
  });

  it('A40 returns a merge instruction', () => {
    const r = map(fixture('adt-a40.hl7'));
    expect(r.merges).toEqual([
      {
        surviving: expect.objectContaining({ value: 'MRN1001' }),
        merged: [expect.objectContaining({ value: 'MRN2002' })],
        survivingUrl: 'Patient?identifier=https%3A%2F%2Fnorth.example%2Fmrn|MRN1001',
      },
    ]);
  });
});

describe('ORU^R01', () => {
  const r = map(fixture('oru-r01.hl7'));
  const obs = resources<Observation>(r, 'Observation');
  const reports = resources<DiagnosticReport>(r, 'DiagnosticReport');

  it('makes one DiagnosticReport per OBR with its results', () => {
    expect(reports.map((d) => d.status)).toEqual(['final', 'preliminary']);
    expect(reports[0]?.result).toHaveLength(5);
    expect(reports[0]?.conclusion).toBe('Specimen slightly hemolyzed');
  });

  it('maps values, UCUM units, ranges, flags, statuses and notes', () => {
    expect(obs[0]).toMatchObject({
      status: 'final',
      valueQuantity: { value: 182, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
      referenceRange: [{ low: { value: 70 }, high: { value: 99 } }],
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
      note: [{ text: 'Patient not fasting' }],
    });
    expect(obs[1]?.status).toBe('corrected');
    expect(obs[2]?.valueRatio).toEqual({ numerator: { value: 1 }, denominator: { value: 160 } });
    expect(obs[3]?.valueCodeableConcept?.coding?.[0]).toEqual({ system: 'http://snomed.info/sct', code: '260385009', display: 'Negative' });
    expect(obs[4]).toMatchObject({ status: 'preliminary', valueString: 'Sample & result\\ok' });
    expect(obs[5]?.valueString).toBe('>15');
    expect(r.issues.map((i) => i.message)).toContain('OBX-5 ">15" is not numeric although OBX-2 is NM');
  });

  it('keys a corrected result on the same identifier as the original, so it updates it', () => {
    const original = map(fixture('oru-r01.hl7').replace('|3.1|mmol/L^mmol/L^UCUM|3.5-5.1|L|||C|', '|3.4|mmol/L^mmol/L^UCUM|3.5-5.1|L|||F|').replace('LAB0001', 'LAB0000'));
    const urlOf = (res: ReturnType<typeof toFhir>, code: string): string | undefined =>
      res.bundle.entry?.find((e) => e.resource?.resourceType === 'Observation' && (e.resource as Observation).code.coding?.[0]?.code === code)?.request?.url;
    expect(urlOf(r, '2823-3')).toBe(urlOf(original, '2823-3'));
    expect(urlOf(r, '2823-3')).toMatch(/^Observation\?identifier=.*\|FL200%5C%7C2823-3%5C%7C$/);
  });
});

describe('other message types', () => {
  it('VXU: CVX code, lot, refusal', () => {
    const imm = resources<Immunization>(map(fixture('vxu-v04.hl7')), 'Immunization');
    expect(imm[0]).toMatchObject({ status: 'completed', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '208' }] }, lotNumber: 'LOT123A', primarySource: true });
    expect(imm[1]).toMatchObject({ status: 'not-done', statusReason: { coding: [{ code: '00' }] } });
    expect(imm[1]?.doseQuantity).toBeUndefined();
  });

  it('MDM: DocumentReference with the text as an attachment', () => {
    const [doc] = resources<DocumentReference>(map(fixture('mdm-t02.hl7')), 'DocumentReference');
    expect(doc?.docStatus).toBe('final');
    expect(Buffer.from(doc?.content[0]?.attachment.data ?? '', 'base64').toString()).toBe('Patient discharged in good condition.\nFollow up in 2 weeks.');
  });

  it('RDE: MedicationRequest with RxNorm and timing', () => {
    const [req] = resources<MedicationRequest>(map(fixture('rde-o11.hl7')), 'MedicationRequest');
    expect(req).toMatchObject({ status: 'active', intent: 'order', medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361' }] } });
    expect(req?.dosageInstruction?.[0]?.timing?.code?.text).toBe('Q6H');
  });

  it('SIU: Appointment with start, end and participants', () => {
    const [a] = resources<Appointment>(map(fixture('siu-s12.hl7')), 'Appointment');
    expect(a).toMatchObject({ status: 'booked', start: '2024-03-20T10:00:00-05:00', end: '2024-03-20T10:30:00-05:00', minutesDuration: 30 });
    expect(a?.participant).toHaveLength(3);
  });

  it('rejects unsupported types and versions with a typed error, missing segments with a mapping error', () => {
    expect(() => map('MSH|^~\\&|A|B|C|D|1||ORM^O01|X|P|2.5\r')).toThrow(Hl7UnsupportedError);
    expect(() => map('MSH|^~\\&|A|B|C|D|1||ADT^A99|X|P|2.5\rPID|1||1\r')).toThrow(Hl7UnsupportedError);
    expect(() => map('MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.2\rPID|1||1\r')).toThrow(/version/);
    expect(() => map('MSH|^~\\&|A|B|C|D|1||ORU^R01|X|P|2.5\rPID|1||1\r')).toThrow(Hl7MappingError);
  });
});
