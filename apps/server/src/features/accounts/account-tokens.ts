import type { Queryable } from '@kennebec/db';
import { hashToken, newToken } from './random.ts';

/**
 * Single-use links sent by email (verify an address, reset a password, set a first password).
 * Only the SHA-256 of the token is stored; consuming one is a single conditional UPDATE, so two
 * concurrent uses cannot both succeed. A link is void once used, once expired, once another
 * link of the same purpose has been used, and once the account's email address changes.
 */
export type TokenPurpose = 'verify-email' | 'reset-password' | 'set-password';

export const TOKEN_TTL_SECONDS: Record<TokenPurpose, number> = {
  'verify-email': 24 * 3600,
  'reset-password': 3600,
  'set-password': 72 * 3600,
};

/** Web pages (served later by the portal) that POST the token to the API. */
export const TOKEN_PAGES: Record<TokenPurpose, string> = {
  'verify-email': '/verify-email',
  'reset-password': '/reset-password',
  'set-password': '/set-password',
};

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export async function issueToken(db: Queryable, input: { userId: string; email: string; purpose: TokenPurpose; now: Date }): Promise<IssuedToken> {
  const token = newToken();
  const expiresAt = new Date(input.now.getTime() + TOKEN_TTL_SECONDS[input.purpose] * 1000);
  await db.query('insert into account_token (token_hash, user_id, purpose, email, created_at, expires_at) values ($1, $2, $3, $4, $5, $6)', [
    hashToken(token),
    input.userId,
    input.purpose,
    input.email,
    input.now.toISOString(),
    expiresAt.toISOString(),
  ]);
  return { token, expiresAt };
}

export function tokenLink(baseUrl: string, purpose: TokenPurpose, token: string): string {
  return `${baseUrl}${TOKEN_PAGES[purpose]}?token=${encodeURIComponent(token)}`;
}

/** Whether a link of this purpose went to this user within the last `seconds` (limits mail floods). */
export async function issuedRecently(db: Queryable, userId: string, purpose: TokenPurpose, now: Date, seconds = 60): Promise<boolean> {
  const res = await db.query('select 1 from account_token where user_id = $1 and purpose = $2 and created_at > $3 limit 1', [
    userId,
    purpose,
    new Date(now.getTime() - seconds * 1000).toISOString(),
  ]);
  return res.rows.length > 0;
}

const LIVE = `t.token_hash = $1 and t.used_at is null and t.expires_at > $2 and t.purpose = any($3::text[])
  and u.id = t.user_id and lower(u.email) = lower(t.email) and u.disabled_at is null`;

/** Whose token this is, if it is usable, without using it. */
export async function findToken(db: Queryable, token: string, purposes: readonly TokenPurpose[], now: Date): Promise<{ userId: string; purpose: TokenPurpose } | null> {
  if (token.length > 128) return null;
  const res = await db.query<{ user_id: string; purpose: TokenPurpose }>(
    `select t.user_id, t.purpose from account_token t, user_account u where ${LIVE}`,
    [hashToken(token), now.toISOString(), purposes],
  );
  const row = res.rows[0];
  return row ? { userId: row.user_id, purpose: row.purpose } : null;
}

/**
 * Uses a token of one of `purposes`: marks it used, voids the user's other open tokens of the
 * same purpose, and returns whose it was. Null when unknown, expired, used, or sent to an
 * address the account no longer has. Call inside the transaction that acts on it.
 */
export async function consumeToken(
  tx: Queryable,
  token: string,
  purposes: readonly TokenPurpose[],
  now: Date,
): Promise<{ userId: string; purpose: TokenPurpose } | null> {
  if (token.length > 128) return null;
  const res = await tx.query<{ user_id: string; purpose: TokenPurpose }>(
    `update account_token t set used_at = $2 from user_account u where ${LIVE} returning t.user_id, t.purpose`,
    [hashToken(token), now.toISOString(), purposes],
  );
  const row = res.rows[0];
  if (!row) return null;
  await tx.query('update account_token set used_at = $3 where user_id = $1 and purpose = $2 and used_at is null', [row.user_id, row.purpose, now.toISOString()]);
  return { userId: row.user_id, purpose: row.purpose };
}
