import type { Bundle, OperationOutcome } from 'fhir/r4';
import { CcdaError, convertCcda, type ConversionIssue } from '@kennebec/ccda';
import { errors } from '@kennebec/fhir';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';

/**
 * Ingest of one C-CDA document from a source: converted to a FHIR transaction (the document
 * itself kept as DocumentReference + Binary) and applied all-or-nothing. Facts carry keys
 * derived from the document's entry ids and are created only if absent, so an overlapping
 * document sent again adds no duplicates.
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
  const res = await deps.dispatch({ method: 'POST', path: '', query: [], headers: {}, body: bundle, actor: { kind: 'system', origin: 'ccda', orgId } });
  if (res.status >= 400) throw errors.unprocessable((res.body as OperationOutcome | undefined)?.issue?.map((i) => i.diagnostics).join('; ') ?? 'The document could not be stored');
  return { response: res.body as Bundle, issues };
}
