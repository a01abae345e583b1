/**
 * Sort keys and keyset paging. A page cursor holds the last row's sort key values and id, so
 * the next page starts strictly after it: rows inserted or deleted between pages neither shift
 * nor repeat the others (unlike OFFSET). Cursors are base64url JSON and bound to the sort they
 * were made for. See https://hl7.org/fhir/R4/search.html#sort and http.html#paging
 *
 * Default order is `_id` ascending: unlike `_lastUpdated`, an id never changes, so an update
 * between pages cannot move a resource from one page to another.
 */
import { errors, type SortKey } from '@kennebec/fhir';
import type { Cast, Params } from './sql.ts';

export interface SortColumn {
  /** SQL expression of the key in the inner select (over alias r). */
  expr: string;
  cast: Cast;
  desc: boolean;
}

interface Cursor {
  /** sort signature */
  s: string;
  /** key values of the last row as text (the id tie-breaker last); null: no such parameter */
  k: (string | null)[];
}

export function sortSignature(sort: readonly SortKey[]): string {
  return sort.map((k) => `${k.desc ? '-' : ''}${k.kind === 'param' ? k.code : `_${k.kind}`}`).join(',');
}

/**
 * SQL for each sort key. A parameter's key is the least (ascending) or greatest (descending) of
 * its index values; a date sorts by its range's start ascending and its end descending, an open
 * bound counting as infinite. Resources without the parameter sort last either way.
 */
export function sortColumns(type: string, sort: readonly SortKey[], params: Params): SortColumn[] {
  return sort.map((k): SortColumn => {
    if (k.kind === 'id') return { expr: 'r.id', cast: 'text', desc: k.desc };
    if (k.kind === 'lastUpdated') return { expr: 'r.last_updated', cast: 'timestamptz', desc: k.desc };
    const agg = k.desc ? 'max' : 'min';
    let table: string;
    let column: string;
    let cast: Cast = 'text';
    switch (k.paramType) {
      case 'string':
        [table, column] = ['sp_string', 'i.value'];
        break;
      case 'token':
        [table, column] = ['sp_token', 'i.code'];
        break;
      case 'uri':
        [table, column] = ['sp_uri', 'i.value'];
        break;
      case 'date':
        table = 'sp_date';
        column = k.desc ? "coalesce(i.high, 'infinity'::timestamptz)" : "coalesce(i.low, '-infinity'::timestamptz)";
        cast = 'timestamptz';
        break;
      case 'number':
      case 'quantity':
        [table, column, cast] = [k.paramType === 'number' ? 'sp_number' : 'sp_quantity', 'i.value', 'numeric'];
        break;
    }
    const expr = `(select ${agg}(${column}) from ${table} i where i.resource_type = ${params.add(type)} and i.param = ${params.add(k.code)} and i.resource_id = r.id)`;
    return { expr, cast, desc: k.desc };
  });
}

/** The keys with the id tie-breaker appended unless the last key is already `_id`. */
export function withTieBreaker(sort: readonly SortKey[]): SortKey[] {
  const last = sort[sort.length - 1];
  return last?.kind === 'id' ? [...sort] : [...sort, { kind: 'id', desc: false }];
}

export function encodeCursor(sort: readonly SortKey[], keys: (string | null)[]): string {
  const c: Cursor = { s: sortSignature(sort), k: keys };
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(text: string, sort: readonly SortKey[], keyCount: number): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw errors.badRequest('Invalid search page cursor', ['_cursor']);
  }
  const shapeOk =
    typeof c === 'object' && c !== null && typeof c.s === 'string' && Array.isArray(c.k) &&
    c.k.length === keyCount && c.k.every((v) => v === null || typeof v === 'string');
  if (!shapeOk) throw errors.badRequest('Invalid search page cursor', ['_cursor']);
  if (c.s !== sortSignature(sort)) throw errors.badRequest('The page cursor belongs to a search with another _sort', ['_cursor']);
  return c;
}

/**
 * "After the cursor" in the order `k0, k1, …` with NULLs last in both directions:
 * (k0 beyond c0) or (k0 = c0 and (k1 beyond c1 or …)), where a NULL key is beyond every value.
 * Column names are `s.k0…`; the keys include the id tie-breaker.
 */
export function afterCursor(columns: readonly SortColumn[], values: readonly (string | null)[], params: Params): string {
  const step = (i: number): string => {
    const col = columns[i];
    if (!col) return 'false';
    const k = `s.k${i}`;
    const v = values[i] ?? null;
    const rest = step(i + 1);
    if (v === null) return `(${k} is null and ${rest})`;
    const p = params.add(v, col.cast);
    return `(${k} ${col.desc ? '<' : '>'} ${p} or ${k} is null or (${k} = ${p} and ${rest}))`;
  };
  return step(0);
}
