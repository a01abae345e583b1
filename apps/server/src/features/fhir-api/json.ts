import { randomBytes } from 'node:crypto';
import type { FhirResource } from 'fhir/r4';
import type { StoredVersion } from '@kennebec/fhir-store';

/**
 * Responses embed stored resources as the JSON text the database returned, instead of parsing
 * it into objects only to serialize them again: on reads and searches that round trip is most
 * of the CPU a request costs.
 */
const RAW = Symbol('raw-json');

interface RawMarker {
  [RAW]: string;
}

/** The resource of a version, as a marker that `serializeJson` replaces by the stored text. */
export function resourceOf(v: StoredVersion): FhirResource | undefined {
  if (v.raw !== undefined) return { [RAW]: v.raw } as unknown as FhirResource;
  return v.resource as FhirResource | undefined;
}

/** Whether a version carries a resource, without parsing its stored text. */
export function hasResource(v: StoredVersion): boolean {
  return !v.deleted && (v.raw !== undefined || v.resource !== undefined);
}

function isRaw(value: unknown): value is RawMarker {
  return typeof value === 'object' && value !== null && RAW in value;
}

export function serializeJson(body: unknown): string {
  if (isRaw(body)) return body[RAW];
  const raws: string[] = [];
  // A random tag per call, so no string in the body can pose as a placeholder.
  const tag = randomBytes(6).toString('hex');
  const text = JSON.stringify(body, (_key, value: unknown) => {
    if (!isRaw(value)) return value;
    raws.push(value[RAW]);
    return `\u0000${tag}:${raws.length - 1}`;
  });
  if (raws.length === 0) return text;
  return text.replace(new RegExp(`"\\\\u0000${tag}:(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)] as string);
}

/** The stored JSON text behind a resource marker, or undefined for an ordinary object. */
export function rawTextOf(value: unknown): string | undefined {
  return isRaw(value) ? value[RAW] : undefined;
}
