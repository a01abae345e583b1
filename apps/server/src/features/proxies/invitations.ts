import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { evaluateProxy, type Permissions } from '@kennebec/consent';
import { apiErrors } from '../../http/api-errors.ts';
import type { UserActor } from '../access/index.ts';
import { findUserById, hashSecret, normalizeEmail, verifySecret, type RequestInfo } from '../accounts/index.ts';
import type { ProxiesContext } from './context.ts';
import { consentGrant, findGrant, findSubject, INACTIVE_TEXT, insertGrant, type GrantRecord } from './grants.ts';
import type { LinkedPatient } from './linked-patients.ts';

/**
 * An adult patient invites a proxy online. The invitee gets a link by mail (no health
 * information, no name of the patient or the clinic); the adult gets a code to pass on by other
 * means, so that whoever reads the mailbox alone cannot accept. The link's token is stored as
 * its SHA-256 (256 random bits), the code as argon2id (it is short); five wrong codes void the
 * invitation. Accepting, signed in with the invited address, creates the grant.
 */
export const INVITATION_TTL_SECONDS = 7 * 86_400;
const MAX_CODE_FAILURES = 5;
/** No 0/O, 1/I/L: read aloud or copied from a note without mistakes. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

function newCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** The adult's own record, from their linked records, checked to be an adult now. */
export async function ownAdultRecord(ctx: ProxiesContext, actor: UserActor, patientId: string | undefined): Promise<LinkedPatient> {
  if (actor.accountKind !== 'patient') throw errors.forbidden('Only a patient manages their own proxies');
  const linked = await ctx.linkedPatients(actor.userId);
  const own = patientId === undefined ? (linked.length === 1 ? linked[0] : undefined) : linked.find((l) => l.patientId === patientId);
  if (!own) {
    if (patientId === undefined && linked.length > 1) throw errors.badRequest('Your account is linked to several records: name one (patientId)', ['body.patientId']);
    throw errors.forbidden('Your account is not linked to this patient record');
  }
  return own;
}

export interface InvitationInput {
  patientId?: string | undefined;
  email: string;
  permissions: Permissions;
}

