import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestServer,
  signedIn,
  signUpVerified,
  startSmtpCapture,
  TestBrowser,
  TEST_PASSWORD,
  totpCode,
  type SmtpCapture,
  type TestServer,
} from '@kennebec/test-support';
import { narrativeCcd } from '../../../../../packages/ccda/src/test-fixtures.ts';
import { findUserByEmail } from '../accounts/index.ts';
import { createSource } from '../sources/index.ts';
import { createStaffUser } from '../staff/index.ts';

/**
 * Reading one document in the portal: C-CDA documents a clinic sent to POST /ingest/ccda
 * (stored as DocumentReference + Binary), decided like the record sections. A teen reads both
 * of hers; her parent reads the one without confidential information and gets a 404 for the
 * one listing a depression diagnosis, whether the document was labelled at ingest or not;
 * another patient gets 404 for anything of hers; the narrative comes back as safe JSON.
 */
const links = new Map<string, string[]>();
let t: TestServer;
let smtp: SmtpCapture;
let clinic: string;
let clinicToken: string;
const ids: Record<string, string> = {};
const b: Record<string, TestBrowser> = {};
const users: Record<string, string> = {};

/** A birth date that makes someone `years` old now. */
function bornYearsAgo(years: number): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years, 0, 15);
  return d.toISOString().slice(0, 10);
}

async function ingest(xml: string | Buffer, from = { org: clinic, token: clinicToken }): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers: { authorization: `Bearer ${from.token}`, 'content-type': 'application/xml' }, payload: xml });
  expect(res.statusCode, res.body).toBe(200);
  const docs = await t.deps.db.query<{ id: string }>(`select id from resource where resource_type = 'DocumentReference' and source_org = $1 order by last_updated desc, id limit 1`, [from.org]);
  return docs.rows[0]?.id ?? '';
}

