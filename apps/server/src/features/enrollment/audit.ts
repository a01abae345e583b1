import type { RequestInfo } from '../accounts/index.ts';
import type { EnrollmentAuditEntry } from './context.ts';

/**
 * Audit entries of the enrollment steps. References only (`Patient/123`,
 * `PatientInvitation/abc`): never a name, an email address, a birth date or an ID document.
 */
export type EnrollmentAction =
  | 'enrollment-patient-search'
  | 'enrollment-id-check'
  | 'enrollment-invite'
  | 'enrollment-resend'
  | 'enrollment-revoke'
  | 'enrollment-invitation-view'
  | 'enrollment-accept'
  | 'enrollment-settings';

/** The audit trail's convention: `denied` when refused by authentication or authorization (401, 403), `error` for any other refusal. */
export function refusalOutcome(status: number): 'denied' | 'error' {
  return status === 401 || status === 403 ? 'denied' : 'error';
}

export interface AuditWho {
  userId: string | null;
  orgId: string | null;
  req: RequestInfo | undefined;
}

export function auditEntry(
  who: AuditWho,
  action: EnrollmentAction,
  fields: { patients?: readonly string[]; invitationId?: string; entities?: readonly string[]; outcome?: EnrollmentAuditEntry['outcome']; status?: number },
): EnrollmentAuditEntry {
  return {
    actor: who.userId ? `User/${who.userId}` : 'anonymous',
    actorOrg: who.orgId ? `Organization/${who.orgId}` : null,
    patients: (fields.patients ?? []).map((id) => `Patient/${id}`),
    action,
    entities: [...(fields.invitationId ? [`PatientInvitation/${fields.invitationId}`] : []), ...(fields.entities ?? [])],
    outcome: fields.outcome ?? 'success',
    status: fields.status ?? 200,
    clientIp: who.req?.ip ?? null,
    userAgent: who.req?.userAgent ?? null,
    requestId: who.req?.requestId ?? null,
  };
}
