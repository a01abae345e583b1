import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from 'fhir/r4';
import { loadMigrations, openPglite, PostgresDatabase, type Database } from '@kennebec/db';
import { blockingKeys, KEYS_VERSION } from '@kennebec/matching';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createLogger } from '../../logger.ts';
import { createSource } from '../sources/index.ts';
import { recordOf, scoreCandidates } from './candidates.ts';
import { mpiIndexState, prepareMpiIndex, reindexMpi } from './reindex.ts';
import { client, patient } from './test-support.ts';

/**
 * Patients linked before the matcher's keys changed get the current keys: the start-up warning,
 * `reindexMpi` (what `kennebec mpi reindex` runs), and migration 012 on a database with links.
 */
const lines: string[] = [];
const logger = createLogger(
  'info',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  }),
);
const warned = () => lines.some((l) => l.includes('kennebec mpi reindex'));

let t: TestServer;
let api: ReturnType<typeof client>;
let north: Record<string, string>;
const N = 'urn:oid:2.16.840.1.113883.3.8201';

beforeAll(async () => {
  t = await createTestServer();
  api = client(t);
  const a = await createSource(t.deps, { name: 'North', hl7Facility: 'NORTHREIDX', oid: '2.16.840.1.113883.3.8201' });
  north = { authorization: `Bearer ${await t.token('system/*.cruds', a.id)}` };
});
afterAll(async () => t?.close());

const rosalie = patient({ mrn: 'R-1', system: N, given: 'Rosalie', family: 'Gagnon', birthDate: '1950-03-04', line: '12 Water St', city: 'Augusta', zip: '04330', ssn: '900-50-1234', gender: 'female' });
// The same woman registered without a birth date, with the ZIP and SSN mistyped: only the
// names + street key (KEYS_VERSION 2) leads to her first record.
const again: Patient = {
  resourceType: 'Patient',
  name: [{ family: 'Gagnon', given: ['Rosalie'] }],
  gender: 'female',
  address: [{ line: ['12 Water Street'], city: 'Augusta', state: 'ME', postalCode: '04303' }],
  identifier: [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: '900-50-1243' }],
};

async function storedKeys(patientId: string): Promise<string[]> {
  return (await t.deps.db.query<{ key: string }>('select key from mpi_block where patient_id = $1 order by key', [patientId])).rows.map((r) => r.key);
}

