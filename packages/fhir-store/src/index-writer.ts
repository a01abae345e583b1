import type { IndexRows } from './types.ts';

/**
 * Writes and removes the search-index rows of resources. The rows of every table travel as
 * parallel arrays and are inserted with unnest, as common table expressions that the caller
 * appends to its own write: a resource, its history row and all its index rows are stored by
 * one statement, in one round trip, atomically.
 */
export interface OwnedIndexRows {
  resourceType: string;
  id: string;
  rows: IndexRows;
}

type Column = (string | null)[];

const TABLES: { table: string; types: string[] }[] = [
  { table: 'sp_string', types: ['text', 'text', 'text', 'text', 'text'] },
  { table: 'sp_token', types: ['text', 'text', 'text', 'text', 'text', 'text'] },
  { table: 'sp_reference', types: ['text', 'text', 'text', 'text', 'text', 'text'] },
  { table: 'sp_date', types: ['text', 'text', 'text', 'timestamptz', 'timestamptz'] },
  { table: 'sp_number', types: ['text', 'text', 'text', 'numeric', 'numeric', 'numeric'] },
  { table: 'sp_quantity', types: ['text', 'text', 'text', 'numeric', 'numeric', 'numeric', 'text', 'text', 'text'] },
  { table: 'sp_uri', types: ['text', 'text', 'text', 'text'] },
];

/** The index tables, in the order their CTEs are built. */
export const INDEX_TABLES: readonly string[] = TABLES.map((t) => t.table);

/** The index rows of many resources as one array per column, table by table (TABLES order). */
function columnsOf(owned: OwnedIndexRows[]): Column[][] {
  const cols = TABLES.map((t) => t.types.map((): Column => []));
  const push = (table: number, values: (string | null)[]): void => {
    const target = cols[table] as Column[];
    for (let i = 0; i < values.length; i++) (target[i] as Column).push(values[i] ?? null);
  };
  for (const { resourceType: t, id, rows } of owned) {
    for (const r of rows.string) push(0, [t, id, r.param, r.value, r.exact]);
    for (const r of rows.token) push(1, [t, id, r.param, r.system, r.code, r.text]);
    for (const r of rows.reference) push(2, [t, id, r.param, r.targetType, r.targetId, r.url]);
    for (const r of rows.date) push(3, [t, id, r.param, r.low, r.high]);
    for (const r of rows.number) push(4, [t, id, r.param, r.value, r.low, r.high]);
    for (const r of rows.quantity) push(5, [t, id, r.param, r.value, r.low, r.high, r.system, r.code, r.unit]);
    for (const r of rows.uri) push(6, [t, id, r.param, r.value]);
  }
  return cols;
}

/**
 * CTEs inserting the index rows, numbered from `$firstParam`. Tables without rows are left out.
 * Returns the CTE clauses (to join after a WITH) and their parameters.
 */
export function indexInsertCtes(owned: OwnedIndexRows[], firstParam: number): { ctes: string[]; params: Column[] } {
  const ctes: string[] = [];
  const params: Column[] = [];
  columnsOf(owned).forEach((columns, t) => {
    if ((columns[0] as Column).length === 0) return;
    const spec = TABLES[t] as (typeof TABLES)[number];
    const placeholders: string[] = [];
    for (let i = 0; i < spec.types.length; i++) {
      params.push(columns[i] as Column);
      placeholders.push(`$${firstParam + params.length - 1}::${spec.types[i]}[]`);
    }
    ctes.push(`i_${spec.table} as (insert into ${spec.table} select * from unnest(${placeholders.join(', ')}))`);
  });
  return { ctes, params };
}

/** CTEs deleting the index rows of one resource; `$typeParam`/`$idParam` hold its type and id. */
export function indexDeleteCtes(typeParam: number, idParam: number): string[] {
  return TABLES.map((t) => `d_${t.table} as (delete from ${t.table} where resource_type = $${typeParam} and resource_id = $${idParam})`);
}
