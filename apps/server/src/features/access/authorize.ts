import { errors } from '@kennebec/fhir';
import { actorOrganization, type Actor, type Interaction } from './actor.ts';
import { decide, type Action } from './decide.ts';
import { defaultPurpose } from './access-point.ts';

/**
 * Type-level checks for callers that have no patient context (imports, ingestion, operations
 * over every patient): a thin wrapper over `decide` that permits only when the permit is
 * unrestricted. A permit limited to some patients (a portal user, staff of an organization)
 * is "no" here: those callers must go through AccessPoint, which applies the limit.
 */
export interface AccessRequest {
  resourceType: string;
  interaction: Interaction;
}

const ACTIONS: Record<Interaction, Action> = { c: 'create', r: 'read', u: 'update', d: 'delete', s: 'search' };

export function isPermitted(actor: Actor, req: AccessRequest): boolean {
  const d = decide({ actor, self: [], proxies: [] }, { action: ACTIONS[req.interaction], resourceType: req.resourceType, patients: 'any', purpose: defaultPurpose(actor) });
  return d.permit && d.scope.kind === 'all';
}

/** Throws 403 (with the scope that would be needed) when the actor may not do this. */
export function authorize(actor: Actor, req: AccessRequest): void {
  if (!isPermitted(actor, req)) {
    const action = ACTIONS[req.interaction];
    if (actor.kind === 'user') throw errors.forbidden(`Not permitted to ${action} ${req.resourceType}`);
    throw errors.forbidden(`Not permitted to ${action} ${req.resourceType}: requires scope system/${req.resourceType}.${req.interaction}`);
  }
}

/**
 * Sending data into the HIE as a source: the actor must belong to a registered data source and
 * hold the scope for what it sends. Returns the source's organization id.
 */
export function authorizeSource(actor: Actor, req: AccessRequest): string {
  const orgId = actorOrganization(actor);
  if (!orgId) throw errors.forbidden("Only a data source's client may send data to the HIE");
  authorize(actor, req);
  return orgId;
}

/**
 * How much of the audit trail an actor may read: all of it, or only the entries that concern
 * some patients. Each kind of reader is decided here and nowhere else, so adding one (an HIE
 * privacy officer: all; a patient: the entries about their own records; a proxy: those of the
 * people they act for) is a change to this function only.
 */
export type AuditAccess = { scope: 'all' } | { scope: 'patients'; patients: readonly string[] };

/**
 * For now only a client granted an AuditEvent scope by name reads the trail
 * (`system/AuditEvent.rs`); a wildcard such as `system/*.rs` does not, because the trail
 * tells who looked at whose records and is granted on purpose.
 */
export function authorizeAuditRead(actor: Actor, interaction: 'r' | 's'): AuditAccess {
  if (actor.kind === 'client' && actor.scopes.some((s) => s.context === 'system' && s.resourceType === 'AuditEvent' && s.interactions.has(interaction))) {
    return { scope: 'all' };
  }
  throw errors.forbidden(`Not permitted to ${ACTIONS[interaction]} AuditEvent: requires scope system/AuditEvent.${interaction} granted by name`);
}
