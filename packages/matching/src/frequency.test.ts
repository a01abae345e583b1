import { describe, expect, it } from 'vitest';
import { NameFrequencies, nameKeys } from './frequency.ts';
import { normalize } from './normalize.ts';

const person = (given: string, family: string) => normalize({ given: [given], family });

/** 1,000 records: "smith" on 400, "jones" on 300, then 300 families with 1 member each; given names likewise. */
function table(opts = {}): NameFrequencies {
  const f = new NameFrequencies(opts);
  for (let i = 0; i < 1000; i++) {
    const family = i < 400 ? 'smith' : i < 700 ? 'jones' : `fam${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`;
    const given = i % 2 === 0 ? 'john' : `given${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`;
    f.add(person(given, family));
  }
  return f;
}

describe('NameFrequencies', () => {
  it('adds bits for a rare family name and takes them for a common one', () => {
    const f = table();
    // ū = (400² + 300² + 300·1²)/1000² = 0.2503; f(smith) = 0.4 → log2(0.2503/0.4) ≈ −0.68.
    expect(f.familyAdjustment('smith')).toBeCloseTo(-0.68, 2);
    // A name held by one record: log2(0.2503/0.001) ≈ 7.97, capped at 3.
    expect(f.familyAdjustment('famaa')).toBe(3);
    // A name not in the table counts as seen once.
    expect(f.familyAdjustment('nowhere')).toBe(3);
    expect(f.givenAdjustment('john')).toBeLessThan(0);
    expect(f.givenAdjustment('givenba')).toBeGreaterThan(0);
  });

  it('gives no adjustment until it holds enough records', () => {
    const f = new NameFrequencies({ minRecords: 10 });
    for (let i = 0; i < 9; i++) f.add(person('ann', i === 0 ? 'rare' : 'smith'));
    expect(f.familyAdjustment('rare')).toBe(0);
    f.add(person('ann', 'smith'));
    expect(f.familyAdjustment('rare')).toBeGreaterThan(0);
  });

  it('removing a record undoes adding it', () => {
    const f = table();
    const before = [f.familyAdjustment('smith'), f.familyAdjustment('jones'), f.givenAdjustment('john')];
    const extra = person('john', 'smith');
    for (let i = 0; i < 100; i++) f.add(extra);
    expect(f.familyAdjustment('smith')).not.toBe(before[0]);
    for (let i = 0; i < 100; i++) f.remove(extra);
    expect([f.familyAdjustment('smith'), f.familyAdjustment('jones'), f.givenAdjustment('john')]).toEqual(before);
    expect(f.size.family).toBe(1000);
  });

  it('averaged over true matches the adjustment is not negative (thresholds keep their meaning)', () => {
    const f = table({ maxBonus: 100, maxPenalty: 100 });
    // A true match agrees on value v with probability f(v).
    let mean = 0;
    mean += 0.4 * f.familyAdjustment('smith') + 0.3 * f.familyAdjustment('jones');
    for (let i = 700; i < 1000; i++) mean += 0.001 * f.familyAdjustment(`fam${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`);
    expect(mean).toBeGreaterThanOrEqual(0);
  });

  it('ignores initials and empty names', () => {
    const f = new NameFrequencies({ minRecords: 1 });
    f.add(normalize({ given: ['J'], family: '' }));
    expect(f.size).toMatchObject({ given: 0, family: 0 });
  });

  it('loaded from stored counts (totals and the names at hand) it adjusts as the table it was counted from', () => {
    const full = table();
    const counts = (field: 'given' | 'family', values: string[]) => {
      const c = new Map<string, number>();
      for (let i = 0; i < 1000; i++) {
        const r = person(i % 2 === 0 ? 'john' : `given${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`, i < 400 ? 'smith' : i < 700 ? 'jones' : `fam${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26) % 26)}`);
        const v = nameKeys(r)[field] as string;
        c.set(v, (c.get(v) ?? 0) + 1);
      }
      let sumSquares = 0;
      for (const n of c.values()) sumSquares += n * n;
      return { total: 1000, sumSquares, counts: new Map(values.map((v) => [v, c.get(v) ?? 0])) };
    };
    const loaded = NameFrequencies.fromCounts(counts('given', ['john']), counts('family', ['smith', 'famaa']));
    expect(loaded.familyAdjustment('smith')).toBe(full.familyAdjustment('smith'));
    expect(loaded.familyAdjustment('famaa')).toBe(full.familyAdjustment('famaa'));
    expect(loaded.givenAdjustment('john')).toBe(full.givenAdjustment('john'));
    // Below the minimum it adjusts nothing, as the counted table would.
    expect(NameFrequencies.fromCounts({ total: 999, sumSquares: 999, counts: new Map() }, { total: 0, sumSquares: 0, counts: new Map() }).givenAdjustment('x')).toBe(0);
  });

  it('nameKeys names what a record counts under: first given name of two letters or more, and the family name', () => {
    expect(nameKeys(normalize({ given: ['Mary', 'Ann'], family: "O'Brien-Smith" }))).toEqual({ given: 'mary', family: 'obriensmith' });
    expect(nameKeys(normalize({ given: ['J'], family: '' }))).toEqual({});
  });
});
