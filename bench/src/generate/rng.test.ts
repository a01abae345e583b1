import { describe, expect, it } from 'vitest';
import { uuidFrom } from './ids.ts';
import { deriveState, Rng, seedWords, WeightedTable } from './rng.ts';

describe('Rng', () => {
  it('is deterministic and spreads values evenly', () => {
    const a = Rng.fromWords([1, 2, 3]);
    const b = Rng.fromWords([1, 2, 3]);
    const buckets = new Array<number>(10).fill(0);
    let mismatches = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = a.float();
      if (x !== b.float()) mismatches++;
      buckets[Math.floor(x * 10)]! += 1;
    }
    expect(mismatches).toBe(0);
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('derives distinct streams for neighbouring keys', () => {
    const states = new Set<string>();
    for (let i = 0; i < 50_000; i++) states.add(deriveState([7, 0, 99, i, 0, 1]).join(','));
    expect(states.size).toBe(50_000);
    expect(Rng.fromWords([1, 2]).u32()).not.toBe(Rng.fromWords([1, 3]).u32());
  });

  it('approximates a normal distribution without transcendental functions', () => {
    const rng = Rng.fromWords([5]);
    let sum = 0;
    let sumSq = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const x = rng.normal(10, 2);
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(sumSq / n - mean * mean)).toBeCloseTo(2, 1);
  });

  it('splits seeds beyond 32 bits and rejects non-integers', () => {
    expect(seedWords(2 ** 40 + 5)).toEqual([5, 256]);
    expect(seedWords(-1)).toEqual([4294967295, 4294967295]);
    expect(() => seedWords(0.5)).toThrow(RangeError);
  });
});

describe('WeightedTable', () => {
  it('samples in proportion to the weights', () => {
    const table = new WeightedTable(['a', 'b', 'c'], [1, 3, 0]);
    const rng = Rng.fromWords([11]);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 40_000; i++) counts[table.sample(rng)]! += 1;
    expect(counts.c).toBe(0);
    expect((counts.b ?? 0) / (counts.a ?? 1)).toBeCloseTo(3, 0);
  });
});

describe('uuidFrom', () => {
  it('formats version-4 UUIDs', () => {
    const rng = Rng.fromWords([3]);
    const ids = Array.from({ length: 1000 }, () => uuidFrom(rng));
    const shape = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(ids.filter((id) => !shape.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(1000);
  });
});
