/**
 * Builds the search-index rows of a resource: every supported parameter of its type evaluated
 * on it. Each type's parameters are compiled once into walkers (and, for the rare complex
 * expression, a fhirpath.js evaluator), so indexing a resource is a handful of property walks.
 * `_id` and `_lastUpdated` are not indexed: search reads them from the resource table.
 */
import type { Resource } from 'fhir/r4';
import { compositeKey, getSearchRegistry, type SearchParamDef, type SearchRegistry } from '@kennebec/fhir';
import type { IndexRows } from '../../types.ts';
import { EMITTERS, RowSink, type Emitter } from './emit.ts';
import { compileFhirPath } from './fallback.ts';
import { compilePath, walk, type Walker } from './walk.ts';

const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);

type PlanEntry =
  | { kind: 'simple'; code: string; emit: Emitter; walkers: Walker[]; fhirpath?: string; evaluator?: ReturnType<typeof compileFhirPath> }
  | { kind: 'composite'; code: string; emit: Emitter; roots: { root: Walker; a: Walker[]; b: Walker[] }[] };

function planFor(def: SearchParamDef): PlanEntry | undefined {
  if (!def.supported || COLUMN_PARAMS.has(def.code)) return undefined;
  if (def.type === 'composite') {
    const second = def.composite?.types[1];
    const emit = second ? EMITTERS[second] : undefined;
    if (!def.composite || !emit) return undefined;
    const roots = def.composite.roots.map((r) => ({ root: compilePath(r.root), a: r.a.map(compilePath), b: r.b.map(compilePath) }));
    return { kind: 'composite', code: def.code, emit, roots };
  }
  const emit = EMITTERS[def.type];
  if (!emit) return undefined;
  return { kind: 'simple', code: def.code, emit, walkers: def.paths.map(compilePath), ...(def.fhirpath ? { fhirpath: def.fhirpath } : {}) };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** (system, code) pairs of a Coding or CodeableConcept, for composite keys. */
function codes(v: unknown, leaf: string, out: [string | null, string][]): void {
  if (!isObj(v)) return;
  const add = (c: unknown): void => {
    if (isObj(c) && typeof c.code === 'string' && c.code) out.push([typeof c.system === 'string' && c.system ? c.system : null, c.code]);
  };
  if (leaf === 'Coding') add(v);
  else if (leaf === 'CodeableConcept' && Array.isArray(v.coding)) v.coding.forEach(add);
}

/**
 * A composite `token$value` is indexed in the table of its second component under synthetic
 * parameter keys `code$system|code` and `code$code` (parse.ts builds the same keys), so both
 * components are matched on the same element without a composite table.
 */
function indexComposite(sink: RowSink, entry: Extract<PlanEntry, { kind: 'composite' }>, resource: unknown): void {
  for (const { root, a, b } of entry.roots) {
    walk(resource, root.steps, 0, (element) => {
      const pairs: [string | null, string][] = [];
      for (const w of a) walk(element, w.steps, 0, (v) => codes(v, w.leaf, pairs));
      if (pairs.length === 0) return;
      const keys = new Set<string>();
      for (const [system, code] of pairs) {
        keys.add(compositeKey(entry.code, null, code));
        if (system) keys.add(compositeKey(entry.code, system, code));
      }
      for (const w of b) {
        walk(element, w.steps, 0, (v) => {
          for (const key of keys) entry.emit(sink, key, v, w.leaf);
        });
      }
    });
  }
}

export type IndexRowBuilder = (resource: Resource) => IndexRows;

export function createIndexRowBuilder(registry: SearchRegistry = getSearchRegistry()): IndexRowBuilder {
  const plans = new Map<string, PlanEntry[]>();
  const planOf = (type: string): PlanEntry[] => {
    let plan = plans.get(type);
    if (!plan) {
      plan = registry.params(type).flatMap((d) => planFor(d) ?? []);
      plans.set(type, plan);
    }
    return plan;
  };
  return (resource) => {
    const sink = new RowSink();
    for (const entry of planOf(resource.resourceType)) {
      if (entry.kind === 'composite') {
        indexComposite(sink, entry, resource);
        continue;
      }
      for (const w of entry.walkers) walk(resource, w.steps, 0, (v) => entry.emit(sink, entry.code, v, w.leaf));
      if (entry.fhirpath) {
        entry.evaluator ??= compileFhirPath(entry.fhirpath);
        for (const { value, type } of entry.evaluator(resource)) entry.emit(sink, entry.code, value, type);
      }
    }
    return sink.rows;
  };
}
