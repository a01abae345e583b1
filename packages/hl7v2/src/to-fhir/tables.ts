/**
 * Vocabulary maps from HL7 v2 tables to FHIR, after the v2-to-FHIR IG's table ConceptMaps
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/mapping_guidelines.html and the ConceptMap-table-hl7NNNN-* pages).
 * A code missing here is carried as a coding in the v2 table's own code system, never dropped.
 */
import type { Coding } from 'fhir/r4';

export const V2_TABLE = (n: string): string => `http://terminology.hl7.org/CodeSystem/v2-${n}`;

/** v2 coding system names (table 0396) to FHIR system URIs. */
const CODING_SYSTEMS: Record<string, string> = {
  LN: 'http://loinc.org',
  LOINC: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  SNOMED: 'http://snomed.info/sct',
  SNOMEDCT: 'http://snomed.info/sct',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  MVX: 'http://hl7.org/fhir/sid/mvx',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  UCUM: 'http://unitsofmeasure.org',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  'ICD10CM': 'http://hl7.org/fhir/sid/icd-10-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9CDX: 'http://hl7.org/fhir/sid/icd-9-cm',
  CPT: 'http://www.ama-assn.org/go/cpt',
  C4: 'http://www.ama-assn.org/go/cpt',
  CDCREC: 'urn:oid:2.16.840.1.113883.6.238',
  NCIT: 'http://ncithesaurus.nci.nih.gov',
};

/** FHIR system for a CWE.3 / CE.3 name; `HL7nnnn` and bare OIDs too. Unknown local names → undefined. */
export function codingSystem(name: string): string | undefined {
  const n = name.trim();
  if (n === '') return undefined;
  const known = CODING_SYSTEMS[n.toUpperCase()];
  if (known) return known;
  const table = /^HL7(\d{4})$/i.exec(n);
  if (table) return V2_TABLE(table[1] as string);
  if (/^[0-2](\.\d+)+$/.test(n)) return `urn:oid:${n}`;
  if (/^(https?|urn):/.test(n)) return n;
  return undefined;
}

/** Table 0001 administrative sex → administrative-gender (ConceptMap table-hl70001-to-administrative-gender). */
export const GENDER: Record<string, 'male' | 'female' | 'other' | 'unknown'> = { M: 'male', F: 'female', O: 'other', A: 'other', N: 'other', U: 'unknown' };

/** Table 0200 name type → NameUse (ConceptMap table-hl70200-to-name-use). */
export const NAME_USE: Record<string, 'usual' | 'official' | 'temp' | 'nickname' | 'anonymous' | 'old' | 'maiden'> = {
  L: 'official',
  D: 'usual',
  M: 'maiden',
  N: 'nickname',
  A: 'usual',
  B: 'old',
  BAD: 'old',
  S: 'anonymous',
  C: 'official',
  T: 'temp',
};

/** Table 0190 address type → Address.use / Address.type. */
export const ADDRESS_USE: Record<string, { use?: 'home' | 'work' | 'temp' | 'old' | 'billing'; type?: 'postal' | 'physical' | 'both' }> = {
  H: { use: 'home' },
  B: { use: 'work' },
  O: { use: 'work' },
  C: { use: 'temp' },
  BA: { use: 'old' },
  BI: { use: 'billing' },
  M: { type: 'postal' },
  P: { type: 'physical' },
  L: { use: 'home' },
};

/** Table 0004 patient class → v3 ActCode (ConceptMap table-hl70004-to-v3-actcode). */
export const PATIENT_CLASS: Record<string, { code: string; display: string }> = {
  E: { code: 'EMER', display: 'emergency' },
  I: { code: 'IMP', display: 'inpatient encounter' },
  O: { code: 'AMB', display: 'ambulatory' },
  P: { code: 'PRENC', display: 'pre-admission' },
  R: { code: 'AMB', display: 'ambulatory' },
  B: { code: 'IMP', display: 'inpatient encounter' },
  C: { code: 'AMB', display: 'ambulatory' },
};

/** Table 0085 observation result status → ObservationStatus (ConceptMap table-hl70085-to-observation-status). */
export const OBSERVATION_STATUS: Record<string, 'registered' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error' | 'unknown'> = {
  A: 'amended',
  C: 'corrected',
  D: 'entered-in-error',
  F: 'final',
  I: 'registered',
  N: 'unknown',
  O: 'registered',
  P: 'preliminary',
  R: 'preliminary',
  S: 'preliminary',
  U: 'final',
  W: 'entered-in-error',
  X: 'cancelled',
};

