import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { hashSecret, normalizeEmail, type RequestInfo } from '../accounts/index.ts';
import { auditEntry } from './audit.ts';
import { displayCode, newCode } from './codes.ts';
import type { EnrollmentContext } from './context.ts';
import { MAX_FAILED_ATTEMPTS } from './context.ts';
import { enrollmentErrors } from './errors.ts';
import { invitationMail } from './messages.ts';
import { loadOrgPatient } from './patients.ts';
import type { EnrollingStaff } from './staff-actor.ts';

/**
 * Invitations, staff side: record the in-person ID check, invite by email, resend, revoke, list.
 *
 * A new invitation needs an ID check of the same patient recorded by the organization. The mail
 * carries a link with a 256-bit token and, separately, a short code; the person needs both (the
 * code proves they read that mail, not just saw the link) and answers an identity question.
 * Resending replaces token and code, so whatever was sent before stops working.
 */
export const ID_TYPES = ['driver-licence', 'passport', 'state-id', 'military-id', 'other'] as const;
export type IdType = (typeof ID_TYPES)[number];
export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked' | 'locked';

export interface InvitationView {
  id: string;
  patientId: string;
  email: string;
  status: InvitationStatus;
  createdAt: string;
  createdBy: string;
  sentAt: string;
  sentCount: number;
  expiresAt: string;
  failedAttempts: number;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export interface InvitationRow {
  id: string;
  org_id: string;
  patient_id: string;
  email: string;
  code_hash: string;
  created_by: string;
  created_at: string | Date;
  sent_at: string | Date;
  sent_count: number;
  expires_at: string | Date;
  failed_attempts: number;
  locked_at: string | Date | null;
  accepted_at: string | Date | null;
  accepted_by: string | null;
  revoked_at: string | Date | null;
}

export const INVITATION_COLUMNS =
  'id, org_id, patient_id, email, code_hash, created_by, created_at, sent_at, sent_count, expires_at, failed_attempts, locked_at, accepted_at, accepted_by, revoked_at';

const toDate = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));
const iso = (v: string | Date | null): string | null => (v === null ? null : toDate(v).toISOString());

export function statusOf(r: InvitationRow, now: Date): InvitationStatus {
  if (r.accepted_at !== null) return 'accepted';
  if (r.revoked_at !== null) return 'revoked';
  if (r.locked_at !== null || r.failed_attempts >= MAX_FAILED_ATTEMPTS) return 'locked';
  if (toDate(r.expires_at).getTime() <= now.getTime()) return 'expired';
  return 'pending';
}

function view(r: InvitationRow, now: Date): InvitationView {
  return {
    id: r.id,
    patientId: r.patient_id,
    email: r.email,
    status: statusOf(r, now),
    createdAt: toDate(r.created_at).toISOString(),
    createdBy: r.created_by,
    sentAt: toDate(r.sent_at).toISOString(),
    sentCount: r.sent_count,
    expiresAt: toDate(r.expires_at).toISOString(),
    failedAttempts: r.failed_attempts,
    acceptedAt: iso(r.accepted_at),
    revokedAt: iso(r.revoked_at),
  };
}

/** SHA-256 of the link's token (256 random bits: a fast hash is enough, lookups stay one probe). */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const newId = () => randomBytes(16).toString('base64url');

export async function recordIdCheck(ctx: EnrollmentContext, staff: EnrollingStaff, patientId: string, idType: IdType, req: RequestInfo) {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    if (!(await loadOrgPatient(tx, staff.orgId, patientId))) throw errors.notFound(`Patient/${patientId}`);
    const id = newId();
    await tx.query('insert into enrollment_id_check (id, org_id, patient_id, id_type, checked_by, checked_at) values ($1, $2, $3, $4, $5, $6)', [
      id,
      staff.orgId,
      patientId,
      idType,
      staff.userId,
      now.toISOString(),
    ]);
    await ctx.audit.appendInTransaction(tx, [auditEntry({ ...staff, req }, 'enrollment-id-check', { patients: [patientId], entities: [`EnrollmentIdCheck/${id}`], status: 201 })]);
    return { id, patientId, idType, checkedBy: staff.userId, checkedAt: now.toISOString() };
  });
}

async function assertNotLinked(tx: Queryable, patientId: string): Promise<void> {
  const linked = await tx.query('select 1 from patient_account_link where patient_id = $1', [patientId]);
  if (linked.rows.length > 0) throw enrollmentErrors.patientLinked('This patient record is already linked to a portal account');
}

async function issueSecrets(ttlDays: number, now: Date) {
  const token = randomBytes(32).toString('base64url');
  const code = newCode();
  return { token, code, tokenHash: hashInvitationToken(token), codeHash: await hashSecret(code), expiresAt: new Date(now.getTime() + ttlDays * 86_400_000) };
}

async function orgName(q: Queryable, orgId: string): Promise<string> {
  const res = await q.query<{ name: string }>('select name from data_source where org_id = $1', [orgId]);
  return res.rows[0]?.name ?? 'Your care provider';
}

export interface NewInvitation {
  patientId: string;
  email: string;
  idCheckId: string;
}

