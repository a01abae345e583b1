/**
 * Looking into FEBRL4 results: where the missed links come from (`--misses`), and what m/u
 * weights the EM algorithm fits to the data compared with the defaults (`--fit`).
 * Both print categories and numbers only, never a record's values.
 */
import { join } from 'node:path';
import { DEFAULT_WEIGHTS, fitWeights, MatchIndex, scorePair, type Field, type NormalizedRecord, type WeightFit } from '@kennebec/matching';
import { Rng } from '../generate/rng.ts';
import { readFebrl, type FebrlRecord } from './febrl.ts';

const STABLE: readonly Field[] = ['given', 'family', 'birthDate', 'street', 'locality', 'ssn'];

export interface MissCategory {
  /** 'not blocked', 'rule: …' or 'score below link'. */
  reason: string;
  /** Stable fields wholly different (disagree) or missing on one side, e.g. "birthDate≠ street?". */
  fields: string;
  count: number;
}

function loadFebrl4(dir: string): { a: FebrlRecord[]; b: FebrlRecord[]; index: MatchIndex } {
  const a = readFebrl(join(dir, 'dataset4a.csv'));
  const b = readFebrl(join(dir, 'dataset4b.csv'));
  const index = new MatchIndex();
  for (const r of a) index.add(r.recId, r.record);
  return { a, b, index };
}

/** Every 4b record whose true 4a record is not its linked best candidate, grouped by why. */
export function febrl4Misses(dir: string): { misses: number; categories: MissCategory[] } {
  const { a, b, index } = loadFebrl4(dir);
  const truthOf = new Map(a.map((r) => [r.entity, r]));
  const counts = new Map<string, number>();
  let misses = 0;
  for (const r of b) {
    const truth = truthOf.get(r.entity);
    if (truth === undefined) continue;
    const best = index.match(r.record, { limit: 1 })[0];
    if (best?.decision === 'link' && best.id === truth.recId) continue;
    misses++;
    const s = scorePair(r.record, truth.record, index.frequencies === undefined ? {} : { frequencies: index.frequencies });
    const reason = !index.candidates(r.record).includes(truth.recId)
      ? 'not blocked'
      : best !== undefined && best.id !== truth.recId && best.decision === 'link'
        ? 'linked elsewhere'
        : s.rules.length > 0
          ? `rule: ${s.rules.join('+')}`
          : 'score below link';
    const fields = s.evidence
      .filter((e) => STABLE.includes(e.field) && (e.level === 'disagree' || e.level === 'missing'))
      .map((e) => `${e.field}${e.level === 'disagree' ? '≠' : '?'}`)
      .join(' ');
    const key = `${reason}\t${fields === '' ? '(only typos)' : fields}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const categories = [...counts]
    .map(([key, count]) => {
      const [reason, fields] = key.split('\t') as [string, string];
      return { reason, fields, count };
    })
    .sort((x, y) => y.count - x.count || (x.reason + x.fields < y.reason + y.fields ? -1 : 1));
  return { misses, categories };
}

export function formatMisses(r: { misses: number; categories: MissCategory[] }, top = 25): string {
  const byReason = new Map<string, number>();
  for (const c of r.categories) byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + c.count);
  const lines = [`FEBRL4 missed links: ${r.misses} (≠ wholly different, ? missing on one side)`, '  by reason:'];
  for (const [reason, n] of [...byReason].sort((x, y) => y[1] - x[1])) lines.push(`    ${String(n).padStart(5)}  ${reason}`);
  lines.push(`  by reason and fields (top ${top}):`);
  for (const c of r.categories.slice(0, top)) lines.push(`    ${String(c.count).padStart(5)}  ${c.reason.padEnd(36)} ${c.fields}`);
  return lines.join('\n');
}

/** EM fit on FEBRL4's blocked candidate pairs, with u measured on random 4a × 4b pairs. */
export function febrl4Fit(dir: string, seed: number): WeightFit {
  const { a, b, index } = loadFebrl4(dir);
  const pairs: [NormalizedRecord, NormalizedRecord][] = [];
  for (const r of b) for (const id of index.candidates(r.record)) pairs.push([r.record, index.get(id) as NormalizedRecord]);
  const rng = Rng.fromWords([seed, 0xe3]);
  const randomPairs: [NormalizedRecord, NormalizedRecord][] = [];
  for (let i = 0; i < 200_000; i++) randomPairs.push([(b[rng.int(b.length)] as FebrlRecord).record, (a[rng.int(a.length)] as FebrlRecord).record]);
  return fitWeights(pairs, { randomPairs });
}

export function formatFit(fit: WeightFit): string {
  const lines = [
    `EM on FEBRL4 blocked pairs: ${fit.pairs} pairs, match share ${fit.matchShare.toFixed(4)}, ${fit.iterations} iterations${fit.converged ? '' : ' (not converged)'}; u from 200,000 random pairs`,
    '  field       level      pairs  m        u         fitted  default  (fitted = default where a level was seen < 20 times)',
  ];
  for (const [field, f] of Object.entries(fit.fields) as [Field, WeightFit['fields'][Field]][]) {
    for (const level of ['exact', 'close', 'partial', 'disagree'] as const) {
      if (f.observed[level] === 0) continue;
      lines.push(
        `  ${field.padEnd(10)}  ${level.padEnd(8)}  ${String(f.observed[level]).padStart(5)}  ${f.m[level].toFixed(4)}  ${f.u[level].toFixed(5)}  ${f.weights[level].toFixed(1).padStart(6)}  ${DEFAULT_WEIGHTS[field][level].toFixed(1).padStart(7)}`,
      );
    }
  }
  return lines.join('\n');
}
