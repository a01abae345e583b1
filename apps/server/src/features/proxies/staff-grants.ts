import { randomBytes } from 'node:crypto';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { evaluateProxy, type Permissions, type ProxyBasis } from '@kennebec/consent';
import { apiErrors } from '../../http/api-errors.ts';
import { decideOperation, requireOperation, type UserActor } from '../access/index.ts';
import { findUserByEmail, type RequestInfo } from '../accounts/index.ts';
import type { ProxiesContext } from './context.ts';
import { findDocument } from './documents.ts';
import { consentGrant, findGrant, findSubject, INACTIVE_TEXT, insertGrant, type GrantRecord, type SubjectRecord } from './grants.ts';

/**
 * Staff grant proxy access at the front desk: a parent or guardian of a minor, or, for a
 * dependent adult, a court-appointed guardian or an attorney (their document uploaded first) or
 * someone the adult names in person. The access decision point says who may (operation
 * 'manage-proxies': front desk or org admin of the patient's organization); the session
 * requirement sees to the second factor.
 */
export const MINOR_BASES: ReadonlySet<ProxyBasis> = new Set(['parent', 'guardian-of-minor']);
const DOCUMENT_KIND: Partial<Record<ProxyBasis, string>> = { 'guardian-of-adult': 'guardianship', 'power-of-attorney': 'power-of-attorney' };
const NONE: Permissions = { clinical: 'none', messaging: 'none', appointments: 'none', billing: 'none' };

/** Whether the access decision point lets this staff user manage proxies of the organization's records. */
export function mayManageProxies(actor: UserActor, orgId: string | null): boolean {
  return orgId !== null && decideOperation(actor, { operation: 'manage-proxies', recordOrg: orgId }).permit;
}

/** The subject Patient, checked to belong to the staff user's organization. 404 when unknown. */
export async function subjectForStaff(db: Queryable, actor: UserActor, patientId: string): Promise<SubjectRecord & { orgId: string }> {
  const subject = await findSubject(db, patientId);
  if (!subject || subject.orgId === null) throw errors.notFound(`Patient/${patientId}`);
  requireOperation(actor, { operation: 'manage-proxies', recordOrg: subject.orgId }, `Patient/${patientId}`);
  return { ...subject, orgId: subject.orgId };
}

export interface StaffGrantInput {
  proxyUserId: string;
  patientId: string;
  basis: ProxyBasis;
  documentId?: string | undefined;
  inPersonConsent?: boolean | undefined;
  permissions?: Partial<Permissions> | undefined;
  reviewBy?: string | undefined;
}

/** Checks the grant against the rules and stores it, in the caller's transaction. */
export async function grantByStaff(ctx: ProxiesContext, tx: Queryable, actor: UserActor, req: RequestInfo, input: StaffGrantInput): Promise<GrantRecord> {
  const now = ctx.clock.now();
  const subject = await subjectForStaff(tx, actor, input.patientId);
  const minor = MINOR_BASES.has(input.basis);
  const kind = DOCUMENT_KIND[input.basis];
  if (kind) {
    if (!input.documentId) throw errors.badRequest(`A ${input.basis} grant needs the ${kind} document: upload it first (POST /api/proxy-documents)`, ['body.documentId']);
    const doc = await findDocument(tx, input.documentId);
    if (!doc || doc.patientId !== subject.patientId || doc.orgId !== subject.orgId || doc.kind !== kind) {
      throw errors.badRequest(`No ${kind} document ${input.documentId} for this patient`, ['body.documentId']);
    }
  } else if (input.documentId) {
    throw errors.badRequest(`A ${input.basis} grant takes no document`, ['body.documentId']);
  }
  if (input.basis === 'adult-consent' && input.inPersonConsent !== true) {
    throw errors.badRequest("An adult's consent must be given in person: set inPersonConsent once they have confirmed it at the desk", ['body.inPersonConsent']);
  }
  if (minor && (input.permissions || input.reviewBy)) throw errors.badRequest("A minor's proxy has access by age band: give no permissions or review date", ['body.permissions']);
  let reviewBy: Date | null = null;
  if (!minor) {
    reviewBy = input.reviewBy ? new Date(input.reviewBy) : new Date(now.getTime() + ctx.reviewDays * 86_400_000);
    if (Number.isNaN(reviewBy.getTime()) || reviewBy.getTime() <= now.getTime()) throw errors.badRequest('reviewBy must be a future date-time', ['body.reviewBy']);
  }
  const permissions: Permissions = minor ? NONE : { ...NONE, ...input.permissions };
  const candidate = { basis: input.basis, grantedAt: now, reviewBy, revokedAt: null, permissions };
  const decision = evaluateProxy(consentGrant(candidate, subject.birthDate), now);
  if (!decision.active) {
    const why = decision.reason === 'subject-is-adult' ? 'the patient is an adult: invite them to their own account, or record a dependent-adult basis' : INACTIVE_TEXT[decision.reason ?? 'revoked'];
    throw errors.unprocessable(`This grant would not be in force: ${why}`, ['body.basis']);
  }
  const id = await insertGrant(tx, {
    proxyUserId: input.proxyUserId,
    patientId: subject.patientId,
    orgId: subject.orgId,
    basis: input.basis,
    grantedBy: actor.userId,
    grantedByKind: 'staff',
    grantedAt: now,
    reviewBy,
    permissions,
    documentId: input.documentId ?? null,
    inPersonConsent: input.inPersonConsent === true,
  });
  if (!id) throw apiErrors.proxyConflict('This person already has proxy access to this patient in force');
  await ctx.audit(tx, actor, req, { action: 'proxy-grant', patients: [`Patient/${subject.patientId}`], entities: [`ProxyGrant/${id}`], outcome: 'success', status: 201 });
  return (await findGrant(tx, id)) as GrantRecord;
}

