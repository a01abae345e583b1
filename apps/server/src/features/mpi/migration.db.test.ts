import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { loadMigrations, openPglite, PostgresDatabase, type Database } from '@kennebec/db';

/**
 * Migration 007 on a database that already holds links: each existing link gets the first row
 * of its Patient's history, and the new decision value is accepted.
 */
const adminUrl = process.env.KENNEBEC_TEST_DATABASE_URL;
let db: Database;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  if (adminUrl) {
    const name = `kennebec_mig_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    db = await PostgresDatabase.open(u.toString(), { max: 1 });
    dropDatabase = async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    };
  } else {
    db = await openPglite();
  }
});
afterAll(async () => {
  await db?.close();
  await dropDatabase?.();
});

describe('migration 007 (MPI history)', () => {
  it('starts the history of every existing link and allows staff placements', async () => {
    const migrations = await loadMigrations();
    for (const m of migrations.filter((x) => x.version <= 5)) await db.transaction((tx) => tx.exec(m.sql));
    await db.query(
      `insert into mpi_link (patient_id, person_id, decision, score, matched_patient_id, evidence) values
       ('p1', 'P', 'new', 3, null, '[]'), ('p2', 'P', 'link', 25.5, 'p1', '[{"field":"given","level":"exact","weight":5}]'), ('p3', 'Q', 'review', 12, 'p1', '[]')`,
    );
    const ours = migrations.find((x) => x.version === 7);
    expect(ours?.name).toBe('mpi_history');
    await db.transaction((tx) => tx.exec(ours?.sql as string));
    const rows = await db.query<{ patient_id: string; from_person_id: string | null; to_person_id: string; action: string; score: number; matched_patient_id: string | null; change_id: string }>(
      'select patient_id, from_person_id, to_person_id, action, score, matched_patient_id, change_id::text as change_id from mpi_link_history order by patient_id',
    );
    expect(rows.rows.map((r) => [r.patient_id, r.from_person_id, r.to_person_id, r.action, Number(r.score), r.matched_patient_id])).toEqual([
      ['p1', null, 'P', 'new', 3, null],
      ['p2', null, 'P', 'auto-link', 25.5, 'p1'],
      ['p3', null, 'Q', 'new', 12, 'p1'],
    ]);
    expect(new Set(rows.rows.map((r) => r.change_id)).size).toBe(3);
    await db.query(`update mpi_link set decision = 'manual' where patient_id = 'p3'`);
    await expect(db.query(`update mpi_link set decision = 'whatever' where patient_id = 'p3'`)).rejects.toThrow();
    const next = await db.query<{ id: string }>(`select nextval('mpi_change_seq')::text as id`);
    expect(Number(next.rows[0]?.id)).toBeGreaterThan(Math.max(...rows.rows.map((r) => Number(r.change_id))));
  });
});
