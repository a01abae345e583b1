import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase, type Database } from '@kennebec/db';
import { createTestDatabase, createTestDatabaseEnv } from '@kennebec/test-support';
import type { AuditEntryInput } from '@kennebec/audit';
import { AuditTrail } from './audit-trail.ts';
import { verifyAuditChain } from './verify-chain.ts';

/** The chain on the database: appends in and out of transactions, concurrency, append-only, tampering. */
let db: Database;
const now = () => new Date('2026-03-01T10:00:00.000Z');
const read = (n: number): AuditEntryInput => ({ actor: 'Client/t', action: 'read', resourceType: 'Patient', entities: [`Patient/${n}`], patients: [`Patient/${n}`], outcome: 'success', status: 200 });

async function count(q: Database = db): Promise<number> {
  return Number((await q.query<{ n: string | number }>('select count(*) as n from audit_entry')).rows[0]?.n);
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

describe('audit trail', () => {
  it('appends entries in seq order, each chained to the one before, and verifies', async () => {
    const trail = new AuditTrail({ db, now });
    await trail.record([read(1), read(2)]);
    await db.transaction((tx) => trail.appendInTransaction(tx, [read(3)]));
    const rows = await db.query<{ seq: string | number; prev_hash: string; hash: string; recorded: Date | string; patients: string[] }>('select seq, prev_hash, hash, recorded, patients from audit_entry order by seq');
    expect(rows.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows.rows[0]?.prev_hash).toBe('0'.repeat(64));
    expect(rows.rows[1]?.prev_hash).toBe(rows.rows[0]?.hash);
    expect(rows.rows[2]?.patients).toEqual(['Patient/3']);
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: true, count: 3, head: { seq: 3, hash: rows.rows[2]?.hash } });
  });

  it('leaves no entry behind when the writing transaction rolls back', async () => {
    const trail = new AuditTrail({ db, now });
    const before = await count();
    await expect(
      db.transaction(async (tx) => {
        await trail.appendInTransaction(tx, [{ ...read(9), action: 'create', status: 201 }]);
        throw new Error('the write failed after its audit entry');
      }),
    ).rejects.toThrow('the write failed');
    expect(await count()).toBe(before);
    await trail.record([read(10)]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('keeps one valid chain under concurrent appends from two connections pools and many transactions', async () => {
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
      const a = new AuditTrail({ db: first, now });
      const b = new AuditTrail({ db: second, now, readMode: 'buffered', flushMs: 5, batchSize: 7 });
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        work.push(a.record([read(i)]));
        work.push(b.record([read(1000 + i), read(2000 + i)]));
        work.push((i % 2 ? first : second).transaction(async (tx) => {
          await tx.query('select 1');
          await (i % 2 ? a : b).appendInTransaction(tx, [{ ...read(3000 + i), action: 'update', status: 200 }]);
        }));
      }
      await Promise.all(work);
      await b.close();
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

  it('answers a sync record only once the entry is committed, and a buffered one at once', async () => {
    const sync = new AuditTrail({ db, now });
    const before = await count();
    await sync.record([read(20)]);
    expect(await count()).toBe(before + 1);
    const buffered = new AuditTrail({ db, now, readMode: 'buffered', flushMs: 60_000 });
    await buffered.record([read(21), read(22)]);
    expect(buffered.pending).toBe(2);
    expect(await count()).toBe(before + 1);
    await buffered.close();
    expect(buffered.pending).toBe(0);
    expect(await count()).toBe(before + 3);
    await expect(buffered.record([read(23)])).rejects.toThrow('closed');
  });

  it('refuses to update, delete or truncate entries', async () => {
    const trail = new AuditTrail({ db, now });
    await trail.record([read(30)]);
    await expect(db.query(`update audit_entry set actor = 'Client/mallory'`)).rejects.toThrow(/append-only/);
    await expect(db.query('delete from audit_entry')).rejects.toThrow(/append-only/);
    await expect(db.query('truncate audit_entry')).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('detects an entry altered behind the trigger, and a removed one', async () => {
    const trail = new AuditTrail({ db, now });
    await trail.record([read(40), read(41), read(42), read(43)]);
    const seqs = (await db.query<{ seq: string | number }>('select seq from audit_entry order by seq desc limit 4')).rows.map((r) => Number(r.seq)).reverse();
    const [s40, s41, , s43] = seqs as [number, number, number, number];
    // A superuser can switch the trigger off; the chain still tells.
    await db.exec('alter table audit_entry disable trigger audit_entry_append_only');
    await db.query(`update audit_entry set entities = array['Patient/someone-else'] where seq = $1`, [s41]);
    expect((await verifyAuditChain(db)).broken).toMatchObject({ seq: s41, reason: 'hash' });
    const anchor = (await verifyAuditChain(db)).count;
    expect(anchor).toBe(s41 - 1);
    await db.query(`update audit_entry set entities = array['Patient/41'] where seq = $1`, [s41]);
    expect((await verifyAuditChain(db)).ok).toBe(true);
    const head = (await verifyAuditChain(db)).head;
    await db.query('delete from audit_entry where seq = $1', [s40]);
    expect((await verifyAuditChain(db)).broken).toMatchObject({ seq: s40, reason: 'gap' });
    // Removing the newest entry leaves an intact but shorter chain: only an anchor noted earlier tells.
    await db.exec('alter table audit_entry enable trigger audit_entry_append_only');
    const other = await createTestDatabase();
    try {
      const t2 = new AuditTrail({ db: other, now });
      await t2.record([read(1), read(2)]);
      const noted = (await verifyAuditChain(other)).head;
      await other.exec('alter table audit_entry disable trigger audit_entry_append_only');
      await other.query('delete from audit_entry where seq = $1', [noted.seq]);
      expect((await verifyAuditChain(other)).ok).toBe(true);
      expect(await verifyAuditChain(other, { anchor: noted })).toMatchObject({ ok: false, anchor: { ok: false, detail: 'the anchored entry is missing' } });
    } finally {
      await other.close();
    }
    expect(head.seq).toBe(s43);
  });

  it('refuses a read it cannot record (sync) with 503, and keeps buffered entries for a later attempt', async () => {
    const broken = await createTestDatabase();
    const sync = new AuditTrail({ db: broken, now });
    const buffered = new AuditTrail({ db: broken, now, readMode: 'buffered', flushMs: 10 });
    await broken.exec('alter table audit_entry rename to audit_entry_away');
    await expect(sync.record([read(1)])).rejects.toMatchObject({ status: 503 });
    await buffered.record([read(2)]);
    await expect(buffered.flush()).rejects.toThrow();
    expect(buffered.pending).toBe(1);
    await broken.exec('alter table audit_entry_away rename to audit_entry');
    await buffered.close();
    expect(buffered.pending).toBe(0);
    expect(await verifyAuditChain(broken)).toMatchObject({ ok: true, count: 1 });
    await broken.close();
  });
});
