/** Parsing of FHIR literal references: `Type/id`, `Type/id/_history/v`, absolute URLs, `urn:uuid:`. */
export interface ParsedReference {
  type: string;
  id: string;
  version?: string;
}

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([A-Za-z0-9\-.]{1,64}))?$/;

/** Parses a relative literal reference, or an absolute one whose base is `baseUrl`. */
export function parseReference(reference: string, baseUrl?: string): ParsedReference | undefined {
  let ref = reference;
  if (baseUrl && ref.startsWith(baseUrl)) ref = ref.slice(baseUrl.length).replace(/^\//, '');
  const m = RELATIVE.exec(ref);
  if (!m) return undefined;
  return { type: m[1] as string, id: m[2] as string, ...(m[3] ? { version: m[3] } : {}) };
}

export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