describe('rebuilding the stored matching keys', () => {
  it('gives Patients linked with older keys the current ones, and asks for it at start-up until done', async () => {
    const ids = [
      await api.create(north, rosalie),
      await api.create(north, patient({ mrn: 'R-2', system: N, given: 'Paul', family: 'Gagnon', birthDate: '1948-11-30', line: '12 Water St', city: 'Augusta', zip: '04330', gender: 'male' })),
      await api.create(north, patient({ mrn: 'R-3', system: N, given: 'Lise', family: 'Roy', birthDate: '1977-06-01', line: '5 Pine Ave', city: 'Bangor', zip: '04401', gender: 'female' })),
      await api.create(north, patient({ mrn: 'R-4', system: N, given: 'Guy', family: 'Roy', birthDate: '1975-01-21', line: '5 Pine Ave', city: 'Bangor', zip: '04401' })),
      await api.create(north, patient({ mrn: 'R-5', system: N, given: 'Ida', family: 'Roy', birthDate: '2001-09-09', line: '5 Pine Ave', city: 'Bangor', zip: '04401', gender: 'female' })),
    ];
    const deleted = ids[4] as string;
    expect((await t.app.inject({ method: 'DELETE', url: `/fhir/R4/Patient/${deleted}`, headers: north })).statusCode).toBeLessThan(300);
    const rosalieId = ids[0] as string;
    expect((await scoreCandidates(t.deps.db, recordOf(again), null)).map((c) => c.patientId)).toContain(rosalieId);

    // As a database linked before the names + street key and mpi_name existed.
    await t.deps.db.query(`delete from mpi_block where key like 't%'`);
    await t.deps.db.query('delete from mpi_name');
    await t.deps.db.query('update mpi_index_state set keys_version = 1');
    const links = (await t.deps.db.query('select * from mpi_link order by patient_id')).rows;
    expect((await scoreCandidates(t.deps.db, recordOf(again), null)).map((c) => c.patientId)).not.toContain(rosalieId);
    await prepareMpiIndex(t.deps.db, logger);
    expect(warned()).toBe(true);

    const batches: number[] = [];
    const result = await reindexMpi(t.deps.db, { batchSize: 2, onBatch: (n) => batches.push(n) });
    expect(result.patients).toBe(4);
    expect(batches).toEqual([2, 4]);
    for (const id of ids.slice(0, 4)) {
      const stored = (await t.deps.store.read('Patient', id))?.resource as Patient;
      expect(await storedKeys(id)).toEqual([...blockingKeys(recordOf(stored))].sort());
    }
    expect(result.keys).toBe((await t.deps.db.query<{ n: number }>(`select count(*)::int as n from mpi_block where patient_id <> $1`, [deleted])).rows[0]?.n);
    // The deleted Patient is left as it was; links are not touched.
    expect((await storedKeys(deleted)).some((k) => k.startsWith('t'))).toBe(false);
    expect((await t.deps.db.query('select * from mpi_link order by patient_id')).rows).toEqual(links);
    const names = await t.deps.db.query<{ patient_id: string; given: string; family: string }>('select patient_id, given, family from mpi_name order by given');
    expect(names.rows.map((r) => `${r.given} ${r.family}`)).toEqual(['guy roy', 'lise roy', 'paul gagnon', 'rosalie gagnon']);
    expect(result.names).toEqual({ given: 4, family: 4 });
    expect(await mpiIndexState(t.deps.db)).toEqual({ keysVersion: KEYS_VERSION, currentVersion: KEYS_VERSION, linked: true });

    expect((await scoreCandidates(t.deps.db, recordOf(again), null)).map((c) => c.patientId)).toContain(rosalieId);
    lines.length = 0;
    await prepareMpiIndex(t.deps.db, logger);
    expect(warned()).toBe(false);
    // Running it again changes nothing.
    const before = (await t.deps.db.query('select key, patient_id from mpi_block order by patient_id, key')).rows;
    expect((await reindexMpi(t.deps.db)).patients).toBe(4);
    expect((await t.deps.db.query('select key, patient_id from mpi_block order by patient_id, key')).rows).toEqual(before);
  });
});

/** An empty database without migrations: its own on PostgreSQL, in memory on PGlite. */
async function emptyDatabase(): Promise<{ db: Database; drop: () => Promise<void> }> {
  const adminUrl = process.env.KENNEBEC_TEST_DATABASE_URL;
  if (!adminUrl) {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const name = `kennebec_mig_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const db = await PostgresDatabase.open(u.toString(), { max: 1 });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin(`drop database if exists ${name} with (force)`);
    },
  };
}

describe('migration 012 (MPI names and keys version)', () => {
  it('marks a database that already holds links for a rebuild, and one without links as current at start-up', async () => {
    const migrations = await loadMigrations();
    const ours = migrations.find((m) => m.version === 12);
    expect(ours?.name).toBe('mpi_names');
    for (const withLinks of [true, false]) {
      const { db, drop } = await emptyDatabase();
      try {
        for (const m of migrations.filter((x) => x.version < 12)) await db.transaction((tx) => tx.exec(m.sql));
        if (withLinks) await db.query(`insert into mpi_link (patient_id, person_id, decision) values ('p1', 'P', 'new')`);
        await db.transaction((tx) => tx.exec(ours?.sql as string));
        expect((await mpiIndexState(db)).keysVersion).toBe(1);
        lines.length = 0;
        await prepareMpiIndex(db, logger);
        expect(warned()).toBe(withLinks);
        expect((await mpiIndexState(db)).keysVersion).toBe(withLinks ? 1 : KEYS_VERSION);
      } finally {
        await drop();
      }
    }
  });
});
