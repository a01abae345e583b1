/**
 * Generated-population benchmark: N people indexed; then (a) second registrations of a subset
 * with realistic errors (should link to their person), (b) unrelated new people and (c) hard
 * negatives, relatives sharing a household with an indexed person (must never link). The
 * count that matters most is (c)'s wrong merges: a wrong merge shows one person's record to another.
 */
import { MatchIndex, normalize, type Decision, type Demographics, type Thresholds } from '@kennebec/matching';
import { Rng } from '../generate/rng.ts';
import { quality, type Quality } from './metrics.ts';
import { people } from './population.ts';
import { relativeOf, reRegister, type HardNegativeKind } from './registration.ts';

export interface GeneratedOptions {
  persons: number;
  seed: number;
  /** Share of persons registered a second time. */
  duplicateRate: number;
  /** Share of persons that get one relative of each hard-negative kind. */
  hardNegativeRate: number;
  thresholds?: Thresholds;
}

export interface GeneratedResult {
  persons: number;
  duplicates: number;
  quality: Quality;
  duplicateOutcomes: Record<Decision | 'wrong-person', number>;
  /** Per change type: how many duplicates carried it and how many of those linked. */
  byChange: Record<string, { total: number; linked: number }>;
  newPeople: { total: number; wrongMerges: number; reviews: number };
  hardNegatives: Record<HardNegativeKind, { total: number; wrongMerges: number; reviews: number }>;
  recordsPerSecond: number;
}

const KINDS: HardNegativeKind[] = ['twin', 'sibling', 'junior', 'senior-same-name', 'guarantor-ssn', 'namesake-ssn', 'twin-shared-ssn'];

export function runGenerated(opts: GeneratedOptions): GeneratedResult {
  const index = new MatchIndex(opts.thresholds === undefined ? {} : { thresholds: opts.thresholds });
  const sources: Demographics[] = [];
  for (const p of people(opts.seed, opts.persons)) {
    sources.push(p.demographics);
    index.add(String(p.index), normalize(p.demographics));
  }
  const rng = Rng.fromWords([opts.seed, 0x6d61, 0x7463]);
  const t0 = performance.now();
  let queries = 0;
  const outcomes: GeneratedResult['duplicateOutcomes'] = { link: 0, review: 0, new: 0, 'wrong-person': 0 };
  const byChange: GeneratedResult['byChange'] = {};
  let duplicates = 0;
  for (let i = 0; i < sources.length; i++) {
    if (!rng.chance(opts.duplicateRate)) continue;
    duplicates++;
    const { record, changes } = reRegister(rng, sources[i] as Demographics);
    const best = index.match(record, { limit: 1 })[0];
    queries++;
    const decision = best?.decision ?? 'new';
    const right = best?.id === String(i);
    if (decision === 'link' && !right) outcomes['wrong-person']++;
    else outcomes[decision]++;
    for (const c of changes.length === 0 ? ['none'] : changes) {
      const s = (byChange[c] ??= { total: 0, linked: 0 });
      s.total++;
      if (decision === 'link' && right) s.linked++;
    }
  }
  const newPeople = { total: 0, wrongMerges: 0, reviews: 0 };
  const newCount = Math.round(opts.persons * 0.1);
  for (const p of people(opts.seed, newCount, opts.persons)) {
    const best = index.match(p.demographics, { limit: 1 })[0];
    queries++;
    newPeople.total++;
    if (best?.decision === 'link') newPeople.wrongMerges++;
    else if (best?.decision === 'review') newPeople.reviews++;
  }
  // The kinds added later draw from streams of their own, so the others meet the same relatives as before.
  const laterRng: Partial<Record<HardNegativeKind, Rng>> = {
    'namesake-ssn': Rng.fromWords([opts.seed, 0x6e61, 0x6d65]),
    'twin-shared-ssn': Rng.fromWords([opts.seed, 0x7477, 0x6e73]),
  };
  const hardNegatives = Object.fromEntries(KINDS.map((k) => [k, { total: 0, wrongMerges: 0, reviews: 0 }])) as GeneratedResult['hardNegatives'];
  for (let i = 0; i < sources.length; i++) {
    if (!rng.chance(opts.hardNegativeRate)) continue;
    for (const kind of KINDS) {
      const src = sources[i] as Demographics;
      if ((kind === 'guarantor-ssn' || kind === 'namesake-ssn' || kind === 'twin-shared-ssn') && src.ssn === undefined) continue;
      const best = index.match(relativeOf(laterRng[kind] ?? rng, src, kind), { limit: 1 })[0];
      queries++;
      const h = hardNegatives[kind];
      h.total++;
      if (best?.decision === 'link') h.wrongMerges++;
      else if (best?.decision === 'review') h.reviews++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const hardMerges = Object.values(hardNegatives).reduce((n, h) => n + h.wrongMerges, 0);
  const tp = outcomes.link;
  const fp = outcomes['wrong-person'] + newPeople.wrongMerges + hardMerges;
  return {
    persons: opts.persons,
    duplicates,
    quality: quality(tp, fp, duplicates - tp),
    duplicateOutcomes: outcomes,
    byChange,
    newPeople,
    hardNegatives,
    recordsPerSecond: queries / seconds,
  };
}

export function formatGenerated(r: GeneratedResult): string {
  const q = r.quality;
  const lines = [
    `persons ${r.persons}, second registrations ${r.duplicates}: precision ${q.precision.toFixed(4)}, recall ${q.recall.toFixed(4)}, F1 ${q.f1.toFixed(4)} (TP ${q.truePositives}, FP ${q.falsePositives}, FN ${q.falseNegatives}); queries/s ${Math.round(r.recordsPerSecond)}`,
    `  duplicates: link ${r.duplicateOutcomes.link}, review ${r.duplicateOutcomes.review}, new ${r.duplicateOutcomes.new}, linked to the wrong person ${r.duplicateOutcomes['wrong-person']}`,
    `  unrelated new people: ${r.newPeople.total}, wrong merges ${r.newPeople.wrongMerges}, reviews ${r.newPeople.reviews}`,
    '  hard negatives (kind: total / WRONG MERGES / reviews):',
  ];
  for (const [k, h] of Object.entries(r.hardNegatives)) lines.push(`    ${k.padEnd(18)} ${String(h.total).padStart(6)} / ${String(h.wrongMerges).padStart(4)} / ${String(h.reviews).padStart(5)}`);
  lines.push('  recall by change (linked / total):');
  for (const [c, s] of Object.entries(r.byChange).sort()) lines.push(`    ${c.padEnd(16)} ${String(s.linked).padStart(6)} / ${String(s.total).padStart(6)}  ${(s.linked / s.total).toFixed(3)}`);
  return lines.join('\n');
}
