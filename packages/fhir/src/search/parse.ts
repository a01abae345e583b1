/**
 * Parses search query parameters into a SearchRequest against the registry.
 * Unknown or unsupported parameters and modifiers fail with errors.unsupportedSearch unless the
 * client asked for lenient handling (`Prefer: handling=lenient`), in which case they are ignored
 * and reported as warnings; malformed values always fail with errors.badRequest.
 * See https://hl7.org/fhir/R4/search.html and https://hl7.org/fhir/R4/search.html#errors
 */
import { errors } from '../errors.ts';
import type { IssueInput } from '../outcome.ts';
import { bad, parseDateValue, parseNumberValue, parseQuantityValue, parseReferenceValue, parseTokenValue, splitEscaped } from './prefixes.ts';
import type { SearchParamDef, SearchRegistry } from './registry.ts';
import type {
  ComponentValue,
  CompositeValue,
  IncludeSpec,
  SearchFilter,
  SearchRequest,
  SortKey,
  SortableType,
  SummaryMode,
  TotalMode,
} from './request.ts';
import { normalizeString } from './values.ts';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

export interface ParseOptions {
  /** `Prefer: handling=lenient`: ignore unknown parameters with a warning instead of failing. */
  lenient?: boolean;
  /** This server's base URL, so absolute references to it search like relative ones. */
  baseUrl?: string;
  defaultCount?: number;
  maxCount?: number;
}

/** Parameters accepted and ignored here because they concern rendering (https://hl7.org/fhir/R4/http.html#parameters). */
const IGNORED = new Set(['_format', '_pretty']);
const SORTABLE = new Set<string>(['string', 'token', 'date', 'number', 'quantity', 'uri']);
const SUMMARY = new Set<string>(['true', 'text', 'data', 'count', 'false']);
const TOTAL = new Set<string>(['none', 'estimate', 'accurate']);
const NAME = /^([A-Za-z0-9_-]+)(?::([A-Za-z-]+))?(?:\.(.+))?$/;
const CHAINED_NAME = /^([A-Za-z0-9_-]+)(?::([A-Za-z-]+))?$/;

interface Ctx {
  registry: SearchRegistry;
  options: ParseOptions;
  warnings: IssueInput[];
}

/** Refuses a parameter this server does not support, or ignores it under lenient handling. */
function reject(ctx: Ctx, name: string, resourceType: string, why?: string): undefined {
  if (!ctx.options.lenient) {
    if (why) throw errors.badRequest(why, [name]);
    throw errors.unsupportedSearch(name, resourceType);
  }
  ctx.warnings.push({
    severity: 'warning',
    code: 'not-supported',
    errorCode: 'KB-SEARCH-PARAM',
    diagnostics: `Ignored search parameter '${name}' for ${resourceType}${why ? `: ${why}` : ''}`,
    expression: [name],
  });
  return undefined;
}

export function parseSearchRequest(
  resourceType: string,
  params: readonly (readonly [string, string])[],
  registry: SearchRegistry,
  options: ParseOptions = {},
): SearchRequest {
  if (!registry.isResourceType(resourceType)) throw errors.unknownType(resourceType);
  const ctx: Ctx = { registry, options, warnings: [] };
  const maxCount = options.maxCount ?? MAX_COUNT;
  const req: SearchRequest = {
    resourceType,
    filters: [],
    sort: [],
    count: Math.min(options.defaultCount ?? DEFAULT_COUNT, maxCount),
    include: [],
    revinclude: [],
    warnings: ctx.warnings,
  };
  for (const [name, value] of params) {
    if (IGNORED.has(name)) continue;
    switch (name) {
      case '_count': {
        if (!/^\d{1,9}$/.test(value)) throw bad(name, `'${value}' is not a non-negative integer`);
        // A larger page than the server allows is not an error: the spec lets it return fewer.
        req.count = Math.min(Number(value), maxCount);
        continue;
      }
      case '_sort':
        req.sort = parseSort(ctx, resourceType, value);
        continue;
      case '_cursor':
        if (value) req.cursor = value;
        continue;
      case '_summary':
        if (!SUMMARY.has(value)) throw bad(name, `'${value}' is not one of true, text, data, count, false`);
        req.summary = value as SummaryMode;
        continue;
      case '_total':
        if (!TOTAL.has(value)) throw bad(name, `'${value}' is not one of none, estimate, accurate`);
        req.total = value as TotalMode;
        continue;
      case '_elements':
        req.elements = value.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
        continue;
    }
    const include = /^_(include|revinclude)(?::(iterate|recurse))?$/.exec(name);
    if (include) {
      const spec = parseInclude(ctx, resourceType, name, value, include[1] === 'revinclude', include[2] !== undefined);
      if (spec) (include[1] === 'revinclude' ? req.revinclude : req.include).push(spec);
      continue;
    }
    const filter = parseFilterParam(ctx, resourceType, name, value);
    if (filter) req.filters.push(filter);
  }
  return req;
}

