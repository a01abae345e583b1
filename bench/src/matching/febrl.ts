/**
 * FEBRL benchmark (Christen 2008, "Febrl – an open source data cleaning, deduplication and
 * record linkage system"): linkage of dataset4a ↔ dataset4b, deduplication of datasets 1–3.
 * Truth is in rec_id: two records are the same entity exactly when they share N in rec-N-….
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MatchIndex, normalize, type Demographics, type NormalizedRecord, type Thresholds } from '@kennebec/matching';
import { fmt, quality, type Quality } from './metrics.ts';

export function febrlDir(): string {
  const shared = process.env.KENNEBEC_SHARED_DATA;
  if (shared !== undefined && shared !== '') return existsSync(join(shared, 'febrl')) ? join(shared, 'febrl') : shared;
  return '/work/shared/data/febrl';
}

export interface FebrlRecord {
  recId: string;
  entity: string;
  record: NormalizedRecord;
}

/** Reads one FEBRL CSV: ", "-separated, no quoting, CRLF or LF; every value read as a string. */
export function readFebrl(file: string): FebrlRecord[] {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  const col = (name: string): number => header.indexOf(name);
  const idx = {
    id: col('rec_id'), given: col('given_name'), family: col('surname'), number: col('street_number'), a1: col('address_1'),
    suburb: col('suburb'), postcode: col('postcode'), state: col('state'), dob: col('date_of_birth'), ssn: col('soc_sec_id'),
  };
  return lines.map((line) => {
    const v = line.split(',').map((s) => s.trim());
    const get = (i: number): string => v[i] ?? '';
    const recId = get(idx.id);
    const d: Demographics = { given: get(idx.given) === '' ? [] : [get(idx.given)], family: get(idx.family) };
    const street = `${get(idx.number)} ${get(idx.a1)}`.trim();
    d.address = { ...(street === '' ? {} : { line: [street] }), city: get(idx.suburb), state: get(idx.state), postalCode: get(idx.postcode) };
    if (get(idx.dob) !== '') d.birthDate = get(idx.dob);
    if (get(idx.ssn) !== '') d.ssn = get(idx.ssn);
    return { recId, entity: /^rec-(\d+)-/.exec(recId)?.[1] ?? recId, record: normalize(d) };
  });
}

export interface FebrlResult {
  set: string;
  records: number;
  quality: Quality;
  /** Links sent to review instead (not counted as positives above). */
  reviews: number;
  pairsCompared: number;
  reductionRatio: number;
  recordsPerSecond: number;
}

/** FEBRL4: index 4a, query each 4b record; its best candidate is a link when decided 'link' (one Person per Patient). */
export function runFebrl4(dir: string, thresholds?: Thresholds): FebrlResult {
  const a = readFebrl(join(dir, 'dataset4a.csv'));
  const b = readFebrl(join(dir, 'dataset4b.csv'));
  const t0 = performance.now();
  const index = new MatchIndex(thresholds === undefined ? {} : { thresholds });
  const entityOf = new Map<string, string>();
  for (const r of a) {
    index.add(r.recId, r.record);
    entityOf.set(r.recId, r.entity);
  }
  let tp = 0;
  let fp = 0;
  let reviews = 0;
  for (const r of b) {
    const best = index.match(r.record, { limit: 1 })[0];
    if (best === undefined) continue;
    if (best.decision === 'link') {
      if (entityOf.get(best.id) === r.entity) tp++;
      else fp++;
    } else if (best.decision === 'review') reviews++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const truth = b.filter((r) => a.some((x) => x.entity === r.entity)).length;
  return {
    set: 'FEBRL4 (4a↔4b)',
    records: a.length + b.length,
    quality: quality(tp, fp, truth - tp),
    reviews,
    pairsCompared: index.comparisons,
    reductionRatio: 1 - index.comparisons / (a.length * b.length),
    recordsPerSecond: (a.length + b.length) / seconds,
  };
}

/** Deduplication within one file: every record queries the index of all; pairs decided 'link' are positives. */
export function runDedup(dir: string, name: string, thresholds?: Thresholds): FebrlResult {
  const recs = readFebrl(join(dir, name));
  const t0 = performance.now();
  const index = new MatchIndex(thresholds === undefined ? {} : { thresholds });
  const byId = new Map<string, FebrlRecord>();
  for (const r of recs) {
    index.add(r.recId, r.record);
    byId.set(r.recId, r);
  }
  const linked = new Set<string>();
  const reviewed = new Set<string>();
  for (const r of recs) {
    for (const c of index.match(r.record, { limit: 50, excludeNew: true })) {
      if (c.id === r.recId) continue;
      const key = r.recId < c.id ? `${r.recId}|${c.id}` : `${c.id}|${r.recId}`;
      if (c.decision === 'link') linked.add(key);
      else reviewed.add(key);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  let tp = 0;
  for (const key of linked) {
    const [x, y] = key.split('|') as [string, string];
    if (byId.get(x)?.entity === byId.get(y)?.entity) tp++;
  }
  const groups = new Map<string, number>();
  for (const r of recs) groups.set(r.entity, (groups.get(r.entity) ?? 0) + 1);
  let truth = 0;
  for (const n of groups.values()) truth += (n * (n - 1)) / 2;
  for (const key of linked) reviewed.delete(key);
  const total = (recs.length * (recs.length - 1)) / 2;
  return {
    set: name.replace('.csv', ''),
    records: recs.length,
    quality: quality(tp, linked.size - tp, truth - tp),
    reviews: reviewed.size,
    // Each unordered pair is scored from both sides.
    pairsCompared: Math.round((index.comparisons - recs.length) / 2),
    reductionRatio: 1 - (index.comparisons - recs.length) / 2 / total,
    recordsPerSecond: recs.length / seconds,
  };
}

export function runFebrlAll(dir = febrlDir(), thresholds?: Thresholds): FebrlResult[] {
  return [runFebrl4(dir, thresholds), ...['dataset1.csv', 'dataset2.csv', 'dataset3.csv'].map((f) => runDedup(dir, f, thresholds))];
}

export function formatFebrl(results: readonly FebrlResult[]): string {
  const rows = ['set                 records  precision  recall     F1        TP     FP    FN   review  pairs-compared  reduction  records/s'];
  for (const r of results) {
    const q = r.quality;
    rows.push(
      `${r.set.padEnd(18)} ${String(r.records).padStart(8)}  ${fmt(q.precision).padStart(9)}  ${fmt(q.recall).padStart(6)}  ${fmt(q.f1).padStart(6)}  ${String(q.truePositives).padStart(6)} ${String(q.falsePositives).padStart(5)} ${String(q.falseNegatives).padStart(5)}  ${String(r.reviews).padStart(6)}  ${String(r.pairsCompared).padStart(14)}  ${fmt(r.reductionRatio, 5).padStart(9)}  ${Math.round(r.recordsPerSecond).toString().padStart(9)}`,
    );
  }
  return rows.join('\n');
}
