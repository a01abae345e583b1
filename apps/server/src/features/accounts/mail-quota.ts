import { apiErrors } from '../../http/api-errors.ts';
import type { AccountsContext, RequestInfo } from './context.ts';

/**
 * Limits on account mail that anyone may ask for without signing in (sign-up, a new
 * confirmation link, a password reset), so that the server cannot be used to flood a mailbox
 * or to mail many strangers. Per recipient the limit is silent: the answer stays the same and
 * nothing is sent, so it reveals nothing about the address. Per client address the caller is
 * told to slow down (429), which says nothing about any account.
 */
export async function mayMail(ctx: AccountsContext, email: string, req: RequestInfo): Promise<boolean> {
  const now = ctx.clock.now();
  const from = ctx.throttle.mailFromKey(req.ip);
  const wait = await ctx.throttle.retryAfter([from], now);
  if (wait > 0) throw apiErrors.throttled(wait);
  const to = ctx.throttle.mailToKey(email);
  const blocked = (await ctx.throttle.retryAfter([to], now)) > 0;
  await ctx.throttle.recordFailure(blocked ? [from] : [from, to], now);
  return !blocked;
}
