import type { StaffRole } from '../lib/session.tsx';

/** Who does what at the desk (as the server decides it: enrollment and proxies features). */
export const ENROLL_ROLES: readonly StaffRole[] = ['front-desk', 'nurse', 'provider', 'org-admin'];
export const PROXY_ROLES: readonly StaffRole[] = ['front-desk', 'org-admin'];
export const ADMIN_ROLES: readonly StaffRole[] = ['org-admin'];
/** Every role of an organization's staff: the console's area. */
export const ORG_ROLES: readonly StaffRole[] = ['front-desk', 'nurse', 'provider', 'billing', 'org-admin'];
