export { createStaffUser, listStaff, mayManageStaff, validateRoles, StaffError, ORG_ROLES, HIE_ROLES, type NewStaffUser, type CreatedStaffUser, type StaffListEntry } from './staff.ts';
export { staffPlugin } from './routes.ts';
