import { migrate, openDatabase } from '@kennebec/db';
import { loadConfig, reindexMpi } from '@kennebec/server';
import type { CliIo } from '../io.ts';

/** `kennebec mpi reindex`: rebuilds the MPI's stored matching keys and name frequencies. */
export async function mpiReindexCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    const started = Date.now();
    const r = await reindexMpi(db, { onBatch: (n) => io.out(`  ${n} Patients…`) });
    io.out(
      `Rebuilt the matching keys of ${r.patients} Patients (${r.keys} blocking keys) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `name frequencies from ${r.names.given} given and ${r.names.family} family names`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
