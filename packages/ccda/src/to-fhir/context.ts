/**
 * Conversion state shared by the section mappers: the transaction entries, the patient
 * reference, the narrative ID index, issues, and the idempotency keys.
 *
 * Idempotency: every fact gets one deterministic "key" identifier, and its entry is a
 * conditional create (`ifNoneExist: identifier=<system|value>`, URL-encoded like the bulk
 * importer does) so a second copy of the same fact matches the stored one instead of creating
 * a duplicate (https://hl7.org/fhir/R4/http.html#ccreate).
 * - When the C-CDA entry has an <id> (II), the key is that id as a FHIR Identifier (root →
 *   system, extension → value). C-CDA requires entry ids to be globally unique
 *   (CONF:1198-… "id" SHALL be present on each entry template).
 * - Otherwise, or when the same id is reused by two entries of one document (a vendor bug),
 *   the key is a SHA-256 of (resource type, patient identity, source organisation, code,
 *   time, value) under `identifierSystemForIds`.
 * fullUrls are urn:uuid values derived from the key, so converting the same document twice
 * gives byte-identical Bundles.
 */
import { createHash } from 'node:crypto';
import type { BundleEntry, FhirResource, Identifier, Reference } from 'fhir/r4';
import { descendants, textContent, type XmlElement } from '../xml.ts';
import { identifiers, type NarrativeLookup } from './codes.ts';

export const DEFAULT_FACT_SYSTEM = 'https://kennebec.health/fhir/sid/ccda-fact';

export interface ConvertOptions {
  /** the sending organisation; scopes the hash keys of facts that have no C-CDA id */
  sourceOrgId?: string;
  /** system of the hash keys given to facts without a C-CDA id (default DEFAULT_FACT_SYSTEM) */
  identifierSystemForIds?: string;
}

export interface ConversionIssue {
  severity: 'warning' | 'information';
  /** stable code, e.g. `ccda-entry-no-code` */
  code: string;
  message: string;
  /** line of the C-CDA element concerned */
  line?: number;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A UUID (version 5 layout) derived from a string, for stable urn:uuid fullUrls. */
export function stableUuid(seed: string): string {
  const h = sha256Hex(seed).slice(0, 32).split('');
  h[12] = '5';
  h[16] = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

export function ifNoneExist(key: Identifier): string {
  return `identifier=${encodeURIComponent(`${key.system ?? ''}|${key.value ?? ''}`)}`;
}

export class Context {
  readonly entries: BundleEntry[] = [];
  readonly issues: ConversionIssue[] = [];
  patientRef: Reference = {};
  /** stable text identifying the patient (first identifier, else demographics) */
  patientKey = '';
  private readonly usedKeys = new Set<string>();
  private idIndex: Map<string, string> | undefined;

  constructor(
    readonly doc: XmlElement,
    readonly options: ConvertOptions,
  ) {}

  /** Narrative text by ID attribute, indexed on first use (IDs are document-wide in CDA). */
  readonly narrative: NarrativeLookup = (id) => {
    if (!this.idIndex) {
      this.idIndex = new Map();
      for (const el of descendants(this.doc)) {
        const v = el.attrs.get('ID');
        if (v !== undefined && !this.idIndex.has(v)) this.idIndex.set(v, textContent(el));
      }
    }
    return this.idIndex.get(id) || undefined;
  };

  issue(code: string, message: string, el?: XmlElement, severity: ConversionIssue['severity'] = 'warning'): void {
    this.issues.push({ severity, code, message, ...(el ? { line: el.line } : {}) });
  }

  /**
   * Picks the idempotency key of a fact: its first C-CDA id unless already used in this
   * document, else a hash of `parts`.
   */
  factKey(type: string, entry: XmlElement | undefined, parts: readonly unknown[]): { key: Identifier; all: Identifier[] } {
    const ids = identifiers(entry);
    const first = ids[0];
    if (first && !this.usedKeys.has(`${type}|${first.system}|${first.value}`)) {
      this.usedKeys.add(`${type}|${first.system}|${first.value}`);
      return { key: first, all: ids };
    }
    const seed = JSON.stringify([type, this.patientKey, this.options.sourceOrgId ?? '', ...parts, first ?? null]);
    let value = `${type.toLowerCase()}-${sha256Hex(seed).slice(0, 40)}`;
    // Two identical facts in one document are one fact; keep the first.
    if (this.usedKeys.has(`${type}|hash|${value}`)) value = '';
    else this.usedKeys.add(`${type}|hash|${value}`);
    const key = { system: this.options.identifierSystemForIds ?? DEFAULT_FACT_SYSTEM, value };
    return { key, all: [...ids, key] };
  }

  /** Adds a conditional-create entry; returns its reference, or undefined for an in-document duplicate. */
  add<T extends FhirResource>(resource: T, key: Identifier): Reference | undefined {
    if (!key.value) return undefined;
    const fullUrl = `urn:uuid:${stableUuid(`${resource.resourceType}|${key.system}|${key.value}`)}`;
    if (this.entries.some((e) => e.fullUrl === fullUrl)) return undefined;
    this.entries.push({ fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: ifNoneExist(key) } });
    return { reference: fullUrl };
  }
}
