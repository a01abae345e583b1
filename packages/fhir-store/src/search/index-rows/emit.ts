/**
 * Turns element values into index rows, by search parameter type and FHIR type of the value.
 * What each combination indexes follows https://hl7.org/fhir/R4/search.html#ptypes (string,
 * token, reference, date, number, quantity, uri).
 */
import { dateRange, normalizeString, numberRange } from '@kennebec/fhir';
import type { IndexRows } from '../../types.ts';

/** Accumulates the rows of one resource. */
export class RowSink {
  readonly rows: IndexRows = { string: [], token: [], reference: [], date: [], number: [], quantity: [], uri: [] };
}

/**
 * Appends a row unless an equal one is already there (a given name equal to the family name…).
 * A parameter's rows are appended together, so only the tail block with the same param is
 * scanned: a few comparisons, no allocation.
 */
function pushUnique<T extends { param: string }>(rows: T[], row: T, same: (a: T, b: T) => boolean): void {
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i] as T;
    if (r.param !== row.param) break;
    if (same(r, row)) return;
  }
  rows.push(row);
}

type Row<K extends keyof IndexRows> = IndexRows[K][number];
const sameString = (a: Row<'string'>, b: Row<'string'>): boolean => a.exact === b.exact;
const sameToken = (a: Row<'token'>, b: Row<'token'>): boolean => a.code === b.code && a.system === b.system && a.text === b.text;
const sameReference = (a: Row<'reference'>, b: Row<'reference'>): boolean =>
  a.targetId === b.targetId && a.targetType === b.targetType && a.url === b.url;
const sameDate = (a: Row<'date'>, b: Row<'date'>): boolean => a.low === b.low && a.high === b.high;
const sameNumber = (a: Row<'number'>, b: Row<'number'>): boolean => a.value === b.value && a.low === b.low && a.high === b.high;
const sameQuantity = (a: Row<'quantity'>, b: Row<'quantity'>): boolean =>
  sameNumber(a, b) && a.code === b.code && a.system === b.system && a.unit === b.unit;
const sameUri = (a: Row<'uri'>, b: Row<'uri'>): boolean => a.value === b.value;

type Obj = Record<string, unknown>;
export type Emitter = (sink: RowSink, param: string, value: unknown, leaf: string) => void;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

// B-tree index entries are limited to about 2.7 kB; a normalized value is cut to this many
// characters (up to 4 bytes each), so long texts stay searchable by their beginning.
const MAX_INDEXED_CHARS = 500;
const cut = (s: string): string => (s.length > MAX_INDEXED_CHARS ? s.slice(0, MAX_INDEXED_CHARS) : s);

/** The `value` column of a string: normalized and cut. */
export function indexedString(s: string): string {
  return cut(normalizeString(s));
}

function addString(sink: RowSink, param: string, s: unknown): void {
  if (typeof s !== 'string') return;
  const value = indexedString(s);
  if (value) pushUnique(sink.rows.string, { param, value, exact: s }, sameString);
}

function eachString(sink: RowSink, param: string, v: unknown): void {
  if (Array.isArray(v)) for (const s of v) addString(sink, param, s);
  else addString(sink, param, v);
}

/** HumanName and Address index each of their parts (https://hl7.org/fhir/R4/search.html#string). */
export const emitString: Emitter = (sink, param, v, leaf) => {
  if (typeof v === 'string') return addString(sink, param, v);
  if (!isObj(v)) return;
  if (leaf === 'HumanName') {
    addString(sink, param, v.family);
    eachString(sink, param, v.given);
    eachString(sink, param, v.prefix);
    eachString(sink, param, v.suffix);
    addString(sink, param, v.text);
  } else if (leaf === 'Address') {
    eachString(sink, param, v.line);
    addString(sink, param, v.city);
    addString(sink, param, v.district);
    addString(sink, param, v.state);
    addString(sink, param, v.postalCode);
    addString(sink, param, v.country);
    addString(sink, param, v.text);
  }
};

function addToken(sink: RowSink, param: string, system: string | null, code: string | null, text: string | null): void {
  pushUnique(sink.rows.token, { param, system, code: code === null ? null : cut(code), text }, sameToken);
}

