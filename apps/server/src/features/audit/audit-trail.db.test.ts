import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase, type Database } from '@kennebec/db';
import { createTestDatabase, createTestDatabaseEnv } from '@kennebec/test-support';
import type { AuditEntryInput } from '@kennebec/audit';
import { AuditTrail } from './audit-trail.ts';
import { verifyAuditChain } from './verify-chain.ts';

/** The chain on the database: staged and direct appends, concurrency, append-only, tampering. */
let db: Database;
const now = () => new Date('2026-03-01T10:00:00.000Z');
const read = (n: number): AuditEntryInput => ({ actor: 'Client/t', action: 'read', resourceType: 'Patient', entities: [`Patient/${n}`], patients: [`Patient/${n}`], outcome: 'success', status: 200 });
const write = (n: number): AuditEntryInput => ({ ...read(n), action: 'update', entities: [`Observation/${n}`] });

async function count(q: Database = db, table = 'audit_entry'): Promise<number> {
  return Number((await q.query<{ n: string | number }>(`select count(*) as n from ${table}`)).rows[0]?.n);
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

describe('audit trail', () => {
  it('chains read entries and staged write entries in seq order, each hashed with the one before, and verifies', async () => {
    const trail = new AuditTrail({ db, now });
    await db.transaction((tx) => trail.appendInTransaction(tx, [write(3)]));
    expect(await count(db, 'audit_pending')).toBe(1);
    await trail.record([read(1), read(2)]);
    await trail.flush();
    expect(await count(db, 'audit_pending')).toBe(0);
    const rows = await db.query<{ seq: string | number; prev_hash: string; hash: string; entities: string[] }>('select seq, prev_hash, hash, entities from audit_entry order by seq');
    expect(rows.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    // What was staged joins the chain before what is appended with it.
    expect(rows.rows.map((r) => r.entities[0])).toEqual(['Observation/3', 'Patient/1', 'Patient/2']);
    expect(rows.rows[0]?.prev_hash).toBe('0'.repeat(64));
    expect(rows.rows[1]?.prev_hash).toBe(rows.rows[0]?.hash);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, count: 3, pending: 0, head: { seq: 3, hash: rows.rows[2]?.hash } });
  });

  it('leaves no entry behind when the writing transaction rolls back', async () => {
    const trail = new AuditTrail({ db, now });
    const before = await count();
    await expect(
      db.transaction(async (tx) => {
        await trail.appendInTransaction(tx, [write(9)]);
        throw new Error('the write failed after its audit entry');
      }),
    ).rejects.toThrow('the write failed');
    await trail.flush();
    expect(await count()).toBe(before);
    expect(await count(db, 'audit_pending')).toBe(0);
  });

  it('keeps one valid chain under concurrent appends from two connection pools and many transactions', async () => {
    // Two independent pools (two server processes) on PostgreSQL; PGlite has one connection per process.
    const where = await createTestDatabaseEnv();
    let first: Database;
    let second: Database;
    if (where.env.DATABASE_URL) {
      first = await PostgresDatabase.open(where.env.DATABASE_URL, { max: 4 });
      second = await PostgresDatabase.open(where.env.DATABASE_URL, { max: 4 });
    } else {
      first = second = db;
    }
    try {
      const start = await count(first);
      const a = new AuditTrail({ db: first, now, readMode: 'sync', flushMs: 3 });
      const b = new AuditTrail({ db: second, now, flushMs: 2, batchSize: 7 });
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        work.push(a.record([read(i)]));
        work.push(b.record([read(1000 + i), read(2000 + i)]));
        work.push((i % 2 ? first : second).transaction(async (tx) => {
          await tx.query('select 1');
          await (i % 2 ? a : b).appendInTransaction(tx, [write(3000 + i)]);
        }));
        if (i % 10 === 0) work.push(a.chain(), b.chain());
      }
      await Promise.all(work);
      await Promise.all([a.close(), b.close()]);
      expect(await count(first)).toBe(start + 60 * 4);
      const result = await verifyAuditChain(first);
      expect(result.ok, JSON.stringify(result.broken)).toBe(true);
      expect(result.count).toBe(start + 60 * 4);
    } finally {
      if (first !== db) {
        await first.close();
        await second.close();
      }
      await where.cleanup();
    }
  });

  it('answers a sync record once the entry is committed, and a buffered one at once', async () => {
    const committed = async () => (await count()) + (await count(db, 'audit_pending'));
    const sync = new AuditTrail({ db, now, readMode: 'sync', flushMs: 60_000 });
    const before = await committed();
    await sync.record([read(20)]);
    expect(await committed()).toBe(before + 1);
    const buffered = new AuditTrail({ db, now, flushMs: 60_000 });
    await buffered.record([read(21), read(22)]);
    expect(buffered.pending).toBe(2);
    expect(await committed()).toBe(before + 1);
    await buffered.close();
    await sync.close();
    expect(buffered.pending).toBe(0);
    expect(await count(db, 'audit_pending')).toBe(0);
    expect(await committed()).toBe(before + 3);
    await expect(buffered.record([read(23)])).rejects.toThrow('closed');
  });

  it('refuses to update, delete or truncate entries', async () => {
    const trail = new AuditTrail({ db, now });
    await trail.record([read(30)]);
    await trail.flush();
    await expect(db.query(`update audit_entry set actor = 'Client/mallory'`)).rejects.toThrow(/append-only/);
    await expect(db.query('delete from audit_entry')).rejects.toThrow(/append-only/);
    await expect(db.query('truncate audit_entry')).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects an entry altered behind the trigger, a removed one, and with an anchor a removed newest one', async () => {
    const other = await createTestDatabase();
    try {
      const trail = new AuditTrail({ db: other, now });
      await trail.record([read(1), read(2), read(3), read(4)]);
      await trail.flush();
      const head = (await verifyAuditChain(other)).head;
      expect(head.seq).toBe(4);
      // A superuser can switch the trigger off; the chain still tells.
      await other.exec('alter table audit_entry disable trigger audit_entry_append_only');
      await other.query(`update audit_entry set entities = array['Patient/someone-else'] where seq = 2`);
      expect(await verifyAuditChain(other)).toMatchObject({ ok: false, count: 1, broken: { seq: 2, reason: 'hash' } });
      await other.query(`update audit_entry set entities = array['Patient/2'] where seq = 2`);
      expect((await verifyAuditChain(other)).ok).toBe(true);
      // Removing the newest entry leaves an intact but shorter chain: only an anchor noted earlier tells.
      await other.query('delete from audit_entry where seq = 4');
      expect((await verifyAuditChain(other)).ok).toBe(true);
      expect(await verifyAuditChain(other, { anchor: head })).toMatchObject({ ok: false, anchor: { ok: false, detail: 'the anchored entry is missing' } });
      await other.query('delete from audit_entry where seq = 1');
      expect((await verifyAuditChain(other)).broken).toMatchObject({ seq: 1, reason: 'gap' });
    } finally {
      await other.close();
    }
  });

  it('refuses a read it cannot record (sync) with 503, and keeps buffered entries for a later attempt', async () => {
    const broken = await createTestDatabase();
    const sync = new AuditTrail({ db: broken, now, readMode: 'sync' });
    const buffered = new AuditTrail({ db: broken, now, flushMs: 10 });
    await broken.exec('alter table audit_pending rename to audit_pending_away');
    await expect(sync.record([read(1)])).rejects.toMatchObject({ status: 503 });
    await buffered.record([read(2)]);
    await expect(buffered.flush()).rejects.toThrow();
    expect(buffered.pending).toBe(1);
    await broken.exec('alter table audit_pending_away rename to audit_pending');
    await buffered.close();
    await sync.close();
    expect(buffered.pending).toBe(0);
    expect(await verifyAuditChain(broken)).toMatchObject({ ok: true, count: 1 });
    await broken.close();
  });
});
