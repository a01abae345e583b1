/**
 * Shape of the compact R4 model written by `scripts/build-model.ts` to
 * `generated/r4-model.json` and read lazily at run time. Keys are short because the file
 * is shipped in the repository; every field is documented here instead.
 */

export const MODEL_FORMAT_VERSION = 1;

/** One invariant (ElementDefinition.constraint) kept for FHIRPath evaluation. */
export interface ModelConstraint {
  /** key, e.g. "obs-6" */
  k: string;
  /** severity: "e" error, "w" warning */
  s: 'e' | 'w';
  /** FHIRPath expression (already patched, see constraint-fixes.ts) */
  x: string;
  /** human description */
  h: string;
}

/** One element of a type's snapshot (the root element is not listed). */
export interface ModelElement {
  /** path relative to the type, e.g. "referenceRange.low" or "value[x]" */
  p: string;
  /** min cardinality */
  n: number;
  /** max cardinality, -1 for "*" */
  x: number;
  /**
   * Type codes. FHIRPath system types are replaced by their FHIR type (Element.id → string,
   * Extension.url → uri, Resource.id → id); Quantity profiled as SimpleQuantity/MoneyQuantity
   * uses the profile's name so its extra invariants apply. Absent with a contentReference.
   */
  t?: string[];
  /** contentReference, relative to the type: "#Questionnaire.item" → "item" */
  r?: string;
  /** canonical URL of the required binding, present only when the value set was expandable */
  v?: string;
  /** invariants declared on this element (ele-1 and natively checked ones removed) */
  c?: ModelConstraint[];
}

export interface ModelType {
  /** kind: "p" primitive, "c" complex datatype, "r" resource */
  k: 'p' | 'c' | 'r';
  /** abstract (Resource, DomainResource, Element, BackboneElement ...) */
  a?: 1;
  /** regex for the value of a primitive type, translated from Java to JavaScript syntax */
  rx?: string;
  /** invariants on the type's root element */
  c?: ModelConstraint[];
  e: ModelElement[];
}

/** Expanded required value set: system → sorted codes ("" when the include has no system). */
export type ModelValueSet = Record<string, string[]>;

export interface R4Model {
  format: number;
  fhirVersion: string;
  /** concrete resource types, sorted */
  resourceTypes: string[];
  types: Record<string, ModelType>;
  valueSets: Record<string, ModelValueSet>;
}