function parseSort(ctx: Ctx, resourceType: string, value: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const item of value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const desc = item.startsWith('-');
    const code = desc ? item.slice(1) : item;
    if (code === '_id') keys.push({ kind: 'id', desc });
    else if (code === '_lastUpdated') keys.push({ kind: 'lastUpdated', desc });
    else {
      const def = ctx.registry.get(resourceType, code);
      if (!def?.supported) {
        reject(ctx, `_sort=${code}`, resourceType);
        continue;
      }
      if (!SORTABLE.has(def.type)) throw bad('_sort', `cannot sort on ${def.type} parameter '${code}'`);
      keys.push({ kind: 'param', code, paramType: def.type as SortableType, desc });
    }
  }
  return keys;
}

function parseInclude(ctx: Ctx, resourceType: string, name: string, value: string, reverse: boolean, iterate: boolean): IncludeSpec | undefined {
  // `_include=*` follows every reference parameter; `_revinclude=*` every reference to a match.
  if (value === '*') return { sourceType: reverse ? '*' : resourceType, param: '*', iterate };
  const [sourceType, param, targetType, ...extra] = value.split(':');
  if (!sourceType || !param || extra.length > 0) throw bad(name, `'${value}' is not Type:parameter[:targetType]`);
  if (!ctx.registry.isResourceType(sourceType)) throw bad(name, `unknown resource type '${sourceType}'`);
  if (targetType !== undefined && !ctx.registry.isResourceType(targetType)) throw bad(name, `unknown resource type '${targetType}'`);
  // Without :iterate, _include follows references of the matched resources only.
  if (!reverse && !iterate && sourceType !== resourceType) {
    throw bad(name, `'${value}' does not start with ${resourceType}; use ${name}:iterate to follow included resources`);
  }
  if (param !== '*') {
    const def = ctx.registry.get(sourceType, param);
    if (!def?.supported || def.type !== 'reference') return reject(ctx, `${name}=${value}`, sourceType, `'${param}' is not a reference parameter of ${sourceType}`);
  }
  return { sourceType, param, ...(targetType ? { targetType } : {}), iterate };
}

function parseFilterParam(ctx: Ctx, resourceType: string, name: string, rawValue: string): SearchFilter | undefined {
  const m = NAME.exec(name);
  if (!m) return reject(ctx, name, resourceType);
  const [, code, modifier, chain] = m as unknown as [string, string, string | undefined, string | undefined];
  const def = ctx.registry.get(resourceType, code);
  if (!def?.supported) return reject(ctx, name, resourceType);
  if (chain === undefined) return parseFilter(ctx, resourceType, def, name, modifier, rawValue);

  // Chaining, one level: https://hl7.org/fhir/R4/search.html#chaining
  if (def.type !== 'reference') throw bad(name, `'${code}' is not a reference parameter and cannot be chained`);
  const cm = CHAINED_NAME.exec(chain);
  if (!cm) return reject(ctx, name, resourceType, 'chains of more than one level are not supported');
  const [, chainedCode, chainedModifier] = cm as unknown as [string, string, string | undefined];
  if (modifier !== undefined && !ctx.registry.isResourceType(modifier)) throw bad(name, `'${modifier}' is not a resource type`);
  const candidates = modifier !== undefined ? [modifier] : def.targets;
  const targets: { type: string; filter: SearchFilter }[] = [];
  for (const type of candidates) {
    const chained = ctx.registry.get(type, chainedCode);
    if (!chained?.supported) continue;
    const filter = parseFilter(ctx, type, chained, name, chainedModifier, rawValue);
    if (filter) targets.push({ type, filter });
  }
  if (targets.length === 0) return reject(ctx, name, resourceType);
  return { kind: 'chain', code, targets };
}

