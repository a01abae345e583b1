import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Observation, Patient } from 'fhir/r4';
import { createTestServer, signedIn, totpCode, TestBrowser, type TestServer } from '@kennebec/test-support';
import { fhirApiFor } from '../../compose.ts';
import { DEMO_CLIENT, DEMO_ORGS, demoLogins, seedDemo } from './seed.ts';
import { demoCode, DEMO_PARENT, DEMO_PASSWORD, DEMO_PATIENT, DEMO_STAFF, DEMO_TOTP_SECRET } from './demo-people.ts';
import { demoFeeds, mrnOf, type FeedOrg, type SharedPerson } from './demo-feeds.ts';
import { parseMessage } from '@kennebec/hl7v2';
import { convertCcda } from '@kennebec/ccda';

/**
 * The demo seed loads each organization's population, then sends the feeds (HL7 v2 results and
 * ADT, C-CDA documents) about the people they share through ingest, so that `npm start` shows
 * merged records built by the master patient index, not written pre-merged.
 */
let t: TestServer;
let token: string;
const [KVMC, PBFP, CBLAB] = DEMO_ORGS as [FeedOrg, FeedOrg, FeedOrg];

async function get<T>(url: string): Promise<T> {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

async function patientByMrn(system: string, mrn: string): Promise<Patient> {
  const bundle = await get<Bundle>(`/fhir/R4/Patient?identifier=${encodeURIComponent(`${system}|${mrn}`)}`);
  expect(bundle.entry?.length).toBe(1);
  return bundle.entry?.[0]?.resource as Patient;
}

describe('demo seed', () => {
  let result: Awaited<ReturnType<typeof seedDemo>>;
  beforeAll(async () => {
    t = await createTestServer();
    result = await seedDemo(t.deps, { dispatch: fhirApiFor(t.deps).dispatch, patientsPerOrg: 12 });
    token = await t.token(DEMO_CLIENT.scopes);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('sends every feed message through ingest, each processed and logged', async () => {
    expect(result.seeded).toBe(true);
    // 10 people: 3 lab results each, one CCD each, plus A08, A04 and A40 from the hospital.
    expect(result.messages).toBe(10 * 3 + 10 + 3);
    const log = await t.deps.db.query<{ source_org: string; status: string; n: string }>(
      'select source_org, status, count(*)::text as n from inbound_message group by source_org, status order by source_org',
    );
    expect(log.rows).toEqual([
      { source_org: CBLAB.id, status: 'processed', n: '30' },
      // The A08, A04 and A40, and the namesake's A04 that waits for review.
      { source_org: KVMC.id, status: 'processed', n: '4' },
      // From a hospital that is not a source yet: rejected, waiting for an HIE admin.
      { source_org: null, status: 'rejected', n: '1' },
    ]);
    const reviews = await t.deps.db.query<{ n: number }>(`select count(*)::int as n from mpi_review where status = 'open'`);
    expect(reviews.rows[0]?.n).toBeGreaterThanOrEqual(1);
  });

  it('links every Patient to one Person and merges each shared person across the three organizations', async () => {
    const unlinked = await t.deps.db.query<{ n: string }>(
      `select count(*)::text as n from resource r where r.resource_type = 'Patient' and not r.deleted and not exists (select 1 from mpi_link l where l.patient_id = r.id)`,
    );
    expect(unlinked.rows[0]?.n).toBe('0');
    // Each shared person: the hospital's record, the laboratory's (HL7) and the practice's (C-CDA);
    // one of them also has the hospital's second registration, merged by A40.
    const sizes = await t.deps.db.query<{ n: string }>(
      `select count(*)::text as n from mpi_link group by person_id having count(*) > 1 order by count(*)`,
    );
    expect(sizes.rows.map((r) => r.n)).toEqual([...Array(9).fill('3'), '4']);
    const lab = await patientByMrn(CBLAB.mrnSystem, 'L000001');
    const practice = await patientByMrn(PBFP.mrnSystem, 'P000001');
    const persons = await t.deps.db.query<{ person_id: string }>('select distinct person_id from mpi_link where patient_id = any($1::text[])', [[lab.id, practice.id]]);
    expect(persons.rows).toHaveLength(1);
  });

  it("shows a shared person's results from the laboratory and the practice's document in $everything", async () => {
    const lab = await patientByMrn(CBLAB.mrnSystem, 'L000003');
    const bundle = await get<Bundle>(`/fhir/R4/Patient/${lab.id}/$everything?_count=1000`);
    const entries = bundle.entry ?? [];
    const hba1c = entries.filter((e) => e.resource?.resourceType === 'Observation' && (e.resource as Observation).code.coding?.some((c) => c.code === '4548-4'));
    // Three draws from the laboratory; the latest also came in the practice's CCD and is shown
    // once, naming both sources.
    expect(hba1c).toHaveLength(3);
    const sourcesOf = (e: (typeof hba1c)[number]): string[] =>
      (e.extension ?? []).filter((x) => x.url.endsWith('source-organization')).map((x) => x.valueReference?.reference ?? '');
    expect(hba1c.map(sourcesOf).filter((s) => s.length === 2)).toEqual([[`Organization/${CBLAB.id}`, `Organization/${PBFP.id}`]]);
    const docs = entries.filter((e) => e.resource?.resourceType === 'DocumentReference');
    expect(docs.length).toBeGreaterThan(0);
    const sources = new Set(entries.map((e) => e.extension?.find((x) => x.url.endsWith('source-organization'))?.valueReference?.reference));
    for (const org of [KVMC, PBFP, CBLAB]) expect(sources).toContain(`Organization/${org.id}`);
  });

  it('applies the hospital ADT: an address change (A08) and a merge of a second MRN (A40)', async () => {
    const feeds = demoFeeds([], { hospital: KVMC, practice: PBFP, lab: CBLAB });
    expect(feeds).toEqual([]);
    const moved = await get<Bundle>(`/fhir/R4/Patient?address=${encodeURIComponent('12 Water Street')}`);
    expect(moved.entry).toHaveLength(1);
    const patient = moved.entry?.[0]?.resource as Patient;
    expect(patient.identifier?.some((i) => i.system === KVMC.mrnSystem)).toBe(true);
    expect(patient.telecom?.some((c) => c.value?.includes('555-0142'))).toBe(true);
    const replaced = await t.deps.db.query<{ content: Patient }>(
      `select content from resource where resource_type = 'Patient' and content -> 'link' @> '[{"type":"replaced-by"}]'::jsonb`,
    );
    expect(replaced.rows).toHaveLength(1);
    expect(replaced.rows[0]?.content.identifier?.[0]?.value).toMatch(/^T/);
  });

  it('enrolls a demo patient at two organizations through invitations; the patient sees labs from two sources', async () => {
    const b = await signedIn(t, DEMO_PATIENT.email, DEMO_PASSWORD);
    const links = (await b.get('/api/enrollment/links')).json() as { links: { orgId: string }[] };
    expect(links.links.map((l) => l.orgId).sort()).toEqual([KVMC.id, PBFP.id]);
    const people = (await b.get('/api/portal/people')).json() as { people: { patientId: string; relation: string }[] };
    expect(people.people.length).toBe(2);
    const labs = (await b.get(`/api/portal/people/${people.people[0]?.patientId}/record?section=labs`)).json() as { items: { sourceOrg: string }[] };
    expect([...new Set(labs.items.map((i) => i.sourceOrg))]).toEqual(expect.arrayContaining([CBLAB.id, PBFP.id]));
    const invitations = await t.deps.db.query<{ n: number }>('select count(*)::int as n from patient_invitation where accepted_at is not null');
    expect(invitations.rows[0]?.n).toBe(2);
  });

  it("gives a demo parent a child's whole record and a teen's without the confidential diagnosis", async () => {
    const b = await signedIn(t, DEMO_PARENT.email, DEMO_PASSWORD);
    const people = ((await b.get('/api/portal/people')).json() as { people: { patientId: string; name: string; relation: string; hiddenLabels: string[] }[] }).people;
    expect(people.map((p) => [p.name, p.relation, p.hiddenLabels.length > 0])).toEqual([
      ['Maya Rivera', 'proxy', false],
      ['Leo Rivera', 'proxy', true],
    ]);
    const leo = await b.get(`/api/portal/people/${people[1]?.patientId}/record?section=problems`);
    expect(leo.body).toContain('Asthma');
    expect(leo.body).not.toContain('Depressive');
  });

  it('gives demo staff the printed password and TOTP secret, and prints every login', async () => {
    for (const s of DEMO_STAFF.filter((x) => x.email.startsWith('frontdesk@kvmc') || x.roles?.includes('hie-admin'))) {
      const b = new TestBrowser(t.app);
      expect((await b.post('/api/session', { email: s.email, password: DEMO_PASSWORD })).json().stage).toBe('mfa-verify');
      const res = await b.post('/api/session/mfa', { code: totpCode(DEMO_TOTP_SECRET, new Date()) });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().stage).toBe('full');
    }
    expect(demoCode(new Date())).toMatch(new RegExp(`^${totpCode(DEMO_TOTP_SECRET, new Date())} `));
    const printed = (await demoLogins(t.deps)).join('\n');
    for (const a of [...DEMO_STAFF, DEMO_PATIENT, DEMO_PARENT]) expect(printed).toContain(a.email);
    expect(printed).toContain(DEMO_PASSWORD);
    expect(printed).toContain(DEMO_TOTP_SECRET);
  });

  it('does nothing the second time', async () => {
    const again = await seedDemo(t.deps, { dispatch: fhirApiFor(t.deps).dispatch, patientsPerOrg: 12 });
    expect(again).toEqual({ seeded: false, resources: 0, messages: 0 });
  });
});

describe('demo feed messages', () => {
  const person: SharedPerson = {
    patient: {
      resourceType: 'Patient',
      id: 'p1',
      identifier: [{ system: KVMC.mrnSystem, value: '-123' }, { system: 'http://hl7.org/fhir/sid/us-ssn', value: '900112222' }],
      name: [{ family: "O'Brien|Smith", given: ['Ann&Marie', 'Q'] }],
      gender: 'female',
      birthDate: '1950-02-03',
      address: [{ line: ['1 <Main> St'], city: 'Bath', state: 'ME', postalCode: '04530' }],
      telecom: [{ system: 'phone', value: '(207) 555-0100' }],
    },
    immunizations: [{ resourceType: 'Immunization', status: 'completed', patient: { reference: 'Patient/p1' }, vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '141', display: 'Influenza, seasonal' }] }, occurrenceDateTime: '2025-10-01' }],
  };
  const feeds = demoFeeds([person, { ...person, patient: { ...person.patient, id: 'p2' } }, { ...person, patient: { ...person.patient, id: 'p3' } }], { hospital: KVMC, practice: PBFP, lab: CBLAB });

  it('escapes delimiters in HL7 and markup in C-CDA, so every message parses', () => {
    for (const f of feeds) {
      if (f.format === 'hl7v2') {
        const msg = parseMessage(f.content);
        const pid = msg.segments.find((s) => s.name === 'PID');
        expect(pid, f.label).toBeDefined();
      } else {
        const { bundle } = convertCcda(f.content, { sourceOrgId: PBFP.id });
        const patient = bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
        expect(patient.name?.[0]?.family).toBe("O'Brien|Smith");
        expect(patient.address?.[0]?.line?.[0]).toBe('1 <Main> St');
        expect(bundle.entry?.some((e) => e.resource?.resourceType === 'Immunization')).toBe(true);
      }
    }
  });

  it('refuses a person without an MRN in the hospital system', () => {
    expect(() => mrnOf({ resourceType: 'Patient', id: 'x' }, KVMC.mrnSystem)).toThrow(/no identifier/);
  });
});
