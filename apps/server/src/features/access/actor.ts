/**
 * Who is acting. Issue-specific kinds (patients, proxies, staff, SMART apps) join this union;
 * every decision about health data takes an Actor.
 */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

/** One granted scope in SMART v2 form: `system/Patient.rs` → { context: 'system', resourceType: 'Patient', interactions: r,s }. */
export interface GrantedScope {
  context: 'system' | 'user' | 'patient';
  /** A resource type or '*' */
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

/** Why and for whom an actor acts; recorded with every access in the audit trail. */
export interface ActingFor {
  /** HL7 v3 PurposeOfUse code: TREAT, ETREAT (break-the-glass), HPAYMT, HOPERAT, PATRQT, … */
  purposeOfUse?: string | undefined;
  /** The person the actor acts for (a proxy acting for a patient): a reference such as `Patient/123`. */
  onBehalfOf?: string | undefined;
}

export interface ClientActor extends ActingFor {
  kind: 'client';
  /** The OAuth client_id. */
  clientId: string;
  /** The organization the client belongs to (a data source), when it has one. */
  orgId: string | null;
  scopes: readonly GrantedScope[];
}

/** The server itself: seeding, imports run from the CLI by an operator. */
export interface SystemActor extends ActingFor {
  kind: 'system';
  /** What started it, e.g. 'cli:import', 'seed', 'mllp'. */
  origin: string;
  /** The data source on whose behalf it writes (a feed received over MLLP). */
  orgId?: string;
}

export type Actor = ClientActor | SystemActor;

/** The identity recorded as author of a resource version. */
export function actorReference(actor: Actor): string {
  return actor.kind === 'client' ? `Client/${actor.clientId}` : `System/${actor.origin}`;
}

export function actorOrganization(actor: Actor): string | null {
  return actor.orgId ?? null;
}

/**
 * The purpose of use recorded for an actor: the one it states, else for the server's own work
 * (feeds, imports, seeding) healthcare operations; a client that states none has none.
 */
export function actorPurpose(actor: Actor): string | null {
  if (actor.purposeOfUse) return actor.purposeOfUse;
  return actor.kind === 'system' ? 'HOPERAT' : null;
}
