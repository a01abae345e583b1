import type { Queryable } from '@kennebec/db';
import { NameFrequencies, nameKeys, type FieldCounts, type NormalizedRecord } from '@kennebec/matching';

/**
 * Name frequencies for the MPI's scoring: exact agreement on a rare name weighs more, on a
 * common one less (NameFrequencies in @kennebec/matching explains the weights), as in the
 * benchmarks' in-memory index.
 *
 * Each linked Patient's normalized names are kept in `mpi_name`, written with its blocking keys.
 * The counts scoring reads are a snapshot of them (`mpi_name_frequency` and its totals), rebuilt
 * at start-up when the number of names has changed by a tenth and by `kennebec mpi reindex`.
 * Not counts kept current by every link: a row per common name, and one for the totals, updated
 * by every linking transaction would make concurrent registrations wait for each other on it
 * (every Smith on the Smith row, every Patient on the totals) and let transactions that link
 * several Patients deadlock on them. The weights depend on relative frequencies, which change
 * slowly as a population grows, so a snapshot serves until the next rebuild; a name new since
 * counts as seen once (rare).
 */
const REBUILD_LOCK = [0x4b42_0003, 1] as const;

/** The stored names of a Patient, replaced with its blocking keys (candidates.ts). */
export function nameParams(record: NormalizedRecord): [string | null, string | null] {
  const { given, family } = nameKeys(record);
  return [given ?? null, family ?? null];
}

type Row = { field: 'given' | 'family'; records: number | null; sum_squares: number | null; value: string | null; count: number | null };

/**
 * The snapshot's totals with the counts of the names of `records` (the record being linked, and
 * its previous demographics when re-evaluated); undefined when no snapshot has been built.
 */
export async function loadNameFrequencies(q: Queryable, records: readonly NormalizedRecord[]): Promise<NameFrequencies | undefined> {
  const given = new Set<string>();
  const family = new Set<string>();
  for (const r of records) {
    const k = nameKeys(r);
    if (k.given !== undefined) given.add(k.given);
    if (k.family !== undefined) family.add(k.family);
  }
  const res = await q.query<Row>(
    `select field, records, sum_squares::float8 as sum_squares, null::text as value, null::integer as count from mpi_name_frequency_total
     union all
     select field, null, null, value, count from mpi_name_frequency
     where (field = 'given' and value = any($1::text[])) or (field = 'family' and value = any($2::text[]))`,
    [[...given], [...family]],
  );
  const fields: Record<'given' | 'family', FieldCounts & { counts: Map<string, number> }> = {
    given: { total: -1, sumSquares: 0, counts: new Map() },
    family: { total: -1, sumSquares: 0, counts: new Map() },
  };
  for (const r of res.rows) {
    const f = fields[r.field];
    if (r.value === null) {
      f.total = Number(r.records);
      f.sumSquares = Number(r.sum_squares);
    } else f.counts.set(r.value, Number(r.count));
  }
  if (fields.given.total < 0 || fields.family.total < 0) return undefined;
  return NameFrequencies.fromCounts(fields.given, fields.family);
}

/**
 * Rebuilds the snapshot from `mpi_name`, leaving deleted Patients out. Readers see the old
 * snapshot until this commits; concurrent rebuilds wait for each other.
 */
export async function rebuildNameFrequencies(tx: Queryable): Promise<{ given: number; family: number }> {
  await tx.query('select pg_advisory_xact_lock($1::int4, $2::int4)', [...REBUILD_LOCK]);
  await tx.query('delete from mpi_name_frequency');
  await tx.query(
    `with live as (
       select n.given, n.family from mpi_name n
       where not exists (select 1 from resource r where r.resource_type = 'Patient' and r.id = n.patient_id and r.deleted)
     )
     insert into mpi_name_frequency (field, value, count)
     select 'given', given, count(*) from live where given is not null group by given
     union all
     select 'family', family, count(*) from live where family is not null group by family`,
  );
  await tx.query('delete from mpi_name_frequency_total');
  const totals = await tx.query<{ field: 'given' | 'family'; records: number }>(
    `insert into mpi_name_frequency_total (field, records, sum_squares, source_rows)
     select f.field, coalesce(sum(c.count), 0), coalesce(sum(c.count::bigint * c.count), 0), (select count(*) from mpi_name)
     from (values ('given'), ('family')) as f (field) left join mpi_name_frequency c on c.field = f.field
     group by f.field
     returning field, records`,
  );
  const out = { given: 0, family: 0 };
  for (const r of totals.rows) out[r.field] = Number(r.records);
  return out;
}

/** Whether the snapshot is missing or was built from a number of names a tenth or more away from today's. */
export async function nameFrequenciesStale(q: Queryable): Promise<boolean> {
  const res = await q.query<{ rows: number; built: number | null }>(
    `select (select count(*) from mpi_name)::integer as rows, (select source_rows from mpi_name_frequency_total where field = 'family') as built`,
  );
  const r = res.rows[0];
  if (!r) return false;
  if (r.built === null) return Number(r.rows) > 0;
  return Math.abs(Number(r.rows) - Number(r.built)) >= Math.max(1, Number(r.built) / 10);
}
