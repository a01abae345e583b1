import { errors } from '@kennebec/fhir';
import type { StoredVersion } from '@kennebec/fhir-store';

/** ETag of a version: a weak validator carrying the version id (https://hl7.org/fhir/R4/http.html#versioning). */
export function etag(versionId: number): string {
  return `W/"${versionId}"`;
}

/** Parses `If-Match: W/"3"` (or `"3"`, or `3`) into a version number. */
export function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(value);
  if (!m) throw errors.badRequest(`If-Match must be a version ETag like W/"1" (got '${value}')`);
  return Number(m[1]);
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

/** `Prefer: return=…` (https://hl7.org/fhir/R4/http.html#ops); representation is the default. */
export function parsePrefer(value: string | undefined): { return: ReturnPreference; lenient: boolean } {
  const out: { return: ReturnPreference; lenient: boolean } = { return: 'representation', lenient: false };
  if (!value) return out;
  for (const part of value.split(/[,;]/)) {
    const [k, v] = part.trim().split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (k === 'return' && (v === 'minimal' || v === 'representation' || v === 'OperationOutcome')) out.return = v;
    if (k === 'handling' && v === 'lenient') out.lenient = true;
  }
  return out;
}

export function versionHeaders(baseUrl: string, v: StoredVersion): Record<string, string> {
  return {
    etag: etag(v.versionId),
    'last-modified': new Date(v.lastUpdated).toUTCString(),
    location: `${baseUrl}/${v.resourceType}/${v.id}/_history/${v.versionId}`,
  };
}
