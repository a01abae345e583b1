/**
 * Reading FHIR R4 resources for display: names of codes, values, dates, flags. Only the parts
 * the portal shows; anything missing reads as empty.
 */
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  text?: string;
  coding?: Coding[];
}
export interface Quantity {
  value?: number;
  unit?: string;
  code?: string;
  comparator?: string;
}
export interface Range {
  low?: Quantity;
  high?: Quantity;
  text?: string;
}

// FHIR resources reach the page as JSON; we read them through this loose shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Res = Record<string, any>;

export interface RecordItem {
  resourceType: string;
  id: string;
  sourceOrg: string | null;
  resource: Res;
}

export function conceptText(c: CodeableConcept | undefined | null): string {
  if (!c) return '';
  return c.text ?? c.coding?.find((x) => x.display)?.display ?? c.coding?.[0]?.code ?? '';
}

/** The first `system|code` of a concept: what makes two results "the same test". */
export function conceptKey(c: CodeableConcept | undefined | null): string {
  const first = c?.coding?.find((x) => x.code);
  return first ? `${first.system ?? ''}|${first.code}` : conceptText(c).toLowerCase();
}

export function quantityText(q: Quantity | undefined, num: (n: number) => string = String): string {
  if (!q || q.value === undefined) return '';
  return `${q.comparator ?? ''}${num(q.value)}${q.unit ?? q.code ? ` ${q.unit ?? q.code}` : ''}`;
}

/** The value of an Observation as text. */
export function observationValue(o: Res, num: (n: number) => string = String): string {
  if (o.valueQuantity) return quantityText(o.valueQuantity, num);
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  if (typeof o.valueString === 'string') return o.valueString;
  if (typeof o.valueBoolean === 'boolean') return String(o.valueBoolean);
  if (typeof o.valueInteger === 'number') return num(o.valueInteger);
  if (Array.isArray(o.component)) {
    return (o.component as Res[])
      .map((c) => quantityText(c.valueQuantity, num))
      .filter(Boolean)
      .join(' / ');
  }
  return '';
}

export function effectiveTime(r: Res): string | undefined {
  return r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued ?? r.occurrenceDateTime ?? r.authoredOn ?? r.onsetDateTime ?? r.recordedDate ?? r.period?.start ?? r.date ?? r.meta?.lastUpdated;
}

export function timeOf(r: Res): number {
  const t = effectiveTime(r);
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

export type Flag = 'high' | 'low' | 'critical-high' | 'critical-low' | 'abnormal' | null;

/** Abnormal flag: the lab's interpretation when it gives one, else the value against the reference range. */
export function flagOf(o: Res): Flag {
  const code: string | undefined = (o.interpretation as CodeableConcept[] | undefined)?.flatMap((i) => i.coding ?? []).find((c) => c.code)?.code;
  switch (code) {
    case 'H':
    case 'HU':
      return 'high';
    case 'L':
    case 'LU':
      return 'low';
    case 'HH':
      return 'critical-high';
    case 'LL':
      return 'critical-low';
    case 'A':
    case 'AA':
      return 'abnormal';
    case 'N':
      return null;
  }
  const v = o.valueQuantity?.value;
  const r = (o.referenceRange as Range[] | undefined)?.[0];
  if (typeof v !== 'number' || !r) return null;
  if (r.high?.value !== undefined && v > r.high.value) return 'high';
  if (r.low?.value !== undefined && v < r.low.value) return 'low';
  return null;
}

export function rangeText(o: Res, num: (n: number) => string = String): string {
  const r = (o.referenceRange as Range[] | undefined)?.[0];
  if (!r) return '';
  if (r.text) return r.text;
  const unit = r.low?.unit ?? r.high?.unit ?? o.valueQuantity?.unit ?? '';
  if (r.low?.value !== undefined && r.high?.value !== undefined) return `${num(r.low.value)}–${num(r.high.value)}${unit ? ` ${unit}` : ''}`;
  if (r.high?.value !== undefined) return `≤ ${num(r.high.value)}${unit ? ` ${unit}` : ''}`;
  if (r.low?.value !== undefined) return `≥ ${num(r.low.value)}${unit ? ` ${unit}` : ''}`;
  return '';
}

export function newestFirst<T extends { resource: Res }>(items: T[]): T[] {
  return [...items].sort((a, b) => timeOf(b.resource) - timeOf(a.resource));
}

/** A medication's name, whether coded or a reference with a display. */
export function medicationName(r: Res): string {
  return conceptText(r.medicationCodeableConcept) || r.medicationReference?.display || '';
}

export function isActiveMedication(r: Res): boolean {
  return r.status === 'active' || r.status === 'intended' || r.status === 'on-hold';
}

export function clinicalStatus(r: Res): string {
  return r.clinicalStatus?.coding?.[0]?.code ?? '';
}