/** Table 0123 result status (OBR-25) → DiagnosticReportStatus (ConceptMap table-hl70123-to-diagnostic-report-status). */
export const REPORT_STATUS: Record<string, 'registered' | 'partial' | 'preliminary' | 'final' | 'amended' | 'corrected' | 'cancelled' | 'entered-in-error' | 'unknown'> = {
  O: 'registered',
  I: 'registered',
  S: 'registered',
  A: 'partial',
  P: 'preliminary',
  C: 'corrected',
  R: 'partial',
  F: 'final',
  X: 'cancelled',
  M: 'partial',
  Y: 'unknown',
  Z: 'unknown',
};

const V3_INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
// v3 ObservationInterpretation codes reused as-is by table 0078 (ConceptMap table-hl70078-to-observation-interpretation).
const SAME_CODE = new Set(['<', '>', 'A', 'AA', 'B', 'D', 'DET', 'H', 'HH', 'HU', 'HX', 'I', 'IND', 'L', 'LL', 'LU', 'LX', 'MS', 'N', 'NCL', 'ND', 'NEG', 'NR', 'NS', 'POS', 'QCF', 'R', 'RR', 'S', 'SDD', 'SYN-R', 'SYN-S', 'TOX', 'U', 'VS', 'W', 'WR', 'E', 'EX', 'EXP', 'IE', 'CAR', 'UNE']);
const RENAMED: Record<string, string> = { '>U': 'HU', '<U': 'LU' };

/** Table 0078 abnormal flag → v3 ObservationInterpretation; unknown flags keep the v2 table system. */
export function interpretation(flag: string): Coding {
  const code = RENAMED[flag] ?? flag;
  if (SAME_CODE.has(code)) return { system: V3_INTERPRETATION, code };
  return { system: V2_TABLE('0078'), code: flag };
}

/** Table 0322 completion status (RXA-20) → Immunization / MedicationAdministration status. */
export const COMPLETION_STATUS: Record<string, 'completed' | 'not-done'> = { CP: 'completed', PA: 'completed', RE: 'not-done', NA: 'not-done' };

/** Table 0278 filler status (SCH-25) → AppointmentStatus (ConceptMap table-hl70278-to-appointment-status). */
export const APPOINTMENT_STATUS: Record<string, 'proposed' | 'pending' | 'booked' | 'arrived' | 'fulfilled' | 'cancelled' | 'noshow' | 'entered-in-error' | 'checked-in' | 'waitlist'> = {
  PENDING: 'pending',
  WAITLIST: 'waitlist',
  BOOKED: 'booked',
  STARTED: 'arrived',
  COMPLETE: 'fulfilled',
  CANCELLED: 'cancelled',
  DC: 'cancelled',
  DELETED: 'entered-in-error',
  BLOCKED: 'booked',
  OVERBOOK: 'booked',
  NOSHOW: 'noshow',
};

/** Table 0038 order status (ORC-5) → MedicationRequest.status. */
export const ORDER_STATUS: Record<string, 'active' | 'on-hold' | 'cancelled' | 'completed' | 'entered-in-error' | 'stopped' | 'draft' | 'unknown'> = {
  A: 'active',
  CA: 'cancelled',
  CM: 'completed',
  DC: 'stopped',
  ER: 'entered-in-error',
  HD: 'on-hold',
  IP: 'active',
  RP: 'active',
  SC: 'active',
};

/** Table 0119 order control (ORC-1), used when ORC-5 is empty. */
export const ORDER_CONTROL_STATUS: Record<string, 'active' | 'on-hold' | 'cancelled' | 'stopped' | 'completed'> = {
  NW: 'active',
  OK: 'active',
  XO: 'active',
  RO: 'active',
  SC: 'active',
  CA: 'cancelled',
  OC: 'cancelled',
  CR: 'cancelled',
  DC: 'stopped',
  OD: 'stopped',
  HD: 'on-hold',
  OH: 'on-hold',
  RL: 'active',
  CM: 'completed',
};

/** Table 0271 document completion status (TXA-17) → DocumentReference.docStatus. */
export const DOC_STATUS: Record<string, 'preliminary' | 'final' | 'amended' | 'entered-in-error'> = {
  AU: 'final',
  LA: 'final',
  DO: 'final',
  DI: 'preliminary',
  IP: 'preliminary',
  IN: 'preliminary',
  PA: 'preliminary',
};
