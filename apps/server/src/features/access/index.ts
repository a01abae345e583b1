export type { Actor, ActingFor, ClientActor, SystemActor, GrantedScope, Interaction } from './actor.ts';
export { actorReference, actorOrganization, actorPurpose } from './actor.ts';
export { authorize, authorizeAuditRead, authorizeSource, isPermitted, type AccessRequest, type AuditAccess } from './authorize.ts';
