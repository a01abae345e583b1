import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { Resource } from 'fhir/r4';
import { migrate, openDatabase, type Database, type DatabaseLocation } from '@kennebec/db';
import { buildIndexRows, SqlFhirStore } from '@kennebec/fhir-store';
import { generateOrganization, generatePatientRecords, type OrganizationInfo } from '@kennebec/bench/generate';
import { BENCH_DATABASE, databaseUrlFor, type BenchOptions } from './options.ts';
import type { Sample } from './scenarios.ts';
import type { DbEnv } from './server.ts';

/**
 * The load phase, in the bench process: a throw-away database, migrated, filled with the
 * synthetic population through SqlFhirStore.createMany (so search index rows are the real ones),
 * analyzed, sampled for the scenarios, then closed so the server can open it.
 */
export interface LoadReport {
  /** false when an already loaded database was reused (--keep, --skip-load). */
  loaded: boolean;
  seconds?: number;
  /** Seconds spent generating resources (the rest is building index rows and inserting). */
  generateSeconds?: number;
  resourcesPerSecond?: number;
  counts: Record<string, number>;
  totalResources: number;
  patients: number;
  databaseBytes?: number;
}

export interface PreparedDatabase {
  location: DatabaseLocation;
  env: DbEnv;
  load: LoadReport;
  sample: Sample;
}

const ORG: OrganizationInfo = { id: 'bench-org', name: 'Kennebec Bench Medical Center', mrnSystem: 'urn:oid:2.16.840.1.113883.3.9999.1.99' };
const NOW = '2026-06-01T12:00:00Z';
const CHUNK = 2000;
const IN_FLIGHT = 2;
const CTX = { author: 'System/bench', sourceOrg: ORG.id };

/** Connection used to drop and create the bench database (never the bench database itself). */
function adminUrl(serverUrl: string): string {
  const name = decodeURIComponent(new URL(serverUrl).pathname.slice(1));
  return name === '' || name === BENCH_DATABASE ? databaseUrlFor(serverUrl, 'postgres') : serverUrl;
}

async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(serverUrl) });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Rows the load phase wrote (its author), or every row. */
function authorFilter(loadedOnly: boolean): { sql: string; params: unknown[] } {
  return loadedOnly ? { sql: 'and author = $1', params: [CTX.author] } : { sql: '', params: [] };
}

/** Patients in the database; `loadedOnly`: only those the load phase wrote. */
async function patientCount(db: Database, loadedOnly = false): Promise<number> {
  const { sql, params } = authorFilter(loadedOnly);
  const res = await db
    .query<{ n: string | number }>(`select count(*) as n from resource where resource_type = 'Patient' and not deleted ${sql}`, params)
    .catch(() => ({ rows: [{ n: 0 }] }));
  return Number(res.rows[0]?.n ?? 0);
}

/** Opens the existing bench database, or undefined when there is none. */
async function openExisting(opts: BenchOptions, location: DatabaseLocation): Promise<Database | undefined> {
  if (opts.db === 'postgres') {
    const exists = await withAdmin(opts.serverUrl as string, async (c) => (await c.query('select 1 from pg_database where datname = $1', [BENCH_DATABASE])).rows.length > 0);
    return exists ? openDatabase(location) : undefined;
  }
  return existsSync(`${opts.dataDir}/pglite`) ? openDatabase(location) : undefined;
}

async function recreate(opts: BenchOptions): Promise<void> {
  if (opts.db === 'postgres') {
    await withAdmin(opts.serverUrl as string, async (c) => {
      await c.query(`drop database if exists ${BENCH_DATABASE} with (force)`);
      await c.query(`create database ${BENCH_DATABASE}`);
    });
  } else {
    await rm(opts.dataDir, { recursive: true, force: true });
  }
}

async function bulkLoad(db: Database, patients: number, log: (s: string) => void): Promise<{ seconds: number; generateSeconds: number; inserted: number }> {
  const store = new SqlFhirStore(db, { buildIndexRows, now: () => new Date() });
  const started = performance.now();
  let generateMs = 0;
  let inserted = 0;
  let lastLog = started;
  const inflight = new Set<Promise<void>>();
  const insert = async (batch: Resource[]): Promise<void> => {
    const items = batch.map((r) => ({ resource: r, id: r.id }));
    const p: Promise<void> = store.transaction(async (repo) => {
      await repo.createMany(items, CTX);
    }).then(() => {
      inflight.delete(p);
      inserted += items.length;
      const now = performance.now();
      if (now - lastLog > 10_000) {
        lastLog = now;
        log(`  … ${inserted.toLocaleString('en-US')} resources (${Math.round(inserted / ((now - started) / 1000)).toLocaleString('en-US')}/s)`);
      }
    });
    inflight.add(p);
    // Keep up to IN_FLIGHT chunks in the database while the next one is generated.
    if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
  };

  const org = generateOrganization({ seed: 42, organization: ORG });
  await insert([org.organization, ...org.practitioners, org.location]);
  let batch: Resource[] = [];
  let t = performance.now();
  for (const rec of generatePatientRecords({ seed: 42, patients, organization: ORG, now: NOW })) {
    batch.push(rec.patient, ...rec.resources);
    if (batch.length >= CHUNK) {
      generateMs += performance.now() - t;
      await insert(batch);
      batch = [];
      t = performance.now();
    }
  }
  generateMs += performance.now() - t;
  if (batch.length > 0) await insert(batch);
  await Promise.all(inflight);
  return { seconds: (performance.now() - started) / 1000, generateSeconds: generateMs / 1000, inserted };
}

