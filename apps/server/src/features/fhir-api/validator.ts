import { errors, type IssueInput } from '@kennebec/fhir';
import { isKnownResourceType, resourceTypes, validateResource } from '@kennebec/fhir-validator';
import type { ResourceValidator } from './ports.ts';

/**
 * Validation on write against the FHIR R4 definitions. The resourceType is checked first:
 * a body of the wrong or an unknown type is a 400 before any structural check.
 */
export function createValidator(): ResourceValidator {
  return {
    resourceTypes,
    isKnownType: (type) => isKnownResourceType(type),
    validate(resource: unknown, expectedType: string): IssueInput[] {
      if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
        throw errors.badRequest('The body must be a JSON object holding a FHIR resource');
      }
      const type = (resource as { resourceType?: unknown }).resourceType;
      if (typeof type !== 'string') throw errors.badRequest('The resource has no resourceType', ['resourceType']);
      if (!isKnownResourceType(type)) throw errors.badRequest(`Unknown resourceType '${type}'`, ['resourceType']);
      if (type !== expectedType) {
        throw errors.badRequest(`Expected a ${expectedType} resource but got ${type}`, ['resourceType']);
      }
      return validateResource(resource, { expectedType }).issues.map((i) => ({
        severity: i.severity,
        code: i.code,
        diagnostics: i.diagnostics,
        expression: i.expression,
      }));
    },
  };
}
