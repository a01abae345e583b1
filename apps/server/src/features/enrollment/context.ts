import type { Logger } from 'pino';
import type { AuditEntryInput } from '@kennebec/audit';
import type { Database, Queryable } from '@kennebec/db';
import type { Clock } from '../../deps.ts';
import type { AccountsContext } from '../accounts/index.ts';
import type { MailMessage } from '../mail/index.ts';

/**
 * What enrollment needs, built once by enrollmentContext() in index.ts.
 *
 * Audit: every step (patient search, ID check, invitation sent, resent, revoked, viewed, accepted
 * or refused) is recorded by the audit trail. Steps that write stage their entry in their own
 * transaction; refusals, which write nothing (but a failure count), are recorded after.
 */
export type EnrollmentAuditEntry = AuditEntryInput;

/** The part of the audit trail (features/audit's AuditTrail) that enrollment uses. */
export interface EnrollmentAudit {
  appendInTransaction(tx: Queryable, entries: readonly EnrollmentAuditEntry[]): Promise<void>;
  record(entries: readonly EnrollmentAuditEntry[]): Promise<void>;
}

export interface EnrollmentContext {
  db: Database;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  /** Lifetime of an invitation (INVITATION_TTL_DAYS). */
  invitationTtlDays: number;
  accounts: AccountsContext;
  audit: EnrollmentAudit;
  /** Sends after the response has gone. */
  sendLater(message: MailMessage): void;
}

/** Failed answers (code or identity) after which an invitation is locked. */
export const MAX_FAILED_ATTEMPTS = 5;
