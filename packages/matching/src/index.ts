/** @kennebec/matching: pure patient matching (normalize, compare, score, block, decide); no I/O. */
export { normalize, fromFhirPatient, cleanText, normalizeStreet, normalizePhone, normalizeSsn, normalizeZip, normalizeBirthDate, normalizeSuffix } from './normalize.ts';
export type { Address, Demographics, NormalizedRecord, Sex } from './normalize.ts';
export { areNicknames, nicknamePairCount } from './nicknames.ts';
export { jaroWinkler, damerauLevenshtein, soundex, nysiis } from './strings.ts';
export {
  compareBirthDate,
  compareFamily,
  compareGiven,
  compareLocality,
  comparePhone,
  compareSex,
  compareSsn,
  compareStreet,
  compareSuffix,
} from './compare.ts';
export type { Comparison, DateComparison, Level } from './compare.ts';
export { compareRecords, DEFAULT_WEIGHTS, scorePair } from './score.ts';
export type { Compared, Evidence, Field, LevelWeights, PairScore, Rule, ScoreOptions } from './score.ts';
export { fitWeights } from './em.ts';
export type { FieldFit, FitOptions, WeightFit } from './em.ts';
export { NameFrequencies, nameKeys } from './frequency.ts';
export type { FieldCounts, FrequencyOptions } from './frequency.ts';
export { blockingKeys, KEYS_VERSION, MatchIndex } from './block.ts';
export type { IndexOptions, MatchCandidate, MatchOptions } from './block.ts';
export { decide, DEFAULT_THRESHOLDS } from './decide.ts';
export type { Decision, Thresholds } from './decide.ts';
