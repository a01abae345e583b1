/**
 * Shape of the generated search-parameter file (generated/search-parameters.json), shared by the
 * generator that writes it and the registry that reads it. Records are terse on purpose: the file
 * is loaded once per process and only these fields are kept.
 */
export type SearchParamType = 'number' | 'date' | 'string' | 'token' | 'reference' | 'composite' | 'quantity' | 'uri' | 'special';

/**
 * One compiled path of a FHIRPath expression: `[leafType, ...steps]`. A step is
 * - `name`: a JSON property (a choice element is already resolved to e.g. `valueQuantity`);
 * - `?field=literal`: keep the elements whose primitive `field` equals `literal` (`.where(f = 'x')`);
 * - `@Type`: keep the References that point to `Type` (`.where(resolve() is Type)`).
 * The leaf type is the FHIR type of what the path yields (`HumanName`, `dateTime`, `Reference`…).
 */
export type CompiledPath = readonly string[];

/** A composite parameter whose components are a token and one simple parameter. */
export interface GeneratedComposite {
  /** Component types: the first is always `token`. */
  types: readonly [SearchParamType, SearchParamType];
  /** Per root path: the root, then the paths of both components relative to it. */
  roots: readonly { root: CompiledPath; a: readonly CompiledPath[]; b: readonly CompiledPath[] }[];
}

export interface GeneratedParam {
  /** code */
  c: string;
  /** type */
  t: SearchParamType;
  /** canonical URL of the SearchParameter */
  u: string;
  /** FHIRPath expression restricted to this resource type */
  x: string;
  /** documentation for this resource type */
  d?: string;
  /** target resource types (reference parameters) */
  tg?: readonly string[];
  /** compiled paths evaluated by native property walks */
  p?: readonly CompiledPath[];
  /** the part of the expression that needs fhirpath.js */
  f?: string;
  /** composite definition */
  k?: GeneratedComposite;
  /** present when the parameter cannot be indexed or searched: the reason */
  n?: string;
}

export interface GeneratedRegistry {
  fhirVersion: string;
  /** Every R4 resource type. */
  resourceTypes: string[];
  /** Parameters that apply to every resource type (base Resource / DomainResource). */
  common: GeneratedParam[];
  /** Per resource type, its own parameters. */
  types: Record<string, GeneratedParam[]>;
}
