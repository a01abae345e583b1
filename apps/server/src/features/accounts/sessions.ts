import type { Queryable } from '@kennebec/db';
import { hashToken, iso, newId, newToken, toDate } from './random.ts';
import type { ActingFor } from '../access/index.ts';
import { USER_COLUMNS, toUser, type UserRecord } from './users.ts';

/**
 * Server-side sessions. The cookie holds 256 random bits; the table keeps their SHA-256 and a
 * separate random handle (`id`) by which the user lists and ends sessions. A session ends after
 * `idle` seconds without a request or `absolute` seconds after sign-in, whichever comes first
 * (OWASP Session Management; NIST SP 800-63B-4 §2.2.3 for AAL2: 12 h overall, 30 min idle
 * at most). Times come from the application clock.
 *
 * The stage says how far sign-in has got: `full`, or waiting for the second factor, which staff
 * must always use (enrol first, then verify) and patients when they have enrolled TOTP. A passkey
 * answers a second-factor prompt too, and for staff counts as their second factor; a sign-in with
 * a passkey alone is multi-factor from the start (see docs/adr/0008-passkeys.md).
 */
export type SessionStage = 'full' | 'mfa-enrol' | 'mfa-verify';

export type AuthMethod = 'password' | 'oidc' | 'passkey';

export interface SessionTimeouts {
  idleSeconds: number;
  absoluteSeconds: number;
}

export interface Session {
  id: string;
  user: UserRecord;
  authMethod: AuthMethod;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  mfaAt: Date | null;
  totpConfirmed: boolean;
  /** How many passkeys the account has. */
  passkeys: number;
  stage: SessionStage;
  /** When it ends if no request comes: min(lastSeen + idle, expiresAt). */
  idleExpiresAt: Date;
  /** The patient a proxy has switched to in this session (set by the proxies feature), if any. */
  actingFor: ActingFor | null;
}

/** A last-seen time is written at most this often, so that reads do not all become writes. */
const TOUCH_EVERY_MS = 30_000;

export function stageOf(user: Pick<UserRecord, 'kind'>, factors: { totp: boolean; passkeys: number }, mfaAt: Date | null): SessionStage {
  if (mfaAt !== null) return 'full';
  if (user.kind === 'staff') return factors.totp || factors.passkeys > 0 ? 'mfa-verify' : 'mfa-enrol';
  // A patient's passkey is another way in, not a gate on the password (ADR 0008).
  return factors.totp ? 'mfa-verify' : 'full';
}

export async function createSession(
  db: Queryable,
  input: { userId: string; method: AuthMethod; userAgent: string | undefined; now: Date; timeouts: SessionTimeouts; multiFactor?: boolean },
): Promise<{ token: string; id: string }> {
  const token = newToken();
  const id = newId();
  const expiresAt = new Date(input.now.getTime() + input.timeouts.absoluteSeconds * 1000);
  // Sessions that ended without being presented again are removed at the user's next sign-in.
  await db.query('delete from user_session where user_id = $1 and (expires_at <= $2 or last_seen_at <= $3)', [
    input.userId,
    input.now.toISOString(),
    new Date(input.now.getTime() - input.timeouts.idleSeconds * 1000).toISOString(),
  ]);
  await db.query(
    `insert into user_session (id, token_hash, user_id, auth_method, created_at, last_seen_at, expires_at, user_agent, mfa_at)
     values ($1, $2, $3, $4, $5, $5, $6, $7, $8)`,
    [id, hashToken(token), input.userId, input.method, input.now.toISOString(), expiresAt.toISOString(), input.userAgent?.slice(0, 200) ?? null, input.multiFactor ? input.now.toISOString() : null],
  );
  return { token, id };
}

interface SessionRow {
  session_id: string;
  auth_method: AuthMethod;
  session_created_at: string | Date;
  last_seen_at: string | Date;
  expires_at: string | Date;
  mfa_at: string | Date | null;
  totp_confirmed: boolean;
  passkeys: number | string;
  acting_grant_id: string | null;
  acting_patient_id: string | null;
  acting_org_id: string | null;
}

/**
 * The live session of a cookie token, its last-seen time refreshed; null when there is none or
 * it has ended (an ended session is deleted), or its account is disabled.
 */
