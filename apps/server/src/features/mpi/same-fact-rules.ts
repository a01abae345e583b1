import type {
  AllergyIntolerance,
  CodeableConcept,
  Coding,
  Condition,
  Dosage,
  Immunization,
  MedicationRequest,
  MedicationStatement,
  Observation,
  ObservationComponent,
  Procedure,
  Quantity,
  Reference,
  Resource,
} from 'fhir/r4';

/**
 * When two copies from different sources state the same clinical fact, per resource type.
 *
 * A rule gives the keys under which a copy can meet its twins (two copies are candidates when
 * they share any key) and the details that, when both copies record them, must agree. Keys
 * are built from the type's defining elements (code, time, value, status); a copy missing one
 * of them gets no key and is never merged. Everything is conservative on purpose: showing a
 * fact twice is a nuisance, folding two different results into one is a clinical error.
 * The table in the README ("Same fact from many sources") states these rules for readers.
 */
export interface SameFactRule {
  /** Keys to meet twins under; empty when the copy is never merged. `patients` are the person's Patient ids. */
  keys(resource: Resource, patients: ReadonlySet<string>): string[];
  /** True when the two copies disagree on a detail both of them record. */
  conflicts?(a: Resource, b: Resource): boolean;
}

const UCUM = 'http://unitsofmeasure.org';
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `system|code` of every coding that has both, sorted and without repeats. */
export function codes(cc: CodeableConcept | undefined): string[] {
  return codingKeys(cc?.coding);
}

function codingKeys(codings: Coding[] | undefined): string[] {
  const out = new Set<string>();
  for (const c of codings ?? []) {
    const system = c.system?.trim();
    const code = c.code?.trim();
    if (system && code) out.add(`${system}|${code}`);
  }
  return [...out].sort();
}

/** Free text compared without case or runs of white space. */
function text(s: string | undefined): string | undefined {
  const t = s?.trim().replace(/\s+/g, ' ').toLowerCase();
  return t ? t : undefined;
}

/**
 * A dateTime as a key: with a time, the minute in UTC (so 08:00-05:00 and 13:00Z agree);
 * a bare date stays that day. Year or year-month precision is too coarse to say two facts
 * happened together, so it gives no key; nor does a date at one precision meet a time.
 */
export function momentKey(value: string | undefined): string | undefined {
  const m = value ? DATE_TIME.exec(value.trim()) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, zone] = m;
  if (h === undefined || mi === undefined || zone === undefined) return `${y}-${mo}-${d}`;
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) - offset * 60_000;
  return `${new Date(utc).toISOString().slice(0, 16)}Z`;
}

