import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database, Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { entryDigest, normalizeEntry, type AuditEntryInput } from '@kennebec/audit';

/**
 * The audit trail's write side.
 *
 * The chain has one end, so appending to it is serialized (migration 010, audit_append). Holding
 * that lock from inside a write until its commit would make every write wait for the commit of
 * the one before: measured, four times fewer creates per second. So a write *stages* its entries
 * (`appendInTransaction`): a plain insert in its own transaction, committed or rolled back with
 * the write, that waits for no one. Staged entries join the chain in batches soon after (within
 * `flushMs`), whenever any process appends, and at clean shutdown.
 *
 * Reads (and refused or failed requests, which write nothing) go through `record`:
 *  - `buffered` (the default): `record` resolves at once; entries are appended every `flushMs`
 *    or as soon as `batchSize` are waiting. A crash loses at most the entries of the last
 *    `flushMs`. A failed append keeps its entries for the next attempt; past `maxBuffered`
 *    waiting entries, reads are refused with 503 rather than served unaudited.
 *  - `sync`: `record` resolves once its entries are committed (staged like writes), so a response
 *    never leaves for an access that is not on record. Entries that arrive together share one
 *    insert, and up to `maxInFlight` inserts run at once.
 * `flush()` appends everything waiting and chains everything staged; `close()` does the same and
 * then refuses new entries (clean shutdown).
 */
export type AuditReadMode = 'sync' | 'buffered';

export interface AuditTrailOptions {
  db: Database;
  now: () => Date;
  logger?: Logger | undefined;
  readMode?: AuditReadMode | undefined;
  flushMs?: number | undefined;
  batchSize?: number | undefined;
  maxBuffered?: number | undefined;
  maxInFlight?: number | undefined;
  /** Also chain what other processes staged and left (a crash), this often; off when undefined. */
  sweepMs?: number | undefined;
}

interface Waiting {
  entries: AuditEntryInput[];
  done?: { resolve: () => void; reject: (err: unknown) => void };
}

const APPEND = 'select audit_append($1::jsonb, $2) as moved';
const STAGE = 'insert into audit_pending (entry) select x.e from jsonb_array_elements($1::jsonb) with ordinality as x(e, n) order by x.n';
const MAX_STAGED_PER_APPEND = 5000;

export class AuditTrail {
  readonly readMode: AuditReadMode;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly maxInFlight: number;
  private queue: Waiting[] = [];
  private queued = 0;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private chainTimer: NodeJS.Timeout | undefined;
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private chaining: Promise<void> | undefined;
  private closed = false;
  private lastError: unknown;

  constructor(private readonly opts: AuditTrailOptions) {
    this.readMode = opts.readMode ?? 'buffered';
    this.flushMs = opts.flushMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    this.maxBuffered = opts.maxBuffered ?? 100_000;
    this.maxInFlight = this.readMode === 'sync' ? (opts.maxInFlight ?? 4) : 1;
    if (opts.sweepMs) this.sweepTimer = setInterval(() => void this.chain().catch(() => undefined), opts.sweepMs).unref();
  }

