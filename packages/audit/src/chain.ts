import { createHash } from 'node:crypto';
import type { AuditRecord, ChainedRecord } from './entry.ts';

/**
 * The hash chain that makes the trail tamper-evident.
 *
 *   digest(entry) = SHA-256 of the canonical serialization of the entry (below)
 *   hash(seq)     = SHA-256 of `${prev_hash}:${seq}:${digest}`, prev_hash of seq 1 = 64 zeros
 *
 * Changing any field of an entry changes its digest and so its hash, which no longer matches
 * the prev_hash of the next entry; removing an entry leaves a gap in seq. The database computes
 * hash(seq) while it holds the chain's lock (migration 010, audit_append), because only there
 * is the previous entry known; the digest is computed here. Verification recomputes both.
 *
 * The canonical serialization is a JSON array of the fields in a fixed order, led by a format
 * version: JSON.stringify of strings, numbers, nulls and arrays is deterministic.
 */
export const CHAIN_FORMAT = 1;
export const GENESIS_HASH = '0'.repeat(64);

export function canonicalEntry(r: AuditRecord): string {
  return JSON.stringify([
    CHAIN_FORMAT,
    r.id,
    r.recorded,
    r.actor,
    r.actorOrg,
    r.onBehalfOf,
    r.patients,
    r.action,
    r.operation,
    r.resourceType,
    r.entities,
    r.entitiesTotal,
    r.purposeOfUse,
    r.outcome,
    r.status,
    r.clientIp,
    r.userAgent,
    r.requestId,
  ]);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function entryDigest(r: AuditRecord): string {
  return sha256(canonicalEntry(r));
}

/** The same expression as audit_append in migration 010. */
export function chainHash(prevHash: string, seq: number, digest: string): string {
  return sha256(`${prevHash}:${seq}:${digest}`);
}

export type ChainBreak =
  | { seq: number; reason: 'gap'; detail: string }
  | { seq: number; reason: 'prev-hash'; detail: string }
  | { seq: number; reason: 'hash'; detail: string };

/**
 * Checks entries in seq order, one at a time, so a trail of any length is verified in
 * constant memory. `push` returns the first break and keeps returning it afterwards.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private broken: ChainBreak | undefined;
  count = 0;

  /** Starts after a known good entry instead of at the beginning. */
  constructor(start?: { seq: number; hash: string }) {
    if (start) {
      this.expectedSeq = start.seq + 1;
      this.prevHash = start.hash;
    }
  }

  get head(): { seq: number; hash: string } {
    return { seq: this.expectedSeq - 1, hash: this.prevHash };
  }

  get firstBreak(): ChainBreak | undefined {
    return this.broken;
  }

  push(e: ChainedRecord): ChainBreak | undefined {
    if (this.broken) return this.broken;
    if (e.seq !== this.expectedSeq) {
      const missing = e.seq > this.expectedSeq ? `entries ${this.expectedSeq}..${e.seq - 1} are missing` : `seq ${e.seq} repeats or goes back`;
      return (this.broken = { seq: this.expectedSeq, reason: 'gap', detail: missing });
    }
    if (e.prevHash !== this.prevHash) {
      return (this.broken = { seq: e.seq, reason: 'prev-hash', detail: 'prev_hash does not match the hash of the entry before it' });
    }
    const hash = chainHash(e.prevHash, e.seq, entryDigest(e));
    if (hash !== e.hash) {
      return (this.broken = { seq: e.seq, reason: 'hash', detail: 'the entry does not match its hash (altered after it was written)' });
    }
    this.count++;
    this.expectedSeq++;
    this.prevHash = e.hash;
    return undefined;
  }
}
