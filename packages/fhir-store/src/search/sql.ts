/**
 * Building blocks of the generated SQL. Every value is a bind parameter; the only identifiers
 * spliced into SQL text are fixed table and column names chosen by the compiler, never request
 * text.
 */
import type { SearchParamType } from '@kennebec/fhir';

export type Cast = 'text' | 'timestamptz' | 'numeric' | 'text[]' | 'integer';

/**
 * Accumulates bind parameters; equal scalar values with the same cast share one placeholder.
 * Every placeholder carries a cast (text by default): some operators (LIKE) cannot infer the
 * type of an untyped parameter.
 */
export class Params {
  readonly values: unknown[] = [];
  private readonly byKey = new Map<string, string>();

  add(value: string | number, cast: Cast = 'text'): string {
    const key = `${cast}\u0000${value}`;
    const known = this.byKey.get(key);
    if (known) return known;
    this.values.push(value);
    const placeholder = `$${this.values.length}::${cast}`;
    this.byKey.set(key, placeholder);
    return placeholder;
  }

  /** Arrays are never shared. */
  array(values: readonly string[]): string {
    this.values.push([...values]);
    return `$${this.values.length}::text[]`;
  }
}

/** Index table of each parameter type (migration 001). */
export const TABLE: Record<Exclude<SearchParamType, 'composite' | 'special'>, string> = {
  string: 'sp_string',
  token: 'sp_token',
  reference: 'sp_reference',
  date: 'sp_date',
  number: 'sp_number',
  quantity: 'sp_quantity',
  uri: 'sp_uri',
};

export function tableOf(type: SearchParamType): string {
  if (type === 'composite' || type === 'special') throw new Error(`no index table for ${type} parameters`);
  return TABLE[type];
}

/**
 * How "resource has a matching index row" is phrased. `in` is `id in (select resource_id …)`,
 * `exists` a correlated EXISTS; negations always use NOT EXISTS (an anti-join, where NOT IN
 * would be a hashed subplan over the whole index).
 */
export type MatchStrategy = 'in' | 'exists';

export function ors(conds: string[]): string {
  if (conds.length === 0) return 'false';
  return conds.length === 1 ? (conds[0] as string) : `(${conds.join(' or ')})`;
}

export function ands(conds: string[]): string {
  if (conds.length === 0) return 'true';
  return conds.length === 1 ? (conds[0] as string) : `(${conds.join(' and ')})`;
}
