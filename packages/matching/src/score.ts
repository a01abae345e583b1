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
 * name, 0.5 % a family name, 1/30 000 a birth date). Two deliberate departures from the pure
 * model, both towards precision because a wrong merge is far worse than a missed link:
 *  - birth-date and SSN agreement weights are damped (pure log2(m/u) would be ≈ 15 and ≈ 20)
 *    since blocking has already selected pairs that agree on part of them, and relatives share
 *    a birth date (twins) or get the guarantor's SSN;
 *  - SSN disagreement is −5 (≈ log2 of FEBRL's and registration data's few-% SSN error rate):
 *    the ssn-mismatch rule, not the weight, is what keeps different people apart;
 *  - disagreement on stable facts (birth date, SSN, sex) is penalised more than the model's
 *    log2((1−m)/(1−u)) would, and additionally triggers the hard rules further down.
 */
import {
  compareBirthDate,
  compareFamily,
  compareGiven,
  compareLocality,
  comparePhone,
  compareSex,
  compareSsn,
  compareStreet,
  compareSuffix,
  type Comparison,
  type Level,
} from './compare.ts';
import type { NormalizedRecord } from './normalize.ts';

export type Field = 'given' | 'family' | 'birthDate' | 'sex' | 'street' | 'locality' | 'phone' | 'ssn' | 'suffix';

export type LevelWeights = Record<Exclude<Level, 'missing'>, number>;

