import type { Database, Queryable } from '@kennebec/db';
import { STAFF_ROLES, type StaffRole, type UserActor } from '../access/index.ts';
import { createAccount, EmailTakenError, issueToken, normalizeEmail, tokenLink } from '../accounts/index.ts';

/**
 * Staff users: an account of kind `staff` with an organization (a registered data source) and
 * roles. Org roles (front desk, nurse, provider, billing, org admin) need an organization;
 * HIE roles (privacy officer, HIE admin) work across the HIE and may have none. A new staff user
 * has no password: they choose one through a single-use set-password link (72 hours), then must
 * enrol TOTP at first sign-in.
 */
export const ORG_ROLES: readonly StaffRole[] = ['front-desk', 'nurse', 'provider', 'billing', 'org-admin'];
export const HIE_ROLES: readonly StaffRole[] = ['hie-privacy-officer', 'hie-admin'];

export class StaffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StaffError';
  }
}

export interface NewStaffUser {
  email: string;
  roles: readonly string[];
  orgId?: string | null | undefined;
  name?: string | undefined;
}

export interface CreatedStaffUser {
  id: string;
  email: string;
  orgId: string | null;
  roles: StaffRole[];
  /** The one-time link to choose a password. */
  setPasswordUrl: string;
  setPasswordExpiresAt: string;
}

export function validateRoles(roles: readonly string[], orgId: string | null): StaffRole[] {
  const unknown = roles.filter((r) => !(STAFF_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new StaffError(`Unknown role(s) ${unknown.map((r) => `'${r}'`).join(', ')}; roles are ${STAFF_ROLES.join(', ')}`);
  const set = [...new Set(roles)] as StaffRole[];
  if (set.length === 0) throw new StaffError('A staff user needs at least one role');
  if (orgId === null && set.some((r) => ORG_ROLES.includes(r))) throw new StaffError(`Roles ${ORG_ROLES.join(', ')} need an organization (--org)`);
  return set;
}

export async function createStaffUser(deps: { db: Database; baseUrl: string; now: Date }, input: NewStaffUser): Promise<CreatedStaffUser> {
  const orgId = input.orgId ?? null;
  const roles = validateRoles(input.roles, orgId);
  const email = normalizeEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new StaffError(`'${input.email}' is not an email address`);
  return deps.db.transaction(async (tx) => {
    if (orgId !== null) {
      const org = await tx.query('select 1 from data_source where org_id = $1', [orgId]);
      if (org.rows.length === 0) throw new StaffError(`No organization (data source) with id '${orgId}' (see: kennebec org create)`);
    }
    let id: string;
    try {
      id = await createAccount(tx, { kind: 'staff', email, displayName: input.name }, deps.now);
    } catch (err) {
      if (err instanceof EmailTakenError) throw new StaffError('An account with this email address already exists');
      throw err;
    }
    await tx.query('insert into staff_member (user_id, org_id, roles) values ($1, $2, $3::text[])', [id, orgId, roles]);
    const { token, expiresAt } = await issueToken(tx, { userId: id, email, purpose: 'set-password', now: deps.now });
    return { id, email, orgId, roles, setPasswordUrl: tokenLink(deps.baseUrl, 'set-password', token), setPasswordExpiresAt: expiresAt.toISOString() };
  });
}

export interface StaffListEntry {
  id: string;
  email: string;
  name: string | null;
  orgId: string | null;
  roles: StaffRole[];
  passwordSet: boolean;
  disabled: boolean;
}

export async function listStaff(db: Queryable, orgId: string | null): Promise<StaffListEntry[]> {
  const res = await db.query<{ id: string; email: string; display_name: string | null; org_id: string | null; roles: StaffRole[]; has_password: boolean; disabled: boolean }>(
    `select u.id, u.email, u.display_name, s.org_id, s.roles, u.password_hash is not null as has_password, u.disabled_at is not null as disabled
       from staff_member s join user_account u on u.id = s.user_id
      where ($1::text is null or s.org_id = $1) order by lower(u.email)`,
    [orgId],
  );
  return res.rows.map((r) => ({ id: r.id, email: r.email, name: r.display_name, orgId: r.org_id, roles: r.roles, passwordSet: r.has_password, disabled: r.disabled }));
}

/**
 * Who may create staff users where: an HIE admin anywhere with any role; an org admin in their
 * own organization with org roles only.
 */
export function mayManageStaff(actor: UserActor, orgId: string | null, roles: readonly StaffRole[]): boolean {
  if (actor.accountKind !== 'staff') return false;
  if (actor.roles.includes('hie-admin')) return true;
  return actor.roles.includes('org-admin') && orgId !== null && actor.orgId === orgId && roles.every((r) => ORG_ROLES.includes(r));
}
