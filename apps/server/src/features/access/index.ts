export type { Actor, ClientActor, SystemActor, GrantedScope, Interaction } from './actor.ts';
export { actorReference, actorOrganization } from './actor.ts';
export { authorize, authorizeSource, isPermitted, type AccessRequest } from './authorize.ts';
