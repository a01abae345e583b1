import type { Logger } from 'pino';

/**
 * Security events of accounts and sessions (sign-in, sign-out, password, MFA and passkey
 * changes). A port: the audit trail subscribes to it; until then they go to the log. An event
 * names the account by its opaque id only (never an email address, name or client address), and
 * carries nothing about health.
 */
export type SecurityEventType =
  | 'account.created'
  | 'email.verified'
  | 'sign-in'
  | 'sign-in.second-factor'
  | 'sign-out'
  | 'session.revoked'
  | 'password.reset'
  | 'password.changed'
  | 'mfa.enrolled'
  | 'mfa.disabled'
  | 'mfa.recovery-codes-renewed'
  | 'oidc.linked'
  | 'passkey.added'
  | 'passkey.renamed'
  | 'passkey.removed'
  | 'passkey.sign-count-regressed'
  | 'staff.created';

export interface SecurityEvent {
  type: SecurityEventType;
  outcome: 'success' | 'failure' | 'throttled';
  /** The account concerned, when there is one (a failed sign-in for an unknown name has none). */
  userId?: string | undefined;
  /** Who acted on the account when not its owner (an org admin creating staff). */
  byUserId?: string | undefined;
  method?: 'password' | 'oidc' | 'totp' | 'recovery-code' | 'passkey' | 'email-link' | 'cli' | undefined;
  /** A short machine-readable reason for a failure (wrong-password, locked, replayed-code…). */
  reason?: string | undefined;
  /** The session concerned (its public handle). */
  sessionId?: string | undefined;
  requestId?: string | undefined;
  /** Where the request came from; kept in the audit trail, never written to the log. */
  clientIp?: string | undefined;
  userAgent?: string | undefined;
  at: Date;
}

export interface SecurityEvents {
  record(event: SecurityEvent): void | Promise<void>;
}

/** The default sink: one JSON log line per event. */
export function loggingSecurityEvents(logger: Logger): SecurityEvents {
  const log = logger.child({ feature: 'accounts' });
  return {
    record(e) {
      const line = { event: e.type, outcome: e.outcome, userId: e.userId, byUserId: e.byUserId, method: e.method, reason: e.reason, sessionId: e.sessionId, reqId: e.requestId };
      if (e.outcome === 'success') log.info(line, 'security event');
      else log.warn(line, 'security event');
    },
  };
}
