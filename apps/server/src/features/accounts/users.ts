import type { Queryable } from '@kennebec/db';
import type { StaffRole } from '../access/index.ts';
import { newId, toDate } from './random.ts';

/**
 * The user_account table: patients and staff in one table, email unique without regard to
 * case. Staff users also have a staff_member row (organization and roles), written by the
 * staff feature through createAccount's transaction.
 */
export type AccountKind = 'patient' | 'staff';

export interface UserRecord {
  id: string;
  kind: AccountKind;
  email: string;
  displayName: string | null;
  passwordHash: string | null;
  emailVerifiedAt: Date | null;
  createdAt: Date;
  disabledAt: Date | null;
  staff: { orgId: string | null; roles: StaffRole[] } | null;
}

interface UserRow {
  id: string;
  kind: AccountKind;
  email: string;
  display_name: string | null;
  password_hash: string | null;
  email_verified_at: string | Date | null;
  created_at: string | Date;
  disabled_at: string | Date | null;
  org_id: string | null;
  roles: StaffRole[] | string | null;
}

/** node-postgres parses text[]; PGlite too, but keep a fallback for the literal form. */
function roles(v: StaffRole[] | string | null): StaffRole[] {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  return v.replace(/^\{|\}$/g, '').split(',').filter((r) => r !== '') as StaffRole[];
}

export const USER_COLUMNS =
  'u.id, u.kind, u.email, u.display_name, u.password_hash, u.email_verified_at, u.created_at, u.disabled_at, s.org_id, s.roles';
export const USER_FROM = 'user_account u left join staff_member s on s.user_id = u.id';

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    kind: r.kind,
    email: r.email,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    emailVerifiedAt: r.email_verified_at === null ? null : toDate(r.email_verified_at),
    createdAt: toDate(r.created_at),
    disabledAt: r.disabled_at === null ? null : toDate(r.disabled_at),
    staff: r.kind === 'staff' ? { orgId: r.org_id, roles: roles(r.roles) } : null,
  };
}

/** Email as stored: trimmed, NFC. Comparison is lower(email). */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC');
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRecord | null> {
  const res = await db.query<UserRow>(`select ${USER_COLUMNS} from ${USER_FROM} where lower(u.email) = lower($1)`, [normalizeEmail(email)]);
  return res.rows[0] ? toUser(res.rows[0]) : null;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRecord | null> {
  const res = await db.query<UserRow>(`select ${USER_COLUMNS} from ${USER_FROM} where u.id = $1`, [id]);
  return res.rows[0] ? toUser(res.rows[0]) : null;
}

export interface NewAccount {
  kind: AccountKind;
  email: string;
  displayName?: string | undefined;
  passwordHash?: string | null;
  emailVerified?: boolean;
}

export class EmailTakenError extends Error {
  constructor() {
    super('An account with this email address already exists');
    this.name = 'EmailTakenError';
  }
}

/** Inserts an account; EmailTakenError when the address is in use (whatever its case). */
export async function createAccount(db: Queryable, input: NewAccount, now: Date): Promise<string> {
  const id = newId();
  const res = await db.query(
    `insert into user_account (id, kind, email, display_name, password_hash, email_verified_at, password_changed_at, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing`,
    [
      id,
      input.kind,
      normalizeEmail(input.email),
      input.displayName?.trim() || null,
      input.passwordHash ?? null,
      input.emailVerified ? now.toISOString() : null,
      input.passwordHash ? now.toISOString() : null,
      now.toISOString(),
    ],
  );
  if (res.rowCount === 0) throw new EmailTakenError();
  return id;
}

export async function setPasswordHash(db: Queryable, userId: string, hash: string, now: Date): Promise<void> {
  await db.query('update user_account set password_hash = $2, password_changed_at = $3 where id = $1', [userId, hash, now.toISOString()]);
}

export async function markEmailVerified(db: Queryable, userId: string, now: Date): Promise<void> {
  await db.query('update user_account set email_verified_at = coalesce(email_verified_at, $2) where id = $1', [userId, now.toISOString()]);
}
