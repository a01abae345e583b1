import type { Condition, Immunization, Observation, Patient, Resource } from 'fhir/r4';
import type { AppDeps } from '../../deps.ts';
import type { UserActor } from '../access/index.ts';
import { accountsContext, base32Decode, STEP_SECONDS, totpAt, createAccount, findUserByEmail, hashSecret, markEmailVerified, setPasswordHash, type RequestInfo } from '../accounts/index.ts';
import { acceptInvitation, createInvitation, enrollingStaff, enrollmentContext, recordIdCheck } from '../enrollment/index.ts';
import type { MailMessage } from '../mail/index.ts';
import { grantByStaff, proxiesContext } from '../proxies/index.ts';
import { createStaffUser } from '../staff/index.ts';

/**
 * The people of the demo: staff of the hospital and of the HIE, a patient enrolled at two
 * organizations, and a parent who acts for two children (one of them a teenager with a
 * confidential diagnosis). Accounts get a known password and staff a known TOTP secret, both
 * printed by `npm start`; everything else goes through the same steps as for real people: the
 * front desk records the ID check and sends the invitation, the patient accepts it with the
 * code and their birth date, the front desk grants the parent's access. Nothing here is real.
 */
export const DEMO_PASSWORD = 'harbor-lights-over-kennebec';
/** Base32; staff type it into an authenticator app, or run `npx kennebec demo-code`. */
export const DEMO_TOTP_SECRET = 'KENNEBECDEMOTOTPSECRETKENNEBEC23';

export interface DemoAccount {
  email: string;
  name: string;
  kind: 'patient' | 'staff';
  roles?: string[];
  org?: string | null;
  note: string;
}

export const DEMO_STAFF: DemoAccount[] = [
  { email: 'frontdesk@kvmc.example', name: 'Fran Desmond', kind: 'staff', roles: ['front-desk'], org: 'kvmc', note: 'front desk, Kennebec Valley Medical Center: enrollment desk' },
  { email: 'nurse@kvmc.example', name: 'Nell Carver', kind: 'staff', roles: ['nurse'], org: 'kvmc', note: 'nurse, Kennebec Valley Medical Center' },
  { email: 'admin@kvmc.example', name: 'Otis Grant', kind: 'staff', roles: ['org-admin'], org: 'kvmc', note: 'org admin, Kennebec Valley Medical Center' },
  { email: 'frontdesk@pbfp.example', name: 'Paula Bay', kind: 'staff', roles: ['front-desk'], org: 'pbfp', note: 'front desk, Penobscot Bay Family Practice' },
  { email: 'hie-admin@kennebec.example', name: 'Hal Exner', kind: 'staff', roles: ['hie-admin'], org: null, note: 'HIE admin: sources, failed messages, matching review' },
  { email: 'privacy@kennebec.example', name: 'Priya Vance', kind: 'staff', roles: ['hie-privacy-officer'], org: null, note: 'HIE privacy officer' },
];
export const DEMO_PATIENT: DemoAccount = { email: 'patient@kennebec.example', name: '', kind: 'patient', note: 'patient enrolled at the hospital and the practice (labs from the laboratory too)' };
export const DEMO_PARENT: DemoAccount = { email: 'parent@kennebec.example', name: 'Ana Rivera', kind: 'patient', note: 'parent of Maya (8) and Leo (15) at the practice' };

const REQ: RequestInfo = { ip: '127.0.0.1', userAgent: 'kennebec demo seed', requestId: 'demo-seed' };

