/**
 * Compiles SearchFilters into SQL predicates over a resource id column. Each filter becomes
 * "the resource has an index row of this parameter that satisfies the value condition" (or
 * "has none", for :not and :missing=true); values of one filter are ORed inside that one
 * subquery, filters are ANDed by the caller.
 * Semantics: https://hl7.org/fhir/R4/search.html#ptypes and #prefix.
 */
import { escapeLike, type ComponentValue, type DateValue, type NumberValue, type QuantityValue, type ReferenceValue, type SearchFilter, type TokenValue } from '@kennebec/fhir';
import { indexedString } from './index-rows/emit.ts';
import { ands, ors, Params, tableOf, type MatchStrategy } from './sql.ts';

export interface CompileContext {
  params: Params;
  strategy: MatchStrategy;
  /** Reference instant for `ap` on dates (10% of the gap between now and the date). */
  now: Date;
}

/** Columns that stand for a value's range: an index row's low/high, or a point column. */
interface RangeColumns {
  low: string;
  high: string;
}

/**
 * Date prefixes over ranges (https://hl7.org/fhir/R4/search.html#prefix): with the search
 * value's range [a, b] and the resource value's range [low, high] (a null bound is infinite):
 *  eq: [a,b] contains [low,high]; ne: it does not; gt: high > b; lt: low < a;
 *  ge: gt or eq; le: lt or eq; sa: low > b; eb: high < a;
 *  ap: [low,high] overlaps [a,b] widened by 10% of the distance from now to the value.
 */
export function dateCondition(c: CompileContext, v: DateValue, col: RangeColumns): string {
  // Placeholders are added only when used: PostgreSQL cannot type an unused parameter.
  const a = (): string => c.params.add(v.low, 'timestamptz');
  const b = (): string => c.params.add(v.high, 'timestamptz');
  const { low, high } = col;
  const contained = (): string => `(${low} >= ${a()} and ${high} <= ${b()})`;
  switch (v.prefix) {
    case 'eq':
      return contained();
    case 'ne':
      return `not coalesce(${contained()}, false)`;
    case 'gt':
      return `(${high} is null or ${high} > ${b()})`;
    case 'lt':
      return `(${low} is null or ${low} < ${a()})`;
    case 'ge':
      return `(${high} is null or ${high} > ${b()} or ${contained()})`;
    case 'le':
      return `(${low} is null or ${low} < ${a()} or ${contained()})`;
    case 'sa':
      return `${low} > ${b()}`;
    case 'eb':
      return `${high} < ${a()}`;
    case 'ap': {
      const lowMs = Date.parse(v.low);
      const highMs = Date.parse(v.high);
      const margin = Math.round(Math.abs(c.now.getTime() - (lowMs + highMs) / 2) * 0.1);
      const wa = c.params.add(new Date(lowMs - margin).toISOString(), 'timestamptz');
      const wb = c.params.add(new Date(highMs + margin).toISOString(), 'timestamptz');
      return `((${low} is null or ${low} <= ${wb}) and (${high} is null or ${high} >= ${wa}))`;
    }
  }
}

/**
 * Number prefixes (https://hl7.org/fhir/R4/search.html#number): eq / ne test the resource value
 * against the search value's precision range [lo, hi) (`100` means 99.5 ≤ v < 100.5); gt, lt,
 * ge, le compare with the exact value; sa / eb compare the resource's own range (its implicit
 * precision, or a Range's bounds) with the search range; ap is within ±10% of the value.
 */