async function countsByType(db: Database): Promise<Record<string, number>> {
  const res = await db.query<{ resource_type: string; n: string | number }>(
    'select resource_type, count(*) as n from resource where not deleted group by resource_type order by 2 desc',
  );
  return Object.fromEntries(res.rows.map((r) => [r.resource_type, Number(r.n)]));
}

/**
 * Random patients and (patient, LOINC code) pairs of the loaded population. Resources the bench's
 * own create and transaction scenarios wrote (kept with --keep) are left out, unless the database
 * was loaded by something else (--skip-load on another population).
 */
async function sampleTargets(db: Database): Promise<Sample> {
  const { sql: by, params } = authorFilter((await patientCount(db, true)) > 0);
  const patients = await db.query<{ id: string; family: string | null }>(
    `select id, content->'name'->0->>'family' as family from resource
     where resource_type = 'Patient' and not deleted ${by} order by random() limit 5000`,
    params,
  );
  const obs = await db.query<{ subject: string; code: string }>(
    `select content->'subject'->>'reference' as subject, content->'code'->'coding'->0->>'code' as code from resource
     where resource_type = 'Observation' and not deleted ${by}
       and content->'code'->'coding'->0->>'system' = 'http://loinc.org'
       and content->'subject'->>'reference' like 'Patient/%'
     order by random() limit 5000`,
    params,
  );
  return {
    patients: patients.rows,
    observations: obs.rows.map((r) => ({ patientId: r.subject.slice('Patient/'.length), code: r.code })),
  };
}

/** Makes the bench database ready (loaded, analyzed, sampled) and closes it. */
export async function prepareDatabase(opts: BenchOptions, log: (s: string) => void): Promise<PreparedDatabase> {
  const location: DatabaseLocation =
    opts.db === 'postgres' ? { databaseUrl: databaseUrlFor(opts.serverUrl as string, BENCH_DATABASE), poolSize: IN_FLIGHT + 1 } : { dataDir: opts.dataDir };
  const env: DbEnv = opts.db === 'postgres' ? { DATABASE_URL: location.databaseUrl as string } : { DATA_DIR: opts.dataDir };
  const where = opts.db === 'postgres' ? `database ${BENCH_DATABASE} on ${new URL(opts.serverUrl as string).host}` : `PGlite in ${opts.dataDir}`;

  let db: Database | undefined;
  let load: Omit<LoadReport, 'counts' | 'totalResources' | 'patients' | 'databaseBytes'> = { loaded: false };
  try {
    if (opts.skipLoad || opts.keep) {
      db = await openExisting(opts, location);
      const have = db ? await patientCount(db, !opts.skipLoad) : 0;
      if (opts.skipLoad && have === 0) throw new Error(`--skip-load: ${where} holds no patients; run without --skip-load first`);
      if (have < opts.patients && !opts.skipLoad) {
        log(`${where} holds ${have} patients, fewer than ${opts.patients}: reloading`);
        await db?.close();
        db = undefined;
      } else {
        log(`Reusing ${where} (${have.toLocaleString('en-US')} patients)`);
      }
    }
    if (!db) {
      log(`Creating ${where}`);
      await recreate(opts);
      db = await openDatabase(location);
      await migrate(db);
      log(`Loading ${opts.patients.toLocaleString('en-US')} patients (chunks of ~${CHUNK} resources)…`);
      const r = await bulkLoad(db, opts.patients, log);
      log(`Loaded ${r.inserted.toLocaleString('en-US')} resources in ${r.seconds.toFixed(1)} s: ${Math.round(r.inserted / r.seconds).toLocaleString('en-US')} resources/s (generation ${r.generateSeconds.toFixed(1)} s of it)`);
      const t = performance.now();
      await db.exec(opts.db === 'postgres' ? 'vacuum analyze' : 'analyze');
      log(`${opts.db === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      load = { loaded: true, seconds: r.seconds, generateSeconds: r.generateSeconds, resourcesPerSecond: r.inserted / r.seconds };
    }
    const counts = await countsByType(db);
    const totalResources = Object.values(counts).reduce((a, b) => a + b, 0);
    const size = await db.query<{ n: string | number }>('select pg_database_size(current_database()) as n').catch(() => undefined);
    const sample = await sampleTargets(db);
    const databaseBytes = size?.rows[0] ? Number(size.rows[0].n) : undefined;
    return {
      location,
      env,
      load: { ...load, counts, totalResources, patients: counts.Patient ?? 0, ...(databaseBytes !== undefined ? { databaseBytes } : {}) },
      sample,
    };
  } finally {
    // PGlite: the server cannot open the data directory while we hold it.
    await db?.close();
  }
}
