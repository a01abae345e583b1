import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Extension, Immunization, Observation } from 'fhir/r4';
import { validateResource } from '@kennebec/fhir-validator';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createSource, type DataSource } from '../sources/index.ts';
import { SAME_FACT_EXTENSION, SOURCE_EXTENSION } from './everything-operation.ts';

/**
 * Patient/$everything folds the same fact sent by several sources into one entry. The person
 * is registered at a hospital (HL7 v2 ORU and VXU over the ingest API), a laboratory (a FHIR
 * transaction Bundle) and a clinic (a C-CDA document); every message is built here.
 */
let t: TestServer;
let hospital: DataSource;
let lab: DataSource;
let clinic: DataSource;
let reader: Record<string, string>;

const PID = 'PID|1||H-5501^^^KVH^MR||Ouellette^Marguerite||19620817|F|||41 Sewall St^^Augusta^ME^04330||^PRN^PH^^^207^5550143||||||900-55-1234';

interface Result {
  code: string;
  name: string;
  value: string;
  unit: string;
  at: string;
}

function oru(controlId: string, order: string, results: Result[]): string {
  return [
    `MSH|^~\\&|LIS|KVH|KENNEBEC|HIE|20240302101500-0500||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    PID,
    `OBR|1|P-${order}|F-${order}^KVH|24323-8^Chemistry panel^LN|||${results[0]?.at}|||||||||||||||20240302101000-0500|||F`,
    ...results.map((r, i) => `OBX|${i + 1}|NM|${r.code}^${r.name}^LN||${r.value}|${r.unit}^${r.unit}^UCUM|||||F|||${r.at}`),
  ].join('\r');
}

function vxu(controlId: string): string {
  return [
    `MSH|^~\\&|EHR|KVH|KENNEBEC|HIE|20231015120000-0400||VXU^V04^VXU_V04|${controlId}|P|2.5.1`,
    PID,
    'ORC|RE||IZ-9001^KVH',
    'RXA|0|1|20231015103000-0400||150^Influenza, injectable, quadrivalent, preservative free^CVX|0.5|mL^mL^UCUM||00^New immunization record^NIP001||||||LOT-77||SKB^GlaxoSmithKline^MVX|||CP|A',
  ].join('\r');
}

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

/** The laboratory's own report of the same HbA1c (richer: local code, range, method, note) and a glucose of another value. */
function labBundle(): Bundle {
  const patient = 'urn:uuid:9b6f5e1c-3f0e-4a8e-9d43-2a1f7e0b5c11';
  const obs = (o: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { text: '' },
    subject: { reference: patient },
    effectiveDateTime: '2024-03-02T13:00:00Z',
    issued: '2024-03-02T15:12:00Z',
    ...o,
  });
  const hba1c = obs({
    code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.3.7300.1', code: 'A1C' }, { system: LOINC, code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'HbA1c' },
    valueQuantity: { value: 7.2, unit: '%', system: UCUM, code: '%' },
    interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' }] }],
    referenceRange: [{ low: { value: 4, unit: '%', system: UCUM, code: '%' }, high: { value: 5.6, unit: '%', system: UCUM, code: '%' } }],
    method: { text: 'HPLC' },
    note: [{ text: 'Certified NGSP method' }],
  });
  const glucose = obs({ code: { coding: [{ system: LOINC, code: '2345-7' }], text: 'Glucose' }, valueQuantity: { value: 180, unit: 'mg/dL', system: UCUM, code: 'mg/dL' } });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: patient,
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: 'urn:oid:2.16.840.1.113883.3.7300', value: 'L-880' }, { system: 'http://hl7.org/fhir/sid/us-ssn', value: '900-55-1234' }],
          name: [{ family: 'Ouellette', given: ['Marguerite'] }],
          gender: 'female',
          birthDate: '1962-08-17',
          address: [{ line: ['41 Sewall St'], city: 'Augusta', state: 'ME', postalCode: '04330' }],
          telecom: [{ system: 'phone', value: '207-555-0143' }],
        },
        request: { method: 'POST', url: 'Patient' },
      },
      { resource: hba1c, request: { method: 'POST', url: 'Observation' } },
      { resource: glucose, request: { method: 'POST', url: 'Observation' } },
    ],
  };
}

const T = (root: string): string => `<templateId root="2.16.840.1.113883.10.20.22.${root}" extension="2015-08-01"/>`;

/** The clinic's summary: the same HbA1c (copied from the lab's report) and the same flu shot. */
function clinicCcd(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="US"/><typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>${T('1.1')}${T('1.2')}
  <id root="2.16.840.1.113883.3.7400.9" extension="CCD-1"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/><title>Summary</title>
  <effectiveTime value="20240310090000-0500"/><confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget><patientRole>
    <id root="2.16.840.1.113883.3.7400" extension="C-31"/>
    <addr use="HP"><streetAddressLine>41 Sewall St</streetAddressLine><city>Augusta</city><state>ME</state><postalCode>04330</postalCode></addr>
    <telecom use="HP" value="tel:+1(207)555-0143"/>
    <patient><name use="L"><given>Marguerite</given><family>Ouellette</family></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/><birthTime value="19620817"/></patient>
  </patientRole></recordTarget>
  <author><time value="20240310"/><assignedAuthor><id root="2.16.840.1.113883.4.6" extension="1234567893"/></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="2.16.840.1.113883.3.7400"/><name>Harbor Clinic</name></representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>
    <component><section>${T('2.3.1')}<code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/><title>Results</title><text>Results</text>
      <entry><organizer classCode="BATTERY" moodCode="EVN">${T('4.1')}<id root="2.16.840.1.113883.3.7400.5" extension="org-1"/>
        <code code="4548-4" codeSystem="2.16.840.1.113883.6.1" displayName="Hemoglobin A1c"/><statusCode code="completed"/>
        <effectiveTime value="20240302080000-0500"/>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="2.16.840.1.113883.3.7400.5" extension="obs-1"/>
          <code code="4548-4" codeSystem="2.16.840.1.113883.6.1" displayName="Hemoglobin A1c"/><statusCode code="completed"/>
          <effectiveTime value="20240302080000-0500"/><value xsi:type="PQ" value="7.2" unit="%"/>
        </observation></component>
      </organizer></entry>
    </section></component>
    <component><section>${T('2.2.1')}<code code="11369-6" codeSystem="2.16.840.1.113883.6.1"/><title>Immunizations</title><text>Immunizations</text>
      <entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="false">${T('4.52')}<id root="2.16.840.1.113883.3.7400.6" extension="imm-1"/><statusCode code="completed"/>
        <effectiveTime value="20231015"/>
        <consumable><manufacturedProduct>${T('4.54')}<manufacturedMaterial><code code="150" codeSystem="2.16.840.1.113883.12.292" displayName="Influenza, injectable, quadrivalent, preservative free"/><lotNumberText>LOT-77</lotNumberText></manufacturedMaterial></manufacturedProduct></consumable>
      </substanceAdministration></entry>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>`;
}

const msa = (ack: string): string | undefined => ack.split('\r').find((s) => s.startsWith('MSA|'))?.split('|')[1];

async function ingestV2(source: DataSource, message: string): Promise<void> {
  const token = await t.token('system/*.cruds', source.id);
  const res = await t.app.inject({ method: 'POST', url: '/ingest/hl7v2', headers: { authorization: `Bearer ${token}`, 'content-type': 'x-application/hl7-v2+er7' }, payload: message });
  expect(msa(res.body), res.body).toBe('AA');
}

async function patientOf(source: DataSource): Promise<string> {
  const res = await t.deps.db.query<{ id: string }>(`select id from resource where resource_type = 'Patient' and source_org = $1 and not deleted`, [source.id]);
  expect(res.rows).toHaveLength(1);
  return (res.rows[0] as { id: string }).id;
}

async function everything(patient: string, query = ''): Promise<Bundle> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${patient}/$everything${query}`, headers: reader });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Bundle;
}

const sourcesOf = (e: BundleEntry): string[] => (e.extension ?? []).filter((x) => x.url === SOURCE_EXTENSION).map((x) => x.valueReference?.reference ?? '');
const copiesOf = (e: BundleEntry): Extension[] => (e.extension ?? []).filter((x) => x.url === SAME_FACT_EXTENSION);
const sub = (x: Extension, url: string): string | undefined => x.extension?.find((s) => s.url === url)?.valueReference?.reference;
const hasCode = (e: BundleEntry, code: string): boolean => {
  const r = e.resource as Observation | Immunization | undefined;
  const cc = r?.resourceType === 'Observation' ? r.code : r?.resourceType === 'Immunization' ? r.vaccineCode : undefined;
  return (cc?.coding ?? []).some((c) => c.code === code);
};
const observations = (b: Bundle, code: string, on: string): BundleEntry[] =>
  (b.entry ?? []).filter((e) => e.resource?.resourceType === 'Observation' && hasCode(e, code) && new Date((e.resource as Observation).effectiveDateTime ?? '').toISOString().startsWith(on));

beforeAll(async () => {
  t = await createTestServer();
  hospital = await createSource(t.deps, { name: 'Kennebec Valley Hospital', hl7Facility: 'KVH', oid: '2.16.840.1.113883.3.7200' });
  lab = await createSource(t.deps, { name: 'Casco Lab', hl7Facility: 'CASCOLAB', oid: '2.16.840.1.113883.3.7300' });
  clinic = await createSource(t.deps, { name: 'Harbor Clinic', hl7Facility: 'HARBOR', oid: '2.16.840.1.113883.3.7400' });
  reader = { authorization: `Bearer ${await t.token('system/*.rs')}` };

  const march = '20240302080000-0500';
  await ingestV2(hospital, oru('ORU-1', '100', [
    { code: '4548-4', name: 'Hemoglobin A1c', value: '7.2', unit: '%', at: march },
    { code: '2345-7', name: 'Glucose', value: '182', unit: 'mg/dL', at: march },
  ]));
  await ingestV2(hospital, oru('ORU-2', '101', [{ code: '4548-4', name: 'Hemoglobin A1c', value: '6.9', unit: '%', at: '20240603081500-0400' }]));
  await ingestV2(hospital, vxu('VXU-1'));
  const labToken = await t.token('system/*.cruds', lab.id);
  const bundle = await t.app.inject({ method: 'POST', url: '/fhir/R4', headers: { authorization: `Bearer ${labToken}`, 'content-type': 'application/fhir+json' }, payload: labBundle() });
  expect(bundle.statusCode, bundle.body).toBe(200);
  const clinicToken = await t.token('system/*.cruds', clinic.id);
  const ccda = await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers: { authorization: `Bearer ${clinicToken}`, 'content-type': 'application/xml' }, payload: clinicCcd() });
  expect(ccda.statusCode, ccda.body).toBe(200);
});
afterAll(async () => t?.close());

describe('Patient/$everything: the same fact from many sources', () => {
  it('links the three source records to one Person (the premise of everything below)', async () => {
    const ids = await Promise.all([hospital, lab, clinic].map(patientOf));
    const persons = await t.deps.db.query<{ person_id: string }>('select distinct person_id from mpi_link where patient_id = any($1::text[])', [ids]);
    expect(persons.rows).toHaveLength(1);
  });

  it('shows an HbA1c sent as HL7 v2, FHIR and C-CDA once, naming all three sources and reaching every copy', async () => {
    const b = await everything(await patientOf(hospital));
    const [entry, ...more] = observations(b, '4548-4', '2024-03-02');
    expect(more).toHaveLength(0);
    expect(entry).toBeDefined();
    const e = entry as BundleEntry;
    // The laboratory's copy is the most complete one; its own source comes first.
    expect(sourcesOf(e)[0]).toBe(`Organization/${lab.id}`);
    expect(sourcesOf(e)).toHaveLength(3);
    expect(new Set(sourcesOf(e))).toEqual(new Set([lab, hospital, clinic].map((s) => `Organization/${s.id}`)));
    expect((e.resource as Observation).method?.text).toBe('HPLC');
    const copies = copiesOf(e);
    expect(copies).toHaveLength(2);
    for (const c of copies) {
      const ref = sub(c, 'resource') as string;
      const read = await t.app.inject({ method: 'GET', url: `/fhir/R4/${ref}`, headers: reader });
      expect(read.statusCode).toBe(200);
      expect((read.json() as Observation).valueQuantity?.value).toBe(7.2);
      const stored = await t.deps.db.query<{ source_org: string }>('select source_org from resource where resource_type = $1 and id = $2', ref.split('/'));
      expect(sub(c, 'source')).toBe(`Organization/${stored.rows[0]?.source_org}`);
    }
    expect(new Set(copies.map((c) => sub(c, 'source')))).toEqual(new Set([hospital, clinic].map((s) => `Organization/${s.id}`)));
  });

  it('keeps two values for the same code and time apart: both glucose results appear, each with its source', async () => {
    const b = await everything(await patientOf(lab));
    const glucose = observations(b, '2345-7', '2024-03-02');
    expect(glucose.map((e) => (e.resource as Observation).valueQuantity?.value).sort()).toEqual([180, 182]);
    for (const e of glucose) {
      expect(sourcesOf(e)).toHaveLength(1);
      expect(copiesOf(e)).toHaveLength(0);
    }
  });

  it('shows a flu shot reported by the hospital (VXU) and the clinic (C-CDA) once, with both sources', async () => {
    const b = await everything(await patientOf(clinic));
    const shots = (b.entry ?? []).filter((e) => e.resource?.resourceType === 'Immunization' && hasCode(e, '150'));
    expect(shots).toHaveLength(1);
    expect(new Set(sourcesOf(shots[0] as BundleEntry))).toEqual(new Set([hospital, clinic].map((s) => `Organization/${s.id}`)));
    expect(copiesOf(shots[0] as BundleEntry)).toHaveLength(1);
  });

  it('leaves a fact from one source unchanged, and never merges reports or patients', async () => {
    const b = await everything(await patientOf(hospital));
    const june = observations(b, '4548-4', '2024-06-03');
    expect(june).toHaveLength(1);
    expect(june[0]?.extension).toEqual([{ url: SOURCE_EXTENSION, valueReference: { reference: `Organization/${hospital.id}` } }]);
    const count = (type: string): number => (b.entry ?? []).filter((e) => e.resource?.resourceType === type).length;
    expect(count('Patient')).toBe(3);
    expect(count('DiagnosticReport')).toBe(3);
    expect(b.total).toBe(b.entry?.length);
  });

  it('is a valid FHIR Bundle, and every entry but the Person names its source', async () => {
    const b = await everything(await patientOf(hospital));
    const result = validateResource(b);
    expect(result.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal')).toEqual([]);
    for (const e of b.entry ?? []) {
      if (e.resource?.resourceType !== 'Person') expect(sourcesOf(e).length, `${e.resource?.resourceType}/${e.resource?.id}`).toBeGreaterThan(0);
    }
  });

  it('returns every copy as stored with deduplicate=false, and the same entries either way for a one-source person', async () => {
    const patient = await patientOf(hospital);
    const raw = await everything(patient, '?deduplicate=false');
    const folded = await everything(patient);
    expect(observations(raw, '4548-4', '2024-03-02')).toHaveLength(3);
    expect((raw.entry ?? []).every((e) => sourcesOf(e).length <= 1 && copiesOf(e).length === 0)).toBe(true);
    // 3 HbA1c copies become 1, 2 flu shot copies become 1.
    expect(raw.total).toBe((folded.total ?? 0) + 3);

    const solo = await createSource(t.deps, { name: 'Solo Practice', hl7Facility: 'SOLO' });
    const soloToken = await t.token('system/*.cruds', solo.id);
    const headers = { authorization: `Bearer ${soloToken}`, 'content-type': 'application/fhir+json' };
    const p = await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers, payload: { resourceType: 'Patient', name: [{ family: 'Arsenault', given: ['Yvon'] }], birthDate: '1940-01-02', gender: 'male' } });
    const id = p.json().id as string;
    for (let i = 0; i < 2; i++) {
      // Two identical readings from one source are its own business: both stay.
      const o: Observation = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: LOINC, code: '8867-4' }] }, subject: { reference: `Patient/${id}` }, effectiveDateTime: '2024-05-01T10:00:00Z', valueQuantity: { value: 64, unit: '/min', system: UCUM, code: '/min' } };
      expect((await t.app.inject({ method: 'POST', url: '/fhir/R4/Observation', headers, payload: o })).statusCode).toBe(201);
    }
    const one = await everything(id);
    expect(one.entry?.filter((e) => e.resource?.resourceType === 'Observation')).toHaveLength(2);
    expect(one).toEqual(await everything(id, '?deduplicate=false'));
  });

  it('refuses a deduplicate value other than true or false', async () => {
    const patient = await patientOf(hospital);
    for (const q of ['?deduplicate=no', '?deduplicate=true&deduplicate=false']) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/R4/Patient/${patient}/$everything${q}`, headers: reader });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('KB-BAD-REQUEST');
      expect(res.body).toContain('deduplicate');
    }
  });
});
