/**
 * One entry of the audit trail: who did what to which records, for whom, why, from where,
 * and how it ended. Entries hold references only (`Patient/123`), never health data or
 * demographics, so the trail itself discloses nothing but the fact of an access.
 */

/**
 * What was done. The FHIR interactions (https://hl7.org/fhir/R4/http.html) plus the events of
 * the people who sign in; other features add their own verbs as plain strings.
 */
export const KNOWN_ACTIONS = [
  'read',
  'vread',
  'search',
  'history',
  'create',
  'update',
  'delete',
  'operation',
  'batch',
  'transaction',
  'sign-in',
  'sign-in-failed',
  'sign-out',
] as const;
export type KnownAction = (typeof KNOWN_ACTIONS)[number];
export type AuditAction = KnownAction | (string & {});

/** `denied`: refused by authentication or authorization (401, 403). `error`: anything else that failed. */
export type AuditOutcome = 'success' | 'denied' | 'error';

/** What a caller hands to the audit trail. `recorded` is stamped by the trail when absent. */
export interface AuditEntryInput {
  recorded?: string | undefined;
  /** Who acted: `Client/{client_id}`, `System/{origin}`, `User/{id}`, or `anonymous`. */
  actor: string;
  /** The acting party's organization, as a reference (`Organization/{id}`). */
  actorOrg?: string | null | undefined;
  /** For whom the actor acted (a proxy acting for a patient: that patient or person). */
  onBehalfOf?: string | null | undefined;
  /** The patients (or persons) whose records are concerned. */
  patients?: readonly string[] | undefined;
  action: AuditAction;
  /** The operation's name for action `operation` (`$everything`). */
  operation?: string | null | undefined;
  /** The resource type acted on (for a search: the type searched). */
  resourceType?: string | null | undefined;
  /** The resources read or written, as references. */
  entities?: readonly string[] | undefined;
  /** How many entities there were before the list was cut to MAX_REFERENCES. */
  entitiesTotal?: number | undefined;
  /** HL7 v3 PurposeOfUse code (TREAT, ETREAT, HPAYMT, HOPERAT, PATRQT, …). */
  purposeOfUse?: string | null | undefined;
  outcome: AuditOutcome;
  /** HTTP status of the interaction (or the status it would have had). */
  status?: number | null | undefined;
  clientIp?: string | null | undefined;
  userAgent?: string | null | undefined;
  requestId?: string | null | undefined;
}

/** An entry with every field present, as hashed and stored. */
export interface AuditRecord {
  id: string;
  recorded: string;
  actor: string;
  actorOrg: string | null;
  onBehalfOf: string | null;
  patients: string[];
  action: string;
  operation: string | null;
  resourceType: string | null;
  entities: string[];
  entitiesTotal: number;
  purposeOfUse: string | null;
  outcome: AuditOutcome;
  status: number | null;
  clientIp: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** A stored entry with its place in the chain. */
export interface ChainedRecord extends AuditRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Longest list of references kept in one entry; the true count is kept beside it. */
export const MAX_REFERENCES = 1000;
const MAX_TEXT = 512;

function unique(list: readonly string[]): string[] {
  return [...new Set(list.filter((s) => typeof s === 'string' && s.length > 0))];
}

function text(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  return value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value;
}

/** Milliseconds in UTC, the precision the database keeps and gives back unchanged. */
function instant(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new RangeError(`'${value}' is not an instant`);
  return new Date(t).toISOString();
}

/** Fills defaults, removes duplicate references and caps the lists. */
export function normalizeEntry(input: AuditEntryInput, id: string, recorded: string): AuditRecord {
  const entities = unique(input.entities ?? []);
  return {
    id,
    recorded: instant(input.recorded ?? recorded),
    actor: input.actor,
    actorOrg: text(input.actorOrg),
    onBehalfOf: text(input.onBehalfOf),
    patients: unique(input.patients ?? []).slice(0, MAX_REFERENCES),
    action: input.action,
    operation: text(input.operation),
    resourceType: text(input.resourceType),
    entities: entities.slice(0, MAX_REFERENCES),
    entitiesTotal: Math.max(input.entitiesTotal ?? 0, entities.length),
    purposeOfUse: text(input.purposeOfUse),
    outcome: input.outcome,
    status: input.status ?? null,
    clientIp: text(input.clientIp),
    userAgent: text(input.userAgent),
    requestId: text(input.requestId),
  };
}

/** `denied` for 401 and 403, `error` for any other failure. */
export function outcomeForStatus(status: number): AuditOutcome {
  if (status < 400) return 'success';
  return status === 401 || status === 403 ? 'denied' : 'error';
}
