import { mkdir } from 'node:fs/promises';
import { PgliteDatabase } from './pglite.ts';
import { PostgresDatabase } from './postgres.ts';
import type { Database } from './port.ts';

export interface DatabaseLocation {
  /** `postgres://…`; absent means embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` (or undefined) keeps it in memory. */
  dataDir?: string | undefined;
  poolSize?: number | undefined;
}

export async function openDatabase(loc: DatabaseLocation): Promise<Database> {
  if (loc.databaseUrl) return PostgresDatabase.open(loc.databaseUrl, { max: loc.poolSize ?? 10 });
  if (!loc.dataDir || loc.dataDir === 'memory://') return PgliteDatabase.open();
  const dir = `${loc.dataDir.replace(/\/$/, '')}/pglite`;
  await mkdir(dir, { recursive: true });
  return PgliteDatabase.open(dir);
}
