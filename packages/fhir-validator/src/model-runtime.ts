/**
 * Loads generated/r4-model.json once (lazily, on the first validation) and indexes it for a
 * single-pass walk: per type, a map from every JSON property name (choice types expanded,
 * e.g. valueQuantity) to its element definition. The indexed model is immutable and shared.
 */
import { readFileSync } from 'node:fs';
import type { ModelConstraint, ModelElement, ModelType, R4Model } from './model-types.ts';

export interface ValueSetIndex {
  url: string;
  /** system → codes */
  bySystem: ReadonlyMap<string, ReadonlySet<string>>;
  /** all codes, for `code` elements whose system is implied by the binding */
  codes: ReadonlySet<string>;
}

export interface ConstraintDef {
  key: string;
  severity: 'error' | 'warning';
  human: string;
  expression: string;
  /** type or element path the expression is relative to (FHIRPath base) */
  base: string;
}

export interface ElementDef {
  /** JSON name without the choice suffix, e.g. "value" */
  name: string;
  /** definition path, e.g. "Observation.value[x]" */
  path: string;
  min: number;
  max: number;
  repeating: boolean;
  choice: boolean;
  types: string[];
  /** every JSON property name of this element (one per type for a choice) */
  jsonNames: string[];
  valueSet?: ValueSetIndex;
  /** invariants declared on the element, as in the model (see PropDef.constraints) */
  declared?: ModelConstraint[];
  /** content of a backbone element (own children or contentReference target) */
  backbone?: TypeDef;
}

export interface PropDef {
  element: ElementDef;
  /** the concrete type for this JSON name */
  type: string;
  primitive: boolean;
  /** complex or primitive type definition (undefined for Resource) */
  typeDef?: TypeDef;
  /**
   * The element's invariants, with the FHIRPath base set for this JSON name: the element path
   * for a backbone element, the concrete type otherwise (e.g. Range for probabilityRange).
   */
  constraints?: ConstraintDef[];
}

export interface TypeDef {
  /** type name, or the element path for a backbone element */
  name: string;
  kind: 'p' | 'c' | 'r' | 'b';
  props: Map<string, PropDef>;
  elements: ElementDef[];
  /** elements with min > 0 */
  required: ElementDef[];
  constraints: ConstraintDef[];
  regex?: RegExp;
}

export interface RuntimeModel {
  types: ReadonlyMap<string, TypeDef>;
  resourceTypes: readonly string[];
  resourceTypeSet: ReadonlySet<string>;
}

const MODEL_URL = new URL('../generated/r4-model.json', import.meta.url);
/** Profiles on Quantity used as element types; in JSON they are plain Quantity. */
const JSON_TYPE_ALIASES: Record<string, string> = { SimpleQuantity: 'Quantity', MoneyQuantity: 'Quantity' };

let raw: R4Model | undefined;
let indexed: RuntimeModel | undefined;

/** The parsed generated file (about 0.5 MB), read once. */
export function rawModel(): R4Model {
  raw ??= JSON.parse(readFileSync(MODEL_URL, 'utf8')) as R4Model;
  return raw;
}

/** The indexed model, built on first validation. */
export function runtimeModel(): RuntimeModel {
  indexed ??= indexModel(rawModel());
  return indexed;
}

