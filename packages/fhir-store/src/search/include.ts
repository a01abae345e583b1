/**
 * `_include` and `_revinclude` (https://hl7.org/fhir/R4/search.html#include): resources the
 * page's matches refer to, and resources that refer to them, found through sp_reference. With
 * `:iterate` the same specification is applied once more to what the first round included.
 */
import type { Queryable } from '@kennebec/db';
import type { IncludeSpec } from '@kennebec/fhir';
import { toStoredVersion } from '../sql-repository.ts';
import type { StoredVersion } from '../types.ts';
import { Params } from './sql.ts';

type Row = Parameters<typeof toStoredVersion>[0];

export const RESOURCE_COLUMNS = 'r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.content::text as content, r.author, r.source_org';

/** Resources referenced by `sources` (all of `sourceType`) through the spec's parameter. */
async function forward(q: Queryable, spec: IncludeSpec, sourceIds: string[], limit: number): Promise<StoredVersion[]> {
  const p = new Params();
  const where = [`x.resource_type = ${p.add(spec.sourceType)}`, `x.resource_id = any(${p.array(sourceIds)})`, 'x.target_type is not null'];
  if (spec.param !== '*') where.push(`x.param = ${p.add(spec.param)}`);
  if (spec.targetType) where.push(`x.target_type = ${p.add(spec.targetType)}`);
  const res = await q.query<Row>(
    `select ${RESOURCE_COLUMNS} from resource r
     where not r.deleted and (r.resource_type, r.id) in (select x.target_type, x.target_id from sp_reference x where ${where.join(' and ')})
     order by r.resource_type, r.id limit ${p.add(limit, 'integer')}`,
    p.values,
  );
  return res.rows.map(toStoredVersion);
}

/** Resources (of the spec's source type, or any) that refer to `targets` (all of `targetType`). */
async function reverse(q: Queryable, spec: IncludeSpec, targetType: string, targetIds: string[], limit: number): Promise<StoredVersion[]> {
  if (spec.targetType && spec.targetType !== targetType) return [];
  const p = new Params();
  const where = [`x.target_type = ${p.add(targetType)}`, `x.target_id = any(${p.array(targetIds)})`];
  if (spec.sourceType !== '*') where.push(`x.resource_type = ${p.add(spec.sourceType)}`);
  if (spec.param !== '*') where.push(`x.param = ${p.add(spec.param)}`);
  const res = await q.query<Row>(
    `select ${RESOURCE_COLUMNS} from resource r
     where not r.deleted and (r.resource_type, r.id) in (select x.resource_type, x.resource_id from sp_reference x where ${where.join(' and ')})
     order by r.resource_type, r.id limit ${p.add(limit, 'integer')}`,
    p.values,
  );
  return res.rows.map(toStoredVersion);
}

function byType(versions: readonly StoredVersion[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const v of versions) {
    const ids = m.get(v.resourceType);
    if (ids) ids.push(v.id);
    else m.set(v.resourceType, [v.id]);
  }
  return m;
}

async function round(q: Queryable, include: readonly IncludeSpec[], revinclude: readonly IncludeSpec[], from: readonly StoredVersion[], limit: number): Promise<StoredVersion[]> {
  const groups = byType(from);
  const out: StoredVersion[] = [];
  for (const spec of include) {
    const ids = groups.get(spec.sourceType);
    if (ids && out.length < limit) out.push(...(await forward(q, spec, ids, limit - out.length)));
  }
  for (const spec of revinclude) {
    for (const [type, ids] of groups) {
      if (out.length < limit) out.push(...(await reverse(q, spec, type, ids, limit - out.length)));
    }
  }
  return out;
}

/**
 * Included resources for a page of matches, without duplicates and without the matches
 * themselves, at most `limit` of them.
 */
export async function resolveIncludes(
  q: Queryable,
  matches: readonly StoredVersion[],
  include: readonly IncludeSpec[],
  revinclude: readonly IncludeSpec[],
  limit: number,
): Promise<StoredVersion[]> {
  if (matches.length === 0 || (include.length === 0 && revinclude.length === 0)) return [];
  const seen = new Set(matches.map((v) => `${v.resourceType}/${v.id}`));
  const included: StoredVersion[] = [];
  const keep = (versions: StoredVersion[]): StoredVersion[] => {
    const fresh = versions.filter((v) => {
      const key = `${v.resourceType}/${v.id}`;
      if (seen.has(key) || included.length >= limit) return false;
      seen.add(key);
      included.push(v);
      return true;
    });
    return fresh;
  };
  const first = keep(await round(q, include, revinclude, matches, limit));
  const iterInclude = include.filter((s) => s.iterate);
  const iterRevinclude = revinclude.filter((s) => s.iterate);
  if (first.length > 0 && (iterInclude.length > 0 || iterRevinclude.length > 0) && included.length < limit) {
    keep(await round(q, iterInclude, iterRevinclude, first, limit - included.length));
  }
  return included;
}
