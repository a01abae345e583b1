/**
 * Field comparators. Each returns an agreement level, the unit of Fellegi–Sunter weighting:
 * instead of one agree/disagree bit per field we use graded levels (Winkler 1990's
 * "approximate agreement"), so a typo weighs less than exact agreement but more than none.
 */
import { areNicknames } from './nicknames.ts';
import type { NormalizedRecord } from './normalize.ts';
import { damerauLevenshtein, jaroWinkler, nysiis } from './strings.ts';

export type Level = 'exact' | 'close' | 'partial' | 'disagree' | 'missing';

export interface Comparison {
  level: Level;
  /** Why a non-exact level was chosen ('nickname', 'typo', 'day-month-swap'…); never a value. */
  detail?: string;
}

const MISSING: Comparison = { level: 'missing' };
const EXACT: Comparison = { level: 'exact' };
const DISAGREE: Comparison = { level: 'disagree' };

function at(level: Level, detail: string): Comparison {
  return { level, detail };
}

/**
 * Similar enough to be a spelling variant: one edit, Jaro–Winkler ≥ 0.9, or the same NYSIIS
 * code with Jaro–Winkler ≥ 0.8. `jw` is jaroWinkler(a, b), computed once by the caller; the
 * phonetic code is only worked out where it can change the answer.
 */
function closeString(a: string, b: string, jw: number): string | undefined {
  if (Math.min(a.length, b.length) >= 3 && damerauLevenshtein(a, b, 1) <= 1) return 'typo';
  if (jw >= 0.9) return 'similar';
  if (jw >= 0.8 && a.length >= 3 && b.length >= 3 && nysiis(a) === nysiis(b)) return 'phonetic';
  return undefined;
}

/** First given names; a nickname, typo, a middle name used as first name, or split/joined tokens count as close. */
export function compareGiven(a: readonly string[], b: readonly string[]): Comparison {
  const ga = a[0];
  const gb = b[0];
  if (ga === undefined || gb === undefined) return MISSING;
  if (ga === gb) return EXACT;
  if ((a.length > 1 || b.length > 1) && a.join('') === b.join('')) return at('close', 'spacing');
  if (areNicknames(ga, gb)) return at('close', 'nickname');
  const jw = jaroWinkler(ga, gb);
  if (ga.length > 1 && gb.length > 1) {
    const why = closeString(ga, gb, jw);
    if (why !== undefined) return at('close', why);
  }
  if (a.includes(gb) || b.includes(ga)) return at('close', 'middle-name');
  if ((ga.length === 1 || gb.length === 1) && ga[0] === gb[0]) return at('partial', 'initial');
  if (jw >= 0.8) return at('partial', 'similar');
  return DISAGREE;
}

/** Family names, seeing through hyphenation ("smith-jones" ~ "jones") and earlier names (marriage). */
export function compareFamily(a: NormalizedRecord, b: NormalizedRecord): Comparison {
  if (a.family === '' || b.family === '') return MISSING;
  if (a.family === b.family) return EXACT;
  if (a.familyParts.length > 1 || b.familyParts.length > 1) {
    for (const p of a.familyParts) if (p.length > 1 && b.familyParts.includes(p)) return at('close', 'compound');
  }
  if (a.otherFamilies.includes(b.family) || b.otherFamilies.includes(a.family)) return at('close', 'previous-name');
  const jw = jaroWinkler(a.family, b.family);
  const why = closeString(a.family, b.family, jw);
  if (why !== undefined) return at('close', why);
  if (jw >= 0.8) return at('partial', 'similar');
  return DISAGREE;
}

export interface DateComparison extends Comparison {
  /** |year difference| when both dates are present; the parent/child rule reads it. */
  yearGap?: number;
}

/**
 * Birth dates (YYYYMMDD). Close: one digit mistyped or two adjacent digits swapped, day and month
 * swapped (US/European order), or the year one off with day and month equal (1989 ↔ 1990, a
 * carry the one-digit rule misses). Partial: two digits wrong, or the same year and month.
 * Anything else disagrees: a different date altogether, which `yearGap` sizes for the
 * parent/child rule.
 */
