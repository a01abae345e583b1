import type { Bundle, Coding, OperationOutcome, Resource } from 'fhir/r4';
import { CcdaError, convertCcda, type ConversionIssue } from '@kennebec/ccda';
import { ACT_CODE_SYSTEM, classifyResource, LABEL_DISPLAY, type SensitivityLabel } from '@kennebec/consent';
import { errors } from '@kennebec/fhir';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';

/**
 * Ingest of one C-CDA document from a source: converted to a FHIR transaction (the document
 * itself kept as DocumentReference + Binary) and applied all-or-nothing. Facts carry keys
 * derived from the document's entry ids and are created only if absent, so an overlapping
 * document sent again adds no duplicates.
 *
 * The document is as sensitive as the most sensitive fact in it: the DocumentReference and the
 * Binary carry the sensitivity labels of every fact converted from it (a CCD listing a
 * depression diagnosis is labelled like the Condition), so that whoever may not see the fact
 * does not read it in the document either.
 */
export interface CcdaIngestResult {
  /** The transaction-response Bundle: what was created, and what already existed (200). */
  response: Bundle;
  /** Entries the converter skipped or adjusted, with their line in the document. */
  issues: ConversionIssue[];
}

export async function ingestCcda(
  deps: { dispatch: (req: FhirRequest) => Promise<FhirResponse> },
  document: string | Uint8Array,
  orgId: string,
  maxBytes: number,
): Promise<CcdaIngestResult> {
  let bundle: Bundle;
  let issues: ConversionIssue[];
  try {
    const converted = convertCcda(document, { sourceOrgId: orgId, limits: { maxBytes } });
    bundle = converted.bundle;
    issues = converted.issues;
  } catch (err) {
    if (!(err instanceof CcdaError)) throw err;
    if (err.code === 'ccda-too-large') throw errors.tooLarge(maxBytes);
    const location = err.line !== undefined ? ` (line ${err.line})` : '';
    throw errors.invalidDocument(`${err.code}: ${err.message}${location}`);
  }
  labelDocument(bundle);
  const res = await deps.dispatch({ method: 'POST', path: '', query: [], headers: {}, body: bundle, actor: { kind: 'system', origin: 'ccda', orgId } });
  if (res.status >= 400) throw errors.unprocessable((res.body as OperationOutcome | undefined)?.issue?.map((i) => i.diagnostics).join('; ') ?? 'The document could not be stored');
  return { response: res.body as Bundle, issues };
}

/** Gives the DocumentReference and Binary of a converted document the labels of every fact in it. */
export function labelDocument(bundle: Bundle): void {
  const isDocument = (r: Resource): boolean => r.resourceType === 'DocumentReference' || r.resourceType === 'Binary';
  const labels = new Set<SensitivityLabel>();
  for (const e of bundle.entry ?? []) {
    if (e.resource && !isDocument(e.resource)) for (const l of classifyResource(e.resource as Resource & Record<string, unknown>)) labels.add(l);
  }
  if (labels.size === 0) return;
  for (const e of bundle.entry ?? []) {
    const r = e.resource;
    if (!r || !isDocument(r)) continue;
    const present = new Set((r.meta?.security ?? []).filter((c) => c.system === ACT_CODE_SYSTEM).map((c) => c.code));
    const missing: Coding[] = [...labels].filter((l) => !present.has(l)).sort().map((code) => ({ system: ACT_CODE_SYSTEM, code, display: LABEL_DISPLAY[code] }));
    if (missing.length > 0) r.meta = { ...r.meta, security: [...(r.meta?.security ?? []), ...missing] };
  }
}
