import { OutcomeError, errors } from '@kennebec/fhir';
import type { Queryable } from '@kennebec/db';
import type { UserActor } from '../access/index.ts';
import { verifySecret, type RequestInfo } from '../accounts/index.ts';
import { auditEntry, refusalOutcome, type AuditWho } from './audit.ts';
import { normalizeCode } from './codes.ts';
import { MAX_FAILED_ATTEMPTS, type EnrollmentContext } from './context.ts';
import { enrollmentErrors } from './errors.ts';
import { hashInvitationToken, INVITATION_COLUMNS, statusOf, type InvitationRow } from './invitations.ts';
import { loadOrgPatient, ssnLast4 } from './patients.ts';
import { identityCheckOf, type IdentityCheck } from './settings.ts';

/**
 * Accepting an invitation, the person's side. The link's token finds the invitation; the person,
 * signed in to a patient account (new or existing), proves they read the mail (the code) and
 * who they are (date of birth, or the last four SSN digits where the organization asks for
 * them). Wrong answers are counted on the invitation whatever the account: after
 * MAX_FAILED_ATTEMPTS it is locked and only a resend (new token and code) revives it.
 *
 * Success links the account to the Patient and consumes the invitation in one transaction whose
 * UPDATE is conditional on the invitation still being open, so two concurrent acceptances cannot
 * both succeed. A Patient is linked to one account only, and so is any Patient the master patient
 * index holds to be the same person: otherwise a second account could reach the same person's
 * records through another organization.
 */
export interface InvitationPreview {
  organization: { name: string };
  identityCheck: IdentityCheck;
  expiresAt: string;
}

async function findByToken(q: Queryable, token: string): Promise<InvitationRow | null> {
  if (token.length > 128) return null;
  const res = await q.query<InvitationRow>(`select ${INVITATION_COLUMNS} from patient_invitation where token_hash = $1`, [hashInvitationToken(token)]);
  return res.rows[0] ?? null;
}

/** The invitation if it can still be accepted; otherwise the error that says why not. */
function openInvitation(row: InvitationRow | null, now: Date): InvitationRow {
  if (!row) throw enrollmentErrors.invitationInvalid('unknown');
  const status = statusOf(row, now);
  if (status === 'locked') throw enrollmentErrors.invitationLocked();
  if (status !== 'pending') throw enrollmentErrors.invitationInvalid(status);
  return row;
}

async function auditRefusal(ctx: EnrollmentContext, who: AuditWho, action: 'enrollment-invitation-view' | 'enrollment-accept', err: unknown, row: InvitationRow | null): Promise<void> {
  if (!(err instanceof OutcomeError)) return;
  const fields = { outcome: refusalOutcome(err.status), status: err.status, ...(row ? { patients: [row.patient_id], invitationId: row.id } : {}) };
  await ctx.audit.record([auditEntry({ ...who, orgId: row?.org_id ?? who.orgId }, action, fields)]).catch((e: unknown) => ctx.logger.error({ err: e }, 'audit entry not recorded'));
}

export async function previewInvitation(ctx: EnrollmentContext, token: string, who: AuditWho): Promise<InvitationPreview> {
  const row = await findByToken(ctx.db, token);
  try {
    const open = openInvitation(row, ctx.clock.now());
    const org = await ctx.db.query<{ name: string }>('select name from data_source where org_id = $1', [open.org_id]);
    const preview = { organization: { name: org.rows[0]?.name ?? '' }, identityCheck: await identityCheckOf(ctx.db, open.org_id), expiresAt: new Date(open.expires_at).toISOString() };
    await ctx.audit.record([auditEntry({ ...who, orgId: open.org_id }, 'enrollment-invitation-view', { patients: [open.patient_id], invitationId: open.id })]);
    return preview;
  } catch (err) {
    await auditRefusal(ctx, who, 'enrollment-invitation-view', err, row);
    throw err;
  }
}

export interface AcceptInput {
  token: string;
  code: string;
  birthDate?: string | undefined;
  ssnLast4?: string | undefined;
}

export interface Accepted {
  organization: { id: string; name: string };
  patientId: string;
  linkedAt: string;
}

async function countFailure(ctx: EnrollmentContext, row: InvitationRow, now: Date): Promise<number> {
  const res = await ctx.db.query<{ failed_attempts: number }>(
    `update patient_invitation set failed_attempts = failed_attempts + 1,
        locked_at = case when failed_attempts + 1 >= ${MAX_FAILED_ATTEMPTS} then $3::timestamptz else locked_at end
      where id = $1 and code_hash = $2 returning failed_attempts`,
    [row.id, row.code_hash, now.toISOString()],
  );
  return Math.max(0, MAX_FAILED_ATTEMPTS - (res.rows[0]?.failed_attempts ?? MAX_FAILED_ATTEMPTS));
}

