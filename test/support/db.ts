import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openPglite, PostgresDatabase, type Database } from '@kennebec/db';

type PostgresWhere = Extract<ReturnType<typeof inject<'kennebecDb'>>, { kind: 'postgres' }>;

/** A new database cloned from the run's migrated template; returns its URL. */
async function cloneTemplate(where: PostgresWhere): Promise<string> {
  const name = `${where.prefix}${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: where.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${where.template}`);
  } finally {
    await admin.end();
  }
  const u = new URL(where.adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh, migrated database for one test file: a clone of the run's template on PostgreSQL,
 * or a new in-memory PGlite loaded from the golden dump. Nothing is shared between files.
 */
export async function createTestDatabase(): Promise<Database> {
  const where = inject('kennebecDb');
  if (where.kind === 'postgres') {
    return PostgresDatabase.open(await cloneTemplate(where), { max: 5 });
  }
  const tarball = await readFile(where.dumpPath);
  return openPglite({ loadDataDir: new Blob([tarball]) });
}

/**
 * Where a separate process (the CLI, `npm start`) should keep its data for one test:
 * a fresh PostgreSQL database cloned from the template, or a fresh PGlite data directory.
 */
export async function createTestDatabaseEnv(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const where = inject('kennebecDb');
  // A server key of its own, so no process writes a key file into the working directory.
  const key = { KENNEBEC_SECRET_KEY: randomBytes(32).toString('base64') };
  if (where.kind === 'postgres') {
    return { env: { DATABASE_URL: await cloneTemplate(where), ...key }, cleanup: async () => undefined };
  }
  const dir = await mkdtemp(join(tmpdir(), 'kennebec-data-'));
  return { env: { DATA_DIR: dir, ...key }, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
