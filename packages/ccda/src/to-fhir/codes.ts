/**
 * Coded values: CD/CE/CV/CO → CodeableConcept, II → Identifier.
 * OID → URI follows the FHIR R4 terminology registry (https://hl7.org/fhir/R4/terminologies-systems.html)
 * and HL7's C-CDA on FHIR mapping guidance (https://build.fhir.org/ig/HL7/ccda-on-fhir/mappingGuidance.html):
 * known OIDs become their canonical URI, the rest `urn:oid:…`. Identifiers with only a root
 * become `urn:ietf:rfc:3986` + `urn:oid:`/`urn:uuid:` value, as the FHIR identifier guidance says.
 */
import type { CodeableConcept, Coding, Identifier } from 'fhir/r4';
import { attr, child, children, textContent, type XmlElement } from '../xml.ts';

const OID_TO_URI: Readonly<Record<string, string>> = {
  '2.16.840.1.113883.6.1': 'http://loinc.org',
  '2.16.840.1.113883.6.96': 'http://snomed.info/sct',
  '2.16.840.1.113883.6.88': 'http://www.nlm.nih.gov/research/umls/rxnorm',
  '2.16.840.1.113883.12.292': 'http://hl7.org/fhir/sid/cvx',
  '2.16.840.1.113883.6.90': 'http://hl7.org/fhir/sid/icd-10-cm',
  '2.16.840.1.113883.6.103': 'http://hl7.org/fhir/sid/icd-9-cm',
  '2.16.840.1.113883.6.104': 'http://hl7.org/fhir/sid/icd-9-cm',
  '2.16.840.1.113883.6.4': 'http://www.cms.gov/Medicare/Coding/ICD10',
  '2.16.840.1.113883.6.69': 'http://hl7.org/fhir/sid/ndc',
  '2.16.840.1.113883.6.12': 'http://www.ama-assn.org/go/cpt',
  '2.16.840.1.113883.6.285': 'urn:oid:2.16.840.1.113883.6.285',
  '2.16.840.1.113883.6.13': 'http://ada.org/cdt',
  '2.16.840.1.113883.6.8': 'http://unitsofmeasure.org',
  '2.16.840.1.113883.6.238': 'urn:oid:2.16.840.1.113883.6.238',
  '2.16.840.1.113883.4.9': 'http://fdasis.nlm.nih.gov',
  '2.16.840.1.113883.3.26.1.1': 'http://ncimeta.nci.nih.gov',
  '2.16.840.1.113883.3.26.1.5': 'http://ncimeta.nci.nih.gov',
  '2.16.840.1.113883.6.101': 'http://nucc.org/provider-taxonomy',
  '2.16.840.1.113883.4.642.3.1': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  '2.16.840.1.113883.5.4': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  '2.16.840.1.113883.5.1': 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender',
  '2.16.840.1.113883.5.2': 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  '2.16.840.1.113883.5.6': 'http://terminology.hl7.org/CodeSystem/v3-ActClass',
  '2.16.840.1.113883.5.7': 'http://terminology.hl7.org/CodeSystem/v3-ActPriority',
  '2.16.840.1.113883.5.8': 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  '2.16.840.1.113883.5.14': 'http://terminology.hl7.org/CodeSystem/v3-ActStatus',
  '2.16.840.1.113883.5.25': 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  '2.16.840.1.113883.5.83': 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  '2.16.840.1.113883.5.88': 'http://terminology.hl7.org/CodeSystem/v3-ParticipationFunction',
  '2.16.840.1.113883.5.110': 'http://terminology.hl7.org/CodeSystem/v3-RoleClass',
  '2.16.840.1.113883.5.111': 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  '2.16.840.1.113883.5.112': 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration',
  '2.16.840.1.113883.5.1008': 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
  '2.16.840.1.113883.5.1063': 'http://terminology.hl7.org/CodeSystem/v3-SeverityObservation',
  '2.16.840.1.113883.5.1076': 'http://terminology.hl7.org/CodeSystem/v3-ReligiousAffiliation',
  '2.16.840.1.113883.5.1119': 'http://terminology.hl7.org/CodeSystem/v3-AddressUse',
  '2.16.840.1.113883.5.45': 'http://terminology.hl7.org/CodeSystem/v3-EntityNameUse',
  '2.16.840.1.113883.5.60': 'http://terminology.hl7.org/CodeSystem/v3-LanguageAbilityMode',
  '2.16.840.1.113883.5.61': 'http://terminology.hl7.org/CodeSystem/v3-LanguageAbilityProficiency',
  '2.16.840.1.113883.5.1052': 'http://terminology.hl7.org/CodeSystem/v3-ActSite',
  '2.16.840.1.113883.5.85': 'http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm',
  '2.16.840.1.113883.3.88.12.3221.8.9': 'http://snomed.info/sct',
  '2.16.840.1.113883.6.259': 'https://www.cdc.gov/nhsn/cdaportal/terminology/codesystem/hsloc.html',
  '2.16.840.1.113883.12.112': 'http://terminology.hl7.org/CodeSystem/discharge-disposition',
  '2.16.840.1.113883.12.227': 'http://hl7.org/fhir/sid/mvx',
  '2.16.840.1.113883.6.301.3': 'https://www.nubc.org/CodeSystem/RevenueCodes',
};

