/**
 * Shared state of one mapping run: options, the transaction Bundle being built, and the
 * warnings raised on the way. Entries use urn:uuid fullUrls and conditional updates keyed on
 * business identifiers (FHIR R4 http.html#cond-update, bundle.html#transaction), so a resent
 * or corrected message updates the resources it created instead of duplicating them.
 */
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, FhirResource, Identifier } from 'fhir/r4';
import { HL7_ERROR, type Hl7ErrorCode, type Hl7Issue, type Hl7Location } from '../errors.ts';
import type { Hl7Message } from '../message.ts';

export interface ToFhirOptions {
  /** Identifier system of the source for PID-3 values without an ISO assigning authority (CX.4.2/4.3). */
  sourceSystem: string;
  /** Organization id of the source: Patient.managingOrganization, Encounter.serviceProvider. */
  sourceOrgId?: string;
  /** Time of mapping (ISO 8601), for deterministic output; default now. */
  now?: string;
  /**
   * UTC offset (e.g. "-05:00") for v2 times sent without one. FHIR requires a zone whenever a time is
   * given; without this option such values are kept at date precision rather than guessed.
   */
  defaultTimezone?: string;
}

export interface MergeInstruction {
  /** The surviving patient's identifier (PID-3). */
  surviving: Identifier;
  /** Identifiers of the patient merged into it (MRG-1), which should no longer be used. */
  merged: Identifier[];
  /** Conditional reference to the surviving patient, e.g. Patient?identifier=sys|value. */
  survivingUrl: string;
}

export interface ToFhirResult {
  /** Message type mapped, e.g. ORU^R01. */
  messageType: string;
  bundle: Bundle;
  /** ADT^A40 only: the merges to carry out (the bundle holds the surviving Patient's update). */
  merges?: MergeInstruction[];
  /** Content problems that did not stop the mapping (bad dates, non-numeric NM, unknown codes). */
  issues: Hl7Issue[];
}

/** A derived identifier system for keys that have no assigning authority of their own. */
/**
 * A system for identifiers the source assigns without naming an authority (visit numbers,
 * order numbers…), derived from the source's own system. A URL gets a path segment; an OID
 * cannot be extended with text, so it moves under a URL naming it.
 */
export function derivedSystem(base: string, kind: string): string {
  if (/^https?:\/\//.test(base)) return `${base.replace(/\/$/, '')}/${kind}`;
  const oid = /^urn:oid:([0-9.]+)$/.exec(base)?.[1];
  if (oid) return `https://kennebec.health/fhir/sid/oid/${oid}/${kind}`;
  return `https://kennebec.health/fhir/sid/${encodeURIComponent(base)}/${kind}`;
}

/** FHIR search escaping of a token part: `\`, `|`, `$` and `,` are escaped with a backslash (https://hl7.org/fhir/R4/search.html#escaping). */
function escapeToken(part: string): string {
  return part.replace(/[\\|$,]/g, (c) => `\\${c}`);
}

export function conditionalUrl(resourceType: string, id: Identifier): string {
  return `${resourceType}?identifier=${encodeURIComponent(escapeToken(id.system ?? ''))}|${encodeURIComponent(escapeToken(id.value ?? ''))}`;
}

export class MappingContext {
  readonly msg: Hl7Message;
  readonly options: ToFhirOptions;
  readonly issues: Hl7Issue[] = [];
  private readonly entries: BundleEntry[] = [];
  private readonly seed: string;
  private counter = 0;

  constructor(msg: Hl7Message, options: ToFhirOptions) {
    this.msg = msg;
    this.options = options;
    this.seed = `${options.sourceSystem}|${msg.controlId}|${msg.header.get(7)}`;
  }

  warn(message: string, location?: Hl7Location, code: Hl7ErrorCode = HL7_ERROR.dataTypeError): void {
    this.issues.push({ severity: 'W', code, message, ...(location ? { location } : {}) });
  }

  /** Deterministic per message, so the same input gives the same Bundle (golden tests, retries). */
  private uuid(): string {
    const h = createHash('sha1').update(`${this.seed}#${this.counter++}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** Adds a resource; with a key it is a conditional update on that identifier, otherwise a create. Returns its fullUrl. */
  add(resource: FhirResource, key?: Identifier): string {
    const fullUrl = `urn:uuid:${this.uuid()}`;
    const request: BundleEntry['request'] = key?.system && key.value ? { method: 'PUT', url: conditionalUrl(resource.resourceType, key) } : { method: 'POST', url: resource.resourceType };
    this.entries.push({ fullUrl, resource, request });
    return fullUrl;
  }

  bundle(): Bundle {
    return { resourceType: 'Bundle', type: 'transaction', timestamp: this.options.now ?? new Date().toISOString(), entry: this.entries };
  }
}
