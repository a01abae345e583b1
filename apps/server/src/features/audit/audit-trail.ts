import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database, Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { entryDigest, normalizeEntry, type AuditEntryInput } from '@kennebec/audit';

/**
 * The audit trail's write side.
 *
 * Writes of health data are audited with `appendInTransaction`, in the writing transaction:
 * the entries commit or roll back with the write, and nothing is written unaudited.
 *
 * Reads (and refused or failed requests, which write nothing) go through `record`, which
 * group-commits: entries that arrive together are appended in one statement.
 *  - `sync` (the default): `record` resolves once its entries are committed, so a response is
 *    never sent for an access that is not on record. While one append runs, the entries that
 *    arrive queue for the next, so under load one statement carries many entries.
 *  - `buffered`: `record` resolves at once; entries are appended every `flushMs` or as soon as
 *    `batchSize` are waiting. A crash loses at most the entries of the last `flushMs`. A failed
 *    append keeps its entries for the next attempt; past `maxBuffered` waiting entries, reads
 *    are refused with 503 rather than served unaudited.
 * `close()` (clean shutdown) appends everything still waiting.
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
}

interface Waiting {
  entries: AuditEntryInput[];
  done?: { resolve: () => void; reject: (err: unknown) => void };
}

const APPEND = 'select audit_append($1::jsonb) as last';

export class AuditTrail {
  readonly readMode: AuditReadMode;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private queue: Waiting[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastError: unknown;

  constructor(private readonly opts: AuditTrailOptions) {
    this.readMode = opts.readMode ?? 'sync';
    this.flushMs = opts.flushMs ?? 200;
    this.batchSize = opts.batchSize ?? 500;
    this.maxBuffered = opts.maxBuffered ?? 100_000;
  }

  /** Appends entries in the caller's transaction (writes): they commit or roll back with it. */
  async appendInTransaction(tx: Queryable, entries: readonly AuditEntryInput[]): Promise<void> {
    if (entries.length === 0) return;
    await tx.query(APPEND, [this.serialize(entries)]);
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
        this.schedule();
      });
    }
    if (this.queued + stamped.length > this.maxBuffered) {
      return Promise.reject(errors.unavailable('The audit trail cannot keep up; try again shortly'));
    }
    this.enqueue({ entries: stamped });
    if (this.queued >= this.batchSize) this.schedule();
    else this.timer ??= setTimeout(() => this.schedule(), this.flushMs).unref();
    return Promise.resolve();
  }

  /** Appends everything waiting now; resolves when done (or rejects when an append failed). */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running) {
      this.schedule();
      await this.running;
      if (this.lastError && this.queue.length > 0) throw this.lastError;
    }
  }

  /** Appends everything waiting and refuses new entries: call on clean shutdown. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.flush();
    } finally {
      this.closed = true;
    }
  }

  /** Entries waiting to be appended (buffered mode). */
  get pending(): number {
    return this.queued;
  }

  private enqueue(w: Waiting): void {
    this.queue.push(w);
    this.queued += w.entries.length;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // Entries that arrived meanwhile: at once when someone waits for them, else on the timer.
      if (this.queue.length === 0) return;
      if (this.readMode === 'sync' || this.queued >= this.batchSize) this.schedule();
      else if (!this.lastError) this.timer ??= setTimeout(() => this.schedule(), this.flushMs).unref();
      else this.timer ??= setTimeout(() => this.schedule(), Math.max(this.flushMs, 1000)).unref();
    });
  }

  /** One append of up to batchSize entries, then the next, until the queue is empty. */
  private async drain(): Promise<void> {
    // Let the requests finishing in this turn of the event loop join the first append.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const batch: Waiting[] = [];
      let n = 0;
      while (this.queue.length > 0 && (n === 0 || n + (this.queue[0] as Waiting).entries.length <= this.batchSize)) {
        const w = this.queue.shift() as Waiting;
        batch.push(w);
        n += w.entries.length;
      }
      this.queued -= n;
      try {
        await this.opts.db.query(APPEND, [this.serialize(batch.flatMap((w) => w.entries))]);
        this.lastError = undefined;
        for (const w of batch) w.done?.resolve();
      } catch (err) {
        this.lastError = err;
        if (this.readMode === 'sync') {
          for (const w of batch) w.done?.reject(errors.unavailable('The access could not be recorded in the audit trail'));
        } else {
          // Keep them for the next attempt, first in line.
          this.queue.unshift(...batch);
          this.queued += n;
          this.opts.logger?.error({ err: { message: (err as Error).message }, entries: n }, 'audit append failed; entries kept for retry');
          return;
        }
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
