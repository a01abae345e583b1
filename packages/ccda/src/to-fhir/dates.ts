/**
 * HL7 v3 TS (YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]) → FHIR dateTime / instant.
 * FHIR requires a time zone whenever a time is given (https://hl7.org/fhir/R4/datatypes.html#dateTime),
 * so a TS with a time but no zone is reduced to its date rather than guessing a zone.
 */
import type { Period } from 'fhir/r4';
import { attr, child, type XmlElement } from '../xml.ts';

const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,9})?([+-]\d{4}|Z)?$/;

export interface ParsedTs {
  dateTime: string;
  /** true when the value has seconds and a zone, so it is also a valid FHIR instant */
  instant: boolean;
  /** true when a time was dropped for lack of a zone */
  truncated: boolean;
}

export function parseTs(raw: string | undefined): ParsedTs | undefined {
  if (!raw) return undefined;
  const m = TS.exec(raw.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return undefined;
  if (d !== undefined && (Number(d) < 1 || Number(d) > 31)) return undefined;
  let date = `${y}`;
  if (mo) date += `-${mo}`;
  if (mo && d) date += `-${d}`;
  if (!h || !d) return { dateTime: date, instant: false, truncated: false };
  if (!zone) return { dateTime: date, instant: false, truncated: true };
  // FHIR time zones run from -12:00 to +14:00; anything else is a broken value, not a zone.
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(3)) > 59)) return { dateTime: date, instant: false, truncated: true };
  if (Number(h) > 23 || Number(mi ?? '0') > 59 || Number(s ?? '0') > 60) return { dateTime: date, instant: false, truncated: true };
  const tz = zone === 'Z' ? 'Z' : zone === '-0000' ? '+00:00' : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const time = `${h}:${mi ?? '00'}:${s ?? '00'}${s && frac ? frac : ''}`;
  return { dateTime: `${date}T${time}${tz}`, instant: s !== undefined, truncated: false };
}

/** FHIR dateTime of a TS element's @value; undefined for nullFlavor or unparsable values. */
export function dateTime(el: XmlElement | undefined): string | undefined {
  if (!el || attr(el, 'nullFlavor')) return undefined;
  return parseTs(attr(el, 'value'))?.dateTime;
}

/** A point in time: @value, else low (IVL_TS used as a point), else center. */
export function pointInTime(el: XmlElement | undefined): string | undefined {
  return dateTime(el) ?? dateTime(child(el, 'low')) ?? dateTime(child(el, 'center'));
}

/** IVL_TS → Period; a bare @value becomes start. Undefined when nothing is known. */
export function period(el: XmlElement | undefined): Period | undefined {
  if (!el) return undefined;
  const start = dateTime(child(el, 'low')) ?? dateTime(el) ?? dateTime(child(el, 'center'));
  const end = dateTime(child(el, 'high'));
  if (!start && !end) return undefined;
  if (start && end) return consistent(start, end);
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/**
 * Keeps a Period valid under per-1 (start <= end). Bounds of different precision on the same
 * day (a zone-less time reduced to its date next to a full time) are both reduced to the
 * date; an end before the start (seen in vendor exports, e.g. 0001-01-01) is dropped.
 */
function consistent(start: string, end: string): Period {
  if (start.length !== end.length) {
    const n = Math.min(start.length, end.length, 10);
    const [s, e] = [start.slice(0, n), end.slice(0, n)];
    if (s === e) return start.length < end.length ? { start, end: e } : { start: s, end };
    return e < s ? { start } : { start, end };
  }
  if (start.length > 10) return Date.parse(end) < Date.parse(start) ? { start } : { start, end };
  return end < start ? { start } : { start, end };
}

/** effective[x]: a single time becomes dateTime, a range Period. */
export function effective(el: XmlElement | undefined): { dateTime?: string; period?: Period } {
  if (!el) return {};
  const v = dateTime(el);
  if (v) return { dateTime: v };
  const p = period(el);
  if (!p) return {};
  if (p.start && !p.end && !child(el, 'high')) return { dateTime: p.start };
  return { period: p };
}