export async function createInvitation(ctx: EnrollmentContext, staff: EnrollingStaff, input: NewInvitation, req: RequestInfo): Promise<InvitationView> {
  const now = ctx.clock.now();
  const secrets = await issueSecrets(ctx.invitationTtlDays, now);
  const email = normalizeEmail(input.email);
  const row = await ctx.db.transaction(async (tx) => {
    // Locking the Patient row serializes invitations of one patient: never two pending at once.
    const patient = await tx.query(`select 1 from resource where resource_type = 'Patient' and id = $1 and not deleted and source_org = $2 for update`, [
      input.patientId,
      staff.orgId,
    ]);
    if (patient.rows.length === 0) throw errors.notFound(`Patient/${input.patientId}`);
    const check = await tx.query('select 1 from enrollment_id_check where id = $1 and org_id = $2 and patient_id = $3', [input.idCheckId, staff.orgId, input.patientId]);
    if (check.rows.length === 0) throw errors.badRequest('idCheckId does not name a photo ID check of this patient recorded by your organization', ['body.idCheckId']);
    await assertNotLinked(tx, input.patientId);
    const open = await tx.query<InvitationRow>(`select ${INVITATION_COLUMNS} from patient_invitation where patient_id = $1`, [input.patientId]);
    if (open.rows.some((r) => statusOf(r, now) === 'pending')) throw enrollmentErrors.invitationPending();
    const id = newId();
    const res = await tx.query<InvitationRow>(
      `insert into patient_invitation (id, org_id, patient_id, email, id_check_id, token_hash, code_hash, created_by, created_at, sent_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) returning ${INVITATION_COLUMNS}`,
      [id, staff.orgId, input.patientId, email, input.idCheckId, secrets.tokenHash, secrets.codeHash, staff.userId, now.toISOString(), secrets.expiresAt.toISOString()],
    );
    await ctx.audit.appendInTransaction(tx, [auditEntry({ ...staff, req }, 'enrollment-invite', { patients: [input.patientId], invitationId: id, status: 201 })]);
    return res.rows[0] as InvitationRow;
  });
  ctx.sendLater(invitationMail({ to: email, orgName: await orgName(ctx.db, staff.orgId), link: invitationLink(ctx.baseUrl, secrets.token), code: displayCode(secrets.code), expiresAt: secrets.expiresAt }));
  return view(row, now);
}

export function invitationLink(baseUrl: string, token: string): string {
  return `${baseUrl}/enroll?token=${encodeURIComponent(token)}`;
}

async function loadForStaff(tx: Queryable, staff: EnrollingStaff, id: string): Promise<InvitationRow> {
  const res = await tx.query<InvitationRow>(`select ${INVITATION_COLUMNS} from patient_invitation where id = $1 and org_id = $2 for update`, [id, staff.orgId]);
  const row = res.rows[0];
  if (!row) throw errors.notFound(`invitation ${id}`);
  return row;
}

/** New token and code (the old ones stop working), a new expiry, the failure count reset. */
export async function resendInvitation(ctx: EnrollmentContext, staff: EnrollingStaff, id: string, req: RequestInfo): Promise<InvitationView> {
  const now = ctx.clock.now();
  const secrets = await issueSecrets(ctx.invitationTtlDays, now);
  const row = await ctx.db.transaction(async (tx) => {
    const current = await loadForStaff(tx, staff, id);
    const status = statusOf(current, now);
    if (status === 'accepted') throw errors.unprocessable('This invitation has been accepted: there is nothing to resend');
    if (status === 'revoked') throw errors.unprocessable('This invitation was revoked: create a new one');
    await assertNotLinked(tx, current.patient_id);
    const res = await tx.query<InvitationRow>(
      `update patient_invitation set token_hash = $2, code_hash = $3, sent_at = $4, sent_count = sent_count + 1, expires_at = $5, failed_attempts = 0, locked_at = null
        where id = $1 returning ${INVITATION_COLUMNS}`,
      [id, secrets.tokenHash, secrets.codeHash, now.toISOString(), secrets.expiresAt.toISOString()],
    );
    await ctx.audit.appendInTransaction(tx, [auditEntry({ ...staff, req }, 'enrollment-resend', { patients: [current.patient_id], invitationId: id })]);
    return res.rows[0] as InvitationRow;
  });
  ctx.sendLater(invitationMail({ to: row.email, orgName: await orgName(ctx.db, staff.orgId), link: invitationLink(ctx.baseUrl, secrets.token), code: displayCode(secrets.code), expiresAt: secrets.expiresAt }));
  return view(row, now);
}

export async function revokeInvitation(ctx: EnrollmentContext, staff: EnrollingStaff, id: string, req: RequestInfo): Promise<InvitationView> {
  const now = ctx.clock.now();
  const row = await ctx.db.transaction(async (tx) => {
    const current = await loadForStaff(tx, staff, id);
    if (current.accepted_at !== null) throw errors.unprocessable('This invitation has been accepted: it can no longer be revoked');
    if (current.revoked_at !== null) return current;
    const res = await tx.query<InvitationRow>(`update patient_invitation set revoked_at = $2, revoked_by = $3 where id = $1 returning ${INVITATION_COLUMNS}`, [
      id,
      now.toISOString(),
      staff.userId,
    ]);
    await ctx.audit.appendInTransaction(tx, [auditEntry({ ...staff, req }, 'enrollment-revoke', { patients: [current.patient_id], invitationId: id })]);
    return res.rows[0] as InvitationRow;
  });
  return view(row, now);
}

export async function listInvitations(q: Queryable, orgId: string, now: Date, filter: { status?: InvitationStatus | undefined; patientId?: string | undefined }): Promise<InvitationView[]> {
  const res = await q.query<InvitationRow>(
    `select ${INVITATION_COLUMNS} from patient_invitation where org_id = $1 and ($2::text is null or patient_id = $2) order by created_at desc, id limit 1000`,
    [orgId, filter.patientId ?? null],
  );
  return res.rows.map((r) => view(r, now)).filter((v) => filter.status === undefined || v.status === filter.status);
}
