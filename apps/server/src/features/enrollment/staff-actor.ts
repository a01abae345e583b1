import { requireOperation, type StaffRole, type UserActor } from '../access/index.ts';

/**
 * Who may enroll patients is decided by the access decision point (operation 'enroll': staff
 * of an organization at its front desk or in its care team, for that organization's patients
 * only). This holds the staff user the use cases act as once it has said yes.
 */
export interface EnrollingStaff {
  userId: string;
  orgId: string;
  roles: readonly StaffRole[];
  actor: UserActor;
}

export function enrollingStaff(actor: UserActor): EnrollingStaff {
  const orgId = requireOperation(actor, { operation: 'enroll' });
  return { userId: actor.userId, orgId, roles: actor.roles, actor };
}

export function requireOrgAdmin(staff: EnrollingStaff): void {
  requireOperation(staff.actor, { operation: 'enrollment-settings' });
}
