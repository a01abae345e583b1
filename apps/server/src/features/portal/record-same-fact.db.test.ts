import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, signedIn, signUpVerified, startSmtpCapture, testClock, type SmtpCapture, type TestBrowser, type TestServer } from '@kennebec/test-support';
import { findUserByEmail } from '../accounts/index.ts';
import { createSource } from '../sources/index.ts';

/**
 * The portal's record sections fold the same fact sent by several sources into one item, as
 * Patient/$everything does: a hospital and a laboratory both send the same HbA1c (and the
 * hospital a flu shot the pharmacy reports too); the item names both organizations, and
 * `deduplicate=false` gives every copy back.
 */
const clock = testClock('2030-03-01T09:00:00Z');
const links = new Map<string, string[]>();
let t: TestServer;
let smtp: SmtpCapture;
let ann: TestBrowser;
const ids: Record<string, string> = {};
const orgs: Record<string, string> = {};

async function send(org: string, body: Record<string, unknown>): Promise<string> {
  const token = await t.token('system/*.cruds', orgs[org]);
  const res = await t.app.inject({ method: 'POST', url: `/fhir/R4/${String(body.resourceType)}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

const patient = (mrnSystem: string, mrn: string) => ({
  resourceType: 'Patient',
  identifier: [{ system: mrnSystem, value: mrn }, { system: 'http://hl7.org/fhir/sid/us-ssn', value: '123-45-6789' }],
  name: [{ family: 'Rivera', given: ['Ann'] }],
  birthDate: '1984-06-02',
  gender: 'female',
  address: [{ line: ['12 Water Street'], city: 'Augusta', state: 'ME', postalCode: '04330' }],
});

const hba1c = (pid: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }], text: 'Hemoglobin A1c' },
  subject: { reference: `Patient/${pid}` },
  effectiveDateTime: '2024-06-15T09:00:00Z',
  valueQuantity: { value: 6.4, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
  ...extra,
});

const flu = (pid: string) => ({
  resourceType: 'Immunization',
  status: 'completed',
  patient: { reference: `Patient/${pid}` },
  vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '150' }], text: 'Influenza vaccine' },
  occurrenceDateTime: '2024-10-01',
});

interface Item {
  resourceType: string;
  id: string;
  sourceOrg: string | null;
  sources: string[];
  sameFact: { resourceType: string; id: string; sourceOrg: string | null }[];
}
interface SectionBody {
  items: Item[];
  organizations: Record<string, string>;
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ clock, env: { SMTP_URL: smtp.url }, patientLinks: { patientsOf: async (userId) => links.get(userId) ?? [] } });
  for (const [key, name, facility] of [
    ['hospital', 'Kennebec Valley Medical Center', 'KVMC'],
    ['lab', 'Casco Bay Laboratory', 'CBLAB'],
    ['pharmacy', 'Hallowell Pharmacy', 'HRX'],
  ] as const) {
    orgs[key] = (await createSource(t.deps, { name, hl7Facility: facility })).id;
  }
  ids.atHospital = await send('hospital', patient('urn:oid:1.2.3.1', 'H1001'));
  ids.atLab = await send('lab', patient('urn:oid:1.2.3.2', 'L0001'));
  ids.atPharmacy = await send('pharmacy', patient('urn:oid:1.2.3.3', 'P0042'));
  ids.a1cHospital = await send('hospital', hba1c(ids.atHospital));
  // The laboratory's copy is the richer one (a reference range): it is the one shown.
  ids.a1cLab = await send('lab', hba1c(ids.atLab, { referenceRange: [{ low: { value: 4, unit: '%' }, high: { value: 5.6, unit: '%' } }] }));
  // Another value on the same day is another result.
  ids.a1cOther = await send('hospital', hba1c(ids.atHospital, { effectiveDateTime: '2024-01-10T09:00:00Z', valueQuantity: { value: 6.1, unit: '%', system: 'http://unitsofmeasure.org', code: '%' } }));
  ids.fluHospital = await send('hospital', flu(ids.atHospital));
  ids.fluPharmacy = await send('pharmacy', flu(ids.atPharmacy));

  await signUpVerified(t, smtp, 'ann@mail.example');
  const user = await findUserByEmail(t.deps.db, 'ann@mail.example');
  links.set(user?.id ?? '', [ids.atHospital]);
  ann = await signedIn(t, 'ann@mail.example');
}, 120_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const section = async (name: string, query = '') => {
  const res = await ann.get(`/api/portal/people/${ids.atHospital}/record?section=${name}${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SectionBody;
};

describe('the same fact from several sources in the portal', () => {
  it('shows one item for a result two sources sent, naming both, the most complete copy first', async () => {
    const labs = await section('labs');
    expect(labs.items.map((i) => i.id).sort()).toEqual([ids.a1cLab, ids.a1cOther].sort());
    const folded = labs.items.find((i) => i.id === ids.a1cLab);
    expect(folded).toMatchObject({ sourceOrg: orgs.lab, sources: [orgs.lab, orgs.hospital], sameFact: [{ resourceType: 'Observation', id: ids.a1cHospital, sourceOrg: orgs.hospital }] });
    expect(labs.items.find((i) => i.id === ids.a1cOther)).toMatchObject({ sources: [orgs.hospital], sameFact: [] });
    expect(labs.organizations).toEqual({ [orgs.lab as string]: 'Casco Bay Laboratory', [orgs.hospital as string]: 'Kennebec Valley Medical Center' });
  });

  it('folds immunizations too', async () => {
    const shots = await section('immunizations');
    expect(shots.items).toHaveLength(1);
    expect(new Set(shots.items[0]?.sources)).toEqual(new Set([orgs.hospital, orgs.pharmacy]));
    expect(Object.values(shots.organizations).sort()).toEqual(['Hallowell Pharmacy', 'Kennebec Valley Medical Center']);
  });

  it('gives every copy as stored with deduplicate=false', async () => {
    const labs = await section('labs', '&deduplicate=false');
    expect(labs.items.map((i) => i.id).sort()).toEqual([ids.a1cHospital, ids.a1cLab, ids.a1cOther].sort());
    for (const i of labs.items) expect(i).toMatchObject({ sources: [i.sourceOrg], sameFact: [] });
    expect((await section('immunizations', '&deduplicate=false')).items).toHaveLength(2);
  });

  it('refuses a deduplicate that is not true or false', async () => {
    const res = await ann.get(`/api/portal/people/${ids.atHospital}/record?section=labs&deduplicate=yes`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('records every copy read, folded or not, in the audit trail', async () => {
    const res = await ann.get(`/api/portal/people/${ids.atHospital}/record?section=labs`);
    await t.deps.audit.flush();
    const row = await t.deps.db.query<{ entities: string[]; outcome: string }>(`select entities, outcome from audit_entry where request_id = $1`, [res.headers['x-request-id']]);
    expect(row.rows[0]?.outcome).toBe('success');
    expect([...(row.rows[0]?.entities ?? [])].sort()).toEqual([ids.a1cHospital, ids.a1cLab, ids.a1cOther].map((id) => `Observation/${id}`).sort());
  });
});