export function compareBirthDate(a: string | undefined, b: string | undefined): DateComparison {
  if (a === undefined || b === undefined) return MISSING;
  const yearGap = Math.abs(Number(a.slice(0, 4)) - Number(b.slice(0, 4)));
  if (a === b) return { level: 'exact', yearGap };
  const sameYear = a.slice(0, 4) === b.slice(0, 4);
  if (sameYear && a.slice(4, 6) === b.slice(6, 8) && a.slice(6, 8) === b.slice(4, 6)) {
    return { level: 'close', detail: 'day-month-swap', yearGap };
  }
  if (damerauLevenshtein(a, b, 1) <= 1) return { level: 'close', detail: 'typo', yearGap };
  if (yearGap === 1 && a.slice(4) === b.slice(4)) return { level: 'close', detail: 'year-off-by-one', yearGap };
  let hamming = 0;
  for (let i = 0; i < 8; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) hamming++;
  if (hamming <= 2) return { level: 'partial', detail: 'two-digits', yearGap };
  if (a.slice(0, 6) === b.slice(0, 6)) return { level: 'partial', detail: 'same-month', yearGap };
  return { level: 'disagree', yearGap };
}

export function compareSex(a: NormalizedRecord['sex'], b: NormalizedRecord['sex']): Comparison {
  if (a === undefined || b === undefined || a === 'other' || b === 'other') return MISSING;
  return a === b ? EXACT : DISAGREE;
}

/** House number and street; units are ignored. Same street, other house number is partial (a move next door is rare; a typo common). */
export function compareStreet(a: NormalizedRecord, b: NormalizedRecord): Comparison {
  if (a.street === undefined || b.street === undefined) return MISSING;
  const sameHouse = a.houseNumber === b.houseNumber;
  const closeHouse = sameHouse || a.houseNumber === undefined || b.houseNumber === undefined || damerauLevenshtein(a.houseNumber, b.houseNumber, 1) <= 1;
  const sa = a.street === b.street ? '' : a.street.replace(/ /g, '');
  const sb = a.street === b.street ? '' : b.street.replace(/ /g, '');
  if (sa === sb) return sameHouse ? EXACT : closeHouse ? at('close', 'house-number') : at('partial', 'same-street');
  const streetClose = jaroWinkler(sa, sb) >= 0.88;
  if (streetClose && closeHouse) return at('close', 'typo');
  if (streetClose || (sameHouse && jaroWinkler(sa, sb) >= 0.75)) return at('partial', 'similar');
  return DISAGREE;
}

/** ZIP/postcode and city together: both agree → exact, one agrees → close. */
export function compareLocality(a: NormalizedRecord, b: NormalizedRecord): Comparison {
  const zipKnown = a.zip !== undefined && b.zip !== undefined;
  const cityKnown = a.city !== undefined && b.city !== undefined;
  if (!zipKnown && !cityKnown) return MISSING;
  const zip = zipKnown && a.zip === b.zip;
  const city = cityKnown && (a.city === b.city || jaroWinkler((a.city ?? '').replace(/ /g, ''), (b.city ?? '').replace(/ /g, '')) >= 0.9);
  if (zip && (city || !cityKnown)) return EXACT;
  if (city && !zipKnown) return EXACT;
  if (zip || city) return at('close', zip ? 'zip' : 'city');
  if (zipKnown && damerauLevenshtein(a.zip as string, b.zip as string, 1) <= 1) return at('partial', 'zip-typo');
  return DISAGREE;
}

/** Phones: one typo or transposition, or the same local number with another area code → close. */
export function comparePhone(a: string | undefined, b: string | undefined): Comparison {
  if (a === undefined || b === undefined) return MISSING;
  if (a === b) return EXACT;
  if (damerauLevenshtein(a, b, 1) <= 1) return at('close', 'typo');
  if (a.length >= 10 && b.length >= 10 && a.slice(-7) === b.slice(-7)) return at('close', 'area-code');
  return DISAGREE;
}