const norm = (v: unknown): string | null => {
  const s = str(v);
  return s === undefined ? null : cut(normalizeString(s)) || null;
};

/**
 * Coding and CodeableConcept: a row per coding, `text` carrying the display (or the concept's
 * text) for `:text`; Identifier: system|value with the type's text; ContactPoint: system|value;
 * primitives: the value as a code without system.
 */
export const emitToken: Emitter = (sink, param, v, leaf) => {
  if (typeof v === 'boolean') return addToken(sink, param, null, v ? 'true' : 'false', null);
  if (typeof v === 'string') return v ? addToken(sink, param, null, v, null) : undefined;
  if (!isObj(v)) return;
  switch (leaf) {
    case 'Coding':
      if (str(v.code) || str(v.display)) addToken(sink, param, str(v.system) ?? null, str(v.code) ?? null, norm(v.display));
      return;
    case 'CodeableConcept': {
      const text = norm(v.text);
      let textUsed = text === null;
      if (Array.isArray(v.coding)) {
        for (const c of v.coding) {
          if (!isObj(c) || !(str(c.code) || str(c.display))) continue;
          const display = norm(c.display);
          if (display === null || display === text) textUsed = true;
          addToken(sink, param, str(c.system) ?? null, str(c.code) ?? null, display ?? text);
        }
      }
      if (!textUsed) addToken(sink, param, null, null, text);
      return;
    }
    case 'Identifier': {
      const value = str(v.value);
      const typeText = isObj(v.type) ? norm(v.type.text) : null;
      if (value) addToken(sink, param, str(v.system) ?? null, value, typeText);
      return;
    }
    case 'ContactPoint': {
      const value = str(v.value);
      if (value) addToken(sink, param, str(v.system) ?? null, value, null);
      return;
    }
  }
};

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

function addReference(sink: RowSink, param: string, targetType: string | null, targetId: string | null, url: string | null): void {
  pushUnique(sink.rows.reference, { param, targetType, targetId, url }, sameReference);
}

/**
 * Relative references index their type and id (a version is dropped); absolute, canonical and
 * urn references their URL. Contained (`#id`) and identifier-only references are not indexed.
 */
export const emitReference: Emitter = (sink, param, v, leaf) => {
  if (typeof v === 'string') {
    if (v) addReference(sink, param, null, null, v);
    return;
  }
  if (!isObj(v)) return;
  if (leaf === 'Reference') {
    const ref = str(v.reference);
    if (!ref || ref.startsWith('#')) return;
    const m = RELATIVE.exec(ref);
    if (m) addReference(sink, param, m[1] as string, m[2] as string, null);
    else addReference(sink, param, null, null, ref);
  } else if (typeof v.resourceType === 'string' && typeof v.id === 'string') {
    // A resource reached by the expression itself (Bundle.entry[0].resource).
    addReference(sink, param, v.resourceType, v.id, null);
  }
};

function addDate(sink: RowSink, param: string, low: string | null, high: string | null): void {
  if (low !== null || high !== null) pushUnique(sink.rows.date, { param, low, high }, sameDate);
}

/**
 * date/dateTime/instant: the range their precision covers; Period: start..end with a missing
 * bound open; Timing: the outer limits of its events and bounds
 * (https://hl7.org/fhir/R4/search.html#date).
 */
export const emitDate: Emitter = (sink, param, v, leaf) => {
  if (typeof v === 'string') {
    const r = dateRange(v);
    if (r) addDate(sink, param, r.low, r.high);
    return;
  }
  if (!isObj(v)) return;
  if (leaf === 'Period') {
    const start = str(v.start) ? dateRange(v.start as string) : undefined;
    const end = str(v.end) ? dateRange(v.end as string) : undefined;
    if (start || end) addDate(sink, param, start?.low ?? null, end?.high ?? null);
  } else if (leaf === 'Timing') {
    const span = timingSpan(v);
    if (span) addDate(sink, param, span.low, span.high);
  }
};

