import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, Patient } from 'fhir/r4';
import { OutcomeError } from '@kennebec/fhir';
import { BASE_URL, createSearchFixture, type SearchFixture } from './test-fixture.ts';

let f: SearchFixture;
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const MRN = 'http://hospital.example.org/mrn';
const RACE = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race';
const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

const patients: (Patient & { id: string })[] = [
  {
    resourceType: 'Patient',
    id: 'p1',
    meta: { security: [{ system: CONFIDENTIALITY, code: 'R' }], tag: [{ system: 'http://acme.org/tags', code: 'vip' }], source: 'http://acme.org/ehr' },
    extension: [{ url: RACE, extension: [{ url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3', display: 'White' } }] }],
    identifier: [{ system: MRN, value: 'A1', type: { text: 'Medical record number' } }],
    active: true,
    name: [{ family: 'Müller', given: ['Élodie'] }],
    telecom: [{ system: 'email', value: 'elodie@example.org' }],
    gender: 'female',
    birthDate: '1980-05-05',
    address: [{ city: 'Boston', state: 'MA' }],
    generalPractitioner: [{ reference: 'Practitioner/pr1' }],
  },
  {
    resourceType: 'Patient',
    id: 'p2',
    extension: [{ url: RACE, extension: [{ url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2054-5' } }] }],
    identifier: [{ system: MRN, value: 'B2' }],
    name: [{ family: 'Smith', given: ['John'] }],
    gender: 'male',
    birthDate: '1990',
    deceasedDateTime: '2024-06-01',
    address: [{ city: 'Portland', state: 'ME' }],
    generalPractitioner: [{ reference: 'Organization/org1' }],
  },
  {
    resourceType: 'Patient',
    id: 'p3',
    meta: { security: [{ system: CONFIDENTIALITY, code: 'N' }] },
    identifier: [{ system: 'http://other.example/ids', value: 'A1' }],
    name: [{ family: 'Smithson', given: ['Ann   Marie'] }],
  },
  { resourceType: 'Patient', id: 'p4', name: [{ family: 'O_Neil' }, { family: 'Perc%nt' }], gender: 'other' },
  { resourceType: 'Patient', id: 'p5', name: [{ family: 'Ozzy' }, { family: 'Percent' }], gender: 'unknown' },
];

const observations: (Observation & { id: string })[] = [
  {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: 'Patient/p1' },
    performer: [{ reference: 'Practitioner/pr1' }],
    effectiveDateTime: '2024-01-15T10:00:00Z',
    valueQuantity: { value: 72, unit: 'beats/minute', system: UCUM, code: '/min' },
  },
  {
    resourceType: 'Observation',
    id: 'o2',
    status: 'amended',
    code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }], text: 'BP' },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: '2024-02-01',
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: 120, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: 80, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'o3',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: 'Patient/p2' },
    effectivePeriod: { start: '2023-12-31T23:00:00Z', end: '2024-01-01T01:00:00Z' },
    valueQuantity: { value: 100, unit: 'beats/minute', system: UCUM, code: '/min' },
  },
  {
    resourceType: 'Observation',
    id: 'o4',
    status: 'preliminary',
    code: { coding: [{ system: 'http://acme.org/codes', code: 'ABC', display: 'Acme test' }] },
    subject: { reference: 'Group/g1' },
    valueString: 'Positive result',
  },
  {
    resourceType: 'Observation',
    id: 'o5',
    status: 'final',
    code: { coding: [{ code: '8867-4' }] },
    valueQuantity: { value: 5.4, unit: 'mg', system: UCUM, code: 'mg' },
  },
  {
    resourceType: 'Observation',
    id: 'o6',
    status: 'final',
    code: { text: 'external' },
    subject: { reference: 'https://other.example/fhir/Patient/9' },
  },
];

beforeAll(async () => {
  f = await createSearchFixture();
  await f.put(
    ...patients,
    ...observations,
    { resourceType: 'Practitioner', id: 'pr1', name: [{ family: 'House', given: ['Gregory'] }], identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567893' }] },
    { resourceType: 'Organization', id: 'org1', name: 'Acme Clinic', address: [{ city: 'Augusta', postalCode: '04330' }] },
    { resourceType: 'Observation', id: 'gone', status: 'final', code: { coding: [{ system: LOINC, code: '8867-4' }] }, subject: { reference: 'Patient/p1' } },
  );
  await f.remove('Observation', 'gone');
});
afterAll(async () => {
  await f.db.close();
});

describe('string parameters', () => {
  it.each([
    ['name=mul', ['p1']],
    ['name=MÜL', ['p1']],
    ['name=elo', ['p1']],
    ['name=smith', ['p2', 'p3']],
    ['family=smith,ozz', ['p2', 'p3', 'p5']],
    ['family:exact=Smith', ['p2']],
    ['family:exact=smith', []],
    ['family:exact=Müller', ['p1']],
    ['name:contains=ITH', ['p2', 'p3']],
    ['name:contains=ull', ['p1']],
    ['given=ann%20marie', ['p3']],
    ['family=o_', ['p4']],
    ['family:contains=%25', ['p4']],
    ['address-city=bos', ['p1']],
    ['phonetic=smyth', ['p2']],
    ['name=smith&given=jo', ['p2']],
  ])('Patient?%s', async (query, expected) => {
    expect(await f.ids('Patient', query)).toEqual(expected);
  });
});

describe('token parameters', () => {
  it.each([
    ['code=8867-4', ['o1', 'o3', 'o5']],
    [`code=${LOINC}|8867-4`, ['o1', 'o3']],
    ['code=|8867-4', ['o5']],
    ['code=http://acme.org/codes|', ['o4']],
    [`code=${LOINC}|85354-9,http://acme.org/codes|ABC`, ['o2', 'o4']],
    ['code:not=8867-4', ['o2', 'o4', 'o6']],
    ['status:not=final', ['o2', 'o4']],
    ['status:not=final,amended', ['o4']],
    ['code:text=heart', ['o1', 'o3']],
    ['code:text=RATE', ['o1', 'o3']],
    ['code:text=bp', ['o2']],
    ['category:missing=true', ['o2', 'o3', 'o4', 'o5', 'o6']],
    ['category:missing=false', ['o1']],
  ])('Observation?%s', async (query, expected) => {
    expect(await f.ids('Observation', query)).toEqual(expected);
  });

  it.each([
    ['identifier=A1', ['p1', 'p3']],
    [`identifier=${MRN}|A1`, ['p1']],
    ['identifier:text=medical', ['p1']],
    ['gender=female,male', ['p1', 'p2']],
    ['gender:missing=true', ['p3']],
    ['email=elodie@example.org', ['p1']],
    ['active=true', ['p1']],
    ['deceased=true', ['p2']],
    ['deceased=false', ['p1', 'p3', 'p4', 'p5']],
    ['race=2106-3', ['p1']],
    ['race=urn:oid:2.16.840.1.113883.6.238|2054-5', ['p2']],
    ['_security=R', ['p1']],
    [`_security=${CONFIDENTIALITY}|R`, ['p1']],
    ['_security:not=R', ['p2', 'p3', 'p4', 'p5']],
    ['_tag=http://acme.org/tags|vip', ['p1']],
    ['_id=p1,p3', ['p1', 'p3']],
    ['_id:not=p1', ['p2', 'p3', 'p4', 'p5']],
  ])('Patient?%s', async (query, expected) => {
    expect(await f.ids('Patient', query)).toEqual(expected);
  });
});

describe('reference parameters and chains', () => {
  it.each([
    ['subject=Patient/p1', ['o1', 'o2']],
    ['patient=p1', ['o1', 'o2']],
    ['patient=Patient/p1,Patient/p2', ['o1', 'o2', 'o3']],
    ['subject=p1', ['o1', 'o2']],
    ['subject=g1', ['o4']],
    ['subject:Group=g1', ['o4']],
    ['patient=Group/g1', []],
    [`subject=${BASE_URL}/Patient/p2`, ['o3']],
    ['subject=https://other.example/fhir/Patient/9', ['o6']],
    ['performer=Practitioner/pr1', ['o1']],
    ['subject:missing=true', ['o5']],
    ['subject.name=smith', ['o3']],
    ['patient.name=müller', ['o1', 'o2']],
    ['patient.birthdate=1980', ['o1', 'o2']],
    ['patient.birthdate=ge1985', ['o3']],
    [`subject:Patient.identifier=${MRN}|B2`, ['o3']],
    ['patient.gender=female&code=8867-4', ['o1']],
    ['patient.race=2106-3', ['o1', 'o2']],
    ['patient._security=R', ['o1', 'o2']],
    ['performer.identifier=1234567893', ['o1']],
  ])('Observation?%s', async (query, expected) => {
    expect(await f.ids('Observation', query)).toEqual(expected);
  });

  it.each([
    ['general-practitioner.name=house', ['p1']],
    ['general-practitioner.name=acme', ['p2']],
    ['general-practitioner:Practitioner.name=acme', []],
    ['organization:missing=true', ['p1', 'p2', 'p3', 'p4', 'p5']],
  ])('Patient?%s', async (query, expected) => {
    expect(await f.ids('Patient', query)).toEqual(expected);
  });
});

describe('quantity, number, uri and composite parameters', () => {
  it.each([
    ['value-quantity=72', ['o1']],
    ['value-quantity=72.0', ['o1']],
    ['value-quantity=72.1', []],
    ['value-quantity=100', ['o3']],
    ['value-quantity=1e2', ['o1', 'o3']],
    ['value-quantity=gt72', ['o3']],
    ['value-quantity=ge72', ['o1', 'o3']],
    ['value-quantity=lt72', ['o5']],
    ['value-quantity=le72', ['o1', 'o5']],
    ['value-quantity=ne72', ['o3', 'o5']],
    ['value-quantity=ap70', ['o1']],
    ['value-quantity=sa80', ['o3']],
    ['value-quantity=eb70', ['o5']],
    [`value-quantity=5.4|${UCUM}|mg`, ['o5']],
    ['value-quantity=lt10||mg', ['o5']],
    ['value-quantity=5.4||kg', []],
    ['value-quantity=gt50||beats/minute', ['o1', 'o3']],
    [`component-code-value-quantity=${LOINC}|8480-6$gt100`, ['o2']],
    ['component-code-value-quantity=8462-4$gt100', []],
    ['component-code-value-quantity=8462-4$80', ['o2']],
    [`code-value-quantity=${LOINC}|8867-4$ge72,8867-4$lt6||mg`, ['o1', 'o3', 'o5']],
    ['combo-code-value-quantity=8462-4$le80', ['o2']],
    ['code-value-string=http://acme.org/codes|ABC$positive', ['o4']],
  ])('Observation?%s', async (query, expected) => {
    expect(await f.ids('Observation', query)).toEqual(expected);
  });

  it('numbers with prefixes (RiskAssessment.probability, decimal and Range)', async () => {
    await f.put(
      { resourceType: 'RiskAssessment', id: 'r1', status: 'final', subject: { reference: 'Patient/p1' }, prediction: [{ probabilityDecimal: 0.8 }] },
      { resourceType: 'RiskAssessment', id: 'r2', status: 'final', subject: { reference: 'Patient/p1' }, prediction: [{ probabilityDecimal: 0.25 }] },
      { resourceType: 'RiskAssessment', id: 'r3', status: 'final', subject: { reference: 'Patient/p1' }, prediction: [{ probabilityRange: { low: { value: 0.1 }, high: { value: 0.3 } } }] },
    );
    const cases: [string, string[]][] = [
      ['probability=0.8', ['r1']],
      ['probability=0.80', ['r1']],
      ['probability=0.801', []],
      ['probability=gt0.5', ['r1']],
      ['probability=lt0.3', ['r2', 'r3']],
      ['probability=ge0.25', ['r1', 'r2']],
      ['probability=le0.1', ['r3']],
      ['probability=ne0.8', ['r2', 'r3']],
      ['probability=sa0.5', ['r1']],
      ['probability=eb0.5', ['r2', 'r3']],
      ['probability=ap0.26', ['r2']],
    ];
    for (const [query, expected] of cases) expect(await f.ids('RiskAssessment', query), query).toEqual(expected);
  });

  it('uris: exact, :below, :above; _profile and _source', async () => {
    await f.put(
      { resourceType: 'ValueSet', id: 'vs-a', status: 'active', url: 'http://acme.org/fhir/ValueSet/a' },
      { resourceType: 'ValueSet', id: 'vs-b', status: 'active', url: 'http://acme.org/fhir/ValueSet/b' },
      { resourceType: 'ValueSet', id: 'vs-c', status: 'active', url: 'http://other.org/vs', meta: { profile: ['http://acme.org/fhir/StructureDefinition/vs'] } },
    );
    expect(await f.ids('ValueSet', 'url=http://acme.org/fhir/ValueSet/a')).toEqual(['vs-a']);
    expect(await f.ids('ValueSet', 'url=http://acme.org/fhir/ValueSet')).toEqual([]);
    expect(await f.ids('ValueSet', 'url:below=http://acme.org/fhir/')).toEqual(['vs-a', 'vs-b']);
    expect(await f.ids('ValueSet', 'url:above=http://acme.org/fhir/ValueSet/a/_history/2')).toEqual(['vs-a']);
    expect(await f.ids('ValueSet', '_profile=http://acme.org/fhir/StructureDefinition/vs')).toEqual(['vs-c']);
    expect(await f.ids('Patient', '_source=http://acme.org/ehr')).toEqual(['p1']);
  });
});

describe('resource columns and general rules', () => {
  it('_lastUpdated compares the version time at its precision', async () => {
    const p2 = await f.store.read('Patient', 'p2');
    const t = p2?.lastUpdated ?? '';
    const second = t.slice(0, 19);
    expect(await f.ids('Patient', `_lastUpdated=${second}Z`)).toEqual(['p2']);
    expect(await f.ids('Patient', `_lastUpdated=lt${second}Z&_id=p1,p2,p3`)).toEqual(['p1']);
    expect(await f.ids('Patient', `_lastUpdated=ge${second}Z&_id=p1,p2,p3`)).toEqual(['p2', 'p3']);
    expect(await f.ids('Observation', `patient._lastUpdated=${second}Z`)).toEqual(['o3']);
  });

  it('never matches deleted resources', async () => {
    expect(await f.ids('Observation', `code=${LOINC}|8867-4`)).not.toContain('gone');
    expect(await f.ids('Observation', 'code:not=xyz')).not.toContain('gone');
    expect(await f.ids('Observation', '_id=gone')).toEqual([]);
  });

  it('ANDs repeated parameters and ORs comma-separated values', async () => {
    expect(await f.ids('Observation', 'code=8867-4&code=http://loinc.org|8867-4')).toEqual(['o1', 'o3']);
    expect(await f.ids('Observation', 'status=final&status=amended')).toEqual([]);
    expect(await f.ids('Observation', 'status=final,amended&subject=Patient/p1')).toEqual(['o1', 'o2']);
  });

  it('rejects unknown parameters unless lenient', async () => {
    await expect(f.search('Patient', 'shoe-size=9')).rejects.toSatisfy((e) => e instanceof OutcomeError && e.status === 400);
    const lenient = await f.search('Patient', 'shoe-size=9&_id=p1', { lenient: true });
    expect(lenient.matches.map((m) => m.id)).toEqual(['p1']);
  });
});

describe('US Core parameters (one or more per profiled type)', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['Patient', { extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity', extension: [{ url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2135-2' } }] }] }, 'ethnicity=2135-2'],
    ['Patient', { extension: [{ url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity', valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '446141000124107' }] } }] }, 'gender-identity=http://snomed.info/sct|446141000124107'],
    ['Patient', { deceasedDateTime: '2021-03-04T05:06:07Z' }, 'death-date=2021-03'],
    ['Observation', { status: 'final', code: { text: 'x' }, category: [{ coding: [{ code: 'social-history' }] }], encounter: { reference: 'Encounter/e-x' } }, 'category=social-history&encounter=Encounter/e-x'],
    ['Condition', { subject: { reference: 'Patient/p1' }, clinicalStatus: { coding: [{ code: 'active' }] }, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/condition-assertedDate', valueDateTime: '2020-02-02' }] }, 'clinical-status=active&asserted-date=2020-02-02&patient=p1'],
    ['Condition', { subject: { reference: 'Patient/p1' }, onsetPeriod: { start: '2019-01-01' }, abatementDateTime: '2019-06-01', recordedDate: '2019-01-05' }, 'onset-date=le2019-01-02&abatement-date=2019-06&recorded-date=2019'],
    ['AllergyIntolerance', { patient: { reference: 'Patient/p1' }, clinicalStatus: { coding: [{ code: 'resolved' }] } }, 'clinical-status=resolved&patient=p1'],
    ['MedicationRequest', { status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, medicationCodeableConcept: { text: 'x' }, authoredOn: '2022-02-02T10:00:00Z' }, 'intent=order&status=active&authoredon=2022-02-02&patient=p1'],
    ['Immunization', { status: 'completed', vaccineCode: { text: 'x' }, patient: { reference: 'Patient/p1' }, occurrenceDateTime: '2021-10-10' }, 'date=2021-10&status=completed&patient=p1'],
    ['Encounter', { status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, subject: { reference: 'Patient/p1' }, hospitalization: { dischargeDisposition: { coding: [{ code: 'home' }] } }, period: { start: '2022-01-01', end: '2022-01-03' } }, 'class=IMP&discharge-disposition=home&date=ge2022-01-02&patient=p1'],
    ['DiagnosticReport', { status: 'final', code: { coding: [{ system: LOINC, code: '58410-2' }] }, category: [{ coding: [{ code: 'LAB' }] }], subject: { reference: 'Patient/p1' }, effectiveDateTime: '2022-03-03' }, 'category=LAB&code=58410-2&date=2022-03-03&patient=p1'],
    ['DocumentReference', { status: 'current', type: { coding: [{ system: LOINC, code: '34133-9' }] }, category: [{ coding: [{ code: 'clinical-note' }] }], subject: { reference: 'Patient/p1' }, content: [{ attachment: { url: 'Binary/1' } }], context: { period: { start: '2022-04-01', end: '2022-04-02' } } }, 'type=34133-9&category=clinical-note&period=2022-04&patient=p1'],
    ['Procedure', { status: 'completed', code: { coding: [{ code: '80146002' }] }, subject: { reference: 'Patient/p1' }, performedPeriod: { start: '2020-05-05', end: '2020-05-05' } }, 'code=80146002&date=2020-05-05&patient=p1'],
    ['Practitioner', { identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: '99' }], name: [{ family: 'Curie' }] }, 'identifier=http://hl7.org/fhir/sid/us-npi|99&name=cur'],
    ['Organization', { name: 'Penobscot Health', address: [{ line: ['1 Water St'], city: 'Bangor' }] }, 'name=penob&address=bangor'],
    ['Location', { name: 'Clinic B', address: { city: 'Bath', state: 'ME', postalCode: '04530' } }, 'address-city=bath&address-state=me&address-postalcode=045&name=clinic'],
    ['CareTeam', { status: 'active', subject: { reference: 'Patient/p1' }, participant: [{ role: [{ coding: [{ system: 'http://snomed.info/sct', code: '17561000' }] }] }] }, 'role=17561000&status=active&patient=p1'],
    ['Goal', { lifecycleStatus: 'active', description: { text: 'Walk daily', coding: [{ code: 'walk' }] }, subject: { reference: 'Patient/p1' }, target: [{ dueDate: '2026-06-30' }] }, 'description=walk&lifecycle-status=active&target-date=2026-06&patient=p1'],
  ];

  it.each(cases)('%s?%s', async (type, body, query) => {
    const id = `us-${type.toLowerCase()}-${cases.findIndex((c) => c[2] === query)}`;
    await f.put({ resourceType: type, id, ...body } as never);
    expect(await f.ids(type, query)).toContain(id);
    expect(await f.ids(type, `${query}&_id:not=${id}`)).not.toContain(id);
  });
});
