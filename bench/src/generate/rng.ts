/**
 * Seeded pseudo-random numbers. Everything the generator produces flows from here, so the
 * same seed and options give byte-identical output on any platform: only integer ops and
 * +,-,*,/ on doubles are used (no Math.log/exp/cos, whose last bits may differ between engines).
 */

/** murmur3's 32-bit finalizer: a bijection with full avalanche, used to derive stream states. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of a string (FNV-1a over UTF-16 units, then finalized). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** Splits any safe integer (negative or above 2^32 too) into two 32-bit words. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return [seed >>> 0, Math.floor(seed / 4294967296) >>> 0];
}

/**
 * Absorbs key words into a 128-bit state. Each step is a bijection of the state for a fixed
 * word, and the state is 128 bits wide, so a million per-patient streams keyed by
 * (seed, organization, index) do not collide the way 32-bit seeds would (birthday bound).
 */
export function deriveState(words: readonly number[]): [number, number, number, number] {
  let a = 0x243f6a88;
  let b = 0x85a308d3;
  let c = 0x13198a2e;
  let d = 0x03707344;
  // Two extra zero words give the last real word time to avalanche into every lane.
  const n = words.length + 2;
  for (let i = 0; i < n; i++) {
    const w = (words[i] ?? 0) >>> 0;
    a = fmix32(a ^ w ^ d);
    b = fmix32((b + w) ^ a);
    c = fmix32(c ^ Math.imul(w, 0x9e3779b1) ^ b);
    d = fmix32((d + (w ^ c)) >>> 0);
  }
  return [a, b, c, d];
}

const TWO_32 = 4294967296;
/** (u1+u2+u3+u4-2) has variance 1/3; this scales it to a unit normal (Irwin-Hall approximation). */
const IRWIN_HALL_4_SCALE = 1.7320508075688772;

/** xoshiro128**: fast, 128-bit state, passes BigCrush; plenty for synthetic data. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(state: readonly [number, number, number, number]) {
    this.a = state[0] >>> 0;
    this.b = state[1] >>> 0;
    this.c = state[2] >>> 0;
    this.d = state[3] >>> 0;
    // The all-zero state is the one fixed point of xoshiro.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  static fromWords(words: readonly number[]): Rng {
    return new Rng(deriveState(words));
  }

  u32(): number {
    const b = this.b;
    const r = Math.imul(b, 5);
    const rot = (r << 7) | (r >>> 25);
    const result = Math.imul(rot, 9) >>> 0;
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b = b ^ this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / TWO_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max], both inclusive. */
  range(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  uniform(min: number, max: number): number {
    return min + this.float() * (max - min);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Approximately normal, bounded to about ±3.5 sd, which also keeps values physiological. */
  normal(mean: number, sd: number): number {
    const s = this.float() + this.float() + this.float() + this.float() - 2;
    return mean + s * IRWIN_HALL_4_SCALE * sd;
  }
}

/** Items with relative weights, sampled by binary search over the cumulative weights. */
export class WeightedTable<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new Error('WeightedTable needs as many weights as items, and at least one item');
    }
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    for (let i = 0; i < items.length; i++) {
      sum += weights[i] ?? 0;
      this.cumulative[i] = sum;
    }
    this.total = sum;
  }

  sample(rng: Rng): T {
    const x = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}
