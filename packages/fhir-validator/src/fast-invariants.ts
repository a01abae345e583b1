/**
 * Native evaluation of the most common shape of base invariants: boolean combinations of
 * existence tests on child elements, e.g. qty-3 `code.empty() or system.exists()`, obs-3
 * `low.exists() or high.exists() or text.exists()`, obs-6, sqty-1, pat-1, att-1. About half of
 * the R4 invariants have this shape, and evaluating them through fhirpath.js costs more than
 * walking the whole resource. Anything outside this grammar is left to fhirpath.js.
 *
 * Grammar (FHIRPath precedence: and > or/xor > implies):
 *   expr    := orExpr ('implies' orExpr)?
 *   orExpr  := andExpr (('or' | 'xor') andExpr)*
 *   andExpr := unary ('and' unary)*
 *   unary   := ( '(' expr ')' | path '.' ('exists' | 'empty') '()' ) ('.not()')*
 *   path    := name ('.' name)*
 * exists()/empty() always yield a boolean, so plain two-valued logic is exact here.
 */
import type { ElementDef, TypeDef } from './model-runtime.ts';

type Json = Record<string, unknown>;
/** %resource / %rootResource of the evaluation */
export interface InvariantEnv {
  resource: unknown;
  rootResource: unknown;
}
/** true/false when decided natively, undefined to defer to fhirpath.js */
export type FastInvariant = (focus: unknown, env: InvariantEnv) => boolean | undefined;
type Predicate = (focus: unknown) => boolean;

class Unsupported extends Error {}

/** Children to look up for one path step: the JSON names of the element (choices expanded). */
interface Step {
  names: string[];
}

