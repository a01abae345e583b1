/** Epoch-millisecond arithmetic and FHIR date formatting; all times are UTC so output never depends on the host time zone. */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const YEAR = 31_556_952_000; // 365.2425 days

/** FHIR dateTime/instant with second precision, e.g. 2024-03-05T14:20:00Z. */
export function isoDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** FHIR date, e.g. 2024-03-05. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight UTC of the day containing ms. */
export function startOfDay(ms: number): number {
  return ms - (((ms % DAY) + DAY) % DAY);
}

/**
 * Parses the caller's "now". A date-time without an offset would be read in the host's local
 * zone by Date.parse, which would break determinism, so it is taken as UTC instead.
 */
export function parseNow(now: string): number {
  const hasZone = /(Z|[+-]\d\d:\d\d)$/.test(now);
  const isDateOnly = /^\d{4}-\d\d-\d\d$/.test(now);
  const ms = Date.parse(hasZone || isDateOnly ? now : `${now}Z`);
  if (!Number.isFinite(ms)) throw new RangeError(`now must be an ISO date-time, got ${JSON.stringify(now)}`);
  return Math.floor(ms / 1000) * 1000;
}
