import { randomBytes } from 'node:crypto';
import type { Queryable } from '@kennebec/db';
import { evaluateProxy, type InactiveReason, type Permissions, type ProxyBasis, type ProxyDecision, type ProxyGrant } from '@kennebec/consent';

/**
 * Proxy grants as stored, and the decision over them. The table holds facts only; whether a
 * grant is in force is evaluated by @kennebec/consent at the moment asked, from the grant, the
 * subject's birth date as the Patient record has it now, and the clock.
 */
export interface GrantRecord {
  id: string;
  proxyUserId: string;
  proxyEmail: string;
  patientId: string;
  orgId: string;
  basis: ProxyBasis;
  grantedBy: string;
  grantedByKind: 'staff' | 'subject';
  grantedAt: Date;
  reviewBy: Date | null;
  permissions: Permissions;
  documentId: string | null;
  inPersonConsent: boolean;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
  /** From the Patient record now; null when it has none (or the record is gone). */
  subjectBirthDate: string | null;
  subjectName: string | null;
}

interface GrantRow {
  id: string;
  proxy_user_id: string;
  proxy_email: string;
  subject_patient_id: string;
  org_id: string;
  basis: ProxyBasis;
  granted_by: string;
  granted_by_kind: 'staff' | 'subject';
  granted_at: string | Date;
  review_by: string | Date | null;
  perm_clinical: Permissions['clinical'];
  perm_messaging: Permissions['messaging'];
  perm_appointments: Permissions['appointments'];
  perm_billing: Permissions['billing'];
  document_id: string | null;
  in_person_consent: boolean;
  revoked_at: string | Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  birth_date: string | null;
  family: string | null;
  given: string | null;
}

const date = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: string | Date | null): Date | null => (v === null ? null : date(v));

export const GRANT_SELECT = `
  select g.*, u.email as proxy_email,
         p.content->>'birthDate' as birth_date,
         p.content->'name'->0->>'family' as family,
         p.content->'name'->0->'given'->>0 as given
    from proxy_grant g
    join user_account u on u.id = g.proxy_user_id
    left join resource p on p.resource_type = 'Patient' and p.id = g.subject_patient_id and not p.deleted`;

function toGrant(r: GrantRow): GrantRecord {
  return {
    id: r.id,
    proxyUserId: r.proxy_user_id,
    proxyEmail: r.proxy_email,
    patientId: r.subject_patient_id,
    orgId: r.org_id,
    basis: r.basis,
    grantedBy: r.granted_by,
    grantedByKind: r.granted_by_kind,
    grantedAt: date(r.granted_at),
    reviewBy: maybeDate(r.review_by),
    permissions: { clinical: r.perm_clinical, messaging: r.perm_messaging, appointments: r.perm_appointments, billing: r.perm_billing },
    documentId: r.document_id,
    inPersonConsent: r.in_person_consent,
    revokedAt: maybeDate(r.revoked_at),
    revokedBy: r.revoked_by,
    revokeReason: r.revoke_reason,
    subjectBirthDate: r.birth_date,
    subjectName: [r.given, r.family].filter((s) => s).join(' ') || null,
  };
}

export async function findGrants(db: Queryable, where: string, params: readonly unknown[]): Promise<GrantRecord[]> {
  const res = await db.query<GrantRow>(`${GRANT_SELECT} where ${where} order by g.granted_at, g.id`, params);
  return res.rows.map(toGrant);
}

export async function findGrant(db: Queryable, id: string): Promise<GrantRecord | null> {
  return (await findGrants(db, 'g.id = $1', [id]))[0] ?? null;
}

/** The grant's facts as the consent rules take them. */
export function consentGrant(g: Pick<GrantRecord, 'basis' | 'grantedAt' | 'reviewBy' | 'revokedAt' | 'permissions'>, subjectBirthDate: string | null): ProxyGrant {
  return {
    basis: g.basis,
    subjectBirthDate: subjectBirthDate ?? '',
    grantedAt: g.grantedAt.toISOString(),
    reviewBy: g.reviewBy?.toISOString() ?? null,
    revokedAt: g.revokedAt?.toISOString() ?? null,
    permissions: g.permissions,
  };
}

export function decide(g: GrantRecord, now: Date): ProxyDecision {
  return evaluateProxy(consentGrant(g, g.subjectBirthDate), now);
}