  /** Stages the entries of a write in its transaction: they commit or roll back with it. */
  async appendInTransaction(tx: Queryable, entries: readonly AuditEntryInput[]): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(STAGE, [this.serialize(entries)]);
    this.chainSoon();
  }

  /** Records entries of reads and of refused or failed requests (see the modes above). */
  record(entries: readonly AuditEntryInput[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the audit trail is closed'));
    // Stamped now, not when appended: the time of the access.
    const recorded = this.opts.now().toISOString();
    const stamped = entries.map((e) => (e.recorded ? e : { ...e, recorded }));
    if (this.readMode === 'sync') {
      return new Promise<void>((resolve, reject) => {
        this.enqueue({ entries: stamped, done: { resolve, reject } });
        this.pump();
      });
    }
    if (this.queued + stamped.length > this.maxBuffered) {
      return Promise.reject(errors.unavailable('The audit trail cannot keep up; try again shortly'));
    }
    this.enqueue({ entries: stamped });
    if (this.queued >= this.batchSize) this.pump();
    else this.flushTimer ??= setTimeout(() => this.pump(), this.flushMs).unref();
    return Promise.resolve();
  }

  /** Appends everything waiting and chains everything staged; rejects when an append failed. */
  async flush(): Promise<void> {
    for (;;) {
      this.pump();
      if (this.inFlight === 0) break;
      await new Promise<void>((resolve) => this.idle.push(resolve));
      if (this.queue.length > 0 && this.lastError) throw this.lastError;
    }
    await this.chain();
  }

  /** Appends everything waiting and refuses new entries: call on clean shutdown. */
  async close(): Promise<void> {
    for (const timer of [this.flushTimer, this.chainTimer, this.sweepTimer]) if (timer) clearTimeout(timer);
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.chainTimer) clearTimeout(this.chainTimer);
    }
  }

  /** Entries waiting in memory to be appended (buffered mode). */
  get pending(): number {
    return this.queued;
  }

  /**
   * Moves every entry staged so far into the chain (whichever process staged it). Runs here one
   * at a time; a call made during a run waits for it and then runs again, so it always covers
   * what was committed before it was made.
   */
  async chain(): Promise<void> {
    while (this.chaining) await this.chaining.catch(() => undefined);
    const run = (async () => {
      for (;;) {
        const res = await this.opts.db.query<{ moved: number }>(APPEND, ['[]', MAX_STAGED_PER_APPEND]);
        if (Number(res.rows[0]?.moved ?? 0) < MAX_STAGED_PER_APPEND) break;
      }
    })();
    this.chaining = run;
    try {
      await run;
    } finally {
      if (this.chaining === run) this.chaining = undefined;
    }
  }

  private chainSoon(): void {
    if (this.closed) return;
    this.chainTimer ??= setTimeout(() => {
      this.chainTimer = undefined;
      this.chain().catch((err: unknown) => {
        this.opts.logger?.error({ err: { message: (err as Error).message } }, 'audit chaining failed; staged entries stay staged');
        this.chainSoon();
      });
    }, this.flushMs).unref();
  }

  private enqueue(w: Waiting): void {
    this.queue.push(w);
    this.queued += w.entries.length;
  }

  /** Starts appends while there are entries waiting and room in flight. */
  private pump(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.take();
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
        if (this.queue.length === 0) return;
        // Entries that arrived meanwhile: at once when someone waits for them, else on the timer.
        if (this.readMode === 'sync' || (this.queued >= this.batchSize && !this.lastError)) this.pump();
        else this.flushTimer ??= setTimeout(() => this.pump(), this.lastError ? Math.max(this.flushMs, 1000) : this.flushMs).unref();
      });
    }
  }

  /** The next batch: whole requests, up to batchSize entries (at least one request). */
  private take(): Waiting[] {
    let k = 0;
    let n = 0;
    for (const w of this.queue) {
      if (k > 0 && n + w.entries.length > this.batchSize) break;
      k++;
      n += w.entries.length;
    }
    this.queued -= n;
    // One splice per batch: shifting one at a time is quadratic in a long queue.
    return this.queue.splice(0, k);
  }

  private async write(batch: Waiting[]): Promise<void> {
    const entries = this.serialize(batch.flatMap((w) => w.entries));
    try {
      if (this.readMode === 'sync') {
        await this.opts.db.query(STAGE, [entries]);
        this.chainSoon();
      } else {
        await this.opts.db.query(APPEND, [entries, MAX_STAGED_PER_APPEND]);
      }
      this.lastError = undefined;
      for (const w of batch) w.done?.resolve();
    } catch (err) {
      this.lastError = err;
      const count = batch.reduce((n, w) => n + w.entries.length, 0);
      if (this.readMode === 'sync') {
        this.opts.logger?.error({ err: { message: (err as Error).message }, entries: count }, 'audit entries could not be recorded; the requests are refused');
        for (const w of batch) w.done?.reject(errors.unavailable('The access could not be recorded in the audit trail'));
      } else {
        // Kept for the next attempt, first in line.
        this.queue.unshift(...batch);
        this.queued += count;
        this.opts.logger?.error({ err: { message: (err as Error).message }, entries: count }, 'audit append failed; entries kept for retry');
      }
    }
  }

  private serialize(entries: readonly AuditEntryInput[]): string {
    const now = this.opts.now().toISOString();
    return JSON.stringify(
      entries.map((input) => {
        const r = normalizeEntry(input, randomUUID(), now);
        return { ...r, digest: entryDigest(r) };
      }),
    );
  }
}
