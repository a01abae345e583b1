import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { outcome } from '@kennebec/fhir';
import type { StoredVersion } from '@kennebec/fhir-store';
import { defaultPurpose, type AccessPoint, type Actor } from '../access/index.ts';
import { parsePrefer } from './headers.ts';
import { hasResource, resourceOf } from './json.ts';
import type { SearchEngine } from './ports.ts';
import type { FhirResponse } from './types.ts';

/**
 * Type-level search as a searchset Bundle (https://hl7.org/fhir/R4/search.html#return).
 * The next link carries an opaque keyset cursor, so paging stays correct while others write.
 */
export async function searchType(
  deps: { search: SearchEngine; fhirBase: string; checkType: (t: string) => void; access: AccessPoint },
  actor: Actor,
  type: string,
  params: [string, string][],
  prefer: string | undefined,
): Promise<FhirResponse> {
  deps.checkType(type);
  const principal = await deps.access.principal(actor);
  const scope = deps.access.require(principal, 'search', type);
  // The permit's patients and hidden labels become part of the query itself.
  const result = await deps.search.search(type, params, { lenient: parsePrefer(prefer).lenient, access: deps.access.searchFilter(scope) });
  // Included resources are disclosed as well: each needs read permission and its own check.
  const included: StoredVersion[] = [];
  for (const v of result.included.filter(hasResource)) {
    const d = deps.access.decide(principal, { action: 'read', resourceType: v.resourceType, patients: 'any', purpose: defaultPurpose(actor) });
    if (d.permit && (await deps.access.visible(d.scope, [v.resource as FhirResource & Record<string, unknown>]))[0]) included.push(v);
  }
  const kept = params.filter(([k]) => k !== '_cursor' && k !== '_format');
  const link = (extra: [string, string][]): string => {
    const qs = new URLSearchParams([...kept, ...extra]).toString();
    return `${deps.fhirBase}/${type}${qs ? `?${qs}` : ''}`;
  };
  const cursor = params.find(([k]) => k === '_cursor');
  const entry = (v: StoredVersion, mode: 'match' | 'include'): BundleEntry => ({
    fullUrl: `${deps.fhirBase}/${v.resourceType}/${v.id}`,
    ...(hasResource(v) ? { resource: resourceOf(v) as FhirResource } : {}),
    search: { mode },
  });
  const entries: BundleEntry[] = [
    ...result.matches.map((v) => entry(v, 'match')),
    ...included.map((v) => entry(v, 'include')),
  ];
  if (result.warnings && result.warnings.length > 0) {
    entries.push({ resource: outcome(result.warnings.map((w) => ({ ...w, severity: 'warning' }))), search: { mode: 'outcome' } });
  }
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link: [
      { relation: 'self', url: link(cursor ? [cursor] : []) },
      ...(result.nextCursor ? [{ relation: 'next', url: link([['_cursor', result.nextCursor]]) }] : []),
    ],
    ...(entries.length > 0 ? { entry: entries } : {}),
  };
  return { status: 200, body: bundle };
}
