/**
 * A parsed search: what parse.ts produces from query parameters and what the store's compiler
 * turns into SQL. Values are already normalized and validated, so the compiler never sees raw
 * request text. See https://hl7.org/fhir/R4/search.html
 */
import type { IssueInput } from '../outcome.ts';
import type { SearchParamType } from './registry-data.ts';

/** https://hl7.org/fhir/R4/search.html#prefix */
export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

/** A date search value: the instants it covers (inclusive), ISO-8601 UTC. */
export interface DateValue {
  prefix: Prefix;
  low: string;
  high: string;
}

/** A number search value with its implicit precision range [low, high), exact decimal strings. */
export interface NumberValue {
  prefix: Prefix;
  value: string;
  low: string;
  high: string;
}

/**
 * `value|system|code` or `value||code` (code matches the unit code or the unit text).
 * https://hl7.org/fhir/R4/search.html#quantity
 */
export interface QuantityValue extends NumberValue {
  system?: string;
  code?: string;
}

/**
 * https://hl7.org/fhir/R4/search.html#token: `code`, `system|code`, `|code` (system null:
 * the value must have no system) and `system|` (code undefined: any code in the system).
 */
export interface TokenValue {
  system?: string | null;
  code?: string;
}

/** `Type/id`, `id` (type when it is implied), or an absolute URL outside this server. */
export interface ReferenceValue {
  type?: string;
  id?: string;
  url?: string;
}

export type ComponentValue =
  | { type: 'token'; value: TokenValue }
  | { type: 'string'; value: string }
  | { type: 'date'; value: DateValue }
  | { type: 'number'; value: NumberValue }
  | { type: 'quantity'; value: QuantityValue }
  | { type: 'uri'; value: string };

/**
 * A composite value `token$value`: the token selects the synthetic index key
 * (`code$system|code` or `code$code`, see the index builder) and the value is matched in the
 * table of the second component. https://hl7.org/fhir/R4/search.html#composite
 */
export interface CompositeValue {
  key: string;
  component: ComponentValue;
}

interface FilterBase {
  /** The parameter code on the resource type being filtered. */
  code: string;
}

/** One parameter of the query; a request's filters are ANDed, a filter's values ORed. */
export type SearchFilter =
  | (FilterBase & { kind: 'missing'; paramType: SearchParamType; missing: boolean })
  | (FilterBase & { kind: 'string'; mode: 'prefix' | 'exact' | 'contains'; values: string[] })
  | (FilterBase & { kind: 'token'; not: boolean; values: TokenValue[] })
  /** `:text`: normalized prefixes of the display / text of the coded value. */
  | (FilterBase & { kind: 'tokenText'; values: string[] })
  | (FilterBase & { kind: 'reference'; values: ReferenceValue[] })
  /** `param[:Type].chained=value`: one filter per target type that defines the chained code. */
  | (FilterBase & { kind: 'chain'; targets: { type: string; filter: SearchFilter }[] })
  | (FilterBase & { kind: 'date'; values: DateValue[] })
  | (FilterBase & { kind: 'number'; values: NumberValue[] })
  | (FilterBase & { kind: 'quantity'; values: QuantityValue[] })
  | (FilterBase & { kind: 'uri'; mode: 'exact' | 'below' | 'above'; values: string[] })
  | (FilterBase & { kind: 'composite'; componentType: ComponentValue['type']; values: CompositeValue[] })
  | (FilterBase & { kind: 'id'; not: boolean; values: string[] })
  | (FilterBase & { kind: 'lastUpdated'; values: DateValue[] });

export type SortableType = 'string' | 'token' | 'date' | 'number' | 'quantity' | 'uri';

/** https://hl7.org/fhir/R4/search.html#sort */
export type SortKey =
  | { kind: 'id'; desc: boolean }
  | { kind: 'lastUpdated'; desc: boolean }
  | { kind: 'param'; code: string; paramType: SortableType; desc: boolean };

/** `_include` / `_revinclude`: https://hl7.org/fhir/R4/search.html#include */
export interface IncludeSpec {
  /** Type whose reference parameter is followed (the referring resource); '*' for any (`_revinclude=*`). */
  sourceType: string;
  /** Reference parameter code, or '*' for all of the source type's reference parameters. */
  param: string;
  targetType?: string;
  iterate: boolean;
}

export type SummaryMode = 'true' | 'text' | 'data' | 'count' | 'false';
export type TotalMode = 'none' | 'estimate' | 'accurate';

export interface SearchRequest {
  resourceType: string;
  filters: SearchFilter[];
  /** Explicit sort keys; empty means the default order (`_id` ascending). */
  sort: SortKey[];
  count: number;
  /** Opaque page cursor (`_cursor`), from a previous page's next link. */
  cursor?: string;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  summary?: SummaryMode;
  total?: TotalMode;
  elements?: string[];
  /** Parameters ignored under `Prefer: handling=lenient`, for an OperationOutcome in the Bundle. */
  warnings: IssueInput[];
}
