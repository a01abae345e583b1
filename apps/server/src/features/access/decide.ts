import { allows, type ProxyDecision } from '@kennebec/consent';
import { errors } from '@kennebec/fhir';
import type { Actor, Interaction, StaffRole, UserActor } from './actor.ts';
import { isPatientData } from './compartment.ts';

/**
 * The one access decision: who acts (the actor and the relationships resolved for it: the
 * patients a portal user is, and those they act for as a proxy), what they want to do, to which
 * resource type, for which patients, for what purpose. The answer is a permit that says which
 * patients' records it covers and which sensitivity labels stay hidden, or a deny with its
 * reason. Pure: the relationships are looked up before (see AccessPoint), so the decision is
 * the same function in every route, and testable without a database.
 *
 * Rules (in order of the actor):
 * - system (CLI, seed, MLLP feed): everything.
 * - client (OAuth client_credentials): SMART system scopes, all patients.
 * - patient user: their own linked patients (PATRQT), plus, as a proxy, each subject whose
 *   grant is active and allows the clinical area (view to read, act to write), with the
 *   labels the grant hides (teen-confidential for a 13–17-year-old). Never anyone else.
 *   Writes are refused for now. Reference data (Organization, Practitioner…) may be read.
 * - staff user: clinical roles (front desk, nurse, provider, org admin) read the records of
 *   patients their organization has a record of (TREAT, HOPERAT, ETREAT); billing sees no
 *   clinical data; HIE roles see clinical data only through the audit and MPI admin endpoints.
 */
export type Action = 'read' | 'search' | 'create' | 'update' | 'delete';

/** HL7 v3 PurposeOfUse (http://terminology.hl7.org/CodeSystem/v3-ActReason). */
export const PURPOSES = ['TREAT', 'ETREAT', 'HOPERAT', 'HPAYMT', 'PATRQT', 'SYSDEV'] as const;
export type PurposeOfUse = (typeof PURPOSES)[number];

export interface DecisionRequest {
  action: Action;
  resourceType: string;
  /** The patients whose compartment is concerned, or 'any' (a search, before its filter). */
  patients: readonly string[] | 'any';
  purpose: PurposeOfUse;
  /** The resource's sensitivity labels, when known (a read). */
  labels?: readonly string[];
}

/** A set of patients the permit covers, with the labels hidden for them. */
export interface PatientGroup {
  patientIds: readonly string[];
  hiddenLabels: readonly string[];
  /** How the actor is related: 'self' or 'proxy'. */
  relation: 'self' | 'proxy';
}

/** Which records a permit covers. */
export type PatientScope =
  | { kind: 'all' }
  | { kind: 'patients'; groups: readonly PatientGroup[] }
  /** Patients whose Person has a source record from this organization (a care relationship). */
  | { kind: 'organization'; orgId: string };

export type Decision = { permit: true; scope: PatientScope } | { permit: false; reason: string };

/** A proxy relationship resolved for now: the subject's patient ids (all source records) and the decision. */
export interface ProxySubject {
  /** The Patient id the grant names. */
  subject: string;
  patientIds: readonly string[];
  decision: ProxyDecision;
}

/** The actor with the relationships the decision needs, resolved once per request. */
export interface Principal {
  actor: Actor;
  /** The Patient ids a patient user's account is linked to. */
  own?: readonly string[];
  /** A patient user's own patient ids (every source record of their Person). */
  self: readonly string[];
  /** Those a patient user acts for. */
  proxies: readonly ProxySubject[];
}

const INTERACTION: Record<Action, Interaction> = { read: 'r', search: 's', create: 'c', update: 'u', delete: 'd' };
const CLINICAL_ROLES = new Set(['front-desk', 'nurse', 'provider', 'org-admin']);
const STAFF_PURPOSES: ReadonlySet<PurposeOfUse> = new Set(['TREAT', 'ETREAT', 'HOPERAT']);

const deny = (reason: string): Decision => ({ permit: false, reason });

export function decide(principal: Principal, req: DecisionRequest): Decision {
  const { actor } = principal;
  if (actor.kind === 'system') return { permit: true, scope: { kind: 'all' } };
  if (actor.kind === 'client') {
    const interaction = INTERACTION[req.action];
    const ok = actor.scopes.some(
      (s) => s.context === 'system' && (s.resourceType === '*' || s.resourceType === req.resourceType) && s.interactions.has(interaction),
    );
    return ok ? { permit: true, scope: { kind: 'all' } } : deny(`requires scope system/${req.resourceType}.${interaction}`);
  }
  if (req.resourceType === 'Person') return deny('the enterprise Person is read through the MPI endpoints');
  return actor.accountKind === 'patient' ? decidePatientUser(principal, req) : decideStaff(actor, req);
}

function decidePatientUser(principal: Principal, req: DecisionRequest): Decision {
  if (req.purpose !== 'PATRQT') return deny('a patient acts only for the purpose of their own request (PATRQT)');
  if (req.action !== 'read' && req.action !== 'search') return deny('patients may not change health records');
  if (!isPatientData(req.resourceType)) return referenceData(req);
  const groups: PatientGroup[] = [];
  if (principal.self.length > 0) groups.push({ patientIds: principal.self, hiddenLabels: [], relation: 'self' });
  for (const p of principal.proxies) {
    if (!allows(p.decision, 'clinical', 'view')) continue;
    groups.push({ patientIds: p.patientIds, hiddenLabels: [...p.decision.hiddenLabels], relation: 'proxy' });
  }
  return narrow(groups, req);
}