/** Outer limits of a Timing's events and bounds; a null bound is open. */
function timingSpan(v: Obj): { low: string | null; high: string | null } | undefined {
  let span: { low: string | null; high: string | null } | undefined;
  const widen = (l: string | null, h: string | null): void => {
    if (!span) span = { low: l, high: h };
    else {
      span.low = span.low === null || l === null ? null : l < span.low ? l : span.low;
      span.high = span.high === null || h === null ? null : h > span.high ? h : span.high;
    }
  };
  if (Array.isArray(v.event)) {
    for (const e of v.event) {
      const r = typeof e === 'string' ? dateRange(e) : undefined;
      if (r) widen(r.low, r.high);
    }
  }
  const bounds = isObj(v.repeat) && isObj(v.repeat.boundsPeriod) ? v.repeat.boundsPeriod : undefined;
  if (bounds) {
    const start = str(bounds.start) ? dateRange(bounds.start as string) : undefined;
    const end = str(bounds.end) ? dateRange(bounds.end as string) : undefined;
    if (start || end) widen(start?.low ?? null, end?.high ?? null);
  }
  return span;
}

interface Num {
  value: string;
  low: string;
  high: string;
}

/** A Range's bounds, open ends infinite; its value is the low bound (or the high one). */
function rangeOf(v: Obj): (Num & { unitOf: Obj | undefined }) | undefined {
  const lo = isObj(v.low) && typeof v.low.value === 'number' ? numberRange(v.low.value) : undefined;
  const hi = isObj(v.high) && typeof v.high.value === 'number' ? numberRange(v.high.value) : undefined;
  if (!lo && !hi) return undefined;
  return {
    value: (lo ?? hi)?.value as string,
    low: lo?.value ?? '-Infinity',
    high: hi?.value ?? 'Infinity',
    unitOf: (lo ? v.low : v.high) as Obj | undefined,
  };
}

export const emitNumber: Emitter = (sink, param, v, leaf) => {
  let n: Num | undefined;
  if (typeof v === 'number') n = numberRange(v);
  else if (isObj(v) && leaf === 'Range') n = rangeOf(v);
  if (n) pushUnique(sink.rows.number, { param, value: n.value, low: n.low, high: n.high }, sameNumber);
};

const QUANTITY_TYPES = new Set(['Quantity', 'Age', 'Duration', 'Count', 'Distance', 'SimpleQuantity', 'MoneyQuantity']);

/**
 * Quantities index value, precision range, system, code and unit; Money its currency as an
 * ISO 4217 code; a Range its bounds. SampledData is not indexed.
 */
export const emitQuantity: Emitter = (sink, param, v, leaf) => {
  if (!isObj(v)) return;
  let n: Num | undefined;
  let system: string | null = null;
  let code: string | null = null;
  let unit: string | null = null;
  if (QUANTITY_TYPES.has(leaf)) {
    if (typeof v.value !== 'number') return;
    n = numberRange(v.value);
    system = str(v.system) ?? null;
    code = str(v.code) ?? null;
    unit = str(v.unit) ?? null;
  } else if (leaf === 'Money') {
    if (typeof v.value !== 'number') return;
    n = numberRange(v.value);
    code = str(v.currency) ?? null;
    system = code ? 'urn:iso:std:iso:4217' : null;
  } else if (leaf === 'Range') {
    const r = rangeOf(v);
    n = r;
    if (r?.unitOf) {
      system = str(r.unitOf.system) ?? null;
      code = str(r.unitOf.code) ?? null;
      unit = str(r.unitOf.unit) ?? null;
    }
  }
  if (n) pushUnique(sink.rows.quantity, { param, value: n.value, low: n.low, high: n.high, system, code, unit }, sameQuantity);
};

export const emitUri: Emitter = (sink, param, v) => {
  if (typeof v !== 'string' || !v) return;
  pushUnique(sink.rows.uri, { param, value: cut(v) }, sameUri);
};

export const EMITTERS: Record<string, Emitter | undefined> = {
  string: emitString,
  token: emitToken,
  reference: emitReference,
  date: emitDate,
  number: emitNumber,
  quantity: emitQuantity,
  uri: emitUri,
};
