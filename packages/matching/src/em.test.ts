import { describe, expect, it } from 'vitest';
import { fitWeights } from './em.ts';
import { normalize, type Demographics, type NormalizedRecord } from './normalize.ts';

/** LCG, so the test is deterministic without the bench generator. */
function lcg(seed: number): (k: number) => number {
  let x = seed;
  return (k) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
}

const letters = 'bcdfghjklmnprstvz';
const word = (next: (k: number) => number, n: number): string => Array.from({ length: n }, (_, i) => (i % 2 === 1 ? 'aeiou'[next(5)] : letters[next(letters.length)])).join('');

function person(next: (k: number) => number): Demographics {
  return {
    given: [word(next, 5)],
    family: word(next, 7),
    birthDate: `${1930 + next(80)}-${String(1 + next(12)).padStart(2, '0')}-${String(1 + next(28)).padStart(2, '0')}`,
    address: { line: [`${1 + next(900)} ${word(next, 6)} St`], postalCode: String(10000 + next(80000)) },
    ssn: `9${String(next(1e8)).padStart(8, '0')}`,
  };
}

describe('fitWeights (EM)', () => {
  it('recovers the match share and gives agreement positive and disagreement negative weight', () => {
    const next = lcg(99);
    const population = Array.from({ length: 3000 }, () => person(next));
    const records = population.map((d) => normalize(d));
    const pairs: [NormalizedRecord, NormalizedRecord][] = [];
    // 600 true pairs, each field wrong in 10 % of them; 1,400 non-matches.
    for (let i = 0; i < 600; i++) {
      const d = structuredClone(population[i] as Demographics);
      const other = population[(i + 1500) % population.length] as Demographics;
      if (next(10) === 0) d.family = other.family;
      if (next(10) === 0) d.birthDate = other.birthDate as string;
      if (next(10) === 0) d.ssn = other.ssn as string;
      if (next(10) === 0) d.address = other.address as Demographics['address'];
      pairs.push([normalize(d), records[i] as NormalizedRecord]);
    }
    for (let i = 0; i < 1400; i++) pairs.push([records[next(3000)] as NormalizedRecord, records[next(3000)] as NormalizedRecord]);
    const randomPairs = Array.from({ length: 20_000 }, () => [records[next(3000)], records[next(3000)]] as [NormalizedRecord, NormalizedRecord]);

    const fit = fitWeights(pairs, { randomPairs });
    expect(fit.converged).toBe(true);
    expect(fit.pairs).toBe(2000);
    expect(fit.matchShare).toBeGreaterThan(0.27);
    expect(fit.matchShare).toBeLessThan(0.33);
    for (const f of ['family', 'birthDate', 'ssn'] as const) {
      expect(fit.weights[f].exact, f).toBeGreaterThan(5);
      expect(fit.weights[f].disagree, f).toBeLessThan(-2);
      // m(exact) ≈ 0.9 (10 % replaced).
      expect(fit.fields[f].m.exact, f).toBeGreaterThan(0.85);
    }
    // Sex is never recorded here: not observed, so the prior's weights stay.
    expect(fit.fields.sex.observed.exact).toBe(0);
    expect(fit.weights.sex).toEqual({ exact: 0.5, close: 0.5, partial: 0, disagree: -4 });
  });

  it('without random pairs, estimates u too (a mixture of matches and non-matches)', () => {
    const next = lcg(7);
    const records = Array.from({ length: 500 }, () => normalize(person(next)));
    const pairs: [NormalizedRecord, NormalizedRecord][] = [];
    for (let i = 0; i < 250; i++) pairs.push([records[i] as NormalizedRecord, records[i] as NormalizedRecord]);
    for (let i = 0; i < 250; i++) pairs.push([records[next(500)] as NormalizedRecord, records[next(500)] as NormalizedRecord]);
    const fit = fitWeights(pairs);
    expect(fit.matchShare).toBeGreaterThan(0.45);
    expect(fit.matchShare).toBeLessThan(0.55);
    expect(fit.weights.birthDate.exact).toBeGreaterThan(3);
  });
});