async function send(body: Record<string, unknown>): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/R4/${String(body.resourceType)}`, headers: { authorization: `Bearer ${clinicToken}`, 'content-type': 'application/fhir+json' }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { id: string }).id;
}

async function subjectOf(documentId: string): Promise<string> {
  const res = await t.deps.db.query<{ content: string }>(`select content::text as content from resource where resource_type = 'DocumentReference' and id = $1`, [documentId]);
  return (JSON.parse(res.rows[0]?.content ?? '{}') as { subject?: { reference?: string } }).subject?.reference?.split('/')[1] ?? '';
}

async function patientAccount(name: string): Promise<TestBrowser> {
  const email = `${name}@mail.example`;
  await signUpVerified(t, smtp, email);
  users[name] = (await findUserByEmail(t.deps.db, email))?.id ?? '';
  return signedIn(t, email);
}

async function staffAccount(email: string, roles: string[]): Promise<{ browser: TestBrowser; id: string }> {
  const created = await createStaffUser({ db: t.deps.db, baseUrl: t.deps.config.baseUrl, now: new Date() }, { email, roles, orgId: clinic });
  const token = new URL(created.setPasswordUrl).searchParams.get('token') ?? '';
  expect((await new TestBrowser(t.app).post('/api/password/reset', { token, password: TEST_PASSWORD })).statusCode).toBe(204);
  const first = await signedIn(t, email);
  const { secret } = (await first.post('/api/mfa/totp/enrol')).json() as { secret: string };
  expect((await first.post('/api/mfa/totp/confirm', { code: totpCode(secret, new Date()) })).statusCode).toBe(200);
  const browser = new TestBrowser(t.app);
  expect((await browser.post('/api/session', { email, password: TEST_PASSWORD })).statusCode).toBe(200);
  expect((await browser.post('/api/session/mfa', { code: totpCode(secret, new Date(Date.now() + 30_000)) })).statusCode).toBe(200);
  return { browser, id: created.id };
}

beforeAll(async () => {
  smtp = await startSmtpCapture();
  t = await createTestServer({ env: { SMTP_URL: smtp.url }, patientLinks: { patientsOf: async (userId) => links.get(userId) ?? [] } });
  clinic = (await createSource(t.deps, { name: 'Harbor Clinic', hl7Facility: 'HARBOR' })).id;
  clinicToken = await t.token('system/*.cruds', clinic);
  const birthTime = bornYearsAgo(15).replaceAll('-', '');
  ids.plain = await ingest(narrativeCcd({ docId: 'VISIT-1', birthTime }));
  ids.teen = await subjectOf(ids.plain);
  ids.confidential = await ingest(narrativeCcd({ docId: 'VISIT-2', birthTime, confidential: true }));
  expect(await subjectOf(ids.confidential)).toBe(ids.teen);
  ids.bob = await send({ resourceType: 'Patient', name: [{ family: 'Ostrander', given: ['Robert'] }], birthDate: '1975-09-30', gender: 'male', identifier: [{ system: 'urn:oid:1.2.3', value: 'B-1' }] });

  b.teen = await patientAccount('tessa');
  b.bob = await patientAccount('bob');
  b.parent = await patientAccount('parent');
  links.set(users.tessa as string, [ids.teen]);
  links.set(users.bob as string, [ids.bob]);
  const nurse = await staffAccount('nurse@harbor.example', ['nurse']);
  b.nurse = nurse.browser;
  b.billing = (await staffAccount('billing@harbor.example', ['billing'])).browser;
  await t.deps.db.query(
    `insert into proxy_grant (id, proxy_user_id, subject_patient_id, org_id, basis, granted_by, granted_by_kind, granted_at) values ('grant-teen', $1, $2, $3, 'parent', $4, 'staff', $5)`,
    [users.parent, ids.teen, clinic, nurse.id, new Date(Date.now() - 86_400_000).toISOString()],
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const read = (who: string, patientId: string, documentId: string) => (b[who] as TestBrowser).get(`/api/portal/people/${patientId}/documents/${documentId}`);

interface DocumentBody {
  document: { id: string; sourceOrg: string; resource: { resourceType: string } };
  organizations: Record<string, string>;
  content: { kind: string; title?: string; sections?: { title: string; narrative: unknown[]; sections: unknown[] }[]; authors?: unknown[]; text?: string; contentType?: string | null };
}

describe('reading a document in the portal', () => {
  it('gives the patient her C-CDA document: header, sections and narrative as safe JSON', async () => {
    const res = await read('teen', ids.teen as string, ids.plain as string);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as DocumentBody;
    expect(body.document).toMatchObject({ id: ids.plain, sourceOrg: clinic, resource: { resourceType: 'DocumentReference' } });
    expect(body.organizations).toEqual({ [clinic]: 'Harbor Clinic' });
    expect(body.content).toMatchObject({
      kind: 'ccda',
      title: 'Harbor Clinic visit summary',
      patient: { name: 'Tessa Quimby' },
      authors: [{ name: 'Maren Holloway MD', organization: 'Harbor Clinic' }],
    });
    expect(body.content.sections?.map((s) => s.title)).toEqual(['Problems', 'Medications', 'Assessment and plan']);
    expect(res.body).toContain('"tag":"table"');
    expect(res.body).not.toMatch(/script|javascript:|onclick|onmouseover|evil\.example|Old plan/i);
  });

  it('labels a document with the labels of the facts in it, so a parent does not see it listed', async () => {
    const stored = await t.deps.store.read('DocumentReference', ids.confidential as string);
    expect(stored?.resource?.meta?.security?.map((s) => s.code)).toContain('PSY');
    const plain = await t.deps.store.read('DocumentReference', ids.plain as string);
    expect(plain?.resource?.meta?.security ?? []).toEqual([]);
    const list = async (who: string) => ((await (b[who] as TestBrowser).get(`/api/portal/people/${ids.teen}/record?section=documents`)).json() as { items: { id: string }[] }).items.map((i) => i.id).sort();
    expect(await list('teen')).toEqual([ids.plain, ids.confidential].sort());
    expect(await list('parent')).toEqual([ids.plain]);
  });

  it('answers 404 to a parent for a document holding the teen’s confidential information, labelled or not', async () => {
    expect((await read('parent', ids.teen as string, ids.plain as string)).statusCode).toBe(200);
    expect((await read('teen', ids.teen as string, ids.confidential as string)).statusCode).toBe(200);
    const hidden = await read('parent', ids.teen as string, ids.confidential as string);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).not.toContain('Depressive');
    // The same document sent as FHIR (DocumentReference + Binary) carries no label of its own:
    // the facts inside it still decide.
    const xml = narrativeCcd({ docId: 'VISIT-3', confidential: true });
    const binary = await send({ resourceType: 'Binary', contentType: 'application/xml', securityContext: { reference: `Patient/${ids.teen}` }, data: Buffer.from(xml).toString('base64') });
    const fhirDoc = await send({
      resourceType: 'DocumentReference',
      status: 'current',
      type: { text: 'Visit summary' },
      subject: { reference: `Patient/${ids.teen}` },
      content: [{ attachment: { contentType: 'application/xml', url: `Binary/${binary}` } }],
    });
    expect((await t.deps.store.read('DocumentReference', fhirDoc))?.resource?.meta?.security ?? []).toEqual([]);
    expect((await read('teen', ids.teen as string, fhirDoc)).statusCode).toBe(200);
    const parent = await read('parent', ids.teen as string, fhirDoc);
    expect(parent.statusCode).toBe(404);
    expect(parent.body).not.toContain('Depressive');
  });

  it('answers 404 for another person’s document, whichever person the address names', async () => {
    for (const [who, patient] of [
      ['bob', ids.teen],
      ['bob', ids.bob],
      ['parent', ids.bob],
    ] as const) {
      const res = await read(who, patient as string, ids.plain as string);
      expect(res.statusCode, `${who} ${patient}`).toBe(404);
      expect(res.body).not.toContain('Harbor Clinic visit summary');
    }
    const unknown = await read('bob', ids.bob as string, 'no-such-document');
    const guessed = await read('bob', ids.bob as string, ids.plain as string);
    expect(guessed.body.replace(ids.plain as string, 'X')).toBe(unknown.body.replace('no-such-document', 'X'));
  });

  it('does not show content that belongs to someone else, even through a document of one’s own', async () => {
    const others = await send({ resourceType: 'Binary', contentType: 'text/plain', securityContext: { reference: `Patient/${ids.teen}` }, data: Buffer.from('Tessa’s note').toString('base64') });
    const doc = await send({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${ids.bob}` }, content: [{ attachment: { contentType: 'text/plain', url: `Binary/${others}` } }] });
    const res = await read('bob', ids.bob as string, doc);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Tessa');
  });

  it('shows plain text, and says when a document is kept in a form the portal does not show', async () => {
    const text = await send({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${ids.bob}` }, content: [{ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from('Blood pressure fine.\nSee you in a year.').toString('base64') } }] });
    expect(((await read('bob', ids.bob as string, text)).json() as DocumentBody).content).toEqual({ kind: 'text', text: 'Blood pressure fine.\nSee you in a year.' });
    const pdf = await send({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${ids.bob}` }, content: [{ attachment: { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64') } }] });
    expect(((await read('bob', ids.bob as string, pdf)).json() as DocumentBody).content).toEqual({ kind: 'unavailable', contentType: 'application/pdf' });
    const nothing = await send({ resourceType: 'DocumentReference', status: 'current', subject: { reference: `Patient/${ids.bob}` }, content: [{ attachment: { contentType: 'application/pdf', url: 'https://elsewhere.example/doc.pdf' } }] });
    expect(((await read('bob', ids.bob as string, nothing)).json() as DocumentBody).content).toEqual({ kind: 'unavailable', contentType: 'application/pdf' });
  });

  it('lets clinical staff of the organization read it, not billing staff or nobody', async () => {
    expect((await read('nurse', ids.teen as string, ids.confidential as string)).statusCode).toBe(200);
    expect((await read('billing', ids.teen as string, ids.plain as string)).statusCode).toBe(403);
    expect((await new TestBrowser(t.app).get(`/api/portal/people/${ids.teen}/documents/${ids.plain}`)).statusCode).toBe(401);
    expect((await read('teen', ids.teen as string, 'bad id!')).statusCode).toBe(400);
  });

  it('records each read and each refusal in the audit trail', async () => {
    const ok = await read('parent', ids.teen as string, ids.plain as string);
    const denied = await read('parent', ids.teen as string, ids.confidential as string);
    await t.deps.audit.flush();
    const rows = await t.deps.db.query<{ action: string; actor: string; on_behalf_of: string | null; patients: string[]; entities: string[]; outcome: string }>(
      `select action, actor, on_behalf_of, patients, entities, outcome from audit_entry where request_id = any($1::text[]) order by seq`,
      [[ok.headers['x-request-id'], denied.headers['x-request-id']]],
    );
    const binary = (await t.deps.store.read('DocumentReference', ids.plain as string))?.resource as unknown as { content: { attachment: { url: string } }[] };
    expect(rows.rows).toEqual([
      { action: 'read', actor: `User/${users.parent}`, on_behalf_of: `Patient/${ids.teen}`, patients: [`Patient/${ids.teen}`], entities: [`DocumentReference/${ids.plain}`, binary.content[0]?.attachment.url], outcome: 'success' },
      { action: 'read', actor: `User/${users.parent}`, on_behalf_of: `Patient/${ids.teen}`, patients: [`Patient/${ids.teen}`], entities: [`DocumentReference/${ids.confidential}`], outcome: 'denied' },
    ]);
  });
});

const shared = process.env.KENNEBEC_SHARED_DATA ?? fileURLToPath(new URL('../../../../../../shared/data', import.meta.url));
const SAMPLES = [
  'ccda/hl7-c-cda-examples/documents/CCD_1.xml',
  'ccda/vendor-samples/greenway/Adam_Everyman_CCDA.xml',
  'ccda/vendor-samples/cerner/Transition_of_Care_Referral_Summary.xml',
  'ccda/vendor-samples/kareo/Kareo_CCD_export_Joey_Miller.xml',
].map((f) => join(shared, f));
const present = SAMPLES.filter((f) => existsSync(f));

describe.skipIf(present.length === 0)('shared C-CDA samples read in the portal', () => {
  it.each(present.map((f, i) => [f.slice(shared.length + 1), f, i] as const))('reads %s after ingest', async (_name, file, i) => {
    // Each sample from a source of its own (the examples reuse entry ids, as one source would not).
    const org = (await createSource(t.deps, { name: `Sample source ${i}`, hl7Facility: `SAMPLE${i}` })).id;
    const docId = await ingest(readFileSync(file), { org, token: await t.token('system/*.cruds', org) });
    const patientId = await subjectOf(docId);
    const email = `reader-${docId.slice(0, 8).toLowerCase()}@mail.example`;
    await signUpVerified(t, smtp, email);
    links.set((await findUserByEmail(t.deps.db, email))?.id ?? '', [patientId]);
    const res = await (await signedIn(t, email)).get(`/api/portal/people/${patientId}/documents/${docId}`);
    expect(res.statusCode, res.body).toBe(200);
    const { content } = res.json() as DocumentBody;
    expect(content.kind).toBe('ccda');
    expect(content.sections?.length).toBeGreaterThan(0);
    expect(content.sections?.some((s) => s.narrative.length > 0)).toBe(true);
    expect(res.body).not.toMatch(/<script|javascript:/i);
  });
});
