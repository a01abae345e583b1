import { errors } from '@kennebec/fhir';
import type { StaffRole, UserActor } from '../access/index.ts';

/**
 * Who may enroll patients: staff of an organization at its front desk or in its care team
 * (front desk, nurse, provider, org admin), for that organization's patients only. Billing
 * staff, HIE-wide staff and patients may not.
 */
export const ENROLLING_ROLES: readonly StaffRole[] = ['front-desk', 'nurse', 'provider', 'org-admin'];

export interface EnrollingStaff {
  userId: string;
  orgId: string;
  roles: readonly StaffRole[];
}

export function enrollingStaff(actor: UserActor): EnrollingStaff {
  if (actor.accountKind !== 'staff' || actor.orgId === null || !actor.roles.some((r) => ENROLLING_ROLES.includes(r))) {
    throw errors.forbidden(`Only staff of an organization (${ENROLLING_ROLES.join(', ')}) may enroll its patients`);
  }
  return { userId: actor.userId, orgId: actor.orgId, roles: actor.roles };
}

export function requireOrgAdmin(staff: EnrollingStaff): void {
  if (!staff.roles.includes('org-admin')) throw errors.forbidden("Only an org admin may change the organization's enrollment settings");
}