function toConstraints(list: ModelConstraint[] | undefined, base: string): ConstraintDef[] | undefined {
  if (!list?.length) return undefined;
  return list.map((c) => ({ key: c.k, severity: c.s === 'e' ? 'error' : 'warning', human: c.h, expression: c.x, base }));
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function indexValueSets(raw: R4Model): Map<string, ValueSetIndex> {
  const out = new Map<string, ValueSetIndex>();
  for (const [url, systems] of Object.entries(raw.valueSets)) {
    const bySystem = new Map<string, ReadonlySet<string>>();
    const codes = new Set<string>();
    for (const [system, list] of Object.entries(systems)) {
      bySystem.set(system, new Set(list));
      list.forEach((c) => codes.add(c));
    }
    out.set(url, { url, bySystem, codes });
  }
  return out;
}

function emptyType(name: string, kind: TypeDef['kind']): TypeDef {
  return { name, kind, props: new Map(), elements: [], required: [], constraints: [] };
}

export function indexModel(raw: R4Model): RuntimeModel {
  const valueSets = indexValueSets(raw);
  const types = new Map<string, TypeDef>();
  for (const [name, t] of Object.entries(raw.types)) {
    const def = emptyType(name, t.k);
    if (t.rx) def.regex = new RegExp(t.rx);
    def.constraints = toConstraints(t.c, JSON_TYPE_ALIASES[name] ?? name) ?? [];
    types.set(name, def);
  }
  for (const [name, t] of Object.entries(raw.types)) {
    const def = types.get(name);
    if (def) fillType(def, t, types, valueSets);
  }
  const resourceTypes = Object.freeze([...raw.resourceTypes]);
  return { types, resourceTypes, resourceTypeSet: new Set(resourceTypes) };
}

/** Adds the elements of one model type, creating backbone types for nested element groups. */
function fillType(root: TypeDef, t: ModelType, types: Map<string, TypeDef>, valueSets: Map<string, ValueSetIndex>): void {
  const hasChildren = new Set<string>();
  for (const e of t.e) {
    const dot = e.p.lastIndexOf('.');
    if (dot > 0) hasChildren.add(e.p.slice(0, dot));
  }
  // relative path → type holding the children of that path ("" is the type itself)
  const containers = new Map<string, TypeDef>([['', root]]);
  const byPath = new Map<string, ElementDef>();
  const contentRefs: Array<[ElementDef, TypeDef, string]> = [];
  for (const e of t.e) {
    const dot = e.p.lastIndexOf('.');
    const parentPath = dot > 0 ? e.p.slice(0, dot) : '';
    const parent = containers.get(parentPath);
    if (!parent) continue;
    const element = toElement(root.name, e, valueSets);
    byPath.set(e.p, element);
    if (hasChildren.has(e.p)) {
      element.backbone = emptyType(`${root.name}.${e.p}`, 'b');
      containers.set(e.p, element.backbone);
    }
    if (e.r !== undefined) contentRefs.push([element, parent, e.r]);
    else addElement(parent, element, types);
  }
  // A contentReference (e.g. Questionnaire.item.item → Questionnaire.item) reuses the target's
  // children and invariants.
  for (const [element, parent, target] of contentRefs) {
    const source = byPath.get(target);
    element.backbone = containers.get(target);
    if (source?.declared) element.declared = source.declared;
    addElement(parent, element, types, source?.path);
  }
}

function toElement(typeName: string, e: ModelElement, valueSets: Map<string, ValueSetIndex>): ElementDef {
  const last = e.p.slice(e.p.lastIndexOf('.') + 1);
  const choice = last.endsWith('[x]');
  const path = `${typeName}.${e.p}`;
  const element: ElementDef = {
    name: choice ? last.slice(0, -3) : last,
    path,
    min: e.n,
    max: e.x < 0 ? Infinity : e.x,
    repeating: e.x !== 1,
    choice,
    types: e.t ?? [],
    jsonNames: [],
  };
  const vs = e.v ? valueSets.get(e.v) : undefined;
  if (vs) element.valueSet = vs;
  if (e.c) element.declared = e.c;
  return element;
}

/** `basePath`: FHIRPath base for backbone invariants when they come from a contentReference target. */
function addElement(parent: TypeDef, element: ElementDef, types: Map<string, TypeDef>, basePath = element.path): void {
  parent.elements.push(element);
  if (element.min > 0) parent.required.push(element);
  const typeList = element.types.length ? element.types : ['BackboneElement'];
  for (const type of typeList) {
    const jsonName = element.choice ? element.name + capitalize(JSON_TYPE_ALIASES[type] ?? type) : element.name;
    if (!element.jsonNames.includes(jsonName)) element.jsonNames.push(jsonName);
    const typeDef = types.get(type);
    const backbone = type === 'Element' || type === 'BackboneElement';
    const prop: PropDef = { element, type, primitive: typeDef?.kind === 'p' };
    if (typeDef && !backbone) prop.typeDef = typeDef;
    const constraints = toConstraints(element.declared, backbone ? basePath : (JSON_TYPE_ALIASES[type] ?? type));
    if (constraints) prop.constraints = constraints;
    parent.props.set(jsonName, prop);
  }
}
