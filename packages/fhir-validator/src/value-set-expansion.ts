/**
 * Expands the value sets of required bindings from the definitions shipped with the spec
 * (valuesets.json, v3-codesystems.json), so that a code can be checked without a
 * terminology server. A value set is "expandable" when every include is a list of concepts,
 * a whole code system whose content is complete, an is-a/descendent-of filter on such a code
 * system, or another expandable value set. Anything else (external systems such as BCP-47,
 * BCP-13 MIME types, UCUM; other filters) makes it unexpandable and the binding is not
 * checked. See https://hl7.org/fhir/R4/valueset.html#compositions.
 */
import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude } from 'fhir/r4';
import type { ModelValueSet } from './model-types.ts';

type Codes = Map<string, Set<string>>;

export class ValueSetExpander {
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly cache = new Map<string, Codes | null>();

  constructor(resources: Iterable<ValueSet | CodeSystem>) {
    for (const r of resources) {
      if (!r.url) continue;
      // First definition wins: valuesets.json is read before the v3/v2 bundles.
      if (r.resourceType === 'ValueSet') {
        if (!this.valueSets.has(r.url)) this.valueSets.set(r.url, r);
      } else if (!this.codeSystems.has(r.url)) {
        this.codeSystems.set(r.url, r);
      }
    }
  }

  /** Sorted, serialisable expansion, or undefined when the value set cannot be expanded. */
  expand(canonical: string): ModelValueSet | undefined {
    const codes = this.expandCodes(stripVersion(canonical), new Set());
    if (!codes || codes.size === 0) return undefined;
    const out: ModelValueSet = {};
    for (const system of [...codes.keys()].sort()) {
      out[system] = [...(codes.get(system) ?? [])].sort();
    }
    return out;
  }

  private expandCodes(url: string, visiting: Set<string>): Codes | null {
    if (this.cache.has(url)) return this.cache.get(url) ?? null;
    if (visiting.has(url)) return null;
    visiting.add(url);
    const result = this.expandUncached(url, visiting);
    visiting.delete(url);
    this.cache.set(url, result);
    return result;
  }

  private expandUncached(url: string, visiting: Set<string>): Codes | null {
    const vs = this.valueSets.get(url);
    if (!vs?.compose?.include) return null;
    const codes: Codes = new Map();
    for (const include of vs.compose.include) {
      const part = this.expandInclude(include, visiting);
      if (!part) return null;
      merge(codes, part);
    }
    for (const exclude of vs.compose.exclude ?? []) {
      const part = this.expandInclude(exclude, visiting);
      if (!part) return null;
      for (const [system, set] of part) {
        const target = codes.get(system);
        if (target) for (const code of set) target.delete(code);
      }
    }
    return codes;
  }

  private expandInclude(include: ValueSetComposeInclude, visiting: Set<string>): Codes | null {
    let fromSystem: Codes | null = null;
    if (include.system) {
      fromSystem = this.expandSystemPart(include);
      if (!fromSystem) return null;
    }
    if (!include.valueSet?.length) return fromSystem;
    // include.valueSet: intersection of the listed value sets (and of the system part).
    let acc = fromSystem;
    for (const ref of include.valueSet) {
      const part = this.expandCodes(stripVersion(ref), visiting);
      if (!part) return null;
      acc = acc ? intersect(acc, part) : copy(part);
    }
    return acc;
  }

  private expandSystemPart(include: ValueSetComposeInclude): Codes | null {
    const system = include.system ?? '';
    if (include.concept?.length) {
      if (include.filter?.length) return null;
      return new Map([[system, new Set(include.concept.map((c) => c.code))]]);
    }
    const cs = this.codeSystems.get(system);
    if (!cs || cs.content !== 'complete' || !cs.concept) return null;
    if (!include.filter?.length) return new Map([[system, collect(cs.concept, new Set())]]);
    const sets: Set<string>[] = [];
    for (const filter of include.filter) {
      if (filter.property !== 'concept' || (filter.op !== 'is-a' && filter.op !== 'descendent-of')) return null;
      const root = findConcept(cs.concept, filter.value);
      if (!root) return null;
      const set = collect(root.concept ?? [], new Set<string>());
      if (filter.op === 'is-a') set.add(root.code);
      sets.push(set);
    }
    // Several filters in one include are ANDed.
    const [first, ...rest] = sets;
    const result = new Set([...(first ?? [])].filter((c) => rest.every((s) => s.has(c))));
    return new Map([[system, result]]);
  }
}

function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

function collect(concepts: CodeSystemConcept[], into: Set<string>): Set<string> {
  for (const c of concepts) {
    into.add(c.code);
    if (c.concept) collect(c.concept, into);
  }
  return into;
}

function findConcept(concepts: CodeSystemConcept[], code: string): CodeSystemConcept | undefined {
  for (const c of concepts) {
    if (c.code === code) return c;
    const found = c.concept ? findConcept(c.concept, code) : undefined;
    if (found) return found;
  }
  return undefined;
}

function merge(into: Codes, part: Codes): void {
  for (const [system, set] of part) {
    const target = into.get(system) ?? new Set<string>();
    for (const code of set) target.add(code);
    into.set(system, target);
  }
}

function copy(codes: Codes): Codes {
  return new Map([...codes].map(([s, set]) => [s, new Set(set)]));
}

function intersect(a: Codes, b: Codes): Codes {
  const out: Codes = new Map();
  for (const [system, set] of a) {
    const other = b.get(system);
    if (other) out.set(system, new Set([...set].filter((c) => other.has(c))));
  }
  return out;
}
