/**
 * Frequency-based name weights (Winkler's value-specific u-probabilities; Christen 2012, §6.3).
 * Two records agreeing on a rare family name are stronger evidence than two "Smiths": the chance
 * that a random other person shares value v is its relative frequency f(v), not the average
 * chance ū = Σ f(w)² that the default weights assume. The adjustment added to the exact-agreement
 * weight is therefore log2(ū / f(v)): zero for a name of typical frequency, positive for rare
 * names, negative for common ones. Averaged over true matches it is never negative (Gibbs'
 * inequality), so the thresholds tuned for the default weights still hold.
 *
 * The table is built from the indexed population itself and kept current as records come and
 * go (add/remove), so it needs no shipped list and adapts to the population served. It gives
 * no adjustment until it holds `minRecords` names: in a small population every name looks rare.
 */
import type { NormalizedRecord } from './normalize.ts';

export interface FrequencyOptions {
  /** No adjustment below this many counted records (default 1000). */
  minRecords?: number;
  /** Largest bonus for a rare name, in bits (default 3). */
  maxBonus?: number;
  /** Largest penalty for a common name, in bits (default 3). */
  maxPenalty?: number;
}

/** Counts of one name field, as stored elsewhere (a database) and loaded for the names at hand. */
export interface FieldCounts {
  /** Records counted. */
  total: number;
  /** Σ count² over all values. */
  sumSquares: number;
  /** Counts of the values that will be looked up; any other value counts as seen once. */
  counts: ReadonlyMap<string, number>;
}

/** The values a record contributes to the tables: its first given name (two letters or more) and its family name. */
export function nameKeys(r: NormalizedRecord): { given?: string; family?: string } {
  const g = r.given[0];
  return { ...(g !== undefined && g.length > 1 ? { given: g } : {}), ...(r.family !== '' ? { family: r.family } : {}) };
}

/** Counts of one name field: count per value, total, and Σ count² (for ū) kept incrementally. */
class Counter {
  private readonly counts = new Map<string, number>();
  total = 0;
  sumSquares = 0;

  load(c: FieldCounts): void {
    this.counts.clear();
    for (const [v, n] of c.counts) if (n > 0) this.counts.set(v, n);
    this.total = c.total;
    this.sumSquares = c.sumSquares;
  }

  add(v: string, delta: 1 | -1): void {
    const c = this.counts.get(v) ?? 0;
    const next = c + delta;
    if (next < 0) return;
    // (c+1)² − c² = 2c + 1; (c−1)² − c² = −2c + 1.
    this.sumSquares += delta === 1 ? 2 * c + 1 : -2 * c + 1;
    this.total += delta;
    if (next === 0) this.counts.delete(v);
    else this.counts.set(v, next);
  }

  count(v: string): number {
    return this.counts.get(v) ?? 0;
  }

  get distinct(): number {
    return this.counts.size;
  }
}

export class NameFrequencies {
  private readonly given = new Counter();
  private readonly family = new Counter();
  private readonly minRecords: number;
  private readonly maxBonus: number;
  private readonly maxPenalty: number;

  constructor(opts: FrequencyOptions = {}) {
    this.minRecords = opts.minRecords ?? 1000;
    this.maxBonus = opts.maxBonus ?? 3;
    this.maxPenalty = opts.maxPenalty ?? 3;
  }

  /**
   * A table loaded from counts kept elsewhere (the MPI's database): totals for the whole
   * population, and the counts of the few names about to be scored. Read-only in use: adding
   * or removing records would start from these partial counts.
   */
  static fromCounts(given: FieldCounts, family: FieldCounts, opts: FrequencyOptions = {}): NameFrequencies {
    const f = new NameFrequencies(opts);
    f.given.load(given);
    f.family.load(family);
    return f;
  }

  /** Counts a record's first given name and family name. */
  add(r: NormalizedRecord): void {
    this.count(r, 1);
  }

  /** Uncounts a record added before (call with the same normalized record). */
  remove(r: NormalizedRecord): void {
    this.count(r, -1);
  }

  private count(r: NormalizedRecord, delta: 1 | -1): void {
    const { given, family } = nameKeys(r);
    if (given !== undefined) this.given.add(given, delta);
    if (family !== undefined) this.family.add(family, delta);
  }

  /** Records counted with a first given name / with a family name. */
  get size(): { given: number; family: number; distinctGiven: number; distinctFamily: number } {
    return { given: this.given.total, family: this.family.total, distinctGiven: this.given.distinct, distinctFamily: this.family.distinct };
  }

  /** Bits to add to the exact-agreement weight of first given name `v`. */
  givenAdjustment(v: string): number {
    return this.adjustment(this.given, v);
  }

  /** Bits to add to the exact-agreement weight of family name `v`. */
  familyAdjustment(v: string): number {
    return this.adjustment(this.family, v);
  }

  private adjustment(c: Counter, v: string): number {
    const n = c.total;
    if (n < this.minRecords) return 0;
    // log2(ū / f(v)) with ū = Σc²/n² and f(v) = c(v)/n; a value not counted yet counts once.
    const bits = Math.log2(c.sumSquares / (n * Math.max(1, c.count(v))));
    return Math.round(Math.min(this.maxBonus, Math.max(-this.maxPenalty, bits)) * 100) / 100;
  }
}
