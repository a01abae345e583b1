/**
 * Evaluates the base-spec invariants (ElementDefinition.constraint) that the walker does not
 * check structurally: natively when fast-invariants.ts can compile them, otherwise with
 * fhirpath.js and its R4 model. Each expression is compiled once, on first use, and cached for
 * the life of the process.
 *
 * Outcome rule, as in the HL7 validator: the invariant holds when the result is a single
 * `true`, or a non-empty collection of non-booleans; an empty result or `false` is a failure.
 * An expression that fhirpath.js cannot compile or evaluate (e.g. resolve() on a reference to
 * another resource) is skipped: the base spec cannot be checked there without a server.
 */
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import { compileFast, type InvariantEnv } from './fast-invariants.ts';
import type { ConstraintDef, TypeDef } from './model-runtime.ts';

type Compiled = (data: unknown, env?: Record<string, unknown>) => unknown[];
type Evaluator = (data: unknown, env: InvariantEnv) => boolean;

/** Some R4 expressions call trace(); without a handler fhirpath.js would print to the console. */
function ignoreTrace(): void {}

export type { InvariantEnv } from './fast-invariants.ts';

const evaluators = new Map<ConstraintDef, Evaluator>();
const unsupported = new Set<string>();

function fhirpathEvaluator(c: ConstraintDef, primitive: boolean): Evaluator {
  let fn: Compiled;
  try {
    // fhirpath.js fails on a primitive root given with a base type, and needs none there.
    const path = primitive ? c.expression : { base: c.base, expression: c.expression };
    fn = fhirpath.compile(path, r4, { traceFn: ignoreTrace }) as Compiled;
  } catch {
    unsupported.add(c.key);
    return () => true;
  }
  return (data, env) => {
    let result: unknown[];
    try {
      result = fn(data, { resource: env.resource, rootResource: env.rootResource });
    } catch {
      unsupported.add(c.key);
      return true;
    }
    if (result.length === 1 && typeof result[0] === 'boolean') return result[0];
    return result.length > 0;
  };
}

function evaluator(c: ConstraintDef, focus: TypeDef | undefined, types: ReadonlyMap<string, TypeDef>): Evaluator {
  let fn = evaluators.get(c);
  if (!fn) {
    const fast = compileFast(c.expression, focus, types);
    const primitive = focus?.kind === 'p';
    if (fast) {
      let slow: Evaluator | undefined;
      fn = (data, env) => fast(data, env) ?? (slow ??= fhirpathEvaluator(c, primitive))(data, env);
    } else {
      fn = fhirpathEvaluator(c, primitive);
    }
    evaluators.set(c, fn);
  }
  return fn;
}

/**
 * Returns true when the invariant holds (or cannot be evaluated), false when it fails.
 * `focus` is the type of `data` (a datatype, a resource or a backbone element).
 */
export function invariantHolds(c: ConstraintDef, data: unknown, env: InvariantEnv, focus: TypeDef | undefined, types: ReadonlyMap<string, TypeDef>): boolean {
  return evaluator(c, focus, types)(data, env);
}

/** Keys of invariants that could not be evaluated so far (for diagnostics and tests). */
export function unsupportedInvariants(): ReadonlySet<string> {
  return unsupported;
}
