/**
 * Fellegi–Sunter scoring (Fellegi & Sunter 1969): each field's agreement level contributes
 * w = log2(m/u), where m = P(level | same person) and u = P(level | different people), and
 * the pair's score is the sum. Independence between fields is assumed, as in the model.
 *
 * How the weights were chosen: set by hand from stated m/u assumptions (below), then the two
 * decision thresholds were tuned on the generated population (bench/src/matching/generated.ts)
 * and checked, unchanged, on FEBRL. The m values come from published registration error rates
 * (a few % typos per field, 10–20 % address/phone churn between registrations); u values from
 * the value frequencies of the synthetic population (about 2 % of random pairs share a first
 * name, 0.5 % a family name, 1/30 000 a birth date). The EM fit on FEBRL4 (em.ts, `bench …
 * --fit`) agrees on SSN (12.6 / −4.6) and on name typos being strong evidence (close 5.7 and
 * 7.2), which is why the close levels of the names sit near their exact ones. Three deliberate
 * departures from the pure model, all towards precision because a wrong merge is far worse
 * than a missed link:
 *  - birth-date and SSN agreement weights are damped (pure log2(m/u) would be ≈ 15 and ≈ 20)
 *    since blocking has already selected pairs that agree on part of them, and relatives share
 *    a birth date (twins) or get the guarantor's SSN; address weights are far below FEBRL's
 *    fit (≈ 12) because a household shares its address and phone;
 *  - disagreement on stable facts (birth date, sex) is penalised more than the model's
 *    log2((1−m)/(1−u)) would (EM on FEBRL: −4.5 for a birth date), and also triggers the hard
 *    rules (rules.ts) when the pair fits a relative;
 *  - SSN disagreement is −5 (≈ log2 of FEBRL's and registration data's few-% SSN error rate).
 * Exact agreement on a name is further adjusted by how rare the name is in the population
 * when the caller passes name frequencies (frequency.ts).
 */
import { AGREE, compareRecords, type Compared, type Field, type Level } from './compare.ts';
import type { NameFrequencies } from './frequency.ts';
import type { NormalizedRecord } from './normalize.ts';
import { hardRules, type Rule } from './rules.ts';

export { compareRecords } from './compare.ts';
export type { Compared, Field } from './compare.ts';
export { PARENT_CHILD_YEARS } from './rules.ts';
export type { Rule } from './rules.ts';

export type LevelWeights = Record<Exclude<Level, 'missing'>, number>;

/** Missing values weigh 0 (no evidence either way). */
export const DEFAULT_WEIGHTS: Readonly<Record<Field, LevelWeights>> = {
  // m≈.90/u≈.02 exact; nickname/typo m≈.10/u≈.006; names change rarely: disagree m≈.02.
  given: { exact: 5, close: 4, partial: 0.5, disagree: -5 },
  // rarer than given names (u≈.005; a typo-level look-alike u≈.003), but marriage changes them: disagreement only −4.
  family: { exact: 6, close: 5, partial: 1, disagree: -4 },
  birthDate: { exact: 9, close: 5, partial: 1.5, disagree: -8 },
  // half of random pairs agree on sex, so agreement says little; disagreement is rare in true matches.
  sex: { exact: 0.5, close: 0.5, partial: 0, disagree: -4 },
  // people move (m for agreement ≈ .8), so disagreement costs little.
  street: { exact: 4, close: 3, partial: 1, disagree: -1.5 },
  locality: { exact: 2, close: 1, partial: 0.5, disagree: -1 },
  // household members share a phone: u is high for a record-linkage identifier.
  phone: { exact: 5, close: 2.5, partial: 1, disagree: -1 },
  ssn: { exact: 13, close: 7, partial: 2, disagree: -5 },
  suffix: { exact: 1, close: 1, partial: 0, disagree: -5 },
};

export interface Evidence {
  field: Field;
  level: Level;
  weight: number;
  detail?: string;
  /** The two normalized values, only with `withValues` (they are PHI: store them, never log them). */
  values?: [string, string];
}

export interface PairScore {
  score: number;
  evidence: Evidence[];
  /** Rules that fired; any rule caps the decision below auto-link (see decide.ts). */
  rules: Rule[];
}