function parseFilter(ctx: Ctx, resourceType: string, def: SearchParamDef, name: string, modifier: string | undefined, rawValue: string): SearchFilter | undefined {
  const code = def.code;
  let modifierType: string | undefined;
  if (modifier !== undefined) {
    if (def.type === 'reference' && ctx.registry.isResourceType(modifier)) modifierType = modifier;
    else if (!def.modifiers.includes(modifier)) return reject(ctx, name, resourceType, `modifier ':${modifier}' is not supported for '${code}'`);
  }
  if (modifier === 'missing') {
    if (rawValue !== 'true' && rawValue !== 'false') throw bad(name, `':missing' takes true or false, not '${rawValue}'`);
    return { kind: 'missing', code, paramType: def.type, missing: rawValue === 'true' };
  }
  // Commas separate alternatives; other escapes are undone by the value parsers.
  const raw = splitEscaped(rawValue, ',', false).filter((v) => v.length > 0);
  // An empty value is ignored (https://hl7.org/fhir/R4/search.html#errors).
  if (raw.length === 0) return undefined;
  const plain = (v: string): string => splitEscaped(v, ',', true).join(',');

  if (code === '_id') return { kind: 'id', code, not: modifier === 'not', values: raw.map(plain) };
  if (code === '_lastUpdated') return { kind: 'lastUpdated', code, values: raw.map((v) => parseDateValue(name, plain(v))) };
  switch (def.type) {
    case 'string': {
      const mode = modifier === 'exact' ? 'exact' : modifier === 'contains' ? 'contains' : 'prefix';
      const values = raw.map((v) => (mode === 'exact' ? plain(v) : normalizeString(plain(v)))).filter((v) => v.length > 0);
      return values.length > 0 ? { kind: 'string', code, mode, values } : undefined;
    }
    case 'token':
      if (modifier === 'text') return { kind: 'tokenText', code, values: raw.map((v) => normalizeString(plain(v))) };
      return { kind: 'token', code, not: modifier === 'not', values: raw.map((v) => parseTokenValue(name, v)) };
    case 'reference': {
      const singleTarget = def.targets.length === 1 ? def.targets[0] : undefined;
      const opts = { modifierType, singleTarget, baseUrl: ctx.options.baseUrl };
      return { kind: 'reference', code, values: raw.map((v) => parseReferenceValue(name, plain(v), opts)) };
    }
    case 'date':
      return { kind: 'date', code, values: raw.map((v) => parseDateValue(name, plain(v))) };
    case 'number':
      return { kind: 'number', code, values: raw.map((v) => parseNumberValue(name, plain(v))) };
    case 'quantity':
      return { kind: 'quantity', code, values: raw.map((v) => parseQuantityValue(name, v)) };
    case 'uri': {
      const mode = modifier === 'below' ? 'below' : modifier === 'above' ? 'above' : 'exact';
      return { kind: 'uri', code, mode, values: raw.map(plain) };
    }
    case 'composite':
      return parseComposite(def, name, raw);
    default:
      return reject(ctx, name, resourceType);
  }
}

/** Index key of a composite's token component; the index builder writes the same keys. */
export function compositeKey(code: string, system: string | null | undefined, tokenCode: string): string {
  return system ? `${code}$${system}|${tokenCode}` : `${code}$${tokenCode}`;
}

const COMPONENT_TYPES = new Set<string>(['token', 'quantity', 'date', 'number', 'string', 'uri']);

function parseComposite(def: SearchParamDef, name: string, raw: string[]): SearchFilter {
  const second = def.composite?.types[1];
  if (!second || !COMPONENT_TYPES.has(second)) throw bad(name, 'composite parameter without a supported second component');
  const componentType = second as ComponentValue['type'];
  const values: CompositeValue[] = raw.map((v) => {
    const parts = splitEscaped(v, '$', false);
    if (parts.length !== 2) throw bad(name, `'${v}' is not two values separated by '$'`);
    const token = parseTokenValue(name, parts[0] as string);
    if (token.code === undefined) throw bad(name, `'${v}' needs a code in its first component`);
    const valueText = parts[1] as string;
    const plain = splitEscaped(valueText, ',', true).join(',');
    let component: ComponentValue;
    switch (componentType) {
      case 'token':
        component = { type: 'token', value: parseTokenValue(name, valueText) };
        break;
      case 'quantity':
        component = { type: 'quantity', value: parseQuantityValue(name, valueText) };
        break;
      case 'date':
        component = { type: 'date', value: parseDateValue(name, plain) };
        break;
      case 'number':
        component = { type: 'number', value: parseNumberValue(name, plain) };
        break;
      case 'string':
        component = { type: 'string', value: normalizeString(plain) };
        break;
      case 'uri':
        component = { type: 'uri', value: plain };
        break;
    }
    return { key: compositeKey(def.code, token.system, token.code), component };
  });
  return { kind: 'composite', code: def.code, componentType, values };
}

/** The query parameters of the next page: the same search with `_cursor` replaced. */
export function nextPageParams(params: readonly (readonly [string, string])[], cursor: string): [string, string][] {
  return [...params.filter(([k]) => k !== '_cursor').map(([k, v]): [string, string] => [k, v]), ['_cursor', cursor]];
}
