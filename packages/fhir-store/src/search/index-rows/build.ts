/**
 * Builds the search-index rows of a resource: every supported parameter of its type evaluated
 * on it. Each type's parameters are compiled once into walkers (and, for the rare complex
 * expression, a fhirpath.js evaluator), so indexing a resource is a handful of property walks
 * with no per-call closures. `_id` and `_lastUpdated` are not indexed: search reads them from
 * the resource table.
 */
import type { Resource } from 'fhir/r4';
import { compositeKey, getSearchRegistry, type SearchParamDef, type SearchRegistry } from '@kennebec/fhir';
import type { IndexRows } from '../../types.ts';
import { EMITTERS, RowSink, type Emitter } from './emit.ts';
import { compileFhirPath } from './fallback.ts';
import { collect, compilePath, walk, type Walker } from './walk.ts';

const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);

/** The sink the bound visitors write to; set for the duration of one (synchronous) build. */
interface Current {
  sink: RowSink;
}

interface SimpleEntry {
  kind: 'simple';
  code: string;
  emit: Emitter;
  /** Each walker with a visitor bound to it at compile time. */
  walkers: { walker: Walker; visit: (v: unknown) => void }[];
  fhirpath?: string;
  evaluator?: ReturnType<typeof compileFhirPath>;
}

interface CompositeEntry {
  kind: 'composite';
  code: string;
  emit: Emitter;
  roots: { root: Walker; a: Walker[]; b: Walker[] }[];
}

type PlanEntry = SimpleEntry | CompositeEntry;

function planFor(def: SearchParamDef, current: Current): PlanEntry | undefined {
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
  const code = def.code;
  const walkers = def.paths.map(compilePath).map((walker) => {
    const leaf = walker.leaf;
    return { walker, visit: (v: unknown): void => emit(current.sink, code, v, leaf) };
  });
  return { kind: 'simple', code, emit, walkers, ...(def.fhirpath ? { fhirpath: def.fhirpath } : {}) };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function addCode(c: unknown, out: [string | null, string][]): void {
  if (isObj(c) && typeof c.code === 'string' && c.code) out.push([typeof c.system === 'string' && c.system ? c.system : null, c.code]);
}

/** (system, code) pairs of a Coding or CodeableConcept, for composite keys. */
function codes(v: unknown, leaf: string, out: [string | null, string][]): void {
  if (!isObj(v)) return;
  if (leaf === 'Coding') addCode(v, out);
  else if (leaf === 'CodeableConcept' && Array.isArray(v.coding)) for (const c of v.coding) addCode(c, out);
}

/**
 * A composite `token$value` is indexed in the table of its second component under synthetic
 * parameter keys `code$system|code` and `code$code` (parse.ts builds the same keys), so both
 * components are matched on the same element without a composite table.
 */
function indexComposite(sink: RowSink, entry: CompositeEntry, resource: unknown): void {
  for (const { root, a, b } of entry.roots) {
    const elements: unknown[] = [];
    collect(resource, root.steps, 0, elements);
    for (const element of elements) {
      const pairs: [string | null, string][] = [];
      for (const w of a) {
        const values: unknown[] = [];
        collect(element, w.steps, 0, values);
        for (const v of values) codes(v, w.leaf, pairs);
      }
      if (pairs.length === 0) continue;
      const keys = new Set<string>();
      for (const [system, code] of pairs) {
        keys.add(compositeKey(entry.code, null, code));
        if (system) keys.add(compositeKey(entry.code, system, code));
      }
      for (const w of b) {
        const values: unknown[] = [];
        collect(element, w.steps, 0, values);
        for (const v of values) for (const key of keys) entry.emit(sink, key, v, w.leaf);
      }
    }
  }
}

export type IndexRowBuilder = (resource: Resource) => IndexRows;

export function createIndexRowBuilder(registry: SearchRegistry = getSearchRegistry()): IndexRowBuilder {
  const current: Current = { sink: new RowSink() };
  const plans = new Map<string, PlanEntry[]>();
  const planOf = (type: string): PlanEntry[] => {
    let plan = plans.get(type);
    if (!plan) {
      plan = registry.params(type).flatMap((d) => planFor(d, current) ?? []);
      plans.set(type, plan);
    }
    return plan;
  };
  return (resource) => {
    const sink = new RowSink();
    current.sink = sink;
    for (const entry of planOf(resource.resourceType)) {
      if (entry.kind === 'composite') {
        indexComposite(sink, entry, resource);
        continue;
      }
      for (const { walker, visit } of entry.walkers) walk(resource, walker.steps, 0, visit);
      if (entry.fhirpath) {
        entry.evaluator ??= compileFhirPath(entry.fhirpath);
        for (const { value, type } of entry.evaluator(resource)) entry.emit(sink, entry.code, value, type);
      }
    }
    return sink.rows;
  };
}
