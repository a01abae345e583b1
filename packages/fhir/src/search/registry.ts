/**
 * The search parameter registry: per resource type, code → definition, from the generated R4 +
 * US Core file (see generate.ts). Loaded once, lazily; each type's table is built on first use.
 * See https://hl7.org/fhir/R4/search.html#standard and https://hl7.org/fhir/R4/searchparameter.html
 */
import { readFileSync } from 'node:fs';
import type { CompiledPath, GeneratedComposite, GeneratedParam, GeneratedRegistry, SearchParamType } from './registry-data.ts';

export type { CompiledPath, GeneratedComposite, GeneratedRegistry, SearchParamType } from './registry-data.ts';

export interface SearchParamDef {
  readonly code: string;
  readonly type: SearchParamType;
  /** Canonical URL of the SearchParameter (CapabilityStatement searchParam.definition). */
  readonly url: string;
  /** FHIRPath expression restricted to this resource type. */
  readonly expression: string;
  /** Resource types a reference parameter may point to. */
  readonly targets: readonly string[];
  /** Modifiers this server supports for the parameter. */
  readonly modifiers: readonly string[];
  readonly documentation?: string;
  /** False when the parameter can be neither indexed nor searched here. */
  readonly supported: boolean;
  readonly unsupportedReason?: string;
  /** Paths the index builder walks natively. */
  readonly paths: readonly CompiledPath[];
  /** Remainder of the expression that is evaluated with fhirpath.js. */
  readonly fhirpath?: string;
  readonly composite?: GeneratedComposite;
}

export interface SearchRegistry {
  readonly fhirVersion: string;
  /** Every R4 resource type. */
  resourceTypes(): readonly string[];
  isResourceType(type: string): boolean;
  get(resourceType: string, code: string): SearchParamDef | undefined;
  /** All parameters of a type, supported or not, including the common ones (`_id`, `_tag`…). */
  params(resourceType: string): readonly SearchParamDef[];
}

/**
 * Modifiers per parameter type (https://hl7.org/fhir/R4/search.html#modifiers). Reference
 * parameters also take `:[type]`; `above`, `below`, `in`, `not-in`, `of-type` and `identifier`
 * on tokens and references are not implemented.
 */
const MODIFIERS: Record<SearchParamType, readonly string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'text', 'not'],
  reference: ['missing', 'type'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  uri: ['missing', 'below', 'above'],
  composite: [],
  special: [],
};

/** `_id` and `_lastUpdated` are answered from the resource table, with their own modifiers. */
const COLUMN_MODIFIERS: Record<string, readonly string[]> = { _id: ['not'], _lastUpdated: [] };

const DEFAULT_FILE = new URL('./generated/search-parameters.json', import.meta.url);

export function createSearchRegistry(data: GeneratedRegistry): SearchRegistry {
  const allTypes = new Set(data.resourceTypes);
  const tables = new Map<string, Map<string, SearchParamDef>>();

  const toDef = (g: GeneratedParam, resourceType: string, common: boolean): SearchParamDef => {
    const targets = g.tg?.[0] === '*' ? data.resourceTypes : (g.tg ?? []);
    const def: SearchParamDef = {
      code: g.c,
      type: g.t,
      url: g.u,
      expression: common ? g.x.replace(/\b(?:Resource|DomainResource)\./g, `${resourceType}.`) : g.x,
      targets,
      modifiers: g.n ? [] : (COLUMN_MODIFIERS[g.c] ?? MODIFIERS[g.t]),
      supported: g.n === undefined,
      paths: g.p ?? [],
      ...(g.d ? { documentation: g.d } : {}),
      ...(g.n ? { unsupportedReason: g.n } : {}),
      ...(g.f ? { fhirpath: g.f } : {}),
      ...(g.k ? { composite: g.k } : {}),
    };
    return def;
  };

  const table = (resourceType: string): Map<string, SearchParamDef> | undefined => {
    const cached = tables.get(resourceType);
    if (cached) return cached;
    if (!allTypes.has(resourceType)) return undefined;
    const map = new Map<string, SearchParamDef>();
    for (const g of data.common) map.set(g.c, toDef(g, resourceType, true));
    for (const g of data.types[resourceType] ?? []) map.set(g.c, toDef(g, resourceType, false));
    tables.set(resourceType, map);
    return map;
  };

  return {
    fhirVersion: data.fhirVersion,
    resourceTypes: () => data.resourceTypes,
    isResourceType: (type) => allTypes.has(type),
    get: (resourceType, code) => table(resourceType)?.get(code),
    params: (resourceType) => [...(table(resourceType)?.values() ?? [])],
  };
}

let shared: SearchRegistry | undefined;

/** The process-wide registry of R4 + US Core parameters. */
export function getSearchRegistry(): SearchRegistry {
  shared ??= createSearchRegistry(JSON.parse(readFileSync(DEFAULT_FILE, 'utf8')) as GeneratedRegistry);
  return shared;
}

export interface CapabilitySearchParam {
  name: string;
  type: Exclude<SearchParamType, 'special'>;
  definition?: string;
  documentation?: string;
}

/**
 * The searchParam entries of a CapabilityStatement rest.resource: exactly the parameters this
 * server indexes and searches for the type, sorted by name.
 */
export function searchParamsForCapability(resourceType: string, registry: SearchRegistry = getSearchRegistry()): CapabilitySearchParam[] {
  return registry
    .params(resourceType)
    .filter((p): p is SearchParamDef & { type: Exclude<SearchParamType, 'special'> } => p.supported && p.type !== 'special')
    .map((p) => ({
      name: p.code,
      type: p.type,
      definition: p.url,
      ...(p.documentation ? { documentation: p.documentation } : {}),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
