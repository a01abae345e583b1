/**
 * Fitting m/u probabilities with the EM algorithm (Winkler 1988; Jaro 1989): the pairs a
 * blocking step produces are a mixture of matches and non-matches, and under the
 * Fellegi–Sunter independence assumption the mixture's parameters — the share of matches p,
 * and per field and agreement level m = P(level | match), u = P(level | non-match) — can be
 * estimated without labelled data. Each field's weights are then log2(m/u).
 *
 * Blocked pairs are chosen for agreeing on names or dates, so among their non-matches u is far
 * higher than in the population. With `randomPairs` u is measured instead on random pairs
 * (nearly all of them non-matches) and held fixed while EM fits m and the match share on the
 * blocked pairs, the usual remedy (Christen 2012, §6.5).
 *
 * Used to check the hand-set weights against data (`bench … --fit`), not at run time: fitted
 * weights follow the data they were fitted on, including its quirks (FEBRL replaces whole
 * SSNs in 4 % of duplicates; a registration desk rarely does), while the defaults stay damped
 * where a wrong merge would be costly (score.ts).
 */
import { compareRecords, type Field, type Level } from './compare.ts';
import type { NormalizedRecord } from './normalize.ts';
import { DEFAULT_WEIGHTS, type LevelWeights } from './score.ts';

type Graded = Exclude<Level, 'missing'>;

const LEVELS: readonly Graded[] = ['exact', 'close', 'partial', 'disagree'];
const MISSING = LEVELS.length;
const STATES = LEVELS.length + 1;
const FIELDS: readonly Field[] = ['given', 'family', 'birthDate', 'sex', 'street', 'locality', 'phone', 'ssn', 'suffix'];

export interface FitOptions {
  /** Most EM iterations (default 200). */
  maxIterations?: number;
  /** Stop when no parameter moves more than this (default 1e-6). */
  tolerance?: number;
  /** A level seen fewer times than this keeps the prior weight (default 20). */
  minObservations?: number;
  /** Starting weights, also the fallback for rarely seen levels (default DEFAULT_WEIGHTS). */
  prior?: Readonly<Record<Field, LevelWeights>>;
  /** Random pairs of the population: u is taken from them and held fixed (see above). */
  randomPairs?: Iterable<readonly [NormalizedRecord, NormalizedRecord]>;
}

export interface FieldFit {
  m: Record<Graded, number>;
  u: Record<Graded, number>;
  /** How many pairs showed each level. */
  observed: Record<Graded, number>;
  /** log2(m/u), one decimal; the prior's weight where the level was seen too rarely. */
  weights: LevelWeights;
}

export interface WeightFit {
  pairs: number;
  /** Estimated share of matches among the pairs. */
  matchShare: number;
  iterations: number;
  converged: boolean;
  fields: Record<Field, FieldFit>;
  /** The fitted weights in the shape `scorePair` takes. */
  weights: Record<Field, LevelWeights>;
}

const levelIndex = (l: Level): number => (l === 'missing' ? MISSING : LEVELS.indexOf(l));