export function numberCondition(c: CompileContext, v: NumberValue, alias: string): string {
  const value = `${alias}.value`;
  // Placeholders are added only when used: PostgreSQL cannot type an unused parameter.
  const lo = (): string => c.params.add(v.low, 'numeric');
  const hi = (): string => c.params.add(v.high, 'numeric');
  const exact = (): string => c.params.add(v.value, 'numeric');
  switch (v.prefix) {
    case 'eq':
      return `(${value} >= ${lo()} and ${value} < ${hi()})`;
    case 'ne':
      return `not (${value} >= ${lo()} and ${value} < ${hi()})`;
    case 'gt':
      return `${value} > ${exact()}`;
    case 'lt':
      return `${value} < ${exact()}`;
    case 'ge':
      return `${value} >= ${exact()}`;
    case 'le':
      return `${value} <= ${exact()}`;
    case 'sa':
      return `${alias}.low >= ${hi()}`;
    case 'eb':
      return `${alias}.high <= ${lo()}`;
    case 'ap': {
      const x = exact();
      return `(${value} >= ${x} - abs(${x}) * 0.1 and ${value} <= ${x} + abs(${x}) * 0.1)`;
    }
  }
}

/** `value|system|code` matches system and code; `value||code` the code or the unit text. */
export function quantityCondition(c: CompileContext, v: QuantityValue, alias: string): string {
  const conds = [numberCondition(c, v, alias)];
  if (v.system && v.code) conds.push(`${alias}.system = ${c.params.add(v.system)}`, `${alias}.code = ${c.params.add(v.code)}`);
  else if (v.code) {
    const code = c.params.add(v.code);
    conds.push(`(${alias}.code = ${code} or ${alias}.unit = ${code})`);
  }
  return ands(conds);
}

export function tokenCondition(c: CompileContext, v: TokenValue, alias: string): string {
  const conds: string[] = [];
  if (v.system === null) conds.push(`${alias}.system is null`);
  else if (v.system !== undefined) conds.push(`${alias}.system = ${c.params.add(v.system)}`);
  if (v.code !== undefined) conds.push(`${alias}.code = ${c.params.add(v.code)}`);
  return ands(conds);
}

function referenceCondition(c: CompileContext, v: ReferenceValue, alias: string): string {
  if (v.url !== undefined) {
    // A canonical without a version also matches its versioned forms (`url|1.2`).
    return `(${alias}.url = ${c.params.add(v.url)} or ${alias}.url like ${c.params.add(`${escapeLike(v.url)}|%`)})`;
  }
  const conds = [`${alias}.target_id = ${c.params.add(v.id ?? '')}`];
  if (v.type !== undefined) conds.push(`${alias}.target_type = ${c.params.add(v.type)}`);
  return ands(conds);
}

function componentCondition(c: CompileContext, v: ComponentValue, alias: string): string {
  switch (v.type) {
    case 'token':
      return tokenCondition(c, v.value, alias);
    case 'string':
      return `${alias}.value like ${c.params.add(`${escapeLike(v.value)}%`)}`;
    case 'date':
      return dateCondition(c, v.value, { low: `${alias}.low`, high: `${alias}.high` });
    case 'number':
      return numberCondition(c, v.value, alias);
    case 'quantity':
      return quantityCondition(c, v.value, alias);
    case 'uri':
      return `${alias}.value = ${c.params.add(v.value)}`;
  }
}

/** Resources of `type` whose `code` rows satisfy `cond` (on alias i); `negate` for none. */
function indexMatch(c: CompileContext, idCol: string, type: string, table: string, param: string | undefined, cond: string, negate = false): string {
  const where = [`i.resource_type = ${c.params.add(type)}`];
  if (param !== undefined) where.push(`i.param = ${c.params.add(param)}`);
  if (cond !== 'true') where.push(cond);
  if (negate || c.strategy === 'exists') {
    return `${negate ? 'not ' : ''}exists (select 1 from ${table} i where ${where.join(' and ')} and i.resource_id = ${idCol})`;
  }
  return `${idCol} in (select i.resource_id from ${table} i where ${where.join(' and ')})`;
}

/** Words of a display start with the text: `pressure` finds "Blood pressure". */
function wordPrefix(c: CompileContext, column: string, text: string): string {
  const e = escapeLike(text);
  return `(${column} like ${c.params.add(`${e}%`)} or ${column} like ${c.params.add(`% ${e}%`)})`;
}

/**
 * The predicate of one filter on resources of `type` identified by `idCol` (`r.id` for the
 * searched type, a reference's target_id inside a chain).
 */
