import type { Patient } from 'fhir/r4';
import type { Logger } from 'pino';
import type { Database, Queryable } from '@kennebec/db';
import { blockingKeys, KEYS_VERSION } from '@kennebec/matching';
import { recordOf } from './candidates.ts';
import { nameFrequenciesStale, nameParams, rebuildNameFrequencies } from './name-frequencies.ts';

/**
 * The keys the MPI stores for finding candidates (`mpi_block`) and counting names (`mpi_name`)
 * are computed by the matcher when a Patient is linked or re-evaluated. When the matcher's keys
 * change (KEYS_VERSION), Patients linked before keep their old keys until they are rebuilt:
 * a new record that would meet one of them only through a new key is not compared with it.
 * `reindexMpi` rebuilds them all; `kennebec mpi reindex` runs it.
 */

export interface ReindexResult {
  patients: number;
  keys: number;
  names: { given: number; family: number };
}

/**
 * Rebuilds the blocking keys and names of every linked, not deleted Patient from its current
 * demographics, in batches of `batchSize` (one transaction each), then the name-frequency
 * snapshot, then records the keys' version. Links, Persons and reviews are not touched. Safe to
 * run while the server links (PostgreSQL): each batch holds its Patients' rows (FOR SHARE), so an
 * update waits for the batch or the batch reads the update. Safe to run again after a failure.
 */
export async function reindexMpi(db: Database, opts: { batchSize?: number; onBatch?: (patientsSoFar: number) => void } = {}): Promise<ReindexResult> {
  const batchSize = opts.batchSize ?? 500;
  let after = '';
  let patients = 0;
  let keys = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const res = await tx.query<{ id: string; content: Patient | string }>(
        `select r.id, r.content from mpi_link l join resource r on r.resource_type = 'Patient' and r.id = l.patient_id
         where l.patient_id > $1 and not r.deleted order by l.patient_id limit $2 for share of r`,
        [after, batchSize],
      );
      const ids: string[] = [];
      const keyIds: string[] = [];
      const keyValues: string[] = [];
      const given: (string | null)[] = [];
      const family: (string | null)[] = [];
      for (const row of res.rows) {
        const record = recordOf(typeof row.content === 'string' ? (JSON.parse(row.content) as Patient) : row.content);
        ids.push(row.id);
        for (const k of blockingKeys(record)) {
          keyIds.push(row.id);
          keyValues.push(k);
        }
        const [g, f] = nameParams(record);
        given.push(g);
        family.push(f);
      }
      if (ids.length > 0) await writeMany(tx, ids, keyIds, keyValues, given, family);
      return { count: ids.length, keys: keyValues.length, last: ids[ids.length - 1] };
    });
    patients += batch.count;
    keys += batch.keys;
    if (batch.last !== undefined) after = batch.last;
    if (batch.count > 0) opts.onBatch?.(patients);
    if (batch.count < batchSize) break;
  }
  const names = await db.transaction(async (tx) => {
    const counted = await rebuildNameFrequencies(tx);
    await tx.query('update mpi_index_state set keys_version = $1 where id = 1', [KEYS_VERSION]);
    return counted;
  });
  return { patients, keys, names };
}

async function writeMany(tx: Queryable, ids: string[], keyIds: string[], keyValues: string[], given: (string | null)[], family: (string | null)[]): Promise<void> {
  await tx.query(
    `with d as (delete from mpi_block where patient_id = any($1::text[]))
     insert into mpi_block (key, patient_id) select k, p from unnest($2::text[], $3::text[]) as t (k, p)`,
    [ids, keyValues, keyIds],
  );
  await tx.query(
    `insert into mpi_name (patient_id, given, family) select * from unnest($1::text[], $2::text[], $3::text[])
     on conflict (patient_id) do update set given = excluded.given, family = excluded.family`,
    [ids, given, family],
  );
}

/** The version of the stored keys, and whether Patients are linked (whose keys a rebuild would change). */
export async function mpiIndexState(q: Queryable): Promise<{ keysVersion: number; currentVersion: number; linked: boolean }> {
  const res = await q.query<{ keys_version: number; linked: boolean }>(
    'select (select keys_version from mpi_index_state where id = 1) as keys_version, exists (select 1 from mpi_link) as linked',
  );
  const r = res.rows[0];
  return { keysVersion: Number(r?.keys_version ?? 0), currentVersion: KEYS_VERSION, linked: r?.linked === true };
}

/**
 * At start-up: asks for `kennebec mpi reindex` when linked Patients carry keys of an older
 * version (a database without links is simply marked current), and rebuilds the name-frequency
 * snapshot when it is missing or stale.
 */
export async function prepareMpiIndex(db: Database, logger: Logger): Promise<void> {
  const state = await mpiIndexState(db);
  if (state.keysVersion < state.currentVersion) {
    if (!state.linked) await db.query('update mpi_index_state set keys_version = $1 where id = 1 and keys_version < $1', [state.currentVersion]);
    else {
      logger.warn(
        { storedKeysVersion: state.keysVersion, currentKeysVersion: state.currentVersion },
        'MPI: Patients linked by an earlier version lack current matching keys and may miss their matches; run `kennebec mpi reindex`',
      );
    }
  }
  if (await nameFrequenciesStale(db)) {
    const counted = await db.transaction((tx) => rebuildNameFrequencies(tx));
    logger.info({ givenNames: counted.given, familyNames: counted.family }, 'MPI: name frequencies rebuilt');
  }
}
