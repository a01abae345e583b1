/**
 * The hard rules: patterns in which a high score is better explained by a relative or a
 * look-alike than by one person (twins, parent and child, siblings, a child under a parent's
 * SSN). A rule that fires caps the decision at review (decide.ts); only the rules in
 * `REVIEW_RULES`, which fire where one person and two relatives look exactly alike, also raise a
 * low score to review. Each fires only when the pair fits its explanation, so a pair that fits
 * none is decided by its score even when one stable field (a replaced SSN, a birth date wrong
 * by less than a generation) wholly differs.
 */
import { AGREE, type Comparison, type Compared } from './compare.ts';
import { areNicknames } from './nicknames.ts';
import type { NormalizedRecord } from './normalize.ts';

/** Hard rules that keep relatives and look-alikes apart whatever the score. */
export type Rule =
  | 'ssn-mismatch'
  | 'twins'
  | 'twins-shared-ssn'
  | 'suffix-mismatch'
  | 'parent-child'
  | 'namesake-shared-ssn'
  | 'birth-date-mismatch'
  | 'sex-mismatch'
  | 'relatives-shared-ssn';

/**
 * Birth years at least this far apart: far enough for a parent and a child. The gap is counted
 * in calendar years, which is never less than the parent's age at the birth (born December 1970,
 * a parent at 13 in January 1984: 14 years), so 12 covers every parent who was 12 or older;
 * births to younger parents are vanishingly rare. A wholly wrong birth date less than 12 years
 * off cannot be a parent's or a child's, so it is weighed like any other error.
 */
export const PARENT_CHILD_YEARS = 12;

/**
 * Rules that send a pair to review whatever its score (decide.ts): the pair is one person or two
 * relatives under one SSN, and nothing recorded tells which, so a person must look.
 */
export const REVIEW_RULES: ReadonlySet<Rule> = new Set<Rule>(['namesake-shared-ssn', 'twins-shared-ssn']);

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

/**
 * The same first name but for spelling: exact (also when swapped with the family name), split
 * or joined, or one typo that keeps the first letter. Stricter than `firmGiven`: where another
 * stable identifier already disagrees, a nickname (William/Liam) or a look-alike
 * (Mary/Marilyn, Joseph/Jose) is how a parent and child or twins are named, not a second error.
 */
function sameGiven(c: Comparison, a: NormalizedRecord, b: NormalizedRecord): boolean {
  if (c.level === 'exact') return true;
  if (c.level !== 'close') return false;
  if (c.detail === 'spacing' || c.detail === 'swapped') return true;
  return c.detail === 'typo' && a.given[0]?.[0] === b.given[0]?.[0];
}

/** Both records carry a middle name and they differ (an initial matching the name does not differ). */
function middleNamesDiffer(a: NormalizedRecord, b: NormalizedRecord): boolean {
  const ma = a.given[1];
  const mb = b.given[1];
  if (ma === undefined || mb === undefined || ma === mb) return false;
  if (ma.length === 1 || mb.length === 1) return ma[0] !== mb[0];
  return !areNicknames(ma, mb);
}

/** The rules that fire for one compared pair. */
export function hardRules(a: NormalizedRecord, b: NormalizedRecord, c: Compared): Rule[] {
  const { names, dob, ssn, sex, suffix } = c;
  const rules: Rule[] = [];
  const ssnExact = ssn.level === 'exact';
  const givenAgrees = AGREE(names.given.level);
  const givenFirm = firmGiven(names.given, a, b);
  const familyAgrees = AGREE(names.family.level);
  // Same home: same street (another house number counts: FEBRL and clerks mistype it), same
  // ZIP and town, or the same phone. Relatives share it, so it never separates them; it only
  // adds to the evidence that a record with one wrong identifier is the same person.
  const sameHome = (c.street.level !== 'disagree' && c.street.level !== 'missing') || c.locality.level === 'exact' || AGREE(c.phone.level);
  const sameName = sameGiven(names.given, a, b) && familyAgrees && !middleNamesDiffer(a, b);
  // Two wholly different SSNs are two people, unless first name, family name, birth date (exact,
  // or one typo that keeps the decade) and home all agree: no relative fits that (twins differ
  // in first name, parent and child in birth date), so the SSN is the error — FEBRL replaces
  // whole SSNs in some duplicates, registration clerks do the same — and the score decides,
  // with the SSN disagreement weighed against the rest.
  const sameBirthDate = dob.level === 'exact' || (dob.level === 'close' && (dob.yearGap ?? 0) < PARENT_CHILD_YEARS);
  if (ssn.level === 'disagree' && !(sameName && sameBirthDate && sameHome)) rules.push('ssn-mismatch');
  // Twins: same birth date and family name, different first names. Under one SSN they are
  // 'twins-shared-ssn': children, twins too, are registered under a parent's (guarantor's) SSN,
  // and then everything but the first name agrees — as it does for one person whose first name
  // was recorded wrongly (FEBRL replaces whole names). Review whatever the score.
  if (!givenFirm && names.given.level !== 'missing' && AGREE(dob.level) && familyAgrees) rules.push(ssnExact ? 'twins-shared-ssn' : 'twins');
  // Jr/Sr, II/III.
  if (suffix.level === 'disagree') rules.push('suffix-mismatch');
  // Parent and child with the same name: birth dates a generation apart (wholly different, or
  // a typo that happens to jump decades: 1958/1988 is one digit). Never linked automatically,
  // whatever else agrees. Children are often registered under the parent's (guarantor's) SSN and
  // at the parent's address, and a son named after his father with no Jr/Sr recorded on either
  // record agrees on everything but the birth date — exactly what one person with a birth date
  // recorded wrongly looks like (FEBRL replaces whole dates; so do clerks). When that is all
  // that differs (equal SSN, the same name, the same home, no suffix, no sex difference), the
  // pair is 'namesake-shared-ssn' and goes to review whatever its score: staff see a parent and
  // child, or link one person. Otherwise it is 'parent-child' (a review at most).
  const generationApart = dob.level !== 'exact' && dob.level !== 'missing' && (dob.yearGap ?? 0) >= PARENT_CHILD_YEARS;
  const onlyBirthDateDiffers = ssnExact && sameName && sameHome && a.suffix === undefined && b.suffix === undefined && sex.level !== 'disagree';
  if (generationApart) rules.push(onlyBirthDateDiffers ? 'namesake-shared-ssn' : 'parent-child');
  // Siblings at the same address: birth dates differ by less than a generation — wholly, or in
  // two digits including the year (1967-05-07 / 1963-05-03) with first names not the same.
  else if (!ssnExact && (dob.level === 'disagree' || (dob.level === 'partial' && (dob.yearGap ?? 0) > 0 && names.given.level !== 'exact'))) {
    rules.push('birth-date-mismatch');
  }
  // A child registered under a parent's SSN: SSN equal, but neither first name nor birth date.
  if (ssnExact && !givenAgrees && names.given.level !== 'missing' && (dob.level === 'disagree' || dob.level === 'partial' || generationApart)) rules.push('relatives-shared-ssn');
  // Different recorded sex while everything else agrees: more often a relative or a data error than the same person.
  if (sex.level === 'disagree') rules.push('sex-mismatch');
  return rules;
}
