/**
 * Scale benchmark: index N generated persons (default 1M), then time match() for Q queries, a
 * mix of second registrations with errors and unrelated new people, as `Patient/$match` would
 * see them. Reports p50/p99 latency, candidates per query, wrong merges among the new people,
 * and the process RSS (the whole bench process, so an upper bound for the index).
 */
import { MatchIndex, normalize } from '@kennebec/matching';
import type { Demographics } from '@kennebec/matching';
import { Rng } from '../generate/rng.ts';
import { percentile, rssMb } from './metrics.ts';
import { people } from './population.ts';
import { reRegister } from './registration.ts';

export interface ScaleOptions {
  persons: number;
  queries: number;
  seed: number;
  log: (line: string) => void;
}

export interface ScaleResult {
  persons: number;
  indexSeconds: number;
  rssAfterIndexMb: number;
  heapUsedMb: number;
  queries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanCandidates: number;
  duplicateLinkedRight: number;
  duplicateWrongPerson: number;
  duplicates: number;
  newPeople: number;
  newPeopleWrongMerges: number;
}

export function runScale(opts: ScaleOptions): ScaleResult {
  const index = new MatchIndex();
  const rng = Rng.fromWords([opts.seed, 0x5ca1e]);
  // Keep the sources of a sample of persons only, for second registrations.
  const sampleEvery = Math.max(1, Math.floor(opts.persons / opts.queries));
  const sample: { id: string; d: Demographics }[] = [];
  const t0 = performance.now();
  for (const p of people(opts.seed, opts.persons)) {
    index.add(String(p.index), normalize(p.demographics));
    if (p.index % sampleEvery === 0) sample.push({ id: String(p.index), d: p.demographics });
    if ((p.index + 1) % 100_000 === 0) opts.log(`  indexed ${(p.index + 1).toLocaleString('en-US')} (${Math.round(rssMb())} MB RSS)`);
  }
  const indexSeconds = (performance.now() - t0) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const rssAfterIndexMb = rssMb();
  const heapUsedMb = process.memoryUsage().heapUsed / 1024 / 1024;

  const half = Math.floor(opts.queries / 2);
  const dupQueries = sample.slice(0, half).map((s) => ({ id: s.id, d: reRegister(rng, s.d).record }));
  const newQueries = [...people(opts.seed, opts.queries - dupQueries.length, opts.persons)].map((p) => ({ id: '', d: p.demographics }));
  const times: number[] = [];
  let candidates = 0;
  let right = 0;
  let wrongPerson = 0;
  let newMerges = 0;
  const before = index.comparisons;
  for (const q of [...dupQueries, ...newQueries]) {
    const t = performance.now();
    const best = index.match(q.d, { limit: 5 })[0];
    times.push(performance.now() - t);
    if (best?.decision !== 'link') continue;
    if (q.id === '') newMerges++;
    else if (best.id === q.id) right++;
    else wrongPerson++;
  }
  candidates = index.comparisons - before;
  times.sort((x, y) => x - y);
  return {
    persons: opts.persons,
    indexSeconds,
    rssAfterIndexMb,
    heapUsedMb,
    queries: times.length,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: times[times.length - 1] ?? 0,
    meanCandidates: candidates / Math.max(1, times.length),
    duplicateLinkedRight: right,
    duplicateWrongPerson: wrongPerson,
    duplicates: dupQueries.length,
    newPeople: newQueries.length,
    newPeopleWrongMerges: newMerges,
  };
}

export function formatScale(r: ScaleResult): string {
  return [
    `persons ${r.persons.toLocaleString('en-US')}: indexed in ${r.indexSeconds.toFixed(1)} s (generation included), RSS ${Math.round(r.rssAfterIndexMb)} MB, heap used ${Math.round(r.heapUsedMb)} MB`,
    `match(): ${r.queries} queries, p50 ${r.p50Ms.toFixed(3)} ms, p99 ${r.p99Ms.toFixed(3)} ms, max ${r.maxMs.toFixed(2)} ms, ${r.meanCandidates.toFixed(1)} candidates scored per query`,
    `  second registrations: ${r.duplicateLinkedRight}/${r.duplicates} linked to the right person, ${r.duplicateWrongPerson} to a wrong person`,
    `  unrelated new people: ${r.newPeopleWrongMerges}/${r.newPeople} wrongly linked`,
  ].join('\n');
}
