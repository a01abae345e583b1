import type { Queryable } from '@kennebec/db';
import type { IndexRows } from './types.ts';

/**
 * Writes and removes the search-index rows of resources. Each table gets one multi-row INSERT
 * fed by parallel arrays (unnest), so indexing a resource costs a handful of statements however
 * many values it has.
 */
export interface OwnedIndexRows {
  resourceType: string;
  id: string;
  rows: IndexRows;
}

export async function deleteIndexRows(q: Queryable, resourceType: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  // One statement for all seven tables keeps a rewrite to one round trip.
  await q.query(
    `with a as (delete from sp_string where resource_type = $1 and resource_id = any($2::text[])),
          b as (delete from sp_token where resource_type = $1 and resource_id = any($2::text[])),
          c as (delete from sp_reference where resource_type = $1 and resource_id = any($2::text[])),
          d as (delete from sp_date where resource_type = $1 and resource_id = any($2::text[])),
          e as (delete from sp_number where resource_type = $1 and resource_id = any($2::text[])),
          f as (delete from sp_quantity where resource_type = $1 and resource_id = any($2::text[]))
     delete from sp_uri where resource_type = $1 and resource_id = any($2::text[])`,
    [resourceType, ids],
  );
}

export async function insertIndexRows(q: Queryable, owned: OwnedIndexRows[]): Promise<void> {
  const cols = {
    string: [[], [], [], [], []] as (string | null)[][],
    token: [[], [], [], [], [], []] as (string | null)[][],
    reference: [[], [], [], [], [], []] as (string | null)[][],
    date: [[], [], [], [], []] as (string | null)[][],
    number: [[], [], [], [], [], []] as (string | null)[][],
    quantity: [[], [], [], [], [], [], [], [], []] as (string | null)[][],
    uri: [[], [], [], []] as (string | null)[][],
  };
  const push = (arrs: (string | null)[][], values: (string | null)[]): void => {
    for (let i = 0; i < values.length; i++) (arrs[i] as (string | null)[]).push(values[i] ?? null);
  };
  for (const { resourceType: t, id, rows } of owned) {
    for (const r of rows.string) push(cols.string, [t, id, r.param, r.value, r.exact]);
    for (const r of rows.token) push(cols.token, [t, id, r.param, r.system, r.code, r.text]);
    for (const r of rows.reference) push(cols.reference, [t, id, r.param, r.targetType, r.targetId, r.url]);
    for (const r of rows.date) push(cols.date, [t, id, r.param, r.low, r.high]);
    for (const r of rows.number) push(cols.number, [t, id, r.param, r.value, r.low, r.high]);
    for (const r of rows.quantity)
      push(cols.quantity, [t, id, r.param, r.value, r.low, r.high, r.system, r.code, r.unit]);
    for (const r of rows.uri) push(cols.uri, [t, id, r.param, r.value]);
  }
  const statements: [string, (string | null)[][]][] = [
    ['insert into sp_string select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])', cols.string],
    [
      'insert into sp_token select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])',
      cols.token,
    ],
    [
      'insert into sp_reference select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])',
      cols.reference,
    ],
    [
      'insert into sp_date select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])',
      cols.date,
    ],
    [
      'insert into sp_number select * from unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[], $6::numeric[])',
      cols.number,
    ],
    [
      `insert into sp_quantity select * from unnest($1::text[], $2::text[], $3::text[], $4::numeric[], $5::numeric[],
         $6::numeric[], $7::text[], $8::text[], $9::text[])`,
      cols.quantity,
    ],
    ['insert into sp_uri select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])', cols.uri],
  ];
  for (const [sql, arrays] of statements) {
    if ((arrays[0] as unknown[]).length > 0) await q.query(sql, arrays);
  }
}
