import { randomBytes } from 'node:crypto';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite, PostgresDatabase, migrate } from '@kennebec/db';
import { buildWeb } from '../scripts/build-web.mjs';

/**
 * Migrate once, copy per test: PostgreSQL gets a migrated template database that each test
 * clones with CREATE DATABASE … TEMPLATE; PGlite gets a migrated data directory dumped to a
 * tarball that each test loads into a fresh in-memory instance.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    kennebecDb: { kind: 'postgres'; adminUrl: string; template: string; prefix: string } | { kind: 'pglite'; dumpPath: string };
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The browser tests open the built web app; rebuilt only when its sources changed.
  await buildWeb({ quiet: true });
  const adminUrl = process.env.KENNEBEC_TEST_DATABASE_URL;
  if (adminUrl) {
    const runId = randomBytes(4).toString('hex');
    const template = `kennebec_tpl_${runId}`;
    const prefix = `kennebec_t_${runId}_`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${template}`);
    const db = await PostgresDatabase.open(withDatabase(adminUrl, template), { max: 1 });
    await migrate(db);
    await db.close();
    project.provide('kennebecDb', { kind: 'postgres', adminUrl, template, prefix });
    return async () => {
      const dbs = await admin.query<{ datname: string }>(
        'select datname from pg_database where datname like $1 or datname = $2',
        [`${prefix}%`, template],
      );
      for (const { datname } of dbs.rows) {
        await admin.query(`drop database if exists ${datname} with (force)`).catch(() => undefined);
      }
      await admin.end();
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'kennebec-test-'));
  const dumpPath = join(dir, 'golden.tar.gz');
  const db = await openPglite();
  await migrate(db);
  const dump = await db.dump();
  await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  project.provide('kennebecDb', { kind: 'pglite', dumpPath });
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