/**
 * The decision for a proxy acting for a patient now, or null when there is no grant or it is
 * not in force (revoked, ended at 18, review due, subject's record without a birth date). The
 * access point calls this at each request: nothing is cached, so a birthday ends access by itself.
 */
export async function activeProxyDecision(db: Queryable, proxyUserId: string, subjectPatientId: string, now: Date): Promise<ProxyDecision | null> {
  const [grant] = await findGrants(db, 'g.proxy_user_id = $1 and g.subject_patient_id = $2 and g.revoked_at is null', [proxyUserId, subjectPatientId]);
  if (!grant) return null;
  const decision = decide(grant, now);
  return decision.active ? decision : null;
}

/** Everyone a proxy has an unrevoked grant for, with the decision now (the access point's ProxyGrants port). */
export async function proxySubjects(db: Queryable, proxyUserId: string, now: Date): Promise<{ patientId: string; decision: ProxyDecision }[]> {
  const grants = await findGrants(db, 'g.proxy_user_id = $1 and g.revoked_at is null', [proxyUserId]);
  return grants.map((g) => ({ patientId: g.patientId, decision: decide(g, now) }));
}

/** What a reason means, in the words the portal shows. */
export const INACTIVE_TEXT: Record<InactiveReason, string> = {
  'subject-is-adult': 'access ended (now an adult)',
  'review-due': 'access paused: the clinic must review it',
  revoked: 'access revoked',
  'not-yet-valid': 'access not started yet',
  'subject-is-minor': 'not valid for a minor: a parent or guardian grant is needed',
  'invalid-birth-date': 'the patient record has no valid birth date',
};

export function newGrantId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a new grant is given; the rest of a GrantRecord is assigned, joined or set later. */
export type NewGrant = Omit<GrantRecord, 'id' | 'proxyEmail' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'subjectBirthDate' | 'subjectName'>;

/** Inserts a grant; null when the proxy already has one in force for this patient. */
export async function insertGrant(tx: Queryable, g: NewGrant): Promise<string | null> {
  const id = newGrantId();
  const res = await tx.query(
    `insert into proxy_grant (id, proxy_user_id, subject_patient_id, org_id, basis, granted_by, granted_by_kind, granted_at, review_by,
                              perm_clinical, perm_messaging, perm_appointments, perm_billing, document_id, in_person_consent)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     on conflict (proxy_user_id, org_id, subject_patient_id) where revoked_at is null do nothing`,
    [
      id,
      g.proxyUserId,
      g.patientId,
      g.orgId,
      g.basis,
      g.grantedBy,
      g.grantedByKind,
      g.grantedAt.toISOString(),
      g.reviewBy?.toISOString() ?? null,
      g.permissions.clinical,
      g.permissions.messaging,
      g.permissions.appointments,
      g.permissions.billing,
      g.documentId,
      g.inPersonConsent,
    ],
  );
  return res.rowCount > 0 ? id : null;
}

/** Revokes a grant in force; false when it was already revoked. Sessions acting under it stop. */
export async function revokeGrant(tx: Queryable, id: string, by: string, reason: string | null, now: Date): Promise<boolean> {
  const res = await tx.query('update proxy_grant set revoked_at = $2, revoked_by = $3, revoke_reason = $4 where id = $1 and revoked_at is null', [
    id,
    now.toISOString(),
    by,
    reason,
  ]);
  if (res.rowCount === 0) return false;
  await tx.query('update user_session set acting_grant_id = null where acting_grant_id = $1', [id]);
  return true;
}

export async function updatePermissions(tx: Queryable, id: string, p: Permissions): Promise<boolean> {
  const res = await tx.query(
    'update proxy_grant set perm_clinical = $2, perm_messaging = $3, perm_appointments = $4, perm_billing = $5 where id = $1 and revoked_at is null',
    [id, p.clinical, p.messaging, p.appointments, p.billing],
  );
  return res.rowCount > 0;
}

export interface SubjectRecord {
  patientId: string;
  orgId: string | null;
  birthDate: string | null;
}

/** The Patient a grant would name: its source organization and birth date. */
export async function findSubject(db: Queryable, patientId: string): Promise<SubjectRecord | null> {
  const res = await db.query<{ id: string; source_org: string | null; birth_date: string | null }>(
    `select id, source_org, content->>'birthDate' as birth_date from resource where resource_type = 'Patient' and id = $1 and not deleted`,
    [patientId],
  );
  const r = res.rows[0];
  return r ? { patientId: r.id, orgId: r.source_org, birthDate: r.birth_date } : null;
}
