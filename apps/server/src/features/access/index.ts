export type { Actor, AccessContext, ActingFor, ClientActor, SystemActor, UserActor, StaffRole, GrantedScope, Interaction } from './actor.ts';
export { actorReference, actorOrganization, actorPurpose, STAFF_ROLES } from './actor.ts';
export { authorize, authorizeAuditRead, authorizeSource, isPermitted, type AccessRequest, type AuditAccess } from './authorize.ts';
export { authorizeAdmin, mayAdminister, rolesFor, adminCallers, ADMIN_CAPABILITIES, type AdminCapability } from './admin.ts';
export { AdminGate, type AdminGateDeps, type AdminAuditSink, type AdminEvent, type AdminGuard } from './admin-gate.ts';
export {
  decide,
  decideOperation,
  requireOperation,
  visibleUnder,
  type OperationDecision,
  type OperationRequest,
  type StaffOperation,
  PURPOSES,
  type Action,
  type Decision,
  type DecisionRequest,
  type PatientGroup,
  type PatientScope,
  type Principal,
  type ProxySubject,
  type PurposeOfUse,
} from './decide.ts';
export { AccessPoint, defaultPurpose, type AccessPointDeps } from './access-point.ts';
export { ownersOf, labelsOfResource, isPatientData, OWNER_SEARCH_PARAMS } from './compartment.ts';
export {
  sqlRecordIndex,
  noPatientLinks,
  noProxyGrants,
  type PatientLinks,
  type ProxyGrants,
  type ProxySubjectGrant,
  type RecordIndex,
} from './ports.ts';