/** The proxy's account, by email: a patient-portal account that exists and is not disabled. */
export async function proxyAccount(db: Queryable, email: string): Promise<string> {
  const user = await findUserByEmail(db, email);
  if (!user || user.kind !== 'patient' || user.disabledAt !== null) {
    throw errors.badRequest('No portal account has this email address: ask the person to sign up first', ['body.proxyEmail']);
  }
  return user.id;
}

export interface ProxyRequest {
  id: string;
  requesterId: string;
  requesterEmail: string;
  orgId: string;
  basis: ProxyBasis;
  subjectName: string;
  subjectBirthDate: string;
  note: string | null;
  createdAt: string;
  decision: 'approved' | 'declined' | null;
  grantId: string | null;
}

interface RequestRow {
  id: string;
  requester_id: string;
  requester_email: string;
  org_id: string;
  basis: ProxyBasis;
  subject_name: string;
  subject_birth_date: string;
  note: string | null;
  created_at: string | Date;
  decision: 'approved' | 'declined' | null;
  grant_id: string | null;
}

const toRequest = (r: RequestRow): ProxyRequest => ({
  id: r.id,
  requesterId: r.requester_id,
  requesterEmail: r.requester_email,
  orgId: r.org_id,
  basis: r.basis,
  subjectName: r.subject_name,
  subjectBirthDate: r.subject_birth_date,
  note: r.note,
  createdAt: (r.created_at instanceof Date ? r.created_at : new Date(r.created_at)).toISOString(),
  decision: r.decision,
  grantId: r.grant_id,
});

const REQUEST_SELECT = 'select r.*, u.email as requester_email from proxy_request r join user_account u on u.id = r.requester_id';

export async function createRequest(
  ctx: ProxiesContext,
  requesterId: string,
  input: { orgId: string; basis: ProxyBasis; subjectName: string; subjectBirthDate: string; note?: string | undefined },
): Promise<ProxyRequest> {
  const org = await ctx.db.query('select 1 from data_source where org_id = $1 and disabled_at is null', [input.orgId]);
  if (org.rows.length === 0) throw errors.badRequest(`No organization '${input.orgId}'`, ['body.orgId']);
  const id = randomBytes(16).toString('base64url');
  await ctx.db.query(
    `insert into proxy_request (id, requester_id, org_id, basis, subject_name, subject_birth_date, note, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, requesterId, input.orgId, input.basis, input.subjectName, input.subjectBirthDate, input.note ?? null, ctx.clock.now().toISOString()],
  );
  return (await findRequest(ctx.db, id)) as ProxyRequest;
}

export async function findRequest(db: Queryable, id: string): Promise<ProxyRequest | null> {
  const res = await db.query<RequestRow>(`${REQUEST_SELECT} where r.id = $1`, [id]);
  return res.rows[0] ? toRequest(res.rows[0]) : null;
}

export async function openRequests(db: Queryable, orgId: string): Promise<ProxyRequest[]> {
  const res = await db.query<RequestRow>(`${REQUEST_SELECT} where r.org_id = $1 and r.decided_at is null order by r.created_at, r.id`, [orgId]);
  return res.rows.map(toRequest);
}

/** Marks an open request decided; false when someone already decided it. */
export async function decideRequest(tx: Queryable, id: string, by: string, decision: 'approved' | 'declined', grantId: string | null, now: Date): Promise<boolean> {
  const res = await tx.query('update proxy_request set decided_at = $2, decided_by = $3, decision = $4, grant_id = $5 where id = $1 and decided_at is null', [
    id,
    now.toISOString(),
    by,
    decision,
    grantId,
  ]);
  return res.rowCount > 0;
}