export async function loadSession(db: Queryable, token: string, now: Date, timeouts: SessionTimeouts): Promise<Session | null> {
  if (token.length > 128) return null;
  const res = await db.query<SessionRow & Parameters<typeof toUser>[0]>(
    `select us.id as session_id, us.auth_method, us.created_at as session_created_at, us.last_seen_at, us.expires_at, us.mfa_at,
            exists (select 1 from mfa_totp t where t.user_id = u.id and t.confirmed_at is not null) as totp_confirmed,
            (select count(*) from passkey p where p.user_id = u.id) as passkeys,
            pg.id as acting_grant_id, pg.subject_patient_id as acting_patient_id, pg.org_id as acting_org_id,
            ${USER_COLUMNS}
       from user_session us
       join user_account u on u.id = us.user_id
       left join staff_member s on s.user_id = u.id
       left join proxy_grant pg on pg.id = us.acting_grant_id and pg.revoked_at is null and pg.proxy_user_id = us.user_id
      where us.token_hash = $1`,
    [hashToken(token)],
    { prepare: true },
  );
  const row = res.rows[0];
  if (!row) return null;
  const lastSeenAt = toDate(row.last_seen_at);
  const expiresAt = toDate(row.expires_at);
  const idleEnd = lastSeenAt.getTime() + timeouts.idleSeconds * 1000;
  const user = toUser(row);
  if (now.getTime() >= expiresAt.getTime() || now.getTime() >= idleEnd || user.disabledAt !== null) {
    await db.query('delete from user_session where id = $1', [row.session_id]);
    return null;
  }
  let seen = lastSeenAt;
  if (now.getTime() - lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db.query('update user_session set last_seen_at = $2 where id = $1', [row.session_id, now.toISOString()]);
    seen = now;
  }
  const mfaAt = row.mfa_at === null ? null : toDate(row.mfa_at);
  const passkeys = Number(row.passkeys);
  return {
    id: row.session_id,
    user,
    authMethod: row.auth_method,
    createdAt: toDate(row.session_created_at),
    lastSeenAt: seen,
    expiresAt,
    mfaAt,
    totpConfirmed: row.totp_confirmed,
    passkeys,
    stage: stageOf(user, { totp: row.totp_confirmed, passkeys }, mfaAt),
    idleExpiresAt: new Date(Math.min(seen.getTime() + timeouts.idleSeconds * 1000, expiresAt.getTime())),
    actingFor:
      row.acting_grant_id !== null && row.acting_patient_id !== null && row.acting_org_id !== null
        ? { grantId: row.acting_grant_id, patientId: row.acting_patient_id, orgId: row.acting_org_id }
        : null,
  };
}

export async function markSecondFactor(db: Queryable, sessionId: string, now: Date): Promise<void> {
  await db.query('update user_session set mfa_at = $2 where id = $1', [sessionId, now.toISOString()]);
}

export interface SessionSummary {
  id: string;
  authMethod: AuthMethod;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

/** The user's sessions that have not ended, newest first. */
export async function listSessions(db: Queryable, userId: string, now: Date, timeouts: SessionTimeouts): Promise<SessionSummary[]> {
  const res = await db.query<{ id: string; auth_method: AuthMethod; created_at: string | Date; last_seen_at: string | Date; expires_at: string | Date; user_agent: string | null }>(
    `select id, auth_method, created_at, last_seen_at, expires_at, user_agent from user_session
      where user_id = $1 and expires_at > $2 and last_seen_at > $3 order by created_at desc, id`,
    [userId, now.toISOString(), new Date(now.getTime() - timeouts.idleSeconds * 1000).toISOString()],
  );
  return res.rows.map((r) => ({
    id: r.id,
    authMethod: r.auth_method,
    createdAt: iso(r.created_at) as string,
    lastSeenAt: iso(r.last_seen_at) as string,
    expiresAt: iso(r.expires_at) as string,
    userAgent: r.user_agent,
  }));
}

export async function deleteSession(db: Queryable, userId: string, sessionId: string): Promise<boolean> {
  const res = await db.query('delete from user_session where user_id = $1 and id = $2', [userId, sessionId]);
  return res.rowCount > 0;
}

/** Ends every session of the user, except `keep` when given; returns how many ended. */
export async function deleteSessions(db: Queryable, userId: string, keep?: string): Promise<number> {
  const res = keep
    ? await db.query('delete from user_session where user_id = $1 and id <> $2', [userId, keep])
    : await db.query('delete from user_session where user_id = $1', [userId]);
  return res.rowCount;
}