function findElement(td: TypeDef, name: string): ElementDef | undefined {
  return td.elements.find((e) => e.name === name);
}

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly focus: TypeDef,
    private readonly types: ReadonlyMap<string, TypeDef>,
  ) {}

  parse(): Predicate {
    const fn = this.expr();
    this.skipWs();
    if (this.pos !== this.src.length) throw new Unsupported();
    return fn;
  }

  private skipWs(): void {
    while (this.src[this.pos] === ' ') this.pos++;
  }

  private keyword(word: string): boolean {
    this.skipWs();
    const end = this.pos + word.length;
    if (this.src.startsWith(word, this.pos) && (this.src[end] === ' ' || this.src[end] === '(')) {
      this.pos = end;
      return true;
    }
    return false;
  }

  private literal(text: string): boolean {
    this.skipWs();
    if (this.src.startsWith(text, this.pos)) {
      this.pos += text.length;
      return true;
    }
    return false;
  }

  private expr(): Predicate {
    const left = this.orExpr();
    if (!this.keyword('implies')) return left;
    const right = this.orExpr();
    return (f) => !left(f) || right(f);
  }

  private orExpr(): Predicate {
    let acc = this.andExpr();
    for (;;) {
      if (this.keyword('or')) {
        const [l, r] = [acc, this.andExpr()];
        acc = (f) => l(f) || r(f);
      } else if (this.keyword('xor')) {
        const [l, r] = [acc, this.andExpr()];
        acc = (f) => l(f) !== r(f);
      } else {
        return acc;
      }
    }
  }

  private andExpr(): Predicate {
    let acc = this.unary();
    while (this.keyword('and')) {
      const [l, r] = [acc, this.unary()];
      acc = (f) => l(f) && r(f);
    }
    return acc;
  }

  private unary(): Predicate {
    let fn: Predicate;
    if (this.literal('(')) {
      fn = this.expr();
      if (!this.literal(')')) throw new Unsupported();
    } else {
      fn = this.existence();
    }
    while (this.literal('.not()')) {
      const inner = fn;
      fn = (f) => !inner(f);
    }
    return fn;
  }

  private existence(): Predicate {
    this.skipWs();
    const match = /^((?:`?[A-Za-z][A-Za-z0-9]*`?\.)+)(exists|empty)\(\)/.exec(this.src.slice(this.pos));
    if (!match?.[1]) throw new Unsupported();
    this.pos += match[0].length;
    const steps = this.resolve(match[1].slice(0, -1).split('.').map((s) => s.replace(/`/g, '')));
    const exists = (f: unknown): boolean => pathExists(f, steps, 0);
    return match[2] === 'exists' ? exists : (f) => !exists(f);
  }

  /** Resolves names against the model, so `value` matches valueQuantity etc. */
  private resolve(names: string[]): Step[] {
    const steps: Step[] = [];
    let td: TypeDef | undefined = this.focus;
    names.forEach((name, i) => {
      if (!td) throw new Unsupported();
      const element = findElement(td, name);
      if (!element) throw new Unsupported();
      steps.push({ names: element.jsonNames });
      if (i < names.length - 1) {
        const single = element.types.length === 1 ? this.types.get(element.types[0] ?? '') : undefined;
        td = element.backbone ?? single;
      }
    });
    return steps;
  }
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
}

function pathExists(node: unknown, steps: Step[], index: number): boolean {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
  const step = steps[index];
  if (!step) return false;
  const obj = node as Json;
  const last = index === steps.length - 1;
  for (const name of step.names) {
    const v = obj[name];
    if (last) {
      // A primitive that has only extensions (`_name`) still exists in FHIRPath.
      if (isPresent(v) || isPresent(obj[`_${name}`])) return true;
    } else if (Array.isArray(v)) {
      if (v.some((item) => pathExists(item, steps, index + 1))) return true;
    } else if (pathExists(v, steps, index + 1)) {
      return true;
    }
  }
  return false;
}

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const FULL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * per-1 (Period: start <= end). Decided natively when both ends have the same precision
 * (full dates, or date-times to the second with a zone); other mixes follow FHIRPath's
 * precision rules, so they are left to fhirpath.js.
 */
const periodStartBeforeEnd: FastInvariant = (focus) => {
  if (typeof focus !== 'object' || focus === null) return true;
  const { start, end } = focus as Json;
  if (typeof start !== 'string' || typeof end !== 'string') return true;
  if (FULL_DATE.test(start) && FULL_DATE.test(end)) return start <= end;
  if (FULL_DATE_TIME.test(start) && FULL_DATE_TIME.test(end)) {
    const a = Date.parse(start);
    const b = Date.parse(end);
    if (Number.isFinite(a) && Number.isFinite(b)) return a <= b;
  }
  return undefined;
};

/**
 * ctm-1 (CareTeam: a member acting on behalf of an organisation is a Practitioner). resolve()
 * needs a server for anything but a contained resource; like FHIRPath's iif(empty(), true, ...)
 * an unresolvable member passes.
 */
const onBehalfOfPractitioner: FastInvariant = (focus, env) => {
  if (typeof focus !== 'object' || focus === null) return true;
  const { onBehalfOf, member } = focus as Json;
  if (onBehalfOf === undefined) return true;
  const ref = typeof member === 'object' && member !== null ? (member as Json).reference : undefined;
  if (typeof ref !== 'string' || !ref.startsWith('#')) return true;
  const root = env.rootResource as Json | undefined;
  const contained = Array.isArray(root?.contained) ? (root.contained as unknown[]) : [];
  const target = contained.find((c): c is Json => typeof c === 'object' && c !== null && (c as Json).id === ref.slice(1));
  return !target || target.resourceType === 'Practitioner';
};

const SPECIAL: ReadonlyMap<string, FastInvariant> = new Map([
  ['start.hasValue().not() or end.hasValue().not() or (start <= end)', periodStartBeforeEnd],
  ['onBehalfOf.exists() implies (member.resolve().iif(empty(), true, ofType(Practitioner).exists()))', onBehalfOfPractitioner],
]);

function tryParse(expression: string, focus: TypeDef, types: ReadonlyMap<string, TypeDef>): Predicate | undefined {
  try {
    return new Parser(expression, focus, types).parse();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/**
 * Splits `a or b or c` at the top level (outside parentheses and string literals). Returns
 * undefined when the top level also has `implies` or `xor`, whose precedence would make the
 * split wrong.
 */
function topLevelDisjuncts(expression: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i];
    if (ch === "'" && expression[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && ch === ' ') {
      const rest = expression.slice(i);
      if (rest.startsWith(' implies ') || rest.startsWith(' xor ')) return undefined;
      if (rest.startsWith(' or ')) {
        parts.push(expression.slice(start, i));
        start = i + 4;
      }
    }
  }
  parts.push(expression.slice(start));
  return parts;
}

/**
 * Compiles an invariant natively when it fits the grammar. When only some top-level `or`
 * operands fit (e.g. obs-7 `value.empty() or component.code.where(...)`), those decide the
 * common case (true) and the rest is deferred. Undefined when nothing can be done natively.
 */
export function compileFast(expression: string, focus: TypeDef | undefined, types: ReadonlyMap<string, TypeDef>): FastInvariant | undefined {
  const special = SPECIAL.get(expression);
  if (special) return special;
  if (!focus) return undefined;
  const whole = tryParse(expression, focus, types);
  if (whole) return whole;
  const parts = topLevelDisjuncts(expression);
  if (!parts || parts.length < 2) return undefined;
  const natives = parts.map((p) => tryParse(p, focus, types)).filter((p): p is Predicate => p !== undefined);
  if (natives.length === 0) return undefined;
  return (f) => (natives.some((p) => p(f)) ? true : undefined);
}
