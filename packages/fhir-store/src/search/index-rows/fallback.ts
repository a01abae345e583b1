/**
 * The slow path: expressions the generator could not compile to property walks (e.g.
 * `Patient.deceased.exists() and Patient.deceased != false`) are compiled once with
 * fhirpath.js and the R4 model, which is loaded only when the first such parameter is used.
 */
import { createRequire } from 'node:module';
import fhirpath from 'fhirpath';

type Model = Parameters<typeof fhirpath.compile>[1];
type Evaluator = (resource: unknown) => { value: unknown; type: string }[];

let model: Model | undefined;

function r4(): Model {
  model ??= createRequire(import.meta.url)('fhirpath/fhir-context/r4') as Model;
  return model;
}

/** `System.Boolean` → `boolean`, `FHIR.Reference` → `Reference`, `FHIR.dateTime` → `dateTime`. */
function leafType(t: string): string {
  if (t.startsWith('System.')) return t.charAt(7).toLowerCase() + t.slice(8);
  return t.startsWith('FHIR.') ? t.slice(5) : t;
}

export function compileFhirPath(expression: string): Evaluator {
  const fn = fhirpath.compile(expression, r4(), { resolveInternalTypes: false });
  return (resource) => {
    const raw = fn(resource as Record<string, unknown>) as unknown[];
    const types = fhirpath.types(raw);
    const values = fhirpath.resolveInternalTypes(raw) as unknown[];
    return values.map((value, i) => ({ value, type: leafType(types[i] ?? '') }));
  };
}
