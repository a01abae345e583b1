import { errors } from '@kennebec/fhir';
import type { Actor, StaffRole } from './actor.ts';
import { isPermitted, type AccessRequest } from './authorize.ts';

/**
 * Who may administer the HIE: its data sources, the inbound message log and the master patient
 * index. Two kinds of caller:
 * - HIE staff, signed in (second factor done): an HIE admin may do everything here; an HIE
 *   privacy officer may look at the index (Persons, link history, the review queue) but not
 *   change it. Staff of an organization and patients may do none of it.
 * - automation: an OAuth client (or the server itself) holding the SMART system scope that
 *   stands for the capability, on Organization for sources and messages, on Person for the index.
 */
export type AdminCapability =
  | 'sources.read'
  | 'sources.create'
  | 'sources.certificates'
  | 'messages.read'
  | 'messages.reprocess'
  | 'mpi.read'
  | 'mpi.act';

export const ADMIN_CAPABILITIES: Readonly<Record<StaffRole, readonly AdminCapability[]>> = {
  'hie-admin': ['sources.read', 'sources.create', 'sources.certificates', 'messages.read', 'messages.reprocess', 'mpi.read', 'mpi.act'],
  'hie-privacy-officer': ['mpi.read'],
  'front-desk': [],
  nurse: [],
  provider: [],
  billing: [],
  'org-admin': [],
};

/** The scope a client needs for each capability. */
const CLIENT_SCOPE: Readonly<Record<AdminCapability, AccessRequest>> = {
  'sources.read': { resourceType: 'Organization', interaction: 's' },
  'sources.create': { resourceType: 'Organization', interaction: 'c' },
  'sources.certificates': { resourceType: 'Organization', interaction: 'u' },
  'messages.read': { resourceType: 'Organization', interaction: 's' },
  'messages.reprocess': { resourceType: 'Organization', interaction: 'u' },
  'mpi.read': { resourceType: 'Person', interaction: 's' },
  'mpi.act': { resourceType: 'Person', interaction: 'u' },
};

const WHAT: Readonly<Record<AdminCapability, string>> = {
  'sources.read': 'list data sources',
  'sources.create': 'register data sources',
  'sources.certificates': "change data sources' certificates",
  'messages.read': 'read the inbound message log',
  'messages.reprocess': 'reprocess inbound messages',
  'mpi.read': 'read the master patient index',
  'mpi.act': 'change the master patient index',
};

/** The staff roles that hold a capability (for the route gate's list of callers). */
export function rolesFor(capability: AdminCapability): StaffRole[] {
  return (Object.keys(ADMIN_CAPABILITIES) as StaffRole[]).filter((r) => ADMIN_CAPABILITIES[r].includes(capability));
}

/** Who the route gate lets through to a route needing a capability: the staff roles holding it, and clients (whose scopes are checked here). */
export function adminCallers(capability: AdminCapability): (StaffRole | 'client')[] {
  return [...rolesFor(capability), 'client'];
}

export function mayAdminister(actor: Actor, capability: AdminCapability): boolean {
  if (actor.kind === 'user') return actor.accountKind === 'staff' && actor.roles.some((r) => ADMIN_CAPABILITIES[r].includes(capability));
  return isPermitted(actor, CLIENT_SCOPE[capability]);
}

/** Throws 403 (saying who may) when the actor may not use this part of the admin API. */
export function authorizeAdmin(actor: Actor, capability: AdminCapability): void {
  if (mayAdminister(actor, capability)) return;
  if (actor.kind === 'user') {
    throw errors.forbidden(`Not permitted to ${WHAT[capability]}: only HIE staff (${rolesFor(capability).join(', ')}) may`);
  }
  const scope = CLIENT_SCOPE[capability];
  throw errors.forbidden(`Not permitted to ${WHAT[capability]}: requires scope system/${scope.resourceType}.${scope.interaction}`);
}
