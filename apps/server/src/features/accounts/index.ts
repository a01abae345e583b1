import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../deps.ts';
import type { ApiRegistry } from '../../http/api-routes.ts';
import type { AccountsContext } from './context.ts';
import { Mfa } from './mfa.ts';
import { mfaRoutes } from './mfa-routes.ts';
import { OidcSignIn } from './oidc.ts';
import { passkeyRoutes } from './passkey-routes.ts';
import { Passkeys, relyingPartyOf } from './passkeys.ts';
import { OIDC_CALLBACK_PATH, oidcRoutes } from './oidc-routes.ts';
import { prepareVerification } from './passwords/hash.ts';
import { accountRoutes } from './routes.ts';
import { SessionHttp } from './session-http.ts';
import { SignInThrottle } from './throttle.ts';

/**
 * Accounts of the patient portal and the staff console: sign-up, email verification, passwords,
 * sessions with CSRF protection, TOTP and recovery codes, passkeys (as a second factor and for
 * passwordless sign-in), sign-in with an OpenID Connect provider. Everything is reachable through the JSON API under /api (see /api/openapi.json).
 */
export function accountsContext(deps: AppDeps): AccountsContext {
  const { config, db, clock, logger, mailer, appKey, securityEvents } = deps;
  const timeouts = { idleSeconds: config.sessionIdleTimeout, absoluteSeconds: config.sessionAbsoluteTimeout };
  const log = logger.child({ feature: 'accounts' });
  return {
    db,
    clock,
    logger: log,
    baseUrl: config.baseUrl,
    passwordMinLength: config.passwordMinLength,
    timeouts,
    throttle: new SignInThrottle(db, appKey.derive('sign-in-throttle')),
    mfa: new Mfa(db, appKey.derive('totp-seal')),
    passkeys: new Passkeys(db, relyingPartyOf(config.baseUrl)),
    sessions: new SessionHttp({ db, clock, baseUrl: config.baseUrl, timeouts, csrfKey: appKey.derive('csrf') }),
    events: securityEvents,
    mailer,
    sendLater(message) {
      // Never the address or the subject in the log (an SMTP error message may quote the
      // recipient): only that a send failed and the SMTP codes.
      mailer.send(message).catch((err: unknown) => {
        const e = err as { code?: string; responseCode?: number; command?: string };
        log.error({ code: e.code, responseCode: e.responseCode, command: e.command }, 'mail not sent');
      });
    },
  };
}

export async function accountsPlugin(app: FastifyInstance, opts: { deps: AppDeps; api: ApiRegistry; ctx: AccountsContext }): Promise<void> {
  const { deps, api, ctx } = opts;
  await prepareVerification();
  const oidcConfig = deps.config.oidc;
  api.add(app, accountRoutes(ctx, oidcConfig ? ['password', 'passkey', 'oidc'] : ['password', 'passkey']));
  api.add(app, mfaRoutes(ctx));
  api.add(app, passkeyRoutes(ctx));
  if (oidcConfig) {
    const oidc = new OidcSignIn(oidcConfig, `${deps.config.baseUrl}${OIDC_CALLBACK_PATH}`, deps.appKey.derive('oidc-transaction'));
    api.add(app, oidcRoutes(ctx, oidc));
  }
}

export type { AccountsContext, RequestInfo } from './context.ts';
export { SessionHttp, actorOf, sessionOrBearer, CSRF_HEADER, type CurrentSession } from './session-http.ts';
export type { Session, SessionStage } from './sessions.ts';
export { loggingSecurityEvents, type SecurityEvent, type SecurityEvents, type SecurityEventType } from './security-events.ts';
export { setPasswordHash, markEmailVerified } from './users.ts';
export { base32Decode, totpAt, STEP_SECONDS } from './totp.ts';
export { createAccount, findUserByEmail, findUserById, EmailTakenError, normalizeEmail, type UserRecord, type AccountKind } from './users.ts';
export { issueToken, tokenLink, TOKEN_TTL_SECONDS, type TokenPurpose } from './account-tokens.ts';
export { messages as accountMessages } from './messages.ts';
export { record as recordSecurityEvent } from './context.ts';
export { checkPassword } from './passwords/policy.ts';
export { requestInfo } from './routes.ts';
export { email as emailSchema } from './schema.ts';
export { hashSecret, verifySecret } from './passwords/hash.ts';
