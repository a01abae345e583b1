export type { Actor, AccessContext, ActingFor, ClientActor, SystemActor, UserActor, StaffRole, GrantedScope, Interaction } from './actor.ts';
export { actorReference, actorOrganization, actorPurpose, STAFF_ROLES } from './actor.ts';
export { authorize, authorizeAuditRead, authorizeSource, isPermitted, type AccessRequest, type AuditAccess } from './authorize.ts';
