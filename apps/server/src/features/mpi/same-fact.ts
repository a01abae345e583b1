import type { Resource } from 'fhir/r4';
import { SAME_FACT_RULES, securityKey } from './same-fact-rules.ts';

/**
 * Folding copies of the same fact from different sources into one, for Patient/$everything.
 *
 * One pass gives each copy its keys (same-fact-rules.ts) and buckets the copies by key; copies
 * sharing a bucket are joined (union-find) unless that would put two copies from one source
 * in a group (a source's own repeats and corrections are its business, settled at ingest), a
 * copy without a known source in any group, or two copies that disagree on a detail both
 * record, or that carry different security labels, together. Buckets hold a handful of copies
 * (one per source that sent the fact), so the whole is linear in the number of copies.
 *
 * The representative of a group is the most complete copy (most populated elements outside
 * id, meta and narrative); then the one stored first; then the first in the input's order.
 */
export interface FactCopy {
  resource: Resource;
  /** Organization id of the source that sent it; copies without one are never merged. */
  sourceOrg: string | null;
  /** When the current version was stored (ms since the epoch). */
  storedAt: number;
}

export interface SameFact {
  /** Index (into the input) of the copy shown. */
  representative: number;
  /** Indexes of the other copies of the same fact, in input order. */
  others: number[];
}

/**
 * Groups `copies` into facts. Every input index appears in exactly one fact; facts come in the
 * order of their first copy. `patients` are the ids of the person's Patients: a copy about
 * anyone else is never merged.
 */
export function groupSameFacts(copies: readonly FactCopy[], patients: ReadonlySet<string>): SameFact[] {
  const parent = copies.map((_, i) => i);
  const members = copies.map((_, i) => [i]);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    for (let n = i; n !== root; ) {
      const next = parent[n] as number;
      parent[n] = root;
      n = next;
    }
    return root;
  };

  const buckets = new Map<string, number[]>();
  copies.forEach((copy, i) => {
    const rule = SAME_FACT_RULES[copy.resource.resourceType];
    if (!rule || !copy.sourceOrg) return;
    for (const key of new Set(rule.keys(copy.resource, patients))) {
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
  });

  const compatible = (a: number[], b: number[]): boolean => {
    const sources = new Set(a.map((i) => copies[i]?.sourceOrg));
    if (b.some((i) => sources.has(copies[i]?.sourceOrg))) return false;
    for (const i of a) {
      const x = copies[i] as FactCopy;
      const rule = SAME_FACT_RULES[x.resource.resourceType];
      for (const j of b) {
        const y = copies[j] as FactCopy;
        if (securityKey(x.resource) !== securityKey(y.resource) || rule?.conflicts?.(x.resource, y.resource)) return false;
      }
    }
    return true;
  };

  for (const bucket of buckets.values()) {
    for (let k = 1; k < bucket.length; k++) {
      for (let j = 0; j < k; j++) {
        const a = find(bucket[k] as number);
        const b = find(bucket[j] as number);
        if (a === b || !compatible(members[a] as number[], members[b] as number[])) continue;
        // The smaller index stays root, so a fact's root is its first copy.
        const [keep, gone] = a < b ? [a, b] : [b, a];
        parent[gone] = keep;
        (members[keep] as number[]).push(...(members[gone] as number[]));
        members[gone] = [];
      }
    }
  }

  const facts: SameFact[] = [];
  copies.forEach((_, i) => {
    if (find(i) !== i) return;
    const group = (members[i] as number[]).sort((x, y) => x - y);
    const representative = group.reduce((best, c) => (better(copies, c, best) ? c : best));
    facts.push({ representative, others: group.filter((c) => c !== representative) });
  });
  return facts;
}

function better(copies: readonly FactCopy[], a: number, b: number): boolean {
  const x = copies[a] as FactCopy;
  const y = copies[b] as FactCopy;
  const cx = completeness(x.resource);
  const cy = completeness(y.resource);
  if (cx !== cy) return cx > cy;
  if (x.storedAt !== y.storedAt) return x.storedAt < y.storedAt;
  return a < b;
}

/** Number of populated primitive values, leaving out id, meta and the narrative. */
export function completeness(resource: Resource): number {
  let n = 0;
  for (const [key, value] of Object.entries(resource)) if (key !== 'id' && key !== 'meta' && key !== 'text') n += leaves(value);
  return n;
}

function leaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + leaves(x), 0);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + leaves(x), 0);
  return v === undefined || v === null || v === '' ? 0 : 1;
}