/** Missing values weigh 0 (no evidence either way). */
export const DEFAULT_WEIGHTS: Readonly<Record<Field, LevelWeights>> = {
  // m≈.90/u≈.02 exact; nickname/typo m≈.07/u≈.006; names change rarely: disagree m≈.02.
  given: { exact: 5, close: 3.5, partial: 0.5, disagree: -5 },
  // rarer than given names (u≈.005), but marriage changes them: disagreement only −4.
  family: { exact: 6, close: 4, partial: 1, disagree: -4 },
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

/** Hard rules that keep relatives and look-alikes apart whatever the score. */
export type Rule = 'ssn-mismatch' | 'twins' | 'suffix-mismatch' | 'parent-child' | 'birth-date-mismatch' | 'sex-mismatch' | 'relatives-shared-ssn';

/** Birth years at least this far apart with otherwise agreeing names: a parent and a child. */
export const PARENT_CHILD_YEARS = 12;

export interface PairScore {
  score: number;
  evidence: Evidence[];
  /** Rules that fired; any rule caps the decision below auto-link (see decide.ts). */
  rules: Rule[];
}

export interface ScoreOptions {
  weights?: Readonly<Record<Field, LevelWeights>>;
  withValues?: boolean;
}

const AGREE = (l: Level): boolean => l === 'exact' || l === 'close';

function nameComparisons(a: NormalizedRecord, b: NormalizedRecord): { given: Comparison; family: Comparison } {
  const given = compareGiven(a.given, b.given);
  const family = compareFamily(a, b);
  if (AGREE(given.level) && AGREE(family.level)) return { given, family };
  // Given and family entered in each other's boxes: compare crosswise.
  const ga = a.given[0];
  const gb = b.given[0];
  if (ga === undefined || gb === undefined) return { given, family };
  const crossGiven = compareGiven([a.family], [gb]);
  const crossFamily = compareGiven([ga], [b.family]);
  if (AGREE(crossGiven.level) && AGREE(crossFamily.level)) {
    return { given: { level: 'close', detail: 'swapped' }, family: { level: 'close', detail: 'swapped' } };
  }
  return { given, family };
}

/**
 * First names that agree firmly enough to tell twins apart: exact, a nickname, or a typo that
 * keeps the first letter. A middle name used as first name, a sound-alike, or a first-letter
 * change (Donald/Ronald, the classic twin pair) is not enough.
 */
function firmGiven(c: Comparison, a: NormalizedRecord, b: NormalizedRecord): boolean {
  if (c.level === 'exact') return true;
  if (c.level !== 'close') return false;
  if (c.detail === 'nickname' || c.detail === 'spacing' || c.detail === 'swapped') return true;
  return (c.detail === 'typo' || c.detail === 'similar') && a.given[0]?.[0] === b.given[0]?.[0];
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

/** Scores one pair of normalized records: total log2 weight, per-field evidence, and the hard rules that fired. */
export function scorePair(a: NormalizedRecord, b: NormalizedRecord, opts: ScoreOptions = {}): PairScore {
  const weights = opts.weights ?? DEFAULT_WEIGHTS;
  const names = nameComparisons(a, b);
  const dob = compareBirthDate(a.birthDate, b.birthDate);
  const ssn = compareSsn(a.ssn, b.ssn);
  const sex = compareSex(a.sex, b.sex);
  const suffix = compareSuffix(a.suffix, b.suffix);
  const comparisons: [Field, Comparison][] = [
    ['given', names.given],
    ['family', names.family],
    ['birthDate', dob],
    ['sex', sex],
    ['street', compareStreet(a, b)],
    ['locality', compareLocality(a, b)],
    ['phone', comparePhone(a.phone, b.phone)],
    ['ssn', ssn],
    ['suffix', suffix],
  ];
  let score = 0;
  const evidence: Evidence[] = [];
  for (const [field, c] of comparisons) {
    const weight = c.level === 'missing' ? 0 : weights[field][c.level];
    score += weight;
    const e: Evidence = { field, level: c.level, weight };
    if (c.detail !== undefined) e.detail = c.detail;
    if (opts.withValues === true && c.level !== 'missing') e.values = [valuesOf(field, a), valuesOf(field, b)];
    evidence.push(e);
  }

  const rules: Rule[] = [];
  const ssnExact = ssn.level === 'exact';
  const givenAgrees = AGREE(names.given.level);
  const givenFirm = firmGiven(names.given, a, b);
  const familyAgrees = AGREE(names.family.level);
  const street = comparisons[4]?.[1].level ?? 'missing';
  const phone = comparisons[6]?.[1].level ?? 'missing';
  // Two different valid SSNs are two people unless a typo explains the difference, or the
  // identity core (first name, family name, exact birth date, and address or phone) agrees:
  // relatives never share that core, so there the SSN itself is the error (FEBRL replaces
  // whole SSNs in some duplicates; registration clerks do the same).
  const coreAgrees = givenFirm && familyAgrees && dob.level === 'exact' && (AGREE(street) || phone === 'exact');
  if (ssn.level === 'disagree' && !coreAgrees) rules.push('ssn-mismatch');
  // Twins: same birth date and family name, different first names. An identical SSN says it is
  // one person with a mistyped first name (FEBRL has such duplicates).
  if (!givenFirm && names.given.level !== 'missing' && AGREE(dob.level) && familyAgrees && !ssnExact) rules.push('twins');
  // Jr/Sr, II/III.
  if (suffix.level === 'disagree') rules.push('suffix-mismatch');
  // Parent and child with the same name: a generation apart. Fires even with an equal SSN,
  // because children are often registered under the parent's (guarantor's) SSN; only a
  // single-digit typo that happens to jump a decade is forgiven, and only with an equal SSN.
  const generationApart = dob.level !== 'exact' && dob.level !== 'missing' && (dob.yearGap ?? 0) >= PARENT_CHILD_YEARS;
  if (generationApart && !(dob.level === 'close' && ssnExact)) rules.push('parent-child');
  // Siblings at the same address: birth dates differ by less than a generation.
  else if (dob.level === 'disagree' && !ssnExact) rules.push('birth-date-mismatch');
  // A child registered under a parent's SSN: SSN equal, but neither first name nor birth date.
  if (ssnExact && !givenAgrees && names.given.level !== 'missing' && (dob.level === 'disagree' || dob.level === 'partial')) rules.push('relatives-shared-ssn');
  // Different recorded sex while everything else agrees: more often a relative or a data error than the same person.
  if (sex.level === 'disagree') rules.push('sex-mismatch');
  return { score, evidence, rules };
}
