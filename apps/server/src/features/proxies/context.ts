import type { Database, Queryable } from '@kennebec/db';
import type { Clock } from '../../deps.ts';
import type { UserActor } from '../access/index.ts';
import type { RequestInfo, SessionHttp } from '../accounts/index.ts';
import type { MailMessage } from '../mail/index.ts';
import type { LinkedPatients } from './linked-patients.ts';

/** One step of proxy administration or use, as the audit trail records it (references only). */
export interface ProxyAuditEntry {
  action: 'proxy-grant' | 'proxy-revoke' | 'proxy-permissions' | 'proxy-switch' | 'proxy-switch-back' | 'proxy-invite' | 'proxy-document-upload' | 'proxy-document-read' | 'proxy-request-decide';
  /** The patients concerned, `Patient/{id}`. */
  patients: string[];
  /** The rows acted on: `ProxyGrant/{id}`, `ProxyDocument/{id}`… */
  entities: string[];
  outcome: 'success' | 'denied';
  status: number;
}

/** Records an entry in the caller's transaction (it commits or rolls back with the change). */
export type ProxyAudit = (tx: Queryable, actor: UserActor, req: RequestInfo, entry: ProxyAuditEntry) => Promise<void>;

export interface ProxiesContext {
  db: Database;
  clock: Clock;
  baseUrl: string;
  /** Default days to the review date of a dependent adult's grant (PROXY_REVIEW_DAYS). */
  reviewDays: number;
  sessions: SessionHttp;
  linkedPatients: LinkedPatients;
  sendLater(message: MailMessage): void;
  audit: ProxyAudit;
}
