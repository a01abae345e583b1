import type { Queryable } from '@kennebec/db';
import { getSearchRegistry, parseSearchRequest, type IssueInput, type ParseOptions, type SearchRegistry } from '@kennebec/fhir';
import { executeSearch, type ExecuteOptions, type SearchResult } from './execute.ts';

export interface SearchResourcesOptions extends ParseOptions, ExecuteOptions {
  registry?: SearchRegistry;
}

/**
 * Parses and runs a type-level search in one call: what an HTTP handler needs. `warnings` lists
 * the parameters ignored under lenient handling, for an OperationOutcome entry in the Bundle.
 */
export async function searchResources(
  q: Queryable,
  resourceType: string,
  params: readonly (readonly [string, string])[],
  opts: SearchResourcesOptions = {},
): Promise<SearchResult & { warnings: IssueInput[] }> {
  const req = parseSearchRequest(resourceType, params, opts.registry ?? getSearchRegistry(), opts);
  const result = await executeSearch(q, req, opts);
  return { ...result, warnings: req.warnings };
}
