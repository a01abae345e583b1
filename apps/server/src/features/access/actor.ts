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
export interface AccessContext {
  /** HL7 v3 PurposeOfUse code: TREAT, ETREAT (break-the-glass), HPAYMT, HOPERAT, PATRQT, … */
  purposeOfUse?: string | undefined;
  /** The person the actor acts for (a proxy acting for a patient): a reference such as `Patient/123`. */
  onBehalfOf?: string | undefined;
}

export interface ClientActor extends AccessContext {
  kind: 'client';
  /** The OAuth client_id. */
  clientId: string;
  /** The organization the client belongs to (a data source), when it has one. */
  orgId: string | null;
  scopes: readonly GrantedScope[];
}

/** The server itself: seeding, imports run from the CLI by an operator. */
export interface SystemActor extends AccessContext {
  kind: 'system';
  /** What started it, e.g. 'cli:import', 'seed', 'mllp'. */
  origin: string;
  /** The data source on whose behalf it writes (a feed received over MLLP). */
  orgId?: string;
}

/** Roles of staff users; org roles act within their organization, hie- roles across the HIE. */
export const STAFF_ROLES = ['front-desk', 'nurse', 'provider', 'billing', 'org-admin', 'hie-privacy-officer', 'hie-admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * A person signed in to the portal or the staff console (a fully authenticated session: a staff
 * user only once their second factor is verified). It carries no health-data permissions of its
 * own; the decision point grants them from who the user is (consent, proxies, care relationships).
 */
export interface UserActor extends AccessContext {
  kind: 'user';
  userId: string;
  accountKind: 'patient' | 'staff';
  /** The staff user's organization; null for patients and HIE-wide staff. */
  orgId: string | null;
  /** Staff roles; empty for patients. */
  roles: readonly StaffRole[];
  /**
   * The patient a proxy has switched to ("acting for"). Only a claim: whether the grant still
   * allows anything is decided at each request (proxies: activeProxyDecision). `onBehalfOf`
   * then names the same Patient as a reference, for the audit trail.
   */
  actingFor?: ActingFor | undefined;
}

/** A proxy's active subject: the grant and the Patient (with its organization) it names. */
export interface ActingFor {
  grantId: string;
  patientId: string;
  orgId: string;
}

export type Actor = ClientActor | SystemActor | UserActor;

/** The identity recorded as author of a resource version. */
export function actorReference(actor: Actor): string {
  if (actor.kind === 'user') return `User/${actor.userId}`;
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
