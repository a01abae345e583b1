import type { Queryable } from '@kennebec/db';
import { record, type AccountsContext, type RequestInfo } from './context.ts';
import { OidcError, type ExternalIdentity, type OidcSignIn, type OidcTransaction } from './oidc.ts';
import type { Session } from './sessions.ts';
import { createSession } from './sessions.ts';
import { createAccount, EmailTakenError, findUserById } from './users.ts';

/**
 * What an external identity (issuer + subject) signs in to. The linking rule:
 *
 * - An identity already linked signs in to its account.
 * - A signed-in user who starts the flow links the identity to their own account (and it must
 *   not be linked to another).
 * - An unknown identity never joins an existing account by matching email: that would hand the
 *   account to whoever controls that address at the provider. If its verified email belongs to
 *   no account, a new patient account is created for it; if an account has that address, the
 *   user is told to sign in with their password first and link from there.
 * - An identity whose provider does not vouch for its email (email_verified) creates nothing.
 *
 * Later, an accepted invitation will be the other way to link. A staff account signed in this
 * way still needs its TOTP second factor.
 */
export async function findLinkedUser(db: Queryable, identity: Pick<ExternalIdentity, 'issuer' | 'subject'>): Promise<string | null> {
  const res = await db.query<{ user_id: string }>('select user_id from user_identity where issuer = $1 and subject = $2', [identity.issuer, identity.subject]);
  return res.rows[0]?.user_id ?? null;
}

async function link(db: Queryable, identity: ExternalIdentity, userId: string, now: Date): Promise<boolean> {
  const res = await db.query('insert into user_identity (issuer, subject, user_id, created_at) values ($1, $2, $3, $4) on conflict do nothing', [
    identity.issuer,
    identity.subject,
    userId,
    now.toISOString(),
  ]);
  return res.rowCount > 0 || (await findLinkedUser(db, identity)) === userId;
}

export interface OidcOutcome {
  /** A new session's token, unless the flow linked an identity to the session already open. */
  token: string | null;
  userId: string;
}

export async function completeOidcSignIn(
  ctx: AccountsContext,
  oidc: OidcSignIn,
  callbackUrl: URL,
  tx: OidcTransaction,
  current: Session | null,
  req: RequestInfo,
): Promise<OidcOutcome> {
  const identity = await oidc.finish(callbackUrl, tx);
  const now = ctx.clock.now();
  const linked = await findLinkedUser(ctx.db, identity);

  if (tx.linkUserId !== null) {
    if (!current || current.user.id !== tx.linkUserId || current.stage !== 'full') {
      throw new OidcError('Sign in again, then link your account from the same browser', 'link-session-changed');
    }
    if (linked !== null && linked !== current.user.id) throw new OidcError('This external account is already linked to another account', 'linked-elsewhere');
    if (!(await link(ctx.db, identity, current.user.id, now))) throw new OidcError('This external account is already linked to another account', 'linked-elsewhere');
    await record(ctx, req, { type: 'oidc.linked', outcome: 'success', userId: current.user.id, method: 'oidc', sessionId: current.id });
    return { token: null, userId: current.user.id };
  }

  let userId = linked;
  if (userId === null) {
    if (!identity.email || !identity.emailVerified) {
      throw new OidcError('The provider did not confirm an email address for this account, so no account can be created from it', 'email-unverified');
    }
    try {
      userId = await ctx.db.transaction(async (t) => {
        const id = await createAccount(t, { kind: 'patient', email: identity.email as string, displayName: identity.name ?? undefined, emailVerified: true }, now);
        await link(t, identity, id, now);
        return id;
      });
    } catch (err) {
      if (!(err instanceof EmailTakenError)) throw err;
      throw new OidcError(
        'An account with this email address already exists: sign in with your password, then link the external account from your account settings',
        'email-taken',
      );
    }
    await record(ctx, req, { type: 'account.created', outcome: 'success', userId, method: 'oidc' });
  }
  const user = await findUserById(ctx.db, userId);
  if (!user || user.disabledAt !== null) throw new OidcError('This account cannot sign in', 'disabled');
  const created = await createSession(ctx.db, { userId, method: 'oidc', userAgent: req.userAgent, now, timeouts: ctx.timeouts });
  await record(ctx, req, { type: 'sign-in', outcome: 'success', userId, method: 'oidc', sessionId: created.id });
  return { token: created.token, userId };
}
