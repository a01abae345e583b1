import { apiErrors } from '../../http/api-errors.ts';
import { record, type AccountsContext, type RequestInfo } from './context.ts';
import { verifySecret } from './passwords/hash.ts';
import { normalizePassword } from './passwords/policy.ts';
import { sendVerification } from './sign-up.ts';
import { createSession, markSecondFactor, type Session } from './sessions.ts';
import { findUserByEmail } from './users.ts';

/**
 * Password sign-in and the second factor. Every failure (unknown address, wrong password,
 * disabled account, account without a password) gets the same 401 after the same work (one
 * argon2 verification, against a dummy hash when there is no account), and counts against the
 * name tried and the client address alike; a locked name or address gets 429 before any
 * password is checked. A new session is created at every sign-in (never reusing one the
 * browser presents), so a session id planted before sign-in is worthless.
 */
export interface SignInResult {
  token: string;
  sessionId: string;
}

export async function signIn(ctx: AccountsContext, email: string, password: string, req: RequestInfo): Promise<SignInResult> {
  const now = ctx.clock.now();
  const keys = [ctx.throttle.accountKey(email), ctx.throttle.addressKey(req.ip)];
  const wait = await ctx.throttle.retryAfter(keys, now);
  if (wait > 0) {
    await record(ctx, req, { type: 'sign-in', outcome: 'throttled', method: 'password', reason: 'locked' });
    throw apiErrors.throttled(wait);
  }
  const user = await findUserByEmail(ctx.db, email);
  const ok = await verifySecret(user?.passwordHash, normalizePassword(password));
  if (!user || !ok || user.disabledAt !== null) {
    await ctx.throttle.recordFailure(keys, now);
    await record(ctx, req, { type: 'sign-in', outcome: 'failure', userId: user?.id, method: 'password', reason: !user ? 'unknown-account' : !ok ? 'wrong-password' : 'disabled' });
    throw apiErrors.signInFailed();
  }
  await ctx.throttle.clear(keys[0] as (typeof keys)[0]);
  // Only someone who knows the password learns that the address is unverified.
  if (user.kind === 'patient' && user.emailVerifiedAt === null) {
    await sendVerification(ctx, user);
    await record(ctx, req, { type: 'sign-in', outcome: 'failure', userId: user.id, method: 'password', reason: 'email-unverified' });
    throw apiErrors.emailUnverified();
  }
  const created = await createSession(ctx.db, { userId: user.id, method: 'password', userAgent: req.userAgent, now, timeouts: ctx.timeouts });
  await record(ctx, req, { type: 'sign-in', outcome: 'success', userId: user.id, method: 'password', sessionId: created.id });
  return { token: created.token, sessionId: created.id };
}

/** Completes sign-in with a TOTP code or a recovery code (throttled per account). */
export async function verifySecondFactor(ctx: AccountsContext, session: Session, input: { code?: string | undefined; recoveryCode?: string | undefined }, req: RequestInfo): Promise<void> {
  const now = ctx.clock.now();
  const key = ctx.throttle.codeKey(session.user.id);
  const wait = await ctx.throttle.retryAfter([key], now);
  if (wait > 0) {
    await record(ctx, req, { type: 'sign-in.second-factor', outcome: 'throttled', userId: session.user.id, sessionId: session.id });
    throw apiErrors.throttled(wait);
  }
  const method = input.code !== undefined ? 'totp' : 'recovery-code';
  const ok =
    input.code !== undefined
      ? await ctx.mfa.verifyTotp(session.user.id, input.code, now)
      : await ctx.mfa.useRecoveryCode(session.user.id, input.recoveryCode ?? '', now);
  if (!ok) {
    await ctx.throttle.recordFailure([key], now);
    await record(ctx, req, { type: 'sign-in.second-factor', outcome: 'failure', userId: session.user.id, method, sessionId: session.id, reason: 'code-invalid' });
    throw apiErrors.codeInvalid();
  }
  await ctx.throttle.clear(key);
  await markSecondFactor(ctx.db, session.id, now);
  await record(ctx, req, { type: 'sign-in.second-factor', outcome: 'success', userId: session.user.id, method, sessionId: session.id });
}
