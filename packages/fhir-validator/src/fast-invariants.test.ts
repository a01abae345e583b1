import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { describe, expect, it } from 'vitest';
import { compileFast } from './fast-invariants.ts';
import { runtimeModel, type ConstraintDef, type TypeDef } from './model-runtime.ts';

const model = runtimeModel();
const env = { resource: { resourceType: 'Basic' }, rootResource: { resourceType: 'Basic' } };

/** Every invariant of the model with the type of the node it is evaluated on. */
function allConstraints(): Array<[ConstraintDef, TypeDef | undefined]> {
  const out: Array<[ConstraintDef, TypeDef | undefined]> = [];
  const seen = new Set<TypeDef>();
  const visit = (td: TypeDef): void => {
    if (seen.has(td)) return;
    seen.add(td);
    for (const c of td.constraints) out.push([c, td]);
    for (const prop of td.props.values()) {
      const focus = prop.typeDef ?? prop.element.backbone;
      for (const c of prop.constraints ?? []) out.push([c, focus]);
      if (prop.element.backbone) visit(prop.element.backbone);
    }
  };
  for (const td of model.types.values()) visit(td);
  return out;
}

/** Builds {a: {b: 'x'}} for the path a.b, using the JSON name of each step (value → valueBoolean). */
function setPath(target: Record<string, unknown>, steps: string[], focus: TypeDef): void {
  let node = target;
  let td: TypeDef | undefined = focus;
  steps.forEach((step, i) => {
    const element = td?.elements.find((e) => e.name === step);
    const name = element?.jsonNames[0] ?? step;
    const current = node[name];
    const isObject = typeof current === 'object' && current !== null;
    if (i === steps.length - 1) {
      if (!isObject) node[name] = 'x';
      return;
    }
    // a.b and a both present: a becomes an object holding b
    const child = isObject ? (current as Record<string, unknown>) : {};
    node[name] = child;
    node = child;
    td = element?.backbone ?? model.types.get(element?.types[0] ?? '');
  });
}

function fhirpathHolds(c: ConstraintDef, data: unknown): boolean {
  const result: unknown[] = fhirpath.evaluate(data, { base: c.base, expression: c.expression }, env, r4, { async: false });
  return result.length === 1 && typeof result[0] === 'boolean' ? result[0] : result.length > 0;
}

describe('native invariant evaluation', () => {
  it('agrees with fhirpath.js on every invariant it compiles, for all presence combinations', () => {
    let compiled = 0;
    const mismatches: string[] = [];
    for (const [c, focus] of allConstraints()) {
      if (!focus || focus.kind === 'p') continue;
      // Hand-written ones (per-1, ctm-1) are compiled without a focus; they have own tests.
      if (compileFast(c.expression, undefined, model.types)) continue;
      const fast = compileFast(c.expression, focus, model.types);
      if (!fast) continue;
      compiled++;
      const paths = [...new Set([...c.expression.matchAll(/((?:`?[A-Za-z][A-Za-z0-9]*`?\.)+)(?:exists|empty)\(\)/g)].map((m) => m[1] ?? ''))]
        .map((p) => p.slice(0, -1).replace(/`/g, '').split('.'))
        .slice(0, 6);
      for (let mask = 0; mask < 1 << paths.length; mask++) {
        const data: Record<string, unknown> = {};
        paths.forEach((p, i) => {
          if (mask & (1 << i)) setPath(data, p, focus);
        });
        const native = fast(data, env);
        if (native === undefined) continue;
        if (native !== fhirpathHolds(c, data)) mismatches.push(`${c.key} ${JSON.stringify(data)}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Roughly half of the R4 invariants (plus per-type copies) take the native path.
    expect(compiled).toBeGreaterThan(100);
  });

  it('parses precedence as FHIRPath does (and before or, implies last, not() postfix)', () => {
    const td = model.types.get('Period');
    if (!td) throw new Error('Period missing');
    const check = (expr: string, data: object) => compileFast(expr, td, model.types)?.(data, env);
    expect(check('start.exists() or end.exists() and id.exists()', { start: 'a' })).toBe(true);
    expect(check('(start.exists() or end.exists()) and id.exists()', { start: 'a' })).toBe(false);
    expect(check('start.exists() implies end.exists()', {})).toBe(true);
    expect(check('start.exists() implies end.exists()', { start: 'a' })).toBe(false);
    expect(check('start.exists() xor end.exists()', { start: 'a', end: 'b' })).toBe(false);
    expect(check('(start.exists() and end.exists()).not()', { start: 'a', end: 'b' })).toBe(false);
    expect(check('start.exists()', { _start: { extension: [{ url: 'u', valueCode: 'x' }] } })).toBe(true);
    expect(compileFast('start.exists() and start.count() > 1', td, model.types)).toBeUndefined();
  });

  it('decides per-1 natively for same-precision values and defers other mixes', () => {
    const per1 = compileFast('start.hasValue().not() or end.hasValue().not() or (start <= end)', undefined, model.types);
    expect(per1?.({ start: '2020-01-02', end: '2020-01-01' }, env)).toBe(false);
    expect(per1?.({ start: '2020-01-01', end: '2020-01-01' }, env)).toBe(true);
    expect(per1?.({ start: '2020-01-01T10:00:00+02:00', end: '2020-01-01T09:30:00Z' }, env)).toBe(true);
    expect(per1?.({ start: '2020-01-01T10:00:00Z', end: '2020-01-01T09:30:00Z' }, env)).toBe(false);
    expect(per1?.({ start: '2020', end: '2020-05-01' }, env)).toBeUndefined();
    expect(per1?.({ end: '2020' }, env)).toBe(true);
  });

  it('answers the decidable half of a partly native disjunction and defers the rest', () => {
    const obs = model.types.get('Observation');
    const obs7 = obs?.constraints.find((c) => c.key === 'obs-7');
    if (!obs || !obs7) throw new Error('obs-7 missing');
    const fast = compileFast(obs7.expression, obs, model.types);
    expect(fast?.({ component: [] }, env)).toBe(true);
    expect(fast?.({ valueString: 'x' }, env)).toBeUndefined();
  });
});
