/**
 * Decision thresholds (Fellegi–Sunter's two cut-offs): above `upper` link automatically,
 * below `lower` create a new Person, in between queue for review. A hard rule (rules.ts)
 * caps the decision at review; the few in `REVIEW_RULES` also keep a pair with a score below
 * `lower` in review: they fire only where a person must decide, never on strangers.
 */
import { REVIEW_RULES } from './rules.ts';
import type { PairScore } from './score.ts';

export type Decision = 'link' | 'review' | 'new';

export interface Thresholds {
  upper: number;
  lower: number;
}

/**
 * Tuned on the generated population (bench/src/matching/generated.ts): `upper` sits above the
 * score of two different people who share name and birth date but nothing else (≈ 17–18), so
 * such look-alikes go to review; `lower` sits where true matches with several changed fields
 * (moved, new phone, nickname) still reach review.
 */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = { upper: 18, lower: 10 };

export function decide(s: Pick<PairScore, 'score' | 'rules'>, t: Readonly<Thresholds> = DEFAULT_THRESHOLDS): Decision {
  if (s.score >= t.upper && s.rules.length === 0) return 'link';
  if (s.score >= t.lower) return 'review';
  for (const r of s.rules) if (REVIEW_RULES.has(r)) return 'review';
  return 'new';
}
