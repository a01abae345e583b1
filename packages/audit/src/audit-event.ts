import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding, Reference } from 'fhir/r4';
import type { AuditRecord } from './entry.ts';
import { PURPOSE_OF_USE_SYSTEM, purposeOfUseDisplay } from './purpose.ts';

/**
 * An entry of the trail as a FHIR R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html),
 * following the shape of IHE Basic Audit Log Patterns where R4 allows: the requesting agent
 * with its network address and purpose of use, the patients as entities in the Patient role,
 * the resources as domain-resource entities, and the request id as an X-Request-Id entity.
 */
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
export const ACTOR_SYSTEM = 'https://kennebec.health/fhir/sid/actor';
export const ACTION_SYSTEM = 'https://kennebec.health/fhir/CodeSystem/audit-action';
export const OPERATION_SYSTEM = 'https://kennebec.health/fhir/CodeSystem/operation';
export const USER_AGENT_EXTENSION = 'https://kennebec.health/fhir/StructureDefinition/user-agent';

/** FHIR's codes for the interactions (AuditEvent.subtype). */
export const SUBTYPE_OF_ACTION: Record<string, string> = {
  read: 'read',
  vread: 'vread',
  search: 'search-type',
  history: 'history',
  create: 'create',
  update: 'update',
  delete: 'delete',
  operation: 'operation',
  batch: 'batch',
  transaction: 'transaction',
};

const SIGN_IN: Record<string, Coding> = {
  'sign-in': { system: DCM, code: '110122', display: 'Login' },
  'sign-in-failed': { system: DCM, code: '110122', display: 'Login' },
  'sign-out': { system: DCM, code: '110123', display: 'Logout' },
};

/** AuditEvent.action: C, R, U, D or E (https://hl7.org/fhir/R4/valueset-audit-event-action.html). */
export function actionCode(action: string, status: number | null): 'C' | 'R' | 'U' | 'D' | 'E' {
  switch (action) {
    case 'create':
      return 'C';
    case 'update':
      return status === 201 ? 'C' : 'U';
    case 'delete':
      return 'D';
    case 'read':
    case 'vread':
    case 'history':
      return 'R';
    default:
      return 'E';
  }
}

/** The actions an AuditEvent.action code stands for (used by search). */
export function actionsForCode(code: string): { actions: string[]; createdByUpdate?: boolean } | undefined {
  switch (code) {
    case 'C':
      return { actions: ['create'], createdByUpdate: true };
    case 'R':
      return { actions: ['read', 'vread', 'history'] };
    case 'U':
      return { actions: ['update'] };
    case 'D':
      return { actions: ['delete'] };
    case 'E':
      return { actions: ['search', 'operation', 'batch', 'transaction', 'sign-in', 'sign-in-failed', 'sign-out'] };
    default:
      return undefined;
  }
}

/** 0 success, 4 minor failure (refused, or the request was wrong), 8 serious failure (the server failed). */
export function outcomeCode(r: Pick<AuditRecord, 'outcome' | 'status'>): '0' | '4' | '8' {
  if (r.outcome === 'success') return '0';
  if (r.outcome === 'denied') return '4';
  return r.status !== null && r.status < 500 ? '4' : '8';
}

const WHO_TYPES = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Device', 'Patient', 'RelatedPerson']);

/** A FHIR reference where the actor is one; otherwise an identifier naming the actor. */
export function whoReference(actor: string): Reference {
  const m = /^([A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}$/.exec(actor);
  if (m && WHO_TYPES.has(m[1] as string)) return { reference: actor };
  return { identifier: { system: ACTOR_SYSTEM, value: actor }, display: actor };
}

function entityReference(ref: string): Reference {
  return /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/.test(ref) ? { reference: ref } : { display: ref };
}

export interface AuditEventOptions {
  /** Names the recording system in AuditEvent.source.observer. */
  observer: string;
}

export function toAuditEvent(r: AuditRecord, opts: AuditEventOptions): AuditEvent & { id: string } {
  const signIn = SIGN_IN[r.action];
  const subtypeCode = SUBTYPE_OF_ACTION[r.action];
  const type: Coding = signIn
    ? { system: DCM, code: '110114', display: 'User Authentication' }
    : subtypeCode
      ? { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' }
      : { system: ACTION_SYSTEM, code: r.action };
  const subtype: Coding[] = [];
  if (signIn) subtype.push(signIn);
  else if (subtypeCode) subtype.push({ system: RESTFUL_INTERACTION, code: subtypeCode });
  if (r.operation) subtype.push({ system: OPERATION_SYSTEM, code: r.operation });

  const purpose = r.purposeOfUse
    ? [{ coding: [{ system: PURPOSE_OF_USE_SYSTEM, code: r.purposeOfUse, ...(purposeOfUseDisplay(r.purposeOfUse) ? { display: purposeOfUseDisplay(r.purposeOfUse) } : {}) }] }]
    : undefined;
  const requestor: AuditEventAgent = {
    ...(r.userAgent ? { extension: [{ url: USER_AGENT_EXTENSION, valueString: r.userAgent }] } : {}),
    who: whoReference(r.actor),
    requestor: true,
    ...(r.clientIp ? { network: { address: r.clientIp, type: '2' as const } } : {}),
    ...(purpose ? { purposeOfUse: purpose } : {}),
  };
  const agent: AuditEventAgent[] = [requestor];
  if (r.actorOrg) agent.push({ type: { text: 'organization of the requesting agent' }, who: whoReference(r.actorOrg), requestor: false });
  if (r.onBehalfOf) agent.push({ type: { text: 'on whose behalf the requesting agent acted' }, who: whoReference(r.onBehalfOf), requestor: false });

  const entity: AuditEventEntity[] = r.patients.map((p) => ({
    what: entityReference(p),
    type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
    role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
  }));
  const patients = new Set(r.patients);
  for (const e of r.entities) {
    if (patients.has(e)) continue;
    entity.push({ what: entityReference(e), type: { system: ENTITY_TYPE, code: '2', display: 'System Object' }, role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' } });
  }
  if (r.resourceType && (r.action === 'search' || r.entities.length === 0)) {
    const listed = r.entitiesTotal > r.entities.length ? `${r.entitiesTotal} (the first ${r.entities.length} listed)` : String(r.entitiesTotal);
    entity.push({
      type: { system: RESOURCE_TYPES, code: r.resourceType },
      role: r.action === 'search' ? { system: OBJECT_ROLE, code: '24', display: 'Query' } : { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
      ...(r.action === 'search' ? { description: `search of ${r.resourceType}`, detail: [{ type: 'matches', valueString: listed }] } : {}),
    });
  }
  if (r.requestId) {
    entity.push({ what: { identifier: { value: r.requestId } }, type: { system: BALP_ENTITY_TYPE, code: 'XrequestId', display: 'X-Request-Id' } });
  }

  const outcome = outcomeCode(r);
  return {
    resourceType: 'AuditEvent',
    id: r.id,
    meta: { versionId: '1', lastUpdated: r.recorded },
    type,
    ...(subtype.length > 0 ? { subtype } : {}),
    action: actionCode(r.action, r.status),
    recorded: r.recorded,
    outcome,
    ...(outcome !== '0' || r.status !== null ? { outcomeDesc: `${r.outcome}${r.status !== null ? ` (HTTP ${r.status})` : ''}` } : {}),
    agent,
    source: {
      observer: { display: opts.observer },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    ...(entity.length > 0 ? { entity } : {}),
  };
}
