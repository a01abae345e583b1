import type { Resource } from 'fhir/r4';
import { indexInsertCtes, INDEX_TABLES, type OwnedIndexRows } from './index-writer.ts';

/**
 * The statement that stores many versions at once: new resources are inserted, existing ones
 * (deleted ones included) get their next version, every version gets its history row, the
 * index rows of the updated resources are replaced and those of every version inserted. One
 * round trip, atomically, however many resources a message or Bundle carries.
 *
 * The delete CTEs see the index as it was before the statement (all CTEs share one snapshot),
 * so they never remove the rows inserted beside them.
 *
 * The statement is prepared, and PostgreSQL may keep one generic plan for it; on tables not yet
 * analyzed (a new database) that plan joins the id arrays to whole tables by hash and stays
 * while the tables grow. So the rows to change are found by LATERAL lookups on the primary key
 * and owner indexes, one per id (an index scan whatever the statistics), and changed through
 * their ctid. The caller holds the row locks of the resources it updates (FOR UPDATE), so
 * those rows cannot move between the lookup and the change.
 */
export interface VersionToWrite {
  resource: Resource & { id: string };
  versionId: number;
  /** true: insert a new resource row; false: update the existing row to this version. */
  insert: boolean;
  method: 'POST' | 'PUT';
  author: string;
  sourceOrg: string | null;
  index: OwnedIndexRows;
}

export function writeManyStatement(versions: VersionToWrite[], lastUpdated: string): { sql: string; params: unknown[] } {
  // Each version's values travel once, as parallel arrays, and are read once (CTE v). The
  // contents travel as one JSON array, parsed once: no array-literal escaping on either side.
  const params: unknown[] = [
    lastUpdated,
    versions.map((v) => v.resource.resourceType),
    versions.map((v) => v.resource.id),
    versions.map((v) => v.versionId),
    versions.map((v) => v.method),
    JSON.stringify(versions.map((v) => v.resource)),
    versions.map((v) => v.author),
    versions.map((v) => v.sourceOrg),
    versions.map((v) => v.insert),
  ];
  const ctes = [
    `v as (select * from rows from (unnest($2::text[]), unnest($3::text[]), unnest($4::integer[]), unnest($5::text[]), jsonb_array_elements($6::jsonb),
           unnest($7::text[]), unnest($8::text[]), unnest($9::boolean[])) as u(t, i, n, m, c, a, o, ins))`,
    `ins as (
         insert into resource (resource_type, id, version_id, last_updated, deleted, content, author, source_org)
         select t, i, n, $1::timestamptz, false, c, a, o from v where ins
       )`,
    `h as (
         insert into resource_history (resource_type, id, version_id, last_updated, deleted, method, content, author, source_org)
         select t, i, n, $1::timestamptz, false, m, c, a, o from v
       )`,
  ];
  if (versions.some((v) => !v.insert)) {
    ctes.push(`upd as (
         update resource r set version_id = u.n, last_updated = $1::timestamptz, deleted = false, content = u.c, author = u.a, source_org = u.o
         from (select v.n, v.c, v.a, v.o, x.ctid as row_ctid from v
               cross join lateral (select ctid from resource x where x.resource_type = v.t and x.id = v.i offset 0) as x
               where not v.ins) as u
         where r.ctid = u.row_ctid
       )`);
    for (const table of INDEX_TABLES) {
      ctes.push(`d_${table} as (delete from ${table} x where x.ctid in (select y.ctid from v
         cross join lateral (select ctid from ${table} y where y.resource_type = v.t and y.resource_id = v.i offset 0) as y
         where not v.ins))`);
    }
  }
  const index = indexInsertCtes(
    versions.map((v) => v.index),
    params.length + 1,
  );
  params.push(...index.params);
  ctes.push(...index.ctes);
  return { sql: `with ${ctes.join(',\n       ')}\n       select 1`, params };
}

/**
 * Whether two versions of a resource have the same content: equal JSON values with object keys
 * in any order (stored content comes back from jsonb with its keys reordered), ignoring the
 * server-managed id, meta.versionId and meta.lastUpdated.
 */
export function sameContent(a: Resource, b: Resource): boolean {
  return equalJson(withoutServerMeta(a), withoutServerMeta(b));
}

function withoutServerMeta(r: Resource): Record<string, unknown> {
  const { id: _id, meta, ...rest } = r;
  if (!meta) return rest;
  const { versionId: _v, lastUpdated: _l, ...kept } = meta;
  return Object.keys(kept).length > 0 ? { ...rest, meta: kept } : rest;
}

function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equalJson(x, b[i]));
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && equalJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