export function filterPredicate(c: CompileContext, type: string, f: SearchFilter, idCol: string, onResourceTable: boolean): string {
  switch (f.kind) {
    case 'id': {
      const match = `${idCol} = any(${c.params.array(f.values)})`;
      return f.not ? `not ${match}` : match;
    }
    case 'lastUpdated': {
      const conds = (alias: string): string => ors(f.values.map((v) => dateCondition(c, v, { low: `${alias}.last_updated`, high: `${alias}.last_updated` })));
      if (onResourceTable) return conds('r');
      return `${idCol} in (select lu.id from resource lu where lu.resource_type = ${c.params.add(type)} and not lu.deleted and ${conds('lu')})`;
    }
    case 'missing':
      return indexMatch(c, idCol, type, tableOf(f.paramType), f.code, 'true', f.missing);
    case 'string': {
      const conds = f.values.map((v) => {
        // The normalized value narrows :exact through the (type, param, value) index.
        if (f.mode === 'exact') return `(i.value = ${c.params.add(indexedString(v))} and i.exact = ${c.params.add(v)})`;
        if (f.mode === 'contains') return `i.value like ${c.params.add(`%${escapeLike(v)}%`)}`;
        // Patient.phonetic and the like: a phonetic match (fuzzystrmatch) instead of a prefix.
        if (f.code === 'phonetic') return `dmetaphone(i.value) = dmetaphone(${c.params.add(v)})`;
        return `i.value like ${c.params.add(`${escapeLike(v)}%`)}`;
      });
      return indexMatch(c, idCol, type, 'sp_string', f.code, ors(conds));
    }
    case 'token':
      return indexMatch(c, idCol, type, 'sp_token', f.code, ors(f.values.map((v) => tokenCondition(c, v, 'i'))), f.not);
    case 'tokenText':
      return indexMatch(c, idCol, type, 'sp_token', f.code, ors(f.values.map((v) => wordPrefix(c, 'i.text', v))));
    case 'reference':
      return indexMatch(c, idCol, type, 'sp_reference', f.code, ors(f.values.map((v) => referenceCondition(c, v, 'i'))));
    case 'date':
      return indexMatch(c, idCol, type, 'sp_date', f.code, ors(f.values.map((v) => dateCondition(c, v, { low: 'i.low', high: 'i.high' }))));
    case 'number':
      return indexMatch(c, idCol, type, 'sp_number', f.code, ors(f.values.map((v) => numberCondition(c, v, 'i'))));
    case 'quantity':
      return indexMatch(c, idCol, type, 'sp_quantity', f.code, ors(f.values.map((v) => quantityCondition(c, v, 'i'))));
    case 'uri': {
      const conds = f.values.map((v) => {
        if (f.mode === 'below') return `i.value like ${c.params.add(`${escapeLike(v)}%`)}`;
        if (f.mode === 'above') return `starts_with(${c.params.add(v)}, i.value)`;
        return `i.value = ${c.params.add(v)}`;
      });
      return indexMatch(c, idCol, type, 'sp_uri', f.code, ors(conds));
    }
    case 'composite': {
      // The key selects the token component (see the index builder); the value is matched in
      // the second component's table under that key.
      const conds = f.values.map((v) => `(i.param = ${c.params.add(v.key)} and ${componentCondition(c, v.component, 'i')})`);
      return indexMatch(c, idCol, type, tableOf(f.componentType), undefined, ors(conds));
    }
    case 'chain': {
      // https://hl7.org/fhir/R4/search.html#chaining: the reference's target must satisfy the
      // chained filter; one branch per target type that defines the chained parameter.
      const branches = f.targets.map((t) => `(x.target_type = ${c.params.add(t.type)} and ${filterPredicate(c, t.type, t.filter, 'x.target_id', false)})`);
      const where = `x.resource_type = ${c.params.add(type)} and x.param = ${c.params.add(f.code)} and ${ors(branches)}`;
      if (c.strategy === 'exists') return `exists (select 1 from sp_reference x where ${where} and x.resource_id = ${idCol})`;
      return `${idCol} in (select x.resource_id from sp_reference x where ${where})`;
    }
  }
}
