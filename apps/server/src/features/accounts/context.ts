import type { Logger } from 'pino';
import type { Database } from '@kennebec/db';
import type { Clock } from '../../deps.ts';
import type { Mailer, MailMessage } from '../mail/index.ts';
import type { Mfa } from './mfa.ts';
import type { Passkeys } from './passkeys.ts';
import type { SecurityEvent, SecurityEvents } from './security-events.ts';
import type { SessionHttp } from './session-http.ts';
import type { SessionTimeouts } from './sessions.ts';
import type { SignInThrottle } from './throttle.ts';

/** What the account use cases need, built once by accountsContext() in index.ts. */
export interface AccountsContext {
  db: Database;
  clock: Clock;
  logger: Logger;
  baseUrl: string;
  passwordMinLength: number;
  timeouts: SessionTimeouts;
  throttle: SignInThrottle;
  mfa: Mfa;
  passkeys: Passkeys;
  sessions: SessionHttp;
  events: SecurityEvents;
  /** Sends after the response has gone: the answer's timing never depends on the mail server. */
  sendLater(message: MailMessage): void;
  mailer: Mailer;
}

/** Who is asking: for throttling by address and for the security events. */
export interface RequestInfo {
  ip: string;
  userAgent: string | undefined;
  requestId: string;
}

export async function record(ctx: AccountsContext, req: RequestInfo | undefined, event: Omit<SecurityEvent, 'at' | 'requestId'>): Promise<void> {
  try {
    await ctx.events.record({ ...event, at: ctx.clock.now(), requestId: req?.requestId, clientIp: req?.ip, userAgent: req?.userAgent });
  } catch (err) {
    ctx.logger.error({ err, event: event.type }, 'security event not recorded');
  }
}
