import { apiErrors } from '../../http/api-errors.ts';
import { consumeToken, findToken, issuedRecently, issueToken, tokenLink, TOKEN_TTL_SECONDS } from './account-tokens.ts';
import { record, type AccountsContext, type RequestInfo } from './context.ts';
import { messages } from './messages.ts';
import { hashSecret, verifySecret } from './passwords/hash.ts';
import { checkPassword, normalizePassword } from './passwords/policy.ts';
import { deleteSessions, type Session } from './sessions.ts';
import { findUserById, findUserByEmail, markEmailVerified, setPasswordHash } from './users.ts';

/**
 * Forgotten passwords, first passwords of staff (the same flow, from a set-password link), and
 * changing a password while signed in. A reset or first password ends every session of the
 * account and clears its failed sign-in count; following the link also proves the address, so
 * it is marked verified.
 */
export async function forgotPassword(ctx: AccountsContext, email: string): Promise<void> {
  const user = await findUserByEmail(ctx.db, email);
  const now = ctx.clock.now();
  if (!user || user.disabledAt !== null || (await issuedRecently(ctx.db, user.id, 'reset-password', now))) return;
  const { token } = await issueToken(ctx.db, { userId: user.id, email: user.email, purpose: 'reset-password', now });
  ctx.sendLater(messages.resetPassword(user.email, tokenLink(ctx.baseUrl, 'reset-password', token), TOKEN_TTL_SECONDS['reset-password']));
}

export async function resetPassword(ctx: AccountsContext, token: string, password: string, req: RequestInfo): Promise<void> {
  const now = ctx.clock.now();
  // Check the token before spending argon2 on the password; it is used up only on success.
  const peek = await findToken(ctx.db, token, ['reset-password', 'set-password'], now);
  if (!peek) {
    await record(ctx, req, { type: 'password.reset', outcome: 'failure', reason: 'token-invalid' });
    throw apiErrors.tokenInvalid();
  }
  const user = await findUserById(ctx.db, peek.userId);
  if (!user) throw apiErrors.tokenInvalid();
  const reasons = checkPassword(password, ctx.passwordMinLength, { email: user.email, name: user.displayName ?? undefined });
  if (reasons.length > 0) throw apiErrors.passwordRejected(reasons);
  const hash = await hashSecret(normalizePassword(password));
  const used = await ctx.db.transaction(async (tx) => {
    const t = await consumeToken(tx, token, ['reset-password', 'set-password'], now);
    if (!t) return null;
    await setPasswordHash(tx, t.userId, hash, now);
    await markEmailVerified(tx, t.userId, now);
    await deleteSessions(tx, t.userId);
    return t;
  });
  if (!used) throw apiErrors.tokenInvalid();
  await ctx.throttle.clear(ctx.throttle.accountKey(user.email));
  await record(ctx, req, { type: 'password.reset', outcome: 'success', userId: used.userId, method: 'email-link', reason: used.purpose });
}

/** Changing the password while signed in needs the current one; other sessions end. */
export async function changePassword(ctx: AccountsContext, session: Session, current: string, next: string, req: RequestInfo): Promise<void> {
  const user = session.user;
  const wait = await ctx.throttle.retryAfter([ctx.throttle.accountKey(user.email)], ctx.clock.now());
  if (wait > 0) throw apiErrors.throttled(wait);
  const ok = await verifySecret(user.passwordHash, normalizePassword(current));
  if (!ok) {
    await ctx.throttle.recordFailure([ctx.throttle.accountKey(user.email)], ctx.clock.now());
    await record(ctx, req, { type: 'password.changed', outcome: 'failure', userId: user.id, reason: 'wrong-password' });
    throw apiErrors.signInFailed();
  }
  const reasons = checkPassword(next, ctx.passwordMinLength, { email: user.email, name: user.displayName ?? undefined });
  if (reasons.length > 0) throw apiErrors.passwordRejected(reasons);
  const hash = await hashSecret(normalizePassword(next));
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    await setPasswordHash(tx, user.id, hash, now);
    await deleteSessions(tx, user.id, session.id);
  });
  ctx.sendLater(messages.passwordChanged(user.email));
  await record(ctx, req, { type: 'password.changed', outcome: 'success', userId: user.id, sessionId: session.id });
}