export async function inviteProxy(ctx: ProxiesContext, actor: UserActor, req: RequestInfo, input: InvitationInput): Promise<{ id: string; code: string; expiresAt: string }> {
  const now = ctx.clock.now();
  const own = await ownAdultRecord(ctx, actor, input.patientId);
  const subject = await findSubject(ctx.db, own.patientId);
  const decision = evaluateProxy(consentGrant({ basis: 'adult-consent', grantedAt: now, reviewBy: null, revokedAt: null, permissions: input.permissions }, subject?.birthDate ?? null), now);
  if (!decision.active) throw errors.unprocessable(`A proxy cannot be invited online for this record: ${INACTIVE_TEXT[decision.reason ?? 'revoked']}`);
  const inviter = await findUserById(ctx.db, actor.userId);
  const email = normalizeEmail(input.email);
  if (inviter && inviter.email.toLowerCase() === email.toLowerCase()) throw errors.badRequest('You cannot invite yourself', ['body.email']);
  const token = randomBytes(32).toString('base64url');
  const code = newCode();
  const id = randomBytes(16).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_SECONDS * 1000);
  const codeHash = await hashSecret(code);
  const p = input.permissions;
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `insert into proxy_invitation (id, token_hash, code_hash, email, subject_patient_id, org_id, invited_by, perm_clinical, perm_messaging, perm_appointments, perm_billing, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [id, hashToken(token), codeHash, email, own.patientId, own.orgId, actor.userId, p.clinical, p.messaging, p.appointments, p.billing, now.toISOString(), expiresAt.toISOString()],
    );
    await ctx.audit(tx, actor, req, { action: 'proxy-invite', patients: [`Patient/${own.patientId}`], entities: [`ProxyInvitation/${id}`], outcome: 'success', status: 201 });
  });
  ctx.sendLater({
    to: email,
    subject: 'You have been invited to act for someone on Kennebec',
    text:
      `Someone who uses the Kennebec patient portal has invited you to help them with their account (as their proxy).\n\n` +
      `To accept, sign in to Kennebec with this email address (or create an account with it), then open this link:\n\n` +
      `${ctx.baseUrl}/proxy-invitation?token=${encodeURIComponent(token)}\n\n` +
      `You will also need the code the person gives you. The link works once and expires in ${INVITATION_TTL_SECONDS / 86_400} days.\n\n` +
      `— Kennebec\n\nIf you do not know who sent this, you can ignore this message.`,
  });
  return { id, code, expiresAt: expiresAt.toISOString() };
}

interface InvitationRow {
  id: string;
  code_hash: string;
  email: string;
  subject_patient_id: string;
  org_id: string;
  invited_by: string;
  perm_clinical: Permissions['clinical'];
  perm_messaging: Permissions['messaging'];
  perm_appointments: Permissions['appointments'];
  perm_billing: Permissions['billing'];
}

/** The invitee, signed in with the invited address, accepts with the link's token and the code. */
export async function acceptInvitation(ctx: ProxiesContext, actor: UserActor, req: RequestInfo, token: string, code: string): Promise<GrantRecord> {
  const now = ctx.clock.now();
  const user = await findUserById(ctx.db, actor.userId);
  if (!user || user.kind !== 'patient') throw errors.forbidden('Only a portal account can become a proxy');
  const res = await ctx.db.query<InvitationRow>(
    `select * from proxy_invitation where token_hash = $1 and accepted_at is null and cancelled_at is null and expires_at > $2 and failed_attempts < $3`,
    [hashToken(token.slice(0, 128)), now.toISOString(), MAX_CODE_FAILURES],
  );
  const inv = res.rows[0];
  if (!inv || inv.email.toLowerCase() !== user.email.toLowerCase()) throw apiErrors.tokenInvalid();
  if (!(await verifySecret(inv.code_hash, code.trim().toUpperCase()))) {
    await ctx.db.query('update proxy_invitation set failed_attempts = failed_attempts + 1 where id = $1', [inv.id]);
    throw apiErrors.codeInvalid();
  }
  const permissions: Permissions = { clinical: inv.perm_clinical, messaging: inv.perm_messaging, appointments: inv.perm_appointments, billing: inv.perm_billing };
  return ctx.db.transaction(async (tx) => {
    // One use: the conditional update wins once even when two accept at the same moment.
    const used = await tx.query('update proxy_invitation set accepted_at = $2 where id = $1 and accepted_at is null', [inv.id, now.toISOString()]);
    if (used.rowCount === 0) throw apiErrors.tokenInvalid();
    const id = await insertGrant(tx, {
      proxyUserId: actor.userId,
      patientId: inv.subject_patient_id,
      orgId: inv.org_id,
      basis: 'adult-consent',
      grantedBy: inv.invited_by,
      grantedByKind: 'subject',
      grantedAt: now,
      reviewBy: null,
      permissions,
      documentId: null,
      inPersonConsent: false,
    });
    if (!id) throw apiErrors.proxyConflict('You already have proxy access to this person in force');
    await tx.query('update proxy_invitation set grant_id = $2 where id = $1', [inv.id, id]);
    await ctx.audit(tx, actor, req, { action: 'proxy-grant', patients: [`Patient/${inv.subject_patient_id}`], entities: [`ProxyGrant/${id}`, `ProxyInvitation/${inv.id}`], outcome: 'success', status: 201 });
    return (await findGrant(tx, id)) as GrantRecord;
  });
}

export interface PendingInvitation {
  id: string;
  email: string;
  patientId: string;
  permissions: Permissions;
  createdAt: string;
  expiresAt: string;
}

export async function pendingInvitations(db: Queryable, patientIds: readonly string[], now: Date): Promise<PendingInvitation[]> {
  if (patientIds.length === 0) return [];
  const res = await db.query<InvitationRow & { created_at: string | Date; expires_at: string | Date }>(
    `select * from proxy_invitation where subject_patient_id = any($1::text[]) and accepted_at is null and cancelled_at is null and expires_at > $2 order by created_at, id`,
    [patientIds, now.toISOString()],
  );
  const iso = (v: string | Date) => (v instanceof Date ? v : new Date(v)).toISOString();
  return res.rows.map((r) => ({
    id: r.id,
    email: r.email,
    patientId: r.subject_patient_id,
    permissions: { clinical: r.perm_clinical, messaging: r.perm_messaging, appointments: r.perm_appointments, billing: r.perm_billing },
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
  }));
}
