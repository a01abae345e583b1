import type { Patient } from 'fhir/r4';
import type { AuditEntryInput } from '@kennebec/audit';
import type { Database, Queryable } from '@kennebec/db';
import type { Clock } from '../../deps.ts';
import type { AccessPoint } from '../access/index.ts';
import type { SessionHttp } from '../accounts/index.ts';
import type { MailMessage } from '../mail/index.ts';
import type { LinkedPatients } from '../proxies/index.ts';

/** The part of the audit trail (features/audit's AuditTrail) that messaging uses. */
export interface MessagingAudit {
  /** Writes: staged in the write's transaction. */
  appendInTransaction(tx: Queryable, entries: readonly AuditEntryInput[]): Promise<void>;
  /** Reads, and refusals (which write nothing). */
  record(entries: readonly AuditEntryInput[]): Promise<void>;
}

/** What the messaging use cases need, built once by messagingContext() in index.ts. */
export interface MessagingContext {
  db: Database;
  clock: Clock;
  baseUrl: string;
  access: AccessPoint;
  sessions: SessionHttp;
  /** The records an account is linked to as that person (enrollment): whom a patient may write to. */
  linkedPatients: LinkedPatients;
  /** The account linked to a Patient record or another record of the same person, if any (enrollment): who is told of a reply. */
  accountOf(patientId: string): Promise<string | null>;
  /** A Patient record (not deleted) and the organization that sent it. */
  readPatient(id: string): Promise<{ patient: Patient; sourceOrg: string | null } | undefined>;
  audit: MessagingAudit;
  /** Sends after the response has gone. */
  sendLater(message: MailMessage): void;
}

/** Longest subject and message, in characters. */
export const SUBJECT_MAX = 200;
export const BODY_MAX = 5000;
/** Most threads in one list. */
export const LIST_MAX = 200;
