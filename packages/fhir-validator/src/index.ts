/**
 * @kennebec/fhir-validator: validation of FHIR R4 resources on write, against the base
 * specification only (no profiles, no terminology server), following the HL7 validator.
 * The model (generated/r4-model.json) is loaded on the first call and then shared.
 *
 * Resource type problems are reported distinctly, with severity "fatal" and
 * expression ["resourceType"]:
 * - missing resourceType → code "required"
 * - unknown resourceType → code "not-supported"
 * - a known type other than options.expectedType → code "invalid"
 */
import { IssueList, type ValidationIssue, type ValidationResult } from './issues.ts';
import { rawModel, runtimeModel } from './model-runtime.ts';
import { quote } from './primitives.ts';
import { checkHasNarrative } from './resource-scope.ts';
import { Walker } from './walker.ts';

export type { IssueCode, Severity, ValidationIssue, ValidationResult } from './issues.ts';

export interface ValidateOptions {
  /** the type named by the request (e.g. POST /Patient); a different resourceType is fatal */
  expectedType?: string;
}

/** Concrete FHIR R4 resource types, sorted. */
export const resourceTypes: readonly string[] = Object.freeze([...rawModel().resourceTypes]);
const resourceTypeSet: ReadonlySet<string> = new Set(resourceTypes);

export function isKnownResourceType(type: string): boolean {
  return resourceTypeSet.has(type);
}

function fatal(code: ValidationIssue['code'], diagnostics: string): ValidationResult {
  return { valid: false, issues: [{ severity: 'fatal', code, diagnostics, expression: ['resourceType'] }] };
}

export function validateResource(resource: unknown, options: ValidateOptions = {}): ValidationResult {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    return { valid: false, issues: [{ severity: 'fatal', code: 'structure', diagnostics: 'A resource must be a JSON object', expression: ['$this'] }] };
  }
  const json = resource as Record<string, unknown>;
  const type = json.resourceType;
  if (type === undefined) return fatal('required', "Missing 'resourceType'");
  if (typeof type !== 'string' || !isKnownResourceType(type)) {
    return fatal('not-supported', `Unknown resource type ${typeof type === 'string' ? quote(type) : `(${typeof type})`}`);
  }
  if (options.expectedType !== undefined && options.expectedType !== type) {
    return fatal('invalid', `Resource type ${quote(type)} does not match the expected type ${quote(options.expectedType)}`);
  }
  const model = runtimeModel();
  const issues = new IssueList();
  const walker = new Walker(model, issues);
  walker.resource(json, type, undefined);
  if (model.types.get(type)?.props.has('text')) checkHasNarrative(json, type, issues);
  return issues.result();
}
