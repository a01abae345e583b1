import { ACT_CODE_SYSTEM } from '@kennebec/consent';
import { parseReference } from '@kennebec/fhir';

/**
 * Whose record a resource is. A resource belongs to the patients its owner elements name
 * (`subject`, `patient`, `beneficiary`, Task `for`, Appointment participants); a Patient to
 * itself. This is the owning part of the Patient compartment
 * (https://hl7.org/fhir/R4/compartmentdefinition-patient.html): other mentions of a patient
 * (a performer, an author, Patient.link) do not make the resource part of that patient's record
 * for access. Search applies the same rule through the index (OWNER_SEARCH_PARAMS).
 *
 * Every type not listed as reference data is treated as patient data: a type nobody thought of
 * is denied to portal users rather than shown.
 */
const REFERENCE_DATA: ReadonlySet<string> = new Set([
  'Organization',
  'Practitioner',
  'PractitionerRole',
  'Location',
  'HealthcareService',
  'Endpoint',
  'Medication',
  'Substance',
  'CodeSystem',
  'ValueSet',
  'ConceptMap',
  'StructureDefinition',
  'SearchParameter',
  'OperationDefinition',
  'CapabilityStatement',
  'Questionnaire',
  'PlanDefinition',
  'ActivityDefinition',
]);

export function isPatientData(resourceType: string): boolean {
  return !REFERENCE_DATA.has(resourceType);
}

/** Search parameters (reference, to a Patient) that name a resource's owner; see compileOwner in the store. */
export const OWNER_SEARCH_PARAMS: readonly string[] = ['patient', 'subject', 'beneficiary'];

const OWNER_ELEMENTS = ['subject', 'patient', 'beneficiary', 'for'];

function patientIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { reference?: unknown }).reference;
  if (typeof ref !== 'string') return undefined;
  const parsed = parseReference(ref);
  return parsed?.type === 'Patient' ? parsed.id : undefined;
}

/** The patient ids that own this resource (empty: nobody's record). */
export function ownersOf(resource: { resourceType: string; id?: string | undefined } & Record<string, unknown>): string[] {
  if (resource.resourceType === 'Patient') return resource.id ? [resource.id] : [];
  const owners = new Set<string>();
  const add = (v: unknown): void => {
    for (const item of Array.isArray(v) ? v : [v]) {
      const id = patientIdOf(item);
      if (id) owners.add(id);
    }
  };
  for (const el of OWNER_ELEMENTS) add(resource[el]);
  if (resource.resourceType === 'Appointment' && Array.isArray(resource.participant)) {
    for (const p of resource.participant as { actor?: unknown }[]) add(p.actor);
  }
  return [...owners];
}

/** The resource's sensitivity labels (meta.security codes of the ActCode system). */
export function labelsOfResource(resource: { meta?: { security?: { system?: string; code?: string }[] } }): string[] {
  return (resource.meta?.security ?? []).filter((c) => c.system === ACT_CODE_SYSTEM && typeof c.code === 'string').map((c) => c.code as string);
}
