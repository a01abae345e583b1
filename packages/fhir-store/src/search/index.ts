/**
 * FHIR search over the SQL store: the index-row builder used on every write, and the search
 * executor. See https://hl7.org/fhir/R4/search.html
 */
import type { Resource } from 'fhir/r4';
import type { IndexRows } from '../types.ts';
import { createIndexRowBuilder, type IndexRowBuilder } from './index-rows/build.ts';

export { createIndexRowBuilder, type IndexRowBuilder } from './index-rows/build.ts';
export { executeSearch, compileSearch, type SearchResult, type ExecuteOptions, type CompiledSearch } from './execute.ts';
export { searchResources, type SearchResourcesOptions } from './search-resources.ts';
export type { MatchStrategy } from './sql.ts';
export type { AccessFilter } from './access.ts';

let shared: IndexRowBuilder | undefined;

/** Index rows of a resource for every supported search parameter of its type (R4 + US Core). */
export function buildIndexRows(resource: Resource): IndexRows {
  shared ??= createIndexRowBuilder();
  return shared(resource);
}