/** The calendar day as the source wrote it (the clinical date, whatever the time zone). */
export function dayKey(value: string | undefined): string | undefined {
  const m = value ? DATE_TIME.exec(value.trim()) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** The minute in UTC, only when the value has a time. */
function minuteKey(value: string | undefined): string | undefined {
  const k = momentKey(value);
  return k && k.length > 10 ? k : undefined;
}

/** Value and unit (the UCUM code when coded in UCUM, else the unit text), case-insensitive. */
export function quantityKey(q: Quantity | undefined): string | undefined {
  if (!q || typeof q.value !== 'number' || !Number.isFinite(q.value)) return undefined;
  const unit = (q.system === UCUM && q.code ? q.code : (q.unit ?? q.code ?? '')).trim().toLowerCase();
  return `${q.comparator ?? ''}${q.value} ${unit}`;
}

function conceptKeys(cc: CodeableConcept | undefined): string[] {
  const coded = codes(cc);
  if (coded.length > 0) return coded;
  const t = text(cc?.text);
  return t ? [`text:${t}`] : [];
}

type Valued = Pick<
  Observation,
  'valueQuantity' | 'valueCodeableConcept' | 'valueString' | 'valueBoolean' | 'valueInteger' | 'valueRange' | 'valueRatio' | 'valueTime' | 'valueDateTime' | 'valuePeriod'
>;

/** The value of an Observation or a component as keys (several when coded in several systems). */
function valueKeys(v: Valued): string[] {
  if (v.valueQuantity) return orNone(quantityKey(v.valueQuantity), (k) => `q:${k}`);
  if (v.valueCodeableConcept) return conceptKeys(v.valueCodeableConcept).map((k) => `c:${k}`);
  if (v.valueString !== undefined) return orNone(text(v.valueString), (k) => `s:${k}`);
  if (typeof v.valueBoolean === 'boolean') return [`b:${v.valueBoolean}`];
  if (typeof v.valueInteger === 'number') return [`i:${v.valueInteger}`];
  if (v.valueRange) {
    const low = quantityKey(v.valueRange.low);
    const high = quantityKey(v.valueRange.high);
    return low || high ? [`r:${low ?? ''}..${high ?? ''}`] : [];
  }
  if (v.valueRatio) {
    const n = quantityKey(v.valueRatio.numerator);
    const d = quantityKey(v.valueRatio.denominator);
    return n && d ? [`ratio:${n}/${d}`] : [];
  }
  if (v.valueTime) return [`t:${v.valueTime}`];
  if (v.valueDateTime) return orNone(momentKey(v.valueDateTime), (k) => `dt:${k}`);
  if (v.valuePeriod) return [`p:${momentKey(v.valuePeriod.start) ?? ''}..${momentKey(v.valuePeriod.end) ?? ''}`];
  return [];
}

function orNone(value: string | undefined, f: (v: string) => string): string[] {
  return value === undefined ? [] : [f(value)];
}

/** Components (blood pressure and the like) must all be present and agree: one key for the lot. */
function componentsKey(components: ObservationComponent[] | undefined): string | undefined {
  if (!components || components.length === 0) return '';
  const parts: string[] = [];
  for (const c of components) {
    const code = codes(c.code);
    const value = valueKeys(c).sort();
    if (code.length === 0 || value.length === 0) return undefined;
    parts.push(`${code.join(',')}=${value.join(',')}`);
  }
  return parts.sort().join(';');
}

/** True when the reference (relative or absolute) points to one of the person's Patients. */
function aboutPerson(ref: Reference | undefined, patients: ReadonlySet<string>): boolean {
  const m = ref?.reference ? /(?:^|\/)Patient\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(ref.reference) : null;
  return m !== null && patients.has(m[1] as string);
}

function product(type: string, first: string[], ...rest: (string | undefined)[]): string[] {
  if (rest.some((r) => r === undefined)) return [];
  return first.map((f) => [type, f, ...rest].join('|'));
}

function cross(a: string[], b: string[]): string[] {
  return a.flatMap((x) => b.map((y) => `${x}|${y}`));
}

/** Both copies record it and the two differ. */
function differ(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}

/** Both copies carry codes for it and share none. */
function disjoint(a: CodeableConcept | undefined, b: CodeableConcept | undefined): boolean {
  const x = codes(a);
  const y = codes(b);
  return x.length > 0 && y.length > 0 && !x.some((c) => y.includes(c));
}

const OBSERVATION_FAMILY: Partial<Record<Observation['status'], string>> = { final: 'final', amended: 'final', corrected: 'final', preliminary: 'preliminary' };

const observation: SameFactRule = {
  keys(r, patients) {
    const o = r as Observation;
    if (!aboutPerson(o.subject, patients)) return [];
    const family = OBSERVATION_FAMILY[o.status];
    const when = momentKey(o.effectiveDateTime ?? o.effectiveInstant ?? o.effectivePeriod?.start);
    const components = componentsKey(o.component);
    let values = valueKeys(o);
    if (values.length === 0) {
      // A panel or a result without a value (dataAbsentReason) states nothing to compare.
      if (!o.component?.length) return [];
      values = ['none'];
    }
    return product('Observation', cross(codes(o.code), values), when, components, family);
  },
};

const immunization: SameFactRule = {
  keys(r, patients) {
    const i = r as Immunization;
    if (!aboutPerson(i.patient, patients) || i.status === 'entered-in-error') return [];
    return product('Immunization', codes(i.vaccineCode), dayKey(i.occurrenceDateTime), i.status);
  },
  conflicts(a, b) {
    const x = a as Immunization;
    const y = b as Immunization;
    const lot = (i: Immunization): string | undefined => text(i.lotNumber)?.replace(/[\s-]/g, '');
    const dose = (i: Immunization): string | undefined => {
      const p = i.protocolApplied?.[0];
      const n = p?.doseNumberPositiveInt ?? p?.doseNumberString;
      return n === undefined ? undefined : String(n).trim();
    };
    return differ(lot(x), lot(y)) || differ(dose(x), dose(y));
  },
};

const REFUTED = new Set(['refuted', 'entered-in-error']);
const verification = (cc: CodeableConcept | undefined): boolean => (cc?.coding ?? []).some((c) => c.code !== undefined && REFUTED.has(c.code));
const statusCode = (cc: CodeableConcept | undefined): string | undefined => codes(cc)[0];

const condition: SameFactRule = {
  keys(r, patients) {
    const c = r as Condition;
    if (!aboutPerson(c.subject, patients) || verification(c.verificationStatus)) return [];
    return product('Condition', codes(c.code), dayKey(c.onsetDateTime ?? c.onsetPeriod?.start));
  },
  conflicts(a, b) {
    const x = a as Condition;
    const y = b as Condition;
    return differ(statusCode(x.clinicalStatus), statusCode(y.clinicalStatus)) || differ(dayKey(x.abatementDateTime), dayKey(y.abatementDateTime));
  },
};

const allergy: SameFactRule = {
  keys(r, patients) {
    const a = r as AllergyIntolerance;
    if (!aboutPerson(a.patient, patients) || verification(a.verificationStatus)) return [];
    return product('AllergyIntolerance', codes(a.code));
  },
  conflicts(a, b) {
    const x = a as AllergyIntolerance;
    const y = b as AllergyIntolerance;
    return differ(statusCode(x.clinicalStatus), statusCode(y.clinicalStatus)) || differ(x.criticality, y.criticality) || differ(x.type, y.type);
  },
};

/** The first dosage's dose, else its text: two copies of one prescription state the same dose. */
function doseKey(dosage: Dosage[] | undefined): string | undefined {
  const d = dosage?.[0];
  if (!d) return undefined;
  const dr = d.doseAndRate?.[0];
  const q = quantityKey(dr?.doseQuantity);
  if (q) return `q:${q}`;
  if (dr?.doseRange) return `r:${quantityKey(dr.doseRange.low) ?? ''}..${quantityKey(dr.doseRange.high) ?? ''}`;
  const t = text(d.text);
  return t === undefined ? undefined : `t:${t}`;
}

const medicationRequest: SameFactRule = {
  keys(r, patients) {
    const m = r as MedicationRequest;
    if (!aboutPerson(m.subject, patients) || m.status === 'entered-in-error') return [];
    return product('MedicationRequest', codes(m.medicationCodeableConcept), dayKey(m.authoredOn), m.status, m.intent);
  },
  conflicts: (a, b) => differ(doseKey((a as MedicationRequest).dosageInstruction), doseKey((b as MedicationRequest).dosageInstruction)),
};

const medicationStatement: SameFactRule = {
  keys(r, patients) {
    const m = r as MedicationStatement;
    if (!aboutPerson(m.subject, patients) || m.status === 'entered-in-error') return [];
    return product('MedicationStatement', codes(m.medicationCodeableConcept), dayKey(m.effectiveDateTime ?? m.effectivePeriod?.start), m.status);
  },
  conflicts: (a, b) => differ(doseKey((a as MedicationStatement).dosage), doseKey((b as MedicationStatement).dosage)),
};

const procedure: SameFactRule = {
  keys(r, patients) {
    const p = r as Procedure;
    if (!aboutPerson(p.subject, patients) || p.status === 'entered-in-error') return [];
    return product('Procedure', codes(p.code), dayKey(p.performedDateTime ?? p.performedPeriod?.start), p.status);
  },
  conflicts(a, b) {
    const x = a as Procedure;
    const y = b as Procedure;
    const at = (p: Procedure): string | undefined => minuteKey(p.performedDateTime ?? p.performedPeriod?.start);
    // Same procedure twice on one day (two blood draws) is real: times, when both are known, must agree.
    return differ(at(x), at(y)) || disjoint(x.bodySite?.[0], y.bodySite?.[0]);
  },
};

/**
 * Types whose copies may be merged. Encounters, reports, documents and everything else are
 * events or artifacts of the organization that recorded them and are never merged.
 */
export const SAME_FACT_RULES: Readonly<Record<string, SameFactRule>> = {
  Observation: observation,
  Immunization: immunization,
  Condition: condition,
  AllergyIntolerance: allergy,
  MedicationRequest: medicationRequest,
  MedicationStatement: medicationStatement,
  Procedure: procedure,
};

/** Security labels must be the same on both copies, so a sensitive copy is never hidden behind a plain one. */
export function securityKey(r: Resource): string {
  return codingKeys(r.meta?.security).join(',');
}
