import { mkdir } from 'node:fs/promises';
import { PostgresDatabase } from './postgres.ts';
import { acquireLock } from './lock.ts';
import type { Database } from './port.ts';

export interface DatabaseLocation {
  /** `postgres://…`; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data directory root; `memory://` (or undefined) keeps it in memory. */
  dataDir?: string | undefined;
  poolSize?: number | undefined;
}

/** Opens the configured database. An on-disk PGlite is locked to this process until closed. */
export async function openDatabase(loc: DatabaseLocation): Promise<Database> {
  if (loc.databaseUrl) return PostgresDatabase.open(loc.databaseUrl, { max: loc.poolSize ?? 10 });
  // PGlite (~50 MB of JavaScript and WebAssembly) is loaded only when it is the database in use.
  const { PgliteDatabase } = await import('./pglite.ts');
  if (!loc.dataDir || loc.dataDir === 'memory://') return PgliteDatabase.open();
  const root = loc.dataDir.replace(/\/$/, '');
  await mkdir(`${root}/pglite`, { recursive: true });
  const release = await acquireLock(`${root}/pglite.lock`);
  try {
    const db = await PgliteDatabase.open(`${root}/pglite`);
    const close = db.close.bind(db);
    db.close = async () => {
      await close();
      await release();
    };
    return db;
  } catch (err) {
    await release();
    throw err;
  }
}

/** An embedded PGlite, in memory or restored from a dump (tests, tools). */
export async function openPglite(options: { loadDataDir?: Blob } = {}): Promise<import('./pglite.ts').PgliteDatabase> {
  const { PgliteDatabase } = await import('./pglite.ts');
  return PgliteDatabase.open(undefined, options);
}