export async function acceptInvitation(ctx: EnrollmentContext, user: UserActor, input: AcceptInput, req: RequestInfo): Promise<Accepted> {
  const who: AuditWho = { userId: user.userId, orgId: null, req };
  const now = ctx.clock.now();
  const row = await findByToken(ctx.db, input.token);
  try {
    if (user.accountKind !== 'patient') throw errors.forbidden('Invitations are accepted with a patient account, not a staff account');
    const open = openInvitation(row, now);
    const check = await identityCheckOf(ctx.db, open.org_id);
    const field = check === 'birth-date' ? 'birthDate' : 'ssnLast4';
    const answer = check === 'birth-date' ? input.birthDate : input.ssnLast4;
    if (answer === undefined) throw errors.badRequest(`This organization asks for ${check === 'birth-date' ? 'your date of birth (birthDate)' : 'the last four digits of your Social Security number (ssnLast4)'}`, [`body.${field}`]);
    const patient = await loadOrgPatient(ctx.db, open.org_id, open.patient_id);
    if (!patient) throw errors.unprocessable('The record this invitation was for no longer exists: ask the organization for a new invitation');
    const expected = check === 'birth-date' ? (patient.birthDate ?? null) : ssnLast4(patient);
    if (expected === null) throw errors.unprocessable(`The organization has no ${check === 'birth-date' ? 'date of birth' : 'Social Security number'} on record for you: ask them to correct your record`);

    const codeOk = await verifySecret(open.code_hash, normalizeCode(input.code));
    if (!codeOk || answer !== expected) {
      const left = await countFailure(ctx, open, now);
      throw enrollmentErrors.answerWrong(codeOk ? field : 'code', left);
    }

    return await ctx.db.transaction(async (tx) => {
      const taken = await tx.query(
        `update patient_invitation set accepted_at = $3, accepted_by = $4
          where id = $1 and code_hash = $2 and accepted_at is null and revoked_at is null and locked_at is null and expires_at > $3 and failed_attempts < ${MAX_FAILED_ATTEMPTS}`,
        [open.id, open.code_hash, now.toISOString(), user.userId],
      );
      if (taken.rowCount === 0) {
        openInvitation(await findByToken(tx, input.token), now);
        throw enrollmentErrors.invitationInvalid('unknown');
      }
      await assertLinkable(tx, open.patient_id, user.userId);
      await tx.query('insert into patient_account_link (patient_id, user_id, org_id, invitation_id, linked_at) values ($1, $2, $3, $4, $5) on conflict (patient_id) do nothing', [
        open.patient_id,
        user.userId,
        open.org_id,
        open.id,
        now.toISOString(),
      ]);
      await ctx.audit.appendInTransaction(tx, [auditEntry({ ...who, orgId: open.org_id }, 'enrollment-accept', { patients: [open.patient_id], invitationId: open.id })]);
      const org = await tx.query<{ name: string }>('select name from data_source where org_id = $1', [open.org_id]);
      return { organization: { id: open.org_id, name: org.rows[0]?.name ?? '' }, patientId: open.patient_id, linkedAt: now.toISOString() };
    });
  } catch (err) {
    await auditRefusal(ctx, who, 'enrollment-accept', err, row);
    throw err;
  }
}

/** Refuses when this Patient, or a Patient of the same person (MPI), is linked to another account. */
async function assertLinkable(tx: Queryable, patientId: string, userId: string): Promise<void> {
  const own = await tx.query<{ user_id: string }>('select user_id from patient_account_link where patient_id = $1 for update', [patientId]);
  if (own.rows[0] && own.rows[0].user_id !== userId) throw enrollmentErrors.patientLinked('This patient record is already linked to another account');
  const samePerson = await tx.query(
    `select 1 from patient_account_link l join resource r on r.resource_type = 'Patient' and r.id = l.patient_id
      where r.person_id = (select p.person_id from resource p where p.resource_type = 'Patient' and p.id = $1) and l.user_id <> $2 limit 1`,
    [patientId, userId],
  );
  if (samePerson.rows.length > 0) throw enrollmentErrors.patientLinked("This person's record at another organization is already linked to a different account");
}

export interface PatientLink {
  patientId: string;
  orgId: string;
  linkedAt: string;
}

/** The Patients a user account is linked to (one per organization that enrolled them). */
export async function linkedPatients(q: Queryable, userId: string): Promise<PatientLink[]> {
  const res = await q.query<{ patient_id: string; org_id: string; linked_at: string | Date }>(
    'select patient_id, org_id, linked_at from patient_account_link where user_id = $1 order by linked_at, patient_id',
    [userId],
  );
  return res.rows.map((r) => ({ patientId: r.patient_id, orgId: r.org_id, linkedAt: new Date(r.linked_at).toISOString() }));
}

/**
 * The account linked to any of these Patient records (the source records of one person), if
 * any: a person's records are linked to one account only (assertLinkable).
 */
export async function linkedAccount(q: Queryable, patientIds: readonly string[]): Promise<string | null> {
  if (patientIds.length === 0) return null;
  const res = await q.query<{ user_id: string }>('select user_id from patient_account_link where patient_id = any($1::text[]) order by linked_at limit 1', [[...patientIds]]);
  return res.rows[0]?.user_id ?? null;
}
