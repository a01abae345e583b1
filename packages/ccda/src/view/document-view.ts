/**
 * A C-CDA document for a person to read: the header (who it is about, who wrote it and for
 * which organization, when) and each section's title and narrative, in document order, as
 * JSON a reader renders with its own elements (narrative.ts). The coded entries are not
 * repeated here: they are the record's facts, shown elsewhere.
 *
 * The human-readable narrative is what C-CDA makes authoritative for a reader ("the narrative
 * block … must contain the complete, human-readable content", CDA R2 §4.3.5), which is why it
 * is shown as the document's content rather than rebuilt from the entries.
 */
import { CcdaError } from '../errors.ts';
import { parseCcda } from '../to-fhir/index.ts';
import { parseTs } from '../to-fhir/dates.ts';
import { humanName } from '../to-fhir/patient.ts';
import { attr, child, children, path, textContent, type XmlElement, type XmlLimits } from '../xml.ts';
import { narrativeOf, type NarrativeNode } from './narrative.ts';

export interface CcdaAuthor {
  /** The person (with suffix, e.g. "Maren Holloway MD") or the authoring device. */
  name: string | null;
  organization: string | null;
  /** When they wrote it (FHIR date or dateTime). */
  time: string | null;
}

export interface CcdaSectionView {
  title: string;
  /** The section's LOINC code, when it has one. */
  code: string | null;
  narrative: NarrativeNode[];
  sections: CcdaSectionView[];
}

export interface CcdaDocumentView {
  kind: 'ccda';
  title: string;
  /** The document type (its code's display name, e.g. "Summarization of Episode Note"). */
  type: string | null;
  /** ClinicalDocument/effectiveTime (FHIR date or dateTime). */
  date: string | null;
  patient: { name: string | null; birthDate: string | null; gender: string | null };
  authors: CcdaAuthor[];
  /** The organization that keeps the original. */
  custodian: string | null;
  /** A document with a structured body: its sections. */
  sections: CcdaSectionView[];
  /** A document with an unstructured body (nonXMLBody): its plain text when it is text, else its media type. */
  body: { mediaType: string; text: string | null } | null;
}

/** Most sections (at any depth) taken from one document. */
const MAX_SECTIONS = 500;

function nameText(el: XmlElement | undefined): string | null {
  if (!el) return null;
  const n = humanName(el);
  if (!n) return null;
  if (n.text) return n.text;
  const parts = [...(n.prefix ?? []), ...(n.given ?? []), n.family, ...(n.suffix ?? [])].filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(' ') : null;
}

const text = (el: XmlElement | undefined): string | null => textContent(el) || null;
const time = (el: XmlElement | undefined): string | null => (el && !attr(el, 'nullFlavor') ? (parseTs(attr(el, 'value'))?.dateTime ?? null) : null);

const GENDER: Readonly<Record<string, string>> = { F: 'female', M: 'male', UN: 'other' };

function author(el: XmlElement): CcdaAuthor {
  const aa = child(el, 'assignedAuthor');
  const person = nameText(child(child(aa, 'assignedPerson'), 'name'));
  const device = text(path(aa, 'assignedAuthoringDevice', 'softwareName'));
  return { name: person ?? device, organization: text(path(aa, 'representedOrganization', 'name')), time: time(child(el, 'time')) };
}

function sectionsOf(parent: XmlElement | undefined, budget: { left: number }): CcdaSectionView[] {
  const out: CcdaSectionView[] = [];
  for (const comp of children(parent, 'component')) {
    const section = child(comp, 'section');
    if (!section || budget.left <= 0) continue;
    budget.left -= 1;
    const code = child(section, 'code');
    out.push({
      title: text(child(section, 'title')) ?? attr(code, 'displayName') ?? '',
      code: attr(code, 'code') ?? null,
      narrative: narrativeOf(child(section, 'text')),
      sections: sectionsOf(section, budget),
    });
  }
  return out;
}

function unstructured(body: XmlElement): CcdaDocumentView['body'] {
  const t = child(body, 'text');
  const mediaType = (attr(t, 'mediaType') ?? 'text/plain').toLowerCase();
  if (!t || !mediaType.startsWith('text/plain')) return { mediaType, text: null };
  // Plain text may be embedded as such or in base64; a reference to somewhere else is not followed.
  if (child(t, 'reference')) return { mediaType, text: null };
  const raw = t.nodes.filter((n): n is string => typeof n === 'string').join('');
  if (attr(t, 'representation') !== 'B64') return { mediaType, text: raw.trim() };
  const decoded = Buffer.from(raw.replace(/\s+/g, ''), 'base64');
  try {
    return { mediaType, text: new TextDecoder('utf-8', { fatal: true }).decode(decoded).trim() };
  } catch {
    return { mediaType, text: null };
  }
}

/**
 * Reads a C-CDA document for display. Throws CcdaError for what is not a C-CDA document
 * (`ccda-not-xml`, `ccda-doctype-forbidden`, `ccda-too-large`, `ccda-not-cda`).
 */
export function ccdaDocumentView(input: string | Uint8Array, limits?: XmlLimits): CcdaDocumentView {
  const doc = parseCcda(input, limits);
  const patient = path(doc, 'recordTarget', 'patientRole', 'patient');
  const component = child(doc, 'component');
  const structured = child(component, 'structuredBody');
  const nonXml = child(component, 'nonXMLBody');
  if (!structured && !nonXml && !component) throw new CcdaError('ccda-not-cda', 'The document has no body', doc.line);
  const code = child(doc, 'code');
  const gender = attr(child(patient, 'administrativeGenderCode'), 'code');
  return {
    kind: 'ccda',
    title: text(child(doc, 'title')) ?? attr(code, 'displayName') ?? '',
    type: attr(code, 'displayName') ?? text(child(code, 'originalText')),
    date: time(child(doc, 'effectiveTime')),
    patient: {
      name: nameText(children(patient, 'name')[0]),
      birthDate: time(child(patient, 'birthTime')),
      gender: gender && Object.hasOwn(GENDER, gender) ? (GENDER[gender] ?? null) : null,
    },
    authors: children(doc, 'author').map(author),
    custodian: text(path(doc, 'custodian', 'assignedCustodian', 'representedCustodianOrganization', 'name')),
    sections: structured ? sectionsOf(structured, { left: MAX_SECTIONS }) : [],
    body: nonXml ? unstructured(nonXml) : null,
  };
}
