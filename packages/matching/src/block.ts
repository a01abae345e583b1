/**
 * Blocking and the in-memory match index. Comparing a query with every record is O(n); blocking
 * compares it only with records sharing at least one blocking key (Christen 2012, "A survey of
 * indexing techniques for scalable record linkage"). Several keys built from different fields
 * are unioned, so one wrong field does not hide a true match: a family-name typo still meets
 * its match through the initials+birth-date or the SSN key.
 */
import { decide, DEFAULT_THRESHOLDS, type Decision, type Thresholds } from './decide.ts';
import { NameFrequencies, type FrequencyOptions } from './frequency.ts';
import { normalize, type Demographics, type NormalizedRecord } from './normalize.ts';
import { DEFAULT_WEIGHTS, nameBits, scoreOnly, scorePair, type Evidence, type Field, type LevelWeights, type Rule, type ScoreOptions } from './score.ts';
import { soundex } from './strings.ts';

function pair(a: string, b: string): string {
  return a <= b ? `${a}${b}` : `${b}${a}`;
}

/**
 * Version of what `blockingKeys` and `nameKeys` (frequency.ts) return. Keys stored by an older
 * version (a database's) miss candidates the current ones would find: raise it with every change
 * to either, so that stored keys are rebuilt. 2: the names + street key.
 */
export const KEYS_VERSION = 2;

/** Blocking keys of a record; given/family are paired order-free so swapped names share keys. */
export function blockingKeys(r: NormalizedRecord): string[] {
  const keys = new Set<string>();
  const g = r.given[0];
  const gCode = g === undefined ? '' : soundex(g);
  const families = [...new Set([r.family, ...(r.familyParts.length > 1 ? r.familyParts : []), ...r.otherFamilies])].filter((f) => f !== '');
  const yob = r.birthDate?.slice(0, 4);
  for (const f of families) {
    const names = pair(gCode, soundex(f));
    if (yob !== undefined) keys.add(`n${names}${yob}`);
    if (r.zip !== undefined) keys.add(`z${names}${r.zip}`);
    if (g !== undefined && r.birthDate !== undefined) keys.add(`d${pair(g[0] as string, f[0] as string)}${r.birthDate}`);
    // Birth date missing or mistyped and ZIP mistyped: names and street remain.
    if (r.street !== undefined) keys.add(`t${names}${soundex(r.street.replace(/ /g, ''))}`);
  }
  // Family name changed (marriage) and address changed: first name and birth date remain.
  if (gCode !== '' && r.birthDate !== undefined) keys.add(`g${gCode}${r.birthDate}`);
  // First name missing or replaced: family name and birth date remain.
  if (r.family !== '' && r.birthDate !== undefined) keys.add(`f${soundex(r.family)}${r.birthDate}`);
  // Household: house number, street and ZIP (names and birth date both mistyped).
  if (r.houseNumber !== undefined && r.street !== undefined && r.zip !== undefined) keys.add(`a${r.houseNumber}${soundex(r.street)}${r.zip}`);
  if (r.ssn !== undefined) {
    keys.add(`s${r.ssn}`);
    if (yob !== undefined) keys.add(`l${r.ssn.slice(-4)}${yob}`);
  }
  if (r.phone !== undefined) keys.add(`p${r.phone}`);
  return [...keys];
}

/** 30-bit FNV-1a: small-integer Map keys cost far less than strings; a collision only adds candidates. */
function hashKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x3fffffff;
}

export interface MatchCandidate {
  id: string;
  score: number;
  decision: Decision;
  evidence: Evidence[];
  rules: Rule[];
}

export interface MatchOptions {
  /** Most candidates returned (best first); default 5. */
  limit?: number;
  /** Drop candidates whose decision would be 'new'; default false. */
  excludeNew?: boolean;
  withValues?: boolean;
}

export interface IndexOptions {
  thresholds?: Thresholds;
  weights?: Readonly<Record<Field, LevelWeights>>;
  /**
   * Posting lists longer than this are skipped when collecting candidates: a key shared by
   * thousands of records (a placeholder phone, a clinic's address) selects nothing.
   */
  maxBlockSize?: number;
  /**
   * Weigh exact name agreement by how rare the name is in the indexed population (frequency.ts);
   * default true. `false` gives every name the same weight; an object tunes the table.
   */
  nameFrequencies?: boolean | FrequencyOptions;
}

/**
 * Records by id, with an inverted index from blocking-key hash to record slots. A posting with
 * one slot is stored as the bare number (most SSN, phone and birth-date keys are unique), which
 * keeps 1M records well under a gigabyte.
 */
