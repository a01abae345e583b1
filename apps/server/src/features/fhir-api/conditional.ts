import { getSearchRegistry, parseSearchRequest } from '@kennebec/fhir';
import type { TokenKey } from '@kennebec/fhir-store';

/**
 * Criteria of conditional writes (https://hl7.org/fhir/R4/http.html#cond-update).
 *
 * Two conditional writes with the same criteria must not both find nothing and both create:
 * each takes a transaction-scoped advisory lock on its criteria key before searching, so the
 * second waits for the first to commit and then finds what it wrote.
 */
export function criteriaKey(type: string, params: readonly (readonly [string, string])[]): string {
  return `${type}?${[...params].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/**
 * The one token the criteria name, when they are exactly `param=system|code` (the usual
 * business-identifier key, e.g. `Patient?identifier=urn:oid:1.2|MRN-1`): such criteria can be
 * resolved together with others in one index lookup that matches exactly what the search would.
 * Anything else (several parameters, modifiers, alternatives, a missing system) is undefined.
 */
export function singleTokenCriteria(type: string, params: readonly (readonly [string, string])[]): TokenKey | undefined {
  if (params.length !== 1) return undefined;
  let req;
  try {
    req = parseSearchRequest(type, params, getSearchRegistry());
  } catch {
    return undefined;
  }
  const f = req.filters[0];
  if (req.filters.length !== 1 || req.warnings.length > 0 || f?.kind !== 'token' || f.not || f.values.length !== 1) return undefined;
  const v = f.values[0];
  if (typeof v?.system !== 'string' || v.system === '' || v.code === undefined || v.code === '') return undefined;
  return { resourceType: type, param: f.code, system: v.system, code: v.code };
}
