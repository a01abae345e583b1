import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { apiErrors } from '../../http/api-errors.ts';
import { record, type AccountsContext, type RequestInfo } from './context.ts';
import { messages } from './messages.ts';
import { PasskeyError, type PasskeySummary } from './passkeys.ts';
import type { SecurityEventType } from './security-events.ts';
import { createSession, markSecondFactor, type Session } from './sessions.ts';
import type { SignInResult } from './sign-in.ts';
import { findUserById } from './users.ts';

/**
 * Passkey use cases: adding one to a signed-in account, answering the second-factor prompt with
 * one, and signing in with one alone. Every outcome is a security event; a refusal is 400
 * KB-PASSKEY-REJECTED naming the reason, and a signature counter that went backwards is also
 * recorded as `passkey.sign-count-regressed` (a possible copy of the key).
 *
 * A passkey sign-in is multi-factor (something you have, unlocked by something you know or are:
 * user verification is required), so it starts a session whose second factor is already done,
 * for staff too (NIST SP 800-63B-4 §2.2.1, multi-factor cryptographic authenticators).
 */

/** The binding of a challenge asked for by a session. */
export const sessionBinding = (sessionId: string) => `s:${sessionId}`;

async function refused(ctx: AccountsContext, req: RequestInfo, err: unknown, type: SecurityEventType, sessionId?: string): Promise<never> {
  if (!(err instanceof PasskeyError)) throw err;
  await record(ctx, req, { type, outcome: 'failure', userId: err.userId, method: 'passkey', reason: err.reason, sessionId });
  if (err.reason === 'sign-count-regressed') {
    await record(ctx, req, { type: 'passkey.sign-count-regressed', outcome: 'failure', userId: err.userId, method: 'passkey', reason: err.reason, sessionId });
  }
  throw apiErrors.passkeyRejected(err.reason);
}

/** Registers a passkey; at stage mfa-enrol (staff) it also completes this session's second factor. */
export async function addPasskey(ctx: AccountsContext, session: Session, response: RegistrationResponseJSON, name: string, req: RequestInfo): Promise<PasskeySummary> {
  const now = ctx.clock.now();
  let added: PasskeySummary;
  try {
    added = await ctx.passkeys.register(session.user.id, sessionBinding(session.id), response, name, now);
  } catch (err) {
    return refused(ctx, req, err, 'passkey.added', session.id);
  }
  if (session.stage === 'mfa-enrol') await markSecondFactor(ctx.db, session.id, now);
  await record(ctx, req, { type: 'passkey.added', outcome: 'success', userId: session.user.id, method: 'passkey', sessionId: session.id });
  ctx.sendLater(messages.passkeyAdded(session.user.email));
  return added;
}

/** Completes a session waiting at mfa-verify with an assertion of one of the account's passkeys. */
export async function passkeySecondFactor(ctx: AccountsContext, session: Session, response: AuthenticationResponseJSON, req: RequestInfo): Promise<void> {
  const now = ctx.clock.now();
  try {
    await ctx.passkeys.verifyAssertion(sessionBinding(session.id), 'second-factor', response, now);
  } catch (err) {
    return refused(ctx, req, err, 'sign-in.second-factor', session.id);
  }
  await markSecondFactor(ctx.db, session.id, now);
  await record(ctx, req, { type: 'sign-in.second-factor', outcome: 'success', userId: session.user.id, method: 'passkey', sessionId: session.id });
}

/**
 * Passwordless sign-in with a discoverable credential. Failures count against the client
 * address like failed password sign-ins (there is no account name to count against).
 */
export async function signInWithPasskey(ctx: AccountsContext, binding: string, response: AuthenticationResponseJSON, req: RequestInfo): Promise<SignInResult> {
  const now = ctx.clock.now();
  const key = ctx.throttle.addressKey(req.ip);
  const wait = await ctx.throttle.retryAfter([key], now);
  if (wait > 0) {
    await record(ctx, req, { type: 'sign-in', outcome: 'throttled', method: 'passkey', reason: 'locked' });
    throw apiErrors.throttled(wait);
  }
  let userId: string;
  try {
    ({ userId } = await ctx.passkeys.verifyAssertion(binding, 'sign-in', response, now));
  } catch (err) {
    if (err instanceof PasskeyError) await ctx.throttle.recordFailure([key], now);
    return refused(ctx, req, err, 'sign-in');
  }
  const user = await findUserById(ctx.db, userId);
  if (!user || user.disabledAt !== null) {
    await ctx.throttle.recordFailure([key], now);
    await record(ctx, req, { type: 'sign-in', outcome: 'failure', userId, method: 'passkey', reason: 'disabled' });
    throw apiErrors.passkeyRejected('disabled');
  }
  const created = await createSession(ctx.db, { userId, method: 'passkey', userAgent: req.userAgent, now, timeouts: ctx.timeouts, multiFactor: true });
  await record(ctx, req, { type: 'sign-in', outcome: 'success', userId, method: 'passkey', sessionId: created.id });
  return { token: created.token, sessionId: created.id };
}
