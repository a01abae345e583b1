import type { StaffRole } from '../lib/session.tsx';

/** Who does what in the HIE administration (as the server's authorizeAdmin decides it). */
export const HIE_ROLES: readonly StaffRole[] = ['hie-admin', 'hie-privacy-officer'];
/** Sources, the message log, and every change to the index. */
export const ACT_ROLES: readonly StaffRole[] = ['hie-admin'];
