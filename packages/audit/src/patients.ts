import type { Resource } from 'fhir/r4';

/**
 * The patients a resource concerns, as references: the Patient itself, a Person itself, and
 * every relative reference to a Patient inside it (subject, patient, beneficiary, performer,
 * Person.link …). Only references are taken, so nothing of the record's content is kept.
 */
const ID = '[A-Za-z0-9\\-.]{1,64}';
const IN_JSON = new RegExp(`"reference"\\s*:\\s*"Patient/(${ID})(?:/_history/[^"]*)?"`, 'g');
const REFERENCE = new RegExp(`^Patient/(${ID})(?:/_history/.*)?$`);
const PATIENT_TYPES = new Set(['Patient', 'Person']);

/** From a resource's JSON text, without parsing it (responses keep the stored text). */
export function patientsInJson(text: string, self?: { resourceType: string; id: string }): string[] {
  const out = new Set<string>();
  if (self && PATIENT_TYPES.has(self.resourceType)) out.add(`${self.resourceType}/${self.id}`);
  for (const m of text.matchAll(IN_JSON)) out.add(`Patient/${m[1] as string}`);
  return [...out];
}

/** From a resource object. */
export function patientsInResource(resource: Resource): string[] {
  const out = new Set<string>();
  if (resource.id && PATIENT_TYPES.has(resource.resourceType)) out.add(`${resource.resourceType}/${resource.id}`);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      if (k === 'reference' && typeof child === 'string') {
        const m = REFERENCE.exec(child);
        if (m) out.add(`Patient/${m[1] as string}`);
      } else if (typeof child === 'object') walk(child);
    }
  };
  walk(resource);
  return [...out];
}

/** `Patient/123/_history/2` → `Patient/123`; relative references only. */
export function unversioned(reference: string): string {
  const i = reference.indexOf('/_history/');
  return i === -1 ? reference : reference.slice(0, i);
}
