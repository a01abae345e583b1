/** Helpers shared by the section mappers: template ids, entries, statuses, values. */
import type { CodeableConcept, Quantity, Range, Ratio } from 'fhir/r4';
import { NS_V3, attr, child, children, path, xsiType, type XmlElement } from '../xml.ts';
import { UCUM, codeableConcept, referencedText, type NarrativeLookup } from './codes.ts';
import { dateTime } from './dates.ts';

/** C-CDA template ids are roots; R1.1 has no extension, R2.x adds a date extension. */
export function hasTemplate(el: XmlElement | undefined, ...roots: string[]): boolean {
  return children(el, 'templateId').some((t) => roots.includes(attr(t, 'root') ?? ''));
}

/** The clinical statements of a section: entry/(act|observation|organizer|substanceAdministration|…). */
export function entryStatements(section: XmlElement): XmlElement[] {
  return children(section, 'entry')
    .map((e) => e.children.find((c) => c.ns === NS_V3 && c.name !== 'templateId' && c.name !== 'realmCode' && c.name !== 'typeId'))
    .filter((c): c is XmlElement => c !== undefined);
}

/** Clinical statements inside entryRelationship (optionally only those of a typeCode). */
export function related(el: XmlElement | undefined, typeCode?: string): XmlElement[] {
  return children(el, 'entryRelationship')
    .filter((r) => typeCode === undefined || attr(r, 'typeCode') === typeCode)
    .flatMap((r) => r.children.filter((c) => c.ns === NS_V3 && ['observation', 'act', 'substanceAdministration', 'supply', 'procedure', 'encounter', 'organizer'].includes(c.name)));
}

export function statusCode(el: XmlElement | undefined): string | undefined {
  return attr(child(el, 'statusCode'), 'code')?.trim();
}

export function negated(el: XmlElement | undefined): boolean {
  return attr(el, 'negationInd') === 'true';
}

/** author/time of the statement (C-CDA Author Participation 2.16.840.1.113883.10.20.22.4.119). */
export function authorTime(el: XmlElement | undefined): string | undefined {
  return dateTime(path(el, 'author', 'time'));
}

/** Entry narrative: <text> of the statement (originalText rules: direct text or #reference). */
export function entryText(el: XmlElement | undefined, narrative: NarrativeLookup): string | undefined {
  return referencedText(child(el, 'text'), narrative);
}

/** Units written by some EHRs that are not UCUM; kept as unit text only, never as a UCUM code. */
const NOT_UCUM = new Set(['lbs', 'lb', 'in', 'inches', 'inch', 'F', 'degF', 'deg F', 'bpm', 'BPM', 'beats/min', 'breaths/min', 'mmHg', 'pounds', 'feet', 'ft', 'years', 'yrs', 'oz']);

export function quantity(el: XmlElement | undefined): Quantity | undefined {
  if (!el || attr(el, 'nullFlavor')) return undefined;
  const raw = attr(el, 'value')?.trim();
  if (!raw || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) return undefined;
  const unit = attr(el, 'unit')?.trim();
  if (!unit) return { value };
  if (NOT_UCUM.has(unit) || /\s/.test(unit)) return { value, unit };
  return { value, unit, system: UCUM, code: unit };
}

function range(el: XmlElement): Range | undefined {
  const low = quantity(child(el, 'low'));
  const high = quantity(child(el, 'high'));
  if (!low && !high) return undefined;
  return { ...(low ? { low } : {}), ...(high ? { high } : {}) };
}

export type ObservationValue =
  | { valueQuantity: Quantity }
  | { valueCodeableConcept: CodeableConcept }
  | { valueString: string }
  | { valueBoolean: boolean }
  | { valueInteger: number }
  | { valueRange: Range }
  | { valueRatio: Ratio }
  | { valueDateTime: string };

/** ANY-typed <value> by xsi:type: PQ, IVL_PQ, ST/ED, CD/CE/CO/CV, INT, REAL, BL, TS, RTO. */
export function observationValue(v: XmlElement | undefined, narrative: NarrativeLookup): ObservationValue | undefined {
  if (!v) return undefined;
  const t = xsiType(v) ?? '';
  if (attr(v, 'nullFlavor') && !['CD', 'CE', 'CO', 'CV'].includes(t)) return undefined;
  switch (t) {
    case 'PQ':
    case 'REAL': {
      const q = quantity(v);
      return q ? { valueQuantity: q } : undefined;
    }
    case 'INT': {
      const n = Number(attr(v, 'value'));
      return Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? { valueInteger: n } : undefined;
    }
    case 'IVL_PQ': {
      const r = range(v);
      return r ? { valueRange: r } : undefined;
    }
    case 'RTO':
    case 'RTO_PQ_PQ': {
      const numerator = quantity(child(v, 'numerator'));
      const denominator = quantity(child(v, 'denominator'));
      return numerator && denominator ? { valueRatio: { numerator, denominator } } : undefined;
    }
    case 'BL':
      return attr(v, 'value') === 'true' || attr(v, 'value') === 'false' ? { valueBoolean: attr(v, 'value') === 'true' } : undefined;
    case 'TS': {
      const d = dateTime(v);
      return d ? { valueDateTime: d } : undefined;
    }
    case 'CD':
    case 'CE':
    case 'CO':
    case 'CV': {
      const cc = codeableConcept(v, narrative);
      return cc ? { valueCodeableConcept: cc } : undefined;
    }
    default: {
      const s = referencedText(v, narrative);
      return s ? { valueString: s } : undefined;
    }
  }
}

/** nullFlavor → data-absent-reason (https://hl7.org/fhir/R4/codesystem-data-absent-reason.html). */
export function dataAbsentReason(nullFlavor: string | undefined): CodeableConcept {
  const map: Record<string, string> = { UNK: 'unknown', ASKU: 'asked-unknown', NAV: 'temp-unknown', NASK: 'not-asked', MSK: 'masked', NA: 'not-applicable', NAVU: 'unknown', NP: 'unknown', NI: 'unknown', OTH: 'unknown', NINF: 'negative-infinity', PINF: 'positive-infinity', QS: 'unknown', TRC: 'unknown' };
  return { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: map[nullFlavor ?? ''] ?? 'unknown' }] };
}

/** Stable text of a CodeableConcept for hash keys. */
export function conceptKey(cc: CodeableConcept | undefined): string {
  if (!cc) return '';
  const c = cc.coding?.[0];
  return c ? `${c.system}|${c.code}` : (cc.text ?? '');
}