/** Names some EHRs write in codeSystem instead of the OID. */
const NAME_TO_OID: Readonly<Record<string, string>> = {
  SNOMED: '2.16.840.1.113883.6.96',
  'SNOMED CT': '2.16.840.1.113883.6.96',
  SNOMEDCT: '2.16.840.1.113883.6.96',
  LOINC: '2.16.840.1.113883.6.1',
  RXNORM: '2.16.840.1.113883.6.88',
  CVX: '2.16.840.1.113883.12.292',
  'ICD-10-CM': '2.16.840.1.113883.6.90',
  ICD10CM: '2.16.840.1.113883.6.90',
  CPT: '2.16.840.1.113883.6.12',
  NDC: '2.16.840.1.113883.6.69',
};

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

/**
 * FHIR system URI for a C-CDA codeSystem / id root: known OIDs → canonical URI, other OIDs
 * and UUIDs → urn:oid: / urn:uuid:. Undefined when the root is neither (e.g. "ProviderID"):
 * such a value cannot name a system, so callers drop it rather than emit an invalid URI.
 */
export function systemForOid(oid: string): string | undefined {
  const o = NAME_TO_OID[oid.toUpperCase()] ?? oid;
  if (OID_TO_URI[o]) return OID_TO_URI[o];
  if (isUuid(o)) return `urn:uuid:${o.toLowerCase()}`;
  return OID.test(o) ? `urn:oid:${o}` : undefined;
}

export const UCUM = 'http://unitsofmeasure.org';

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** Narrative text of the element with that ID attribute (for <reference value="#id">). */
export type NarrativeLookup = (id: string) => string | undefined;

function coding(el: XmlElement): Coding | undefined {
  const code = attr(el, 'code')?.trim();
  const system = attr(el, 'codeSystem')?.trim();
  // nullFlavor codes and codes without a system carry no usable coding (no empty codings).
  if (!code || attr(el, 'nullFlavor') || !system) return undefined;
  const display = attr(el, 'displayName')?.trim();
  const uri = systemForOid(system);
  return uri ? { system: uri, code, ...(display ? { display } : {}) } : undefined;
}

/**
 * CD (with translations and originalText) → CodeableConcept; undefined when it carries
 * nothing usable (nullFlavor without translation or text).
 */
export function codeableConcept(el: XmlElement | undefined, narrative?: NarrativeLookup): CodeableConcept | undefined {
  if (!el) return undefined;
  const codings: Coding[] = [];
  const seen = new Set<string>();
  for (const c of [el, ...children(el, 'translation')]) {
    const cd = coding(c);
    if (!cd) continue;
    const key = `${cd.system}|${cd.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    codings.push(cd);
  }
  // With no usable coding, the sender's display name is still better than nothing.
  const text = originalText(el, narrative) ?? (codings.length === 0 ? attr(el, 'displayName')?.trim() || undefined : undefined);
  if (codings.length === 0 && !text) return undefined;
  return { ...(codings.length ? { coding: codings } : {}), ...(text ? { text } : {}) };
}

/** Text of <originalText> (or of <text> for entries), following <reference value="#id"> into the narrative. */
export function originalText(el: XmlElement | undefined, narrative?: NarrativeLookup, name = 'originalText'): string | undefined {
  return referencedText(child(el, name), narrative);
}

export function referencedText(ot: XmlElement | undefined, narrative?: NarrativeLookup): string | undefined {
  if (!ot) return undefined;
  const own = textContent(ot);
  if (own) return own;
  const ref = attr(child(ot, 'reference'), 'value')?.trim();
  if (ref?.startsWith('#') && narrative) {
    const t = narrative(ref.slice(1));
    if (t) return t;
  }
  return undefined;
}

/** The first coding's code, for mapping tables (status codes, severities, …). */
export function codeOf(el: XmlElement | undefined): string | undefined {
  if (!el || attr(el, 'nullFlavor')) return undefined;
  return attr(el, 'code')?.trim() || undefined;
}

/** II → Identifier (https://build.fhir.org/ig/HL7/ccda-on-fhir/mappingGuidance.html#cda-id--fhir-identifier). */
export function identifier(el: XmlElement | undefined): Identifier | undefined {
  const root = attr(el, 'root')?.trim();
  if (!el || !root || attr(el, 'nullFlavor')) return undefined;
  const ext = attr(el, 'extension')?.trim();
  const system = systemForOid(root);
  if (!system) return undefined;
  if (ext) return { system, value: ext };
  if (system.startsWith('urn:uuid:') || system.startsWith('urn:oid:')) return { system: 'urn:ietf:rfc:3986', value: system };
  return { system: 'urn:ietf:rfc:3986', value: `urn:oid:${root}` };
}

/** All usable identifiers of the repeated <id> children. */
export function identifiers(parent: XmlElement | undefined): Identifier[] {
  return children(parent, 'id')
    .map(identifier)
    .filter((i): i is Identifier => i !== undefined);
}