export interface ScoreOptions {
  weights?: Readonly<Record<Field, LevelWeights>>;
  /**
   * Name frequencies of the population: exact agreement on a rare name then weighs more, on a
   * common one less (frequency.ts). Without them every name weighs the same.
   */
  frequencies?: NameFrequencies;
  withValues?: boolean;
}

function valuesOf(field: Field, r: NormalizedRecord): string {
  switch (field) {
    case 'given': return r.given.join(' ');
    case 'family': return r.familyParts.join('-');
    case 'birthDate': return r.birthDate ?? '';
    case 'sex': return r.sex ?? '';
    case 'street': return `${r.houseNumber ?? ''} ${r.street ?? ''}`.trim();
    case 'locality': return `${r.city ?? ''} ${r.zip ?? ''}`.trim();
    case 'phone': return r.phone ?? '';
    case 'ssn': return r.ssn ?? '';
    case 'suffix': return r.suffix ?? '';
  }
}

/** Bits added to exact agreement on one record's given and family name by the population's frequencies. */
export interface NameBits {
  given: number;
  family: number;
}

/** The frequency adjustments of `r`'s names: computed once per query when scoring many candidates. */
export function nameBits(r: NormalizedRecord, f: NameFrequencies): NameBits {
  const g = r.given[0];
  return { given: g === undefined ? 0 : f.givenAdjustment(g), family: r.family === '' ? 0 : f.familyAdjustment(r.family) };
}

/**
 * Sums the weights of a compared pair, pushing one evidence entry per field when `evidence` is
 * given. Rare names weigh more only when something besides names and birth date ties the records
 * together (SSN, phone, street, ZIP or town): two strangers sharing a name and birth date are a
 * birthday-problem certainty in a large population, so there names weigh as without
 * frequencies, as the thresholds were tuned.
 */
function weigh(
  a: NormalizedRecord,
  b: NormalizedRecord,
  compared: Compared,
  weights: Readonly<Record<Field, LevelWeights>>,
  bits: NameBits | undefined,
  evidence: Evidence[] | undefined,
  withValues: boolean,
): number {
  const corroborated =
    bits !== undefined &&
    (AGREE(compared.ssn.level) || AGREE(compared.phone.level) || (compared.street.level !== 'disagree' && compared.street.level !== 'missing') || AGREE(compared.locality.level));
  let score = 0;
  for (const [field, c] of compared.fields) {
    let weight = c.level === 'missing' ? 0 : weights[field][c.level];
    let detail = c.detail;
    if (corroborated && c.level === 'exact' && c.detail === undefined && (field === 'given' || field === 'family')) {
      const adjust = field === 'given' ? bits.given : bits.family;
      weight += adjust;
      if (adjust >= 0.5) detail = 'rare-name';
      else if (adjust <= -0.5) detail = 'common-name';
    }
    score += weight;
    if (evidence === undefined) continue;
    const e: Evidence = { field, level: c.level, weight };
    if (detail !== undefined) e.detail = detail;
    if (withValues && c.level !== 'missing') e.values = [valuesOf(field, a), valuesOf(field, b)];
    evidence.push(e);
  }
  return score;
}

/** Scores one pair of normalized records: total log2 weight, per-field evidence, and the hard rules that fired. */
export function scorePair(a: NormalizedRecord, b: NormalizedRecord, opts: ScoreOptions = {}): PairScore {
  const compared = compareRecords(a, b);
  const evidence: Evidence[] = [];
  const bits = opts.frequencies === undefined ? undefined : nameBits(a, opts.frequencies);
  const score = weigh(a, b, compared, opts.weights ?? DEFAULT_WEIGHTS, bits, evidence, opts.withValues === true);
  return { score, evidence, rules: hardRules(a, b, compared) };
}

/**
 * Score and rules of a pair without its evidence, the same as `scorePair`'s: for ranking many
 * candidates, building evidence only for the few kept. `bits` are `nameBits(a, …)`.
 */
export function scoreOnly(a: NormalizedRecord, b: NormalizedRecord, weights: Readonly<Record<Field, LevelWeights>>, bits: NameBits | undefined): Pick<PairScore, 'score' | 'rules'> {
  const compared = compareRecords(a, b);
  return { score: weigh(a, b, compared, weights, bits, undefined, false), rules: hardRules(a, b, compared) };
}