export class MatchIndex {
  private readonly records: (NormalizedRecord | undefined)[] = [];
  private readonly ids: (string | undefined)[] = [];
  private readonly slots = new Map<string, number>();
  private readonly postings = new Map<number, number | number[]>();
  private readonly free: number[] = [];
  private seen = new Uint32Array(1024);
  private stamp = 0;
  private readonly thresholds: Thresholds;
  private readonly maxBlockSize: number;
  /** Name frequencies of the indexed records, kept current by add/remove; undefined when turned off. */
  readonly frequencies: NameFrequencies | undefined;
  /** Pairs scored since creation (for benchmarks: the reduction ratio). */
  comparisons = 0;

  constructor(private readonly opts: IndexOptions = {}) {
    this.thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
    this.maxBlockSize = opts.maxBlockSize ?? 5000;
    const f = opts.nameFrequencies ?? true;
    this.frequencies = f === false ? undefined : new NameFrequencies(f === true ? {} : f);
  }

  get size(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  get(id: string): NormalizedRecord | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.records[slot];
  }

  /** Adds (or replaces) a record. */
  add(id: string, record: Demographics | NormalizedRecord): void {
    if (this.slots.has(id)) this.remove(id);
    const r = isNormalized(record) ? record : normalize(record);
    const slot = this.free.pop() ?? this.records.length;
    this.records[slot] = r;
    this.ids[slot] = id;
    this.slots.set(id, slot);
    this.frequencies?.add(r);
    for (const key of blockingKeys(r)) {
      const h = hashKey(key);
      const p = this.postings.get(h);
      if (p === undefined) this.postings.set(h, slot);
      else if (typeof p === 'number') {
        if (p !== slot) this.postings.set(h, [p, slot]);
      } else if (p[p.length - 1] !== slot) p.push(slot);
    }
  }

  update(id: string, record: Demographics | NormalizedRecord): void {
    this.add(id, record);
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const r = this.records[slot] as NormalizedRecord;
    for (const key of blockingKeys(r)) {
      const h = hashKey(key);
      const p = this.postings.get(h);
      if (p === undefined) continue;
      if (typeof p === 'number') {
        if (p === slot) this.postings.delete(h);
        continue;
      }
      const at = p.indexOf(slot);
      if (at >= 0) p.splice(at, 1);
      if (p.length === 1) this.postings.set(h, p[0] as number);
    }
    this.frequencies?.remove(r);
    this.records[slot] = undefined;
    this.ids[slot] = undefined;
    this.slots.delete(id);
    this.free.push(slot);
    return true;
  }

  /** Ids of the records sharing at least one blocking key with `record` (deduplicated, in slot order of discovery). */
  candidates(record: Demographics | NormalizedRecord): string[] {
    const r = isNormalized(record) ? record : normalize(record);
    return this.candidateSlots(r).map((s) => this.ids[s] as string);
  }

  private candidateSlots(r: NormalizedRecord): number[] {
    if (this.seen.length < this.records.length) {
      const grown = new Uint32Array(Math.max(this.records.length, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const out: number[] = [];
    const take = (slot: number): void => {
      if (this.seen[slot] !== this.stamp && this.records[slot] !== undefined) {
        this.seen[slot] = this.stamp;
        out.push(slot);
      }
    };
    for (const key of blockingKeys(r)) {
      const p = this.postings.get(hashKey(key));
      if (p === undefined) continue;
      if (typeof p === 'number') take(p);
      else if (p.length <= this.maxBlockSize) for (const s of p) take(s);
    }
    return out;
  }

  /** Scored candidates, best first (ties by id, so results are deterministic). */
  match(record: Demographics | NormalizedRecord, opts: MatchOptions = {}): MatchCandidate[] {
    const r = isNormalized(record) ? record : normalize(record);
    const limit = opts.limit ?? 5;
    const weights = this.opts.weights ?? DEFAULT_WEIGHTS;
    const bits = this.frequencies === undefined ? undefined : nameBits(r, this.frequencies);
    // Rank on score alone; per-field evidence is built for the returned few only.
    const ranked: { slot: number; id: string; score: number; decision: Decision; rules: Rule[] }[] = [];
    for (const slot of this.candidateSlots(r)) {
      const s = scoreOnly(r, this.records[slot] as NormalizedRecord, weights, bits);
      this.comparisons++;
      const decision = decide(s, this.thresholds);
      if (opts.excludeNew === true && decision === 'new') continue;
      ranked.push({ slot, id: this.ids[slot] as string, score: s.score, decision, rules: s.rules });
    }
    ranked.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const scoreOpts: ScoreOptions = { weights, withValues: opts.withValues === true };
    if (this.frequencies !== undefined) scoreOpts.frequencies = this.frequencies;
    return ranked.slice(0, limit).map((c) => {
      const { evidence } = scorePair(r, this.records[c.slot] as NormalizedRecord, scoreOpts);
      return { id: c.id, score: c.score, decision: c.decision, evidence, rules: c.rules };
    });
  }
}

function isNormalized(r: Demographics | NormalizedRecord): r is NormalizedRecord {
  return 'familyParts' in r;
}
