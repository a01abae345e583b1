/**
 * Value semantics shared by the index builder (resource side) and the request parser (search
 * side), so both sides agree byte for byte on normalized strings, date ranges and decimal
 * precision ranges.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const WHITESPACE = /\s+/g;
const PLAIN = /^[ -~]*$/;

/**
 * Case- and accent-insensitive form of a string (https://hl7.org/fhir/R4/search.html#string):
 * lower case, diacritics removed, runs of whitespace collapsed to one space, trimmed.
 */
export function normalizeString(s: string): string {
  const folded = PLAIN.test(s) ? s : s.normalize('NFD').replace(COMBINING_MARKS, '');
  return folded.toLowerCase().replace(WHITESPACE, ' ').trim();
}

/** Escapes LIKE metacharacters (backslash is PostgreSQL's default LIKE escape). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** An inclusive instant range; `null` is an open bound (minus or plus infinity). */
export interface InstantRange {
  low: string | null;
  high: string | null;
}

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** Date.UTC without its mapping of years 0-99 to 1900-1999. */
function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const t = Date.UTC(year, month, day, hour, minute, second, ms);
  if (year >= 100) return t;
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() - 1900);
  return d.getTime();
}

/**
 * The instants a date, dateTime or instant covers, at its precision
 * (https://hl7.org/fhir/R4/search.html#date): `1980` is all of 1980, `2020-03-04T10:00:00Z` is
 * that whole second, `…:00.5Z` that tenth of a second. Values without a time zone are taken as
 * UTC (the spec leaves it to the server). Returns undefined when the text is not such a value.
 */
export function dateRange(text: string): { low: string; high: string } | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > daysInMonth(year, month ?? 1))) return undefined;
  if (m[4] === undefined) {
    const low = utc(year, (month ?? 1) - 1, day ?? 1);
    let end: number;
    if (day !== undefined) end = utc(year, (month ?? 1) - 1, day + 1);
    else if (month !== undefined) end = utc(year, month, 1);
    else end = utc(year + 1, 0, 1);
    return { low: new Date(low).toISOString(), high: new Date(end - 1).toISOString() };
  }
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? undefined : Number(m[6]);
  if (hour > 23 || minute > 59 || (second !== undefined && second > 59)) return undefined;
  const fraction = m[7];
  const zone = m[8];
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const low = utc(year, (month ?? 1) - 1, day ?? 1, hour, minute, second ?? 0, ms) - offsetMinutes * 60_000;
  let width: number;
  if (second === undefined) width = 60_000;
  else if (fraction === undefined) width = 1000;
  else width = fraction.length >= 3 ? 1 : 10 ** (3 - fraction.length);
  return { low: new Date(low).toISOString(), high: new Date(low + width - 1).toISOString() };
}

/** A decimal with the range its precision implies, all as exact decimal strings. */
export interface DecimalRange {
  value: string;
  low: string;
  high: string;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Formats `n × 10^-scale` exactly. */
function formatScaled(n: bigint, scale: number): string {
  if (scale <= 0) return (n * 10n ** BigInt(-scale)).toString();
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/**
 * Parses a decimal and its implicit precision range
 * (https://hl7.org/fhir/R4/search.html#number): `100` is [99.5, 100.5), `1.50` is
 * [1.495, 1.505), `1e2` is [50, 150). Returns undefined when the text is not a decimal.
 */
export function decimalRange(text: string): DecimalRange | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const frac = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return undefined;
  const mantissa = sign * BigInt(`${m[2]}${frac}`);
  const scale = frac.length - exponent;
  return {
    value: formatScaled(mantissa, scale),
    low: formatScaled(mantissa * 10n - 5n, scale + 1),
    high: formatScaled(mantissa * 10n + 5n, scale + 1),
  };
}

/** The precision range of a JSON number (trailing zeros are lost by JSON parsing; see decimalRange). */
export function numberRange(n: number): DecimalRange | undefined {
  // Integers, the common case, need no decimal arithmetic: n ± 0.5 is exact in a double.
  if (Number.isSafeInteger(n) && Math.abs(n) < 2 ** 50) return { value: String(n), low: String(n - 0.5), high: String(n + 0.5) };
  return Number.isFinite(n) ? decimalRange(String(n)) : undefined;
}
