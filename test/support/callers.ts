import type { LightMyRequestResponse } from 'fastify';
import { createSource } from '@kennebec/server';
import type { TestServer } from './app.ts';
import { TestBrowser } from './browser.ts';
import { signedIn, signedInStaff, signUpVerified } from './accounts.ts';
import type { SmtpCapture } from './smtp.ts';

/**
 * Everyone who might call the HIE admin API, each signed in through the HTTP API as they would
 * be: an HIE admin, an HIE privacy officer, staff of an organization in each role, a patient,
 * and nobody. Tests of an admin route try it as each and expect the allowed ones through and
 * the others refused (403 when signed in, 401 when not).
 */
export const ORG_STAFF_ROLES = ['front-desk', 'nurse', 'provider', 'billing', 'org-admin'] as const;
export type CallerName = 'hieAdmin' | 'privacyOfficer' | (typeof ORG_STAFF_ROLES)[number] | 'patient' | 'anonymous';

export interface Caller {
  browser: TestBrowser;
  /** The account's id (empty for anonymous). */
  userId: string;
}

export type HieCallers = Record<CallerName, Caller>;

export async function hieCallers(t: TestServer, smtp: SmtpCapture, domain = 'hie.example'): Promise<HieCallers> {
  const org = await createSource(t.deps, { name: `Clinic of ${domain}`, hl7Facility: `CL-${domain.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}` });
  const hieAdmin = await signedInStaff(t, { email: `admin@${domain}`, roles: ['hie-admin'] });
  const privacyOfficer = await signedInStaff(t, { email: `privacy@${domain}`, roles: ['hie-privacy-officer'] });
  const staff = {} as Record<(typeof ORG_STAFF_ROLES)[number], Caller>;
  for (const role of ORG_STAFF_ROLES) staff[role] = await signedInStaff(t, { email: `${role}@${domain}`, roles: [role], orgId: org.id });
  const patientEmail = `patient@${domain}`;
  await signUpVerified(t, smtp, patientEmail);
  const patient = await signedIn(t, patientEmail);
  const me = (await patient.get('/api/session')).json() as { user?: { id?: string } };
  return { hieAdmin, privacyOfficer, ...staff, patient: { browser: patient, userId: me.user?.id ?? '' }, anonymous: { browser: new TestBrowser(t.app), userId: '' } };
}

/** Sends one request as each caller; the statuses by caller. */
export async function statusesOf(
  callers: HieCallers,
  request: (browser: TestBrowser) => Promise<LightMyRequestResponse>,
  only: readonly CallerName[] = Object.keys(callers) as CallerName[],
): Promise<Partial<Record<CallerName, number>>> {
  const out: Partial<Record<CallerName, number>> = {};
  for (const name of only) out[name] = (await request(callers[name].browser)).statusCode;
  return out;
}

export interface AuditRow {
  action: string;
  /** For `refused` (the route gate): the route's operationId. */
  operation: string | null;
  outcome: string;
  actor: string;
  actor_org: string | null;
  patients: string[];
  entities: string[];
  status: number | null;
  resource_type: string | null;
}

/** The audit trail's entries so far (everything waiting appended first), oldest first. */
export async function auditRows(t: TestServer, filter: { action?: string; actor?: string; prefix?: string } = {}): Promise<AuditRow[]> {
  await t.deps.audit.flush();
  const res = await t.deps.db.query<AuditRow>(
    `select action, operation, outcome, actor, actor_org, patients, entities, status, resource_type from audit_entry
     where ($1::text is null or action = $1) and ($2::text is null or actor = $2) and ($3::text is null or starts_with(action, $3)) order by seq`,
    [filter.action ?? null, filter.actor ?? null, filter.prefix ?? null],
  );
  return res.rows;
}
