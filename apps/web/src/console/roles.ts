import type { StaffRole } from '../lib/session.tsx';

/** Who does what (as the server decides it: the enrollment and proxies features, authorizeAdmin). */
export const ENROLL_ROLES: readonly StaffRole[] = ['front-desk', 'nurse', 'provider', 'org-admin'];
export const PROXY_ROLES: readonly StaffRole[] = ['front-desk', 'org-admin'];
export const ADMIN_ROLES: readonly StaffRole[] = ['org-admin'];
/** Every role of an organization's staff: the staff console's area. */
export const ORG_ROLES: readonly StaffRole[] = ['front-desk', 'nurse', 'provider', 'billing', 'org-admin'];
/** HIE staff: the administration's area. */
export const HIE_ROLES: readonly StaffRole[] = ['hie-admin', 'hie-privacy-officer'];
/** Sources, the message log, and every change to the index. */
export const ACT_ROLES: readonly StaffRole[] = ['hie-admin'];
