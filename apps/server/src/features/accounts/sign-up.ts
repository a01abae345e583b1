import { apiErrors } from '../../http/api-errors.ts';
import { consumeToken, issuedRecently, issueToken, tokenLink, TOKEN_TTL_SECONDS } from './account-tokens.ts';
import { record, type AccountsContext, type RequestInfo } from './context.ts';
import { messages } from './messages.ts';
import { hashSecret } from './passwords/hash.ts';
import { checkPassword, normalizePassword } from './passwords/policy.ts';
import { createAccount, EmailTakenError, findUserByEmail, markEmailVerified, type UserRecord } from './users.ts';

/**
 * Patient sign-up and email verification. The answer to a sign-up is the same whether or not
 * the address already has an account (the owner of an existing one gets a mail saying so, with a
 * link to reset their password), and costs the same: the password is hashed either way and mail
 * goes out after the response.
 */
export interface SignUpInput {
  email: string;
  password: string;
  name?: string | undefined;
}

export async function signUp(ctx: AccountsContext, input: SignUpInput, req: RequestInfo): Promise<void> {
  const reasons = checkPassword(input.password, ctx.passwordMinLength, { email: input.email, name: input.name });
  if (reasons.length > 0) throw apiErrors.passwordRejected(reasons);
  const hash = await hashSecret(normalizePassword(input.password));
  const now = ctx.clock.now();
  let userId: string;
  try {
    userId = await createAccount(ctx.db, { kind: 'patient', email: input.email, displayName: input.name, passwordHash: hash }, now);
  } catch (err) {
    if (!(err instanceof EmailTakenError)) throw err;
    const existing = await findUserByEmail(ctx.db, input.email);
    if (existing && existing.disabledAt === null && !(await issuedRecently(ctx.db, existing.id, 'reset-password', now))) {
      const { token } = await issueToken(ctx.db, { userId: existing.id, email: existing.email, purpose: 'reset-password', now });
      ctx.sendLater(messages.accountExists(existing.email, tokenLink(ctx.baseUrl, 'reset-password', token), TOKEN_TTL_SECONDS['reset-password']));
    }
    await record(ctx, req, { type: 'account.created', outcome: 'failure', reason: 'email-taken' });
    return;
  }
  await sendVerification(ctx, { id: userId, email: input.email.trim() });
  await record(ctx, req, { type: 'account.created', outcome: 'success', userId, method: 'password' });
}

export async function sendVerification(ctx: AccountsContext, user: Pick<UserRecord, 'id' | 'email'>): Promise<void> {
  const now = ctx.clock.now();
  if (await issuedRecently(ctx.db, user.id, 'verify-email', now)) return;
  const { token } = await issueToken(ctx.db, { userId: user.id, email: user.email, purpose: 'verify-email', now });
  ctx.sendLater(messages.verifyEmail(user.email, tokenLink(ctx.baseUrl, 'verify-email', token), TOKEN_TTL_SECONDS['verify-email']));
}

/** Same answer whether or not the address has an account that needs verifying. */
export async function resendVerification(ctx: AccountsContext, email: string): Promise<void> {
  const user = await findUserByEmail(ctx.db, email);
  if (user && user.disabledAt === null && user.emailVerifiedAt === null) await sendVerification(ctx, user);
}

export async function verifyEmail(ctx: AccountsContext, token: string, req: RequestInfo): Promise<void> {
  const now = ctx.clock.now();
  const used = await ctx.db.transaction(async (tx) => {
    const t = await consumeToken(tx, token, ['verify-email'], now);
    if (t) await markEmailVerified(tx, t.userId, now);
    return t;
  });
  if (!used) {
    await record(ctx, req, { type: 'email.verified', outcome: 'failure', reason: 'token-invalid' });
    throw apiErrors.tokenInvalid();
  }
  await record(ctx, req, { type: 'email.verified', outcome: 'success', userId: used.userId, method: 'email-link' });
}
