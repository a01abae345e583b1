import type { Queryable } from '@kennebec/db';
import type { RequestInfo } from '../accounts/index.ts';
import { auditEntry } from './audit.ts';
import type { EnrollmentContext } from './context.ts';
import type { EnrollingStaff } from './staff-actor.ts';

/**
 * Per-organization enrollment settings. `identityCheck` is what the person must answer besides
 * the code when accepting: their date of birth (the default) or the last four digits of their
 * Social Security number (for organizations that record it).
 */
export const IDENTITY_CHECKS = ['birth-date', 'ssn-last4'] as const;
export type IdentityCheck = (typeof IDENTITY_CHECKS)[number];

export async function identityCheckOf(q: Queryable, orgId: string): Promise<IdentityCheck> {
  const res = await q.query<{ identity_check: IdentityCheck }>('select identity_check from enrollment_setting where org_id = $1', [orgId]);
  return res.rows[0]?.identity_check ?? 'birth-date';
}

export async function setIdentityCheck(ctx: EnrollmentContext, staff: EnrollingStaff, identityCheck: IdentityCheck, req: RequestInfo): Promise<void> {
  const now = ctx.clock.now().toISOString();
  await ctx.db.transaction(async (tx) => {
    await tx.query(
      `insert into enrollment_setting (org_id, identity_check, updated_by, updated_at) values ($1, $2, $3, $4)
       on conflict (org_id) do update set identity_check = excluded.identity_check, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [staff.orgId, identityCheck, staff.userId, now],
    );
    await ctx.audit.appendInTransaction(tx, [auditEntry({ ...staff, req }, 'enrollment-settings', { entities: [`Organization/${staff.orgId}`] })]);
  });
}
