import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from './port.ts';

/**
 * Forward-only numbered migrations (`migrations/NNN_name.sql`), each applied once in its own
 * transaction. On PostgreSQL an advisory lock keeps two processes that start together from
 * applying the same migration twice.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
const LOCK_KEY = 4242_0001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  const out: Migration[] = [];
  for (const file of files) {
    out.push({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), sql: await readFile(dir + file, 'utf8') });
  }
  return out;
}

/** Applies every pending migration and returns the versions applied. */
export async function migrate(db: Database): Promise<number[]> {
  await db.query(`create table if not exists schema_migration (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`);
  const migrations = await loadMigrations();
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      if (db.dialect === 'postgres') await tx.query('select pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const seen = await tx.query('select 1 from schema_migration where version = $1', [m.version]);
      if (seen.rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migration (version, name) values ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