/** Fits m, u and the match share to the comparison patterns of `pairs` (typically blocked candidate pairs). */
export function fitWeights(pairs: Iterable<readonly [NormalizedRecord, NormalizedRecord]>, opts: FitOptions = {}): WeightFit {
  const prior = opts.prior ?? DEFAULT_WEIGHTS;
  const maxIterations = opts.maxIterations ?? 200;
  const tolerance = opts.tolerance ?? 1e-6;
  const minObservations = opts.minObservations ?? 20;

  const { rows, n } = patternsOf(pairs);
  const observed = levelCounts(rows);
  // Start from the prior: m from a weight w and a guess of u, normalised per field.
  let u: number[][] = FIELDS.map(() => normalise(LEVELS.map((_, i) => (i === 3 ? 0.9 : 0.02))));
  const fixedU = opts.randomPairs !== undefined;
  if (opts.randomPairs !== undefined) u = levelCounts(patternsOf(opts.randomPairs).rows).map((c) => normalise(c.map((x) => x + 0.5)));
  const m: number[][] = FIELDS.map((f, i) => normalise(LEVELS.map((l, j) => ((u[i] as number[])[j] as number) * 2 ** prior[f][l])));

  let p = 0.1;
  let iterations = 0;
  let converged = false;
  const posterior = new Float64Array(rows.length);
  while (iterations < maxIterations && !converged) {
    iterations++;
    // E step: the probability that each pattern is a match.
    rows.forEach((r, i) => {
      let lm = Math.log(p);
      let lu = Math.log(1 - p);
      r.levels.forEach((l, f) => {
        if (l === MISSING) return;
        lm += Math.log((m[f] as number[])[l] as number);
        lu += Math.log((u[f] as number[])[l] as number);
      });
      posterior[i] = 1 / (1 + Math.exp(lu - lm));
    });
    // M step, with half a pseudo-count per level so that no probability becomes 0.
    const mNew = FIELDS.map(() => [0.5, 0.5, 0.5, 0.5]);
    const uNew = FIELDS.map(() => [0.5, 0.5, 0.5, 0.5]);
    let matches = 0;
    rows.forEach((r, i) => {
      const g = (posterior[i] as number) * r.count;
      const h = r.count - g;
      matches += g;
      r.levels.forEach((l, f) => {
        if (l === MISSING) return;
        bump(mNew[f] as number[], l, g);
        bump(uNew[f] as number[], l, h);
      });
    });
    const pNew = Math.min(1 - 1e-9, Math.max(1e-9, matches / Math.max(1, n)));
    let delta = Math.abs(pNew - p);
    FIELDS.forEach((_, f) => {
      const mm = normalise(mNew[f] as number[]);
      const uu = normalise(uNew[f] as number[]);
      for (let l = 0; l < LEVELS.length; l++) {
        delta = Math.max(delta, Math.abs((mm[l] as number) - ((m[f] as number[])[l] as number)));
        if (!fixedU) delta = Math.max(delta, Math.abs((uu[l] as number) - ((u[f] as number[])[l] as number)));
      }
      m[f] = mm;
      if (!fixedU) u[f] = uu;
    });
    p = pNew;
    converged = delta < tolerance;
  }

  const fields = {} as Record<Field, FieldFit>;
  const weights = {} as Record<Field, LevelWeights>;
  FIELDS.forEach((field, f) => {
    const fit: FieldFit = { m: byLevel(m[f] as number[]), u: byLevel(u[f] as number[]), observed: byLevel(observed[f] as number[]), weights: { ...prior[field] } };
    for (const [i, l] of LEVELS.entries()) {
      if (((observed[f] as number[])[i] as number) < minObservations) continue;
      fit.weights[l] = Math.round(Math.log2(fit.m[l] / fit.u[l]) * 10) / 10;
    }
    fields[field] = fit;
    weights[field] = fit.weights;
  });
  return { pairs: n, matchShare: p, iterations, converged, fields, weights };
}

interface Pattern {
  levels: number[];
  count: number;
}

/** Identical comparison vectors are counted once: a few hundred patterns stand for millions of pairs. */
function patternsOf(pairs: Iterable<readonly [NormalizedRecord, NormalizedRecord]>): { rows: Pattern[]; n: number } {
  const patterns = new Map<number, number>();
  let n = 0;
  for (const [a, b] of pairs) {
    let key = 0;
    for (const [, c] of compareRecords(a, b).fields) key = key * STATES + levelIndex(c.level);
    patterns.set(key, (patterns.get(key) ?? 0) + 1);
    n++;
  }
  const rows = [...patterns].map(([key, count]) => {
    const levels = new Array<number>(FIELDS.length);
    let k = key;
    for (let f = FIELDS.length - 1; f >= 0; f--) {
      levels[f] = k % STATES;
      k = Math.floor(k / STATES);
    }
    return { levels, count };
  });
  return { rows, n };
}

/** Per field, how many pairs showed each graded level. */
function levelCounts(rows: readonly Pattern[]): number[][] {
  const counts = FIELDS.map(() => [0, 0, 0, 0]);
  for (const r of rows) r.levels.forEach((l, f) => { if (l !== MISSING) bump(counts[f] as number[], l, r.count); });
  return counts;
}

function bump(xs: number[], i: number, by: number): void {
  xs[i] = (xs[i] ?? 0) + by;
}

function normalise(xs: number[]): number[] {
  const s = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / s);
}

function byLevel(xs: readonly number[]): Record<Graded, number> {
  return { exact: xs[0] as number, close: xs[1] as number, partial: xs[2] as number, disagree: xs[3] as number };
}