/**
 * SSNs: one mistyped digit or one swapped pair → close; two such errors → partial; anything else
 * is a different number (a replaced SSN, or another person's), which disagrees. Twins often
 * have consecutive SSNs, so closeness never separates them on its own (see the twins rule).
 */
export function compareSsn(a: string | undefined, b: string | undefined): Comparison {
  if (a === undefined || b === undefined) return MISSING;
  if (a === b) return EXACT;
  const d = damerauLevenshtein(a, b, 2);
  if (d <= 1) return at('close', 'typo');
  if (d === 2 && a.length === b.length) return at('partial', 'two-digits');
  return DISAGREE;
}

/** Generational suffixes: both present and different is the Jr/Sr signal; one missing tells nothing. */
export function compareSuffix(a: string | undefined, b: string | undefined): Comparison {
  if (a === undefined || b === undefined) return MISSING;
  return a === b ? EXACT : DISAGREE;
}

export type Field = 'given' | 'family' | 'birthDate' | 'sex' | 'street' | 'locality' | 'phone' | 'ssn' | 'suffix';

/** Exact or close: the levels that count as agreement. */
export const AGREE = (l: Level): boolean => l === 'exact' || l === 'close';

/**
 * A family name compared, as a given name, with the other record's given names: split or joined
 * tokens count ("saralouise" / "sara louise"), one name matching a middle name does not.
 */
function crossCompare(a: readonly string[], b: readonly string[]): Comparison {
  const c = compareGiven(a, b);
  return c.detail === 'middle-name' ? DISAGREE : c;
}

/** Given and family names, seeing through the two entered in each other's boxes. */
function nameComparisons(a: NormalizedRecord, b: NormalizedRecord): { given: Comparison; family: Comparison } {
  const given = compareGiven(a.given, b.given);
  const family = compareFamily(a, b);
  if (AGREE(given.level) && AGREE(family.level)) return { given, family };
  // Given and family entered in each other's boxes: compare crosswise.
  const ga = a.given[0];
  const gb = b.given[0];
  if (ga === undefined || gb === undefined) return { given, family };
  const crossGiven = crossCompare([a.family], b.given);
  const crossFamily = crossCompare(a.given, [b.family]);
  if (AGREE(crossGiven.level) && AGREE(crossFamily.level)) {
    // Each keeps its own level: swapped but exact is as strong as exact (two people whose names
    // are each other's mirror image, with the same birth date, are far rarer than a swap).
    return { given: { level: crossGiven.level, detail: 'swapped' }, family: { level: crossFamily.level, detail: 'swapped' } };
  }
  return { given, family };
}

/** Every field's comparison of one pair, in evidence order. */
export interface Compared {
  names: { given: Comparison; family: Comparison };
  dob: DateComparison;
  ssn: Comparison;
  sex: Comparison;
  suffix: Comparison;
  street: Comparison;
  locality: Comparison;
  phone: Comparison;
  /** The same comparisons as [field, comparison] in evidence order. */
  fields: [Field, Comparison][];
}

/** Compares every field of a pair (no weights): the input of scoring and of weight fitting (em.ts). */
export function compareRecords(a: NormalizedRecord, b: NormalizedRecord): Compared {
  const names = nameComparisons(a, b);
  const dob = compareBirthDate(a.birthDate, b.birthDate);
  const ssn = compareSsn(a.ssn, b.ssn);
  const sex = compareSex(a.sex, b.sex);
  const suffix = compareSuffix(a.suffix, b.suffix);
  const street = compareStreet(a, b);
  const locality = compareLocality(a, b);
  const phone = comparePhone(a.phone, b.phone);
  const fields: [Field, Comparison][] = [
    ['given', names.given],
    ['family', names.family],
    ['birthDate', dob],
    ['sex', sex],
    ['street', street],
    ['locality', locality],
    ['phone', phone],
    ['ssn', ssn],
    ['suffix', suffix],
  ];
  return { names, dob, ssn, sex, suffix, street, locality, phone, fields };
}

