import type { AuditEntryInput } from '@kennebec/audit';
import { isOutcomeError } from '@kennebec/fhir';
import type { PurposeOfUse, UserActor } from '../access/index.ts';
import type { RequestInfo } from '../accounts/index.ts';

/**
 * Audit entries of messaging: who (the account, its organization for staff), acting for whom (a
 * proxy: the patient), why, whose messages, and which threads and messages by reference
 * (`MessageThread/…`, `Message/…`). Never a subject line or a message's text.
 */
export type MessagingAction = 'message-list' | 'message-read' | 'message-start' | 'message-reply' | 'message-mark-read';

/** At most this many references per entry (a long inbox keeps its true count). */
const MAX_ENTITIES = 100;

export interface MessagingAuditFields {
  action: MessagingAction;
  purpose: PurposeOfUse;
  /** Patient ids concerned. */
  patients: readonly string[];
  threads?: readonly string[];
  messages?: readonly string[];
  status?: number;
}

export function messagingEntry(actor: UserActor, req: RequestInfo, f: MessagingAuditFields): AuditEntryInput {
  const entities = [...(f.threads ?? []).map((id) => `MessageThread/${id}`), ...(f.messages ?? []).map((id) => `Message/${id}`)];
  const status = f.status ?? 200;
  return {
    actor: `User/${actor.userId}`,
    actorOrg: actor.orgId ? `Organization/${actor.orgId}` : null,
    onBehalfOf: actor.actingFor ? `Patient/${actor.actingFor.patientId}` : null,
    purposeOfUse: f.purpose,
    patients: [...new Set(f.patients)].map((id) => `Patient/${id}`),
    action: f.action,
    resourceType: null,
    entities: entities.slice(0, MAX_ENTITIES),
    entitiesTotal: entities.length,
    outcome: status < 300 ? 'success' : status === 401 || status === 403 || status === 404 ? 'denied' : 'error',
    status,
    clientIp: req.ip,
    userAgent: req.userAgent ?? null,
    requestId: req.requestId,
  };
}

/** The status a failure answers with (500 for anything unexpected). */
export function statusOf(err: unknown): number {
  return isOutcomeError(err) ? err.status : 500;
}
