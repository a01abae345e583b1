/**
 * C-CDA R2.1 (and R1.1) document → FHIR R4 transaction Bundle. Pure: no I/O.
 * Section → resource mapping follows HL7 C-CDA on FHIR (https://build.fhir.org/ig/HL7/ccda-on-fhir/);
 * section template ids are from C-CDA R2.1 (http://www.hl7.org/implement/standards/product_brief.cfm?product_id=492),
 * matched by root so both R1.1 (no extension) and R2.x (dated extension) documents convert.
 */
import type { Bundle, Identifier } from 'fhir/r4';
import { CcdaError } from '../errors.ts';
import { NS_V3, child, children, parseXml, path, type XmlElement, type XmlLimits } from '../xml.ts';
import { hasTemplate, entryStatements } from './common.ts';
import { Context, type ConversionIssue, type ConvertOptions } from './context.ts';
import { documentIds, mapDocument } from './document.ts';
import { identifier } from './codes.ts';
import { mapPatient } from './patient.ts';
import { mapAllergies } from './sections/allergies.ts';
import { mapEncounters } from './sections/encounters.ts';
import { mapImmunizations } from './sections/immunizations.ts';
import { mapMedications } from './sections/medications.ts';
import { mapProblems } from './sections/problems.ts';
import { mapProcedures } from './sections/procedures.ts';
import { mapResults, mapVitalSigns } from './sections/results.ts';

const S = '2.16.840.1.113883.10.20.22.2.';
type Mapper = (ctx: Context, statements: XmlElement[]) => void;
/** Section templateId roots (entries-required and entries-optional variants) → mapper. */
const SECTIONS: readonly [string[], string, Mapper][] = [
  [[`${S}5.1`, `${S}5`], 'problems', mapProblems],
  [[`${S}1.1`, `${S}1`], 'medications', mapMedications],
  [[`${S}6.1`, `${S}6`], 'allergies', mapAllergies],
  [[`${S}3.1`, `${S}3`], 'results', mapResults],
  [[`${S}4.1`, `${S}4`], 'vital signs', mapVitalSigns],
  [[`${S}2.1`, `${S}2`], 'immunizations', mapImmunizations],
  [[`${S}7.1`, `${S}7`], 'procedures', mapProcedures],
  [[`${S}22.1`, `${S}22`], 'encounters', mapEncounters],
];

export interface CcdaConvertOptions extends ConvertOptions {
  limits?: XmlLimits;
}

export interface CcdaConversion {
  /** transaction Bundle: conditional creates (POST + ifNoneExist) and PUT Binary/<id> */
  bundle: Bundle;
  /** fullUrl of the Patient entry (urn:uuid) */
  patientFullUrl: string;
  /** ClinicalDocument/id as an Identifier, when present */
  documentId?: Identifier;
  /** SHA-256 (hex) of the original bytes; the Binary id is `ccda-` + its first 40 characters */
  sha256: string;
  binaryId: string;
  /** entries that were skipped or approximated, with their line in the XML */
  issues: ConversionIssue[];
}

/** Parses and checks the root: ClinicalDocument in urn:hl7-org:v3 (`ccda-not-cda` otherwise). */
export function parseCcda(input: string | Uint8Array, limits?: XmlLimits): XmlElement {
  const root = parseXml(input, limits);
  if (root.name !== 'ClinicalDocument' || root.ns !== NS_V3) {
    const found = root.ns ? `{${root.ns}}${root.name}` : root.name;
    throw new CcdaError('ccda-not-cda', `The root element must be ClinicalDocument in namespace ${NS_V3}; found ${found}`, root.line);
  }
  return root;
}

function* sections(el: XmlElement | undefined): Generator<XmlElement> {
  for (const comp of children(el, 'component')) {
    const section = child(comp, 'section');
    if (!section) continue;
    yield section;
    yield* sections(section);
  }
}

/**
 * Converts one C-CDA document. Throws CcdaError for input that is not a C-CDA document
 * (see errors.ts); problems inside entries are reported in `issues`, never thrown.
 */
export function convertCcda(input: string | Uint8Array, options: CcdaConvertOptions = {}): CcdaConversion {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const doc = parseCcda(input, options.limits);
  const ctx = new Context(doc, options);
  mapPatient(ctx, doc);
  for (const section of sections(path(doc, 'component', 'structuredBody'))) {
    const match = SECTIONS.find(([roots]) => hasTemplate(section, ...roots));
    if (!match) continue;
    const [, name, mapper] = match;
    if (child(section, 'entry') === undefined && section.attrs.get('nullFlavor') === undefined) {
      ctx.issue('ccda-section-empty', `The ${name} section has no entries`, section, 'information');
    }
    mapper(ctx, entryStatements(section));
  }
  const ids = documentIds(bytes);
  mapDocument(ctx, doc, bytes, ids);
  const documentId = identifier(child(doc, 'id'));
  return {
    bundle: { resourceType: 'Bundle', type: 'transaction', entry: ctx.entries },
    patientFullUrl: ctx.patientRef.reference ?? '',
    ...(documentId ? { documentId } : {}),
    sha256: ids.sha256,
    binaryId: ids.binaryId,
    issues: ctx.issues,
  };
}
