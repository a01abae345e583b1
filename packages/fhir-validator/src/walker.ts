/**
 * One pass over the JSON of a resource against the compact model, applying the structural
 * rules of https://hl7.org/fhir/R4/json.html and https://hl7.org/fhir/R4/elementdefinition.html:
 * unknown properties, array vs single value, cardinality, one type per choice element,
 * no null (except to align a primitive array with its `_name` extension array), no empty
 * objects/arrays/strings (ele-1), primitive formats, required bindings, extension shape (ext-1),
 * contained resources and local references, narrative XHTML, and the remaining invariants.
 */
import { checkCodeableConceptBinding, checkCodeBinding, checkCodingBinding } from './bindings.ts';
import { invariantHolds } from './invariants.ts';
import type { IssueList } from './issues.ts';
import type { ConstraintDef, ElementDef, PropDef, RuntimeModel, TypeDef } from './model-runtime.ts';
import { checkNarrativeDiv } from './narrative.ts';
import { checkPrimitive, quote } from './primitives.ts';
import { checkContainedReferenced, checkContainedResource, ResourceScope } from './resource-scope.ts';

type Json = Record<string, unknown>;

const BOUND_PRIMITIVES = new Set(['code', 'string', 'uri']);
const REFERENCE_PRIMITIVES = new Set(['uri', 'url', 'canonical']);
const ABSOLUTE_URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Walker {
  constructor(
    private readonly model: RuntimeModel,
    private readonly issues: IssueList,
  ) {}

  /**
   * Validates a resource: the one being written (no container), a contained resource
   * (container = the containing resource's scope) or a resource inside a Bundle/Parameters.
   * Returns the scope when the resource type could be walked.
   */
  resource(value: unknown, path: string, container: ResourceScope | undefined): ResourceScope | undefined {
    if (!isObject(value)) {
      this.issues.error('structure', 'A resource must be a JSON object', path);
      return undefined;
    }
    const type = value.resourceType;
    if (typeof type !== 'string') {
      this.issues.error('required', "Missing 'resourceType'", `${path}.resourceType`);
      return undefined;
    }
    const td = this.model.types.get(type);
    if (!td || !this.model.resourceTypeSet.has(type)) {
      this.issues.error('not-supported', `Unknown resource type ${quote(type)}`, `${path}.resourceType`);
      return undefined;
    }
    const scope = new ResourceScope(value, container ? container.root : value, container);
    this.object(value, td, path, scope);
    if (td.props.has('contained')) checkContainedReferenced(scope, scope.containedScopes, this.issues);
    return scope;
  }

  /** `hasValue`: the object is the `_name` part of a primitive that has a value (ele-1 holds). */
  private object(obj: Json, td: TypeDef, path: string, scope: ResourceScope, hasValue = false): void {
    let content = 0;
    let choices: Map<ElementDef, string> | undefined;
    // Parsed JSON has only own keys; for…in avoids allocating a key array per element on the hot path.
    // eslint-disable-next-line no-restricted-syntax
    for (const key in obj) {
      if (key === 'resourceType' && td.kind === 'r') continue;
      if (key !== 'id') content++;
      if (key.charCodeAt(0) === 95 /* _ */) {
        this.primitiveExtensionOnly(obj, key, td, path, scope);
        continue;
      }
      const prop = td.props.get(key);
      if (!prop) {
        this.issues.error('structure', `Unknown element ${quote(key)}`, `${path}.${key}`);
        continue;
      }
      if (prop.element.choice) {
        choices ??= new Map();
        const other = choices.get(prop.element);
        if (other !== undefined) {
          this.issues.error('structure', `Only one type is allowed for ${prop.element.name}[x], found ${quote(other)} and ${quote(key)}`, `${path}.${prop.element.name}`);
          continue;
        }
        choices.set(prop.element, key);
      }
      this.property(obj, key, obj[key], prop, path, scope);
    }
    if (content === 0 && td.kind !== 'r' && !hasValue) {
      this.issues.error('invariant', 'Constraint failed: ele-1: All FHIR elements must have a @value or children (empty object)', path);
    }
    for (const el of td.required) this.checkMinimum(obj, el, path);
    if (td.name === 'Extension') this.checkExtension(obj, path);
    else if (td.name === 'Reference') scope.checkReference(obj.reference, path, this.issues);
    else if (td.name === 'Coding' || td.name === 'Identifier') this.checkSystem(obj.system, path);
    if (td.constraints.length) this.constraints(td.constraints, obj, path, scope, td);
  }

  private checkMinimum(obj: Json, el: ElementDef, path: string): void {
    let count = 0;
    for (const name of el.jsonNames) {
      const v = obj[name] ?? obj[`_${name}`];
      if (v === undefined || v === null) continue;
      count += Array.isArray(v) ? v.length : 1;
    }
    if (count < el.min) {
      const name = el.choice ? `${el.name}[x]` : el.name;
      this.issues.error('required', `Missing required element ${quote(name)} (minimum cardinality ${el.min}, found ${count})`, `${path}.${el.name}`);
    }
  }

  /** ext-1: an extension has either a value[x] or nested extensions, not both, not neither. */
  private checkExtension(obj: Json, path: string): void {
    const nested = obj.extension;
    const hasExtensions = Array.isArray(nested) ? nested.length > 0 : nested !== undefined;
    let hasValue = false;
    // eslint-disable-next-line no-restricted-syntax -- own keys of parsed JSON, as above
    for (const key in obj) {
      if (key.startsWith('value') || key.startsWith('_value')) hasValue = true;
    }
    if (hasExtensions === hasValue) {
      this.issues.error('invariant', `Constraint failed: ext-1: Must have either extensions or value[x], not both (${hasValue ? 'both present' : 'neither present'})`, path);
    }
  }

  /**
   * Coding.system and Identifier.system name a namespace, so they must be absolute URIs
   * (https://hl7.org/fhir/R4/terminologies.html#4.1); the HL7 validator rejects local ones.
   */
  private checkSystem(system: unknown, path: string): void {
    if (typeof system === 'string' && system.length > 0 && !ABSOLUTE_URI.test(system)) {
      this.issues.error('value', `The system ${quote(system)} must be an absolute URI`, `${path}.system`);
    }
  }

  /** `_name` holding the id/extensions of primitive `name`; walked here only when `name` is absent. */
  private primitiveExtensionOnly(obj: Json, key: string, td: TypeDef, path: string, scope: ResourceScope): void {
    const name = key.slice(1);
    const prop = td.props.get(name);
    if (!prop?.primitive) {
      this.issues.error('structure', `Unknown element ${quote(key)}`, `${path}.${key}`);
      return;
    }
    if (obj[name] !== undefined) return; // walked together with the value
    const el = prop.element;
    const elPath = el.choice ? `${path}.${el.name}.ofType(${prop.type})` : `${path}.${name}`;
    const ext = obj[key];
    if (!el.repeating) {
      this.primitiveExtension(ext, prop, elPath, scope, false);
    } else if (!Array.isArray(ext)) {
      this.issues.error('structure', `The element ${quote(key)} must be an array`, elPath);
    } else {
      ext.forEach((item, i) => this.primitiveExtension(item, prop, `${elPath}[${i}]`, scope, false));
    }
  }

  private primitiveExtension(ext: unknown, prop: PropDef, path: string, scope: ResourceScope, hasValue: boolean): void {
    if (!isObject(ext)) {
      this.issues.error('structure', 'A primitive extension (_name) must be a JSON object with id and/or extension', path);
      return;
    }
    if (prop.typeDef) this.object(ext, prop.typeDef, path, scope, hasValue);
  }

  private property(obj: Json, key: string, value: unknown, prop: PropDef, parentPath: string, scope: ResourceScope): void {
    const el = prop.element;
    const path = el.choice ? `${parentPath}.${el.name}.ofType(${prop.type})` : `${parentPath}.${key}`;
    const ext = prop.primitive ? obj[`_${key}`] : undefined;
    if (value === null) {
      this.issues.error('structure', 'null is not allowed (omit the element instead)', path);
      return;
    }
    if (!el.repeating) {
      if (Array.isArray(value)) {
        this.issues.error('structure', `The element ${quote(key)} must be a single value, not an array (max cardinality ${el.max})`, path);
        return;
      }
      this.item(value, prop, path, scope, ext);
      return;
    }
    if (!Array.isArray(value)) {
      this.issues.error('structure', `The element ${quote(key)} must be an array (max cardinality ${el.max === Infinity ? '*' : el.max})`, path);
      return;
    }
    if (value.length === 0) {
      this.issues.error('invariant', 'Constraint failed: ele-1: All FHIR elements must have a @value or children (empty array)', path);
      return;
    }
    if (value.length > el.max) {
      this.issues.error('structure', `Too many values for ${quote(key)}: maximum cardinality is ${el.max}, found ${value.length}`, path);
    }
    let extItems: unknown[] | undefined;
    if (ext !== undefined) {
      if (!Array.isArray(ext) || ext.length !== value.length) {
        this.issues.error('structure', `The arrays ${quote(key)} and ${quote(`_${key}`)} must have the same length`, path);
      } else {
        extItems = ext;
      }
    }
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const itemExt = extItems?.[i];
      const itemPath = `${path}[${i}]`;
      if (item === null) {
        if (prop.primitive && itemExt !== undefined && itemExt !== null) this.primitiveExtension(itemExt, prop, itemPath, scope, false);
        else this.issues.error('structure', 'null is only allowed in a primitive array aligned with a non-null extension', itemPath);
        continue;
      }
      this.item(item, prop, itemPath, scope, itemExt === null ? undefined : itemExt);
    }
  }

  private item(value: unknown, prop: PropDef, path: string, scope: ResourceScope, ext: unknown): void {
    if (prop.primitive) {
      this.primitive(value, prop, path, scope);
      if (ext !== undefined) this.primitiveExtension(ext, prop, path, scope, true);
    } else if (prop.type === 'Resource') {
      this.nestedResource(value, prop.element, path, scope);
      return;
    } else if (!isObject(value)) {
      this.issues.error('structure', `The element must be a JSON object (type ${prop.type})`, path);
      return;
    } else {
      const td = prop.typeDef ?? prop.element.backbone;
      if (!td) return;
      this.object(value, td, path, scope);
      const vs = prop.element.valueSet;
      if (vs && prop.type === 'CodeableConcept') checkCodeableConceptBinding(value, vs, path, this.issues);
      else if (vs && prop.type === 'Coding') checkCodingBinding(value, vs, path, this.issues);
    }
    if (prop.constraints) this.constraints(prop.constraints, value, path, scope, prop.typeDef ?? prop.element.backbone);
  }

  private primitive(value: unknown, prop: PropDef, path: string, scope: ResourceScope): void {
    const type = prop.type;
    if (!checkPrimitive(type, value, prop.typeDef?.regex, this.issues, path) || typeof value !== 'string') return;
    const vs = prop.element.valueSet;
    if (vs && BOUND_PRIMITIVES.has(type)) checkCodeBinding(value, vs, path, this.issues);
    if (REFERENCE_PRIMITIVES.has(type) && value.startsWith('#')) scope.addLocalRef(value);
    if (type === 'xhtml') {
      for (const p of checkNarrativeDiv(value)) this.issues.error(p.code, p.message, path);
    }
  }

  private nestedResource(value: unknown, element: ElementDef, path: string, scope: ResourceScope): void {
    if (element.name !== 'contained') {
      // Bundle.entry.resource, Parameters.parameter.resource, ...: each is its own %rootResource
      this.resource(value, path, undefined);
      return;
    }
    const child = this.resource(value, path, scope);
    if (child) {
      checkContainedResource(child.resource, path, this.issues);
      scope.containedScopes.push([child, path]);
    }
  }

  private constraints(list: ConstraintDef[], data: unknown, path: string, scope: ResourceScope, focus: TypeDef | undefined): void {
    const env = { resource: scope.resource, rootResource: scope.root };
    for (const c of list) {
      if (!invariantHolds(c, data, env, focus, this.model.types)) {
        this.issues.add(c.severity, 'invariant', `Constraint failed: ${c.key}: ${c.human}`, path);
      }
    }
  }
}
