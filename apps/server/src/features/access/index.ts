export type { Actor, ActingFor, ClientActor, SystemActor, UserActor, StaffRole, GrantedScope, Interaction } from './actor.ts';
export { actorReference, actorOrganization, STAFF_ROLES } from './actor.ts';
export { authorize, authorizeSource, isPermitted, type AccessRequest } from './authorize.ts';