/** Keeps the groups that cover the request's patients; deny when none does, or when a label is hidden. */
function narrow(groups: PatientGroup[], req: DecisionRequest): Decision {
  if (req.patients === 'any') {
    return groups.length > 0 ? { permit: true, scope: { kind: 'patients', groups } } : deny('no patient record is linked to this account');
  }
  const wanted = new Set(req.patients);
  const covering = groups.filter((g) => g.patientIds.some((id) => wanted.has(id)));
  if (covering.length === 0) return deny('not a record of this account or of someone it acts for');
  // A label is hidden only if every relationship that covers the resource hides it (a parent
  // who is also the patient, say, sees their own record whole).
  if (req.labels && req.labels.length > 0) {
    const visible = covering.some((g) => !req.labels?.some((l) => g.hiddenLabels.includes(l)));
    if (!visible) return deny('hidden by a sensitivity label');
  }
  return { permit: true, scope: { kind: 'patients', groups: covering } };
}

function decideStaff(actor: UserActor, req: DecisionRequest): Decision {
  if (!STAFF_PURPOSES.has(req.purpose)) return deny(`staff act for treatment or operations, not ${req.purpose}`);
  if (req.action !== 'read' && req.action !== 'search') return deny('staff may not change health records here');
  const clinical = actor.roles.some((r) => CLINICAL_ROLES.has(r));
  if (!isPatientData(req.resourceType)) return clinical ? referenceData(req) : deny('no clinical role');
  if (!clinical) return deny(actor.roles.includes('billing') ? 'billing staff see no clinical data' : 'HIE staff see clinical data only through the audit and MPI endpoints');
  if (actor.orgId === null) return deny('staff without an organization have no care relationship');
  return { permit: true, scope: { kind: 'organization', orgId: actor.orgId } };
}

/**
 * Administrative work staff do on the records their organization holds, outside the clinical
 * record itself: enrolling a patient in the portal (search, ID check, invitations), managing
 * who may act for a patient (proxy documents, grants, requests), and changing the
 * organization's enrollment settings. Decided here like every other access, so that routes
 * and use cases hold no role lists of their own.
 */
export type StaffOperation = 'enroll' | 'manage-proxies' | 'enrollment-settings';

const OPERATION_ROLES: Record<StaffOperation, readonly StaffRole[]> = {
  enroll: ['front-desk', 'nurse', 'provider', 'org-admin'],
  'manage-proxies': ['front-desk', 'org-admin'],
  'enrollment-settings': ['org-admin'],
};

const OPERATION_TEXT: Record<StaffOperation, string> = {
  enroll: 'enroll patients in the portal',
  'manage-proxies': 'manage proxy access',
  'enrollment-settings': "change the organization's enrollment settings",
};

export interface OperationRequest {
  operation: StaffOperation;
  /** The organization holding the record concerned (its source organization), when one is concerned. */
  recordOrg?: string | null | undefined;
}

/** Permit: the organization whose records the staff user may work on. */
export type OperationDecision = { permit: true; orgId: string } | { permit: false; reason: string; notFound?: boolean };

export function decideOperation(actor: Actor, req: OperationRequest): OperationDecision {
  const roles = OPERATION_ROLES[req.operation];
  if (actor.kind !== 'user' || actor.accountKind !== 'staff' || actor.orgId === null || !actor.roles.some((r) => roles.includes(r))) {
    return { permit: false, reason: `Only staff of an organization (${roles.join(', ')}) may ${OPERATION_TEXT[req.operation]}` };
  }
  // Another organization's record does not exist for this staff user (no probing by id).
  if (req.recordOrg !== undefined && req.recordOrg !== actor.orgId) return { permit: false, reason: 'not a record of this organization', notFound: true };
  return { permit: true, orgId: actor.orgId };
}

/** The organization a staff user may work on for the operation, or throws 403 (404 for another organization's record). */
export function requireOperation(actor: Actor, req: OperationRequest, ref?: string): string {
  const d = decideOperation(actor, req);
  if (d.permit) return d.orgId;
  if (d.notFound && ref) throw errors.notFound(ref);
  throw errors.forbidden(d.reason);
}

/** Directory and terminology resources (organizations, practitioners, medications): readable, never patient data. */
function referenceData(req: DecisionRequest): Decision {
  if (req.action !== 'read' && req.action !== 'search') return deny('read only');
  return { permit: true, scope: { kind: 'all' } };
}

/** Whether a resource with these owner patients and labels is visible under a scope (organization scopes need the care relationship, checked by the caller). */
export function visibleUnder(scope: PatientScope, owners: readonly string[], labels: readonly string[]): boolean {
  if (scope.kind !== 'patients') return true;
  return scope.groups.some((g) => owners.some((o) => g.patientIds.includes(o)) && !labels.some((l) => g.hiddenLabels.includes(l)));
}