const yearsBefore = (now: Date, years: number, month: number, day: number): string =>
  `${now.getUTCFullYear() - years}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

function child(id: string, given: string, birthDate: string, gender: 'male' | 'female', mrnSystem: string, mrn: string): Patient {
  return {
    resourceType: 'Patient',
    id,
    identifier: [{ system: mrnSystem, value: mrn, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }],
    name: [{ use: 'official', family: 'Rivera', given: [given] }],
    gender,
    birthDate,
    address: [{ line: ['7 Ferry Lane'], city: 'Belfast', state: 'ME', postalCode: '04915' }],
    telecom: [{ system: 'phone', value: '207-555-0147', use: 'home' }],
  };
}

const condition = (id: string, patientId: string, system: string, code: string, display: string, onset: string): Condition => ({
  resourceType: 'Condition',
  id,
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
  code: { coding: [{ system, code, display }], text: display },
  subject: { reference: `Patient/${patientId}` },
  onsetDateTime: onset,
});

const vital = (id: string, patientId: string, loinc: string, display: string, value: number, unit: string, code: string, when: string): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: loinc, display }], text: display },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: when,
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code },
});

/** The Rivera children's records at the practice: visible items, and for Leo one a parent must not see. */
export function familyRecords(now: Date, mrnSystem: string): { maya: Patient; leo: Patient; resources: Resource[] } {
  const maya = child('demo-maya-rivera', 'Maya', yearsBefore(now, 8, 3, 14), 'female', mrnSystem, 'PB-DEMO-1');
  const leo = child('demo-leo-rivera', 'Leo', yearsBefore(now, 15, 9, 2), 'male', mrnSystem, 'PB-DEMO-2');
  const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();
  const mmr: Immunization = {
    resourceType: 'Immunization',
    id: 'demo-maya-mmr',
    status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '03', display: 'MMR' }], text: 'MMR' },
    patient: { reference: `Patient/${maya.id}` },
    occurrenceDateTime: day(900),
  };
  const resources: Resource[] = [
    mmr,
    condition('demo-maya-otitis', maya.id as string, 'http://hl7.org/fhir/sid/icd-10-cm', 'H66.90', 'Otitis media', day(40)),
    vital('demo-maya-weight-1', maya.id as string, '29463-7', 'Body weight', 24.1, 'kg', 'kg', day(400)),
    vital('demo-maya-weight-2', maya.id as string, '29463-7', 'Body weight', 26.3, 'kg', 'kg', day(40)),
    vital('demo-maya-height', maya.id as string, '8302-2', 'Body height', 128, 'cm', 'cm', day(40)),
    condition('demo-leo-asthma', leo.id as string, 'http://hl7.org/fhir/sid/icd-10-cm', 'J45.909', 'Asthma', day(1200)),
    // Adolescent-confidential (mental health): labelled on write, hidden from his parent.
    condition('demo-leo-depression', leo.id as string, 'http://hl7.org/fhir/sid/icd-10-cm', 'F32.9', 'Depressive episode', day(60)),
    vital('demo-leo-weight', leo.id as string, '29463-7', 'Body weight', 58.4, 'kg', 'kg', day(60)),
  ];
  return { maya, leo, resources };
}

/** Creates the demo accounts and enrolls and grants through the real use cases. */
export async function seedDemoPeople(
  deps: AppDeps,
  opts: { sharedPatientId: string; writeAsSource: (orgId: string, resources: Resource[]) => Promise<void>; log: (line: string) => void },
): Promise<void> {
  const now = deps.clock.now();
  const accounts = accountsContext(deps);
  const hash = await hashSecret(DEMO_PASSWORD);
  const staffIds = new Map<string, UserActor>();
  for (const s of DEMO_STAFF) {
    const created = await createStaffUser({ db: deps.db, baseUrl: deps.config.baseUrl, now }, { email: s.email, name: s.name, roles: s.roles ?? [], orgId: s.org ?? null });
    await setPasswordHash(deps.db, created.id, hash, now);
    await markEmailVerified(deps.db, created.id, now);
    await accounts.mfa.enrolKnownSecret(created.id, base32Decode(DEMO_TOTP_SECRET), now);
    staffIds.set(s.email, { kind: 'user', userId: created.id, accountKind: 'staff', orgId: s.org ?? null, roles: created.roles });
  }
  const patientUser = async (a: DemoAccount, name: string): Promise<UserActor> => {
    const id = await createAccount(deps.db, { kind: 'patient', email: a.email, displayName: name, passwordHash: hash, emailVerified: true }, now);
    return { kind: 'user', userId: id, accountKind: 'patient', orgId: null, roles: [] };
  };

  // Enrollment as at the desk: ID check, invitation (its mail caught here for the code), acceptance.
  const caught: MailMessage[] = [];
  const enrollment = { ...enrollmentContext(deps, accounts, deps.audit), sendLater: (m: MailMessage) => void caught.push(m) };
  const enroll = async (deskEmail: string, patientId: string, user: UserActor, email: string, birthDate: string): Promise<void> => {
    const desk = enrollingStaff(staffIds.get(deskEmail) as UserActor);
    const check = await recordIdCheck(enrollment, desk, patientId, 'driver-licence', REQ);
    await createInvitation(enrollment, desk, { patientId, email, idCheckId: check.id }, REQ);
    const mail = caught.pop();
    const token = mail ? /\/enroll\?token=([A-Za-z0-9_%-]+)/.exec(mail.text)?.[1] : undefined;
    const code = mail ? /^([A-Z2-9]{4}-[A-Z2-9]{4})$/m.exec(mail.text)?.[1] : undefined;
    if (!token || !code) throw new Error('The demo invitation mail carried no link or code');
    await acceptInvitation(enrollment, user, { token: decodeURIComponent(token), code, birthDate }, REQ);
  };

  // The patient: one of the people the three organizations share, enrolled at two of them.
  const records = await deps.db.query<{ id: string; source_org: string; content: Patient | string }>(
    `select r.id, r.source_org, r.content from resource r
      where r.resource_type = 'Patient' and not r.deleted
        and r.person_id = (select p.person_id from resource p where p.resource_type = 'Patient' and p.id = $1)`,
    [opts.sharedPatientId],
  );
  const parse = (c: Patient | string): Patient => (typeof c === 'string' ? (JSON.parse(c) as Patient) : c);
  const kvmc = records.rows.find((r) => r.source_org === 'kvmc');
  const pbfp = records.rows.find((r) => r.source_org === 'pbfp');
  if (!kvmc || !pbfp) throw new Error('The demo patient has no record at the hospital or at the practice');
  const person = parse(kvmc.content);
  const name = [...(person.name?.[0]?.given ?? []), person.name?.[0]?.family].filter(Boolean).join(' ');
  const patient = await patientUser(DEMO_PATIENT, name);
  await enroll('frontdesk@kvmc.example', kvmc.id, patient, DEMO_PATIENT.email, person.birthDate ?? '');
  await enroll('frontdesk@pbfp.example', pbfp.id, patient, DEMO_PATIENT.email, parse(pbfp.content).birthDate ?? '');
  opts.log(`Enrolled the demo patient (${name}) at the hospital and the practice`);

  // The family: the children's records at the practice, the parent's grants from its front desk.
  const pbfpSystem = (await deps.db.query<{ identifier_system: string }>('select identifier_system from data_source where org_id = $1', ['pbfp'])).rows[0]?.identifier_system ?? 'urn:demo:pbfp';
  const family = familyRecords(now, pbfpSystem);
  await opts.writeAsSource('pbfp', [family.maya, family.leo, ...family.resources]);
  const parent = await patientUser(DEMO_PARENT, DEMO_PARENT.name);
  const proxies = proxiesContext(deps, accounts);
  const desk = staffIds.get('frontdesk@pbfp.example') as UserActor;
  for (const kid of [family.maya, family.leo]) {
    await deps.db.transaction((tx) => grantByStaff(proxies, tx, desk, REQ, { proxyUserId: parent.userId, patientId: kid.id as string, basis: 'parent' }));
  }
  opts.log('Granted the demo parent access to two children at the practice');
}

/** Lines for the start banner. */
export function demoPeopleLines(patientName: string | null): string[] {
  const pad = (s: string) => s.padEnd(28);
  return [
    `  Password (every demo account): ${DEMO_PASSWORD}`,
    `  Staff second factor: TOTP secret ${DEMO_TOTP_SECRET} in an authenticator app, or the code from: npx kennebec demo-code`,
    ...[...DEMO_STAFF].map((s) => `  ${pad(s.email)} ${s.note}`),
    `  ${pad(DEMO_PATIENT.email)} ${patientName ? `${patientName}: ` : ''}${DEMO_PATIENT.note}`,
    `  ${pad(DEMO_PARENT.email)} ${DEMO_PARENT.note}`,
  ];
}

export async function demoPatientName(deps: Pick<AppDeps, 'db'>): Promise<string | null> {
  const user = await findUserByEmail(deps.db, DEMO_PATIENT.email);
  return user?.displayName ?? null;
}

/** The demo staff's current TOTP code and how long it stays valid (`kennebec demo-code`). */
export function demoCode(now: Date): string {
  const left = STEP_SECONDS - (Math.floor(now.getTime() / 1000) % STEP_SECONDS);
  return `${totpAt(base32Decode(DEMO_TOTP_SECRET), now)}  (valid for ${left} more seconds; demo staff accounts only)`;
}
