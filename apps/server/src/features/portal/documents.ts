import type { Binary, DocumentReference, Resource } from 'fhir/r4';
import { ccdaDocumentView, CcdaError, convertCcda, type CcdaDocumentView } from '@kennebec/ccda';
import { classifyResource, labelsOf } from '@kennebec/consent';
import { errors, parseReference } from '@kennebec/fhir';
import { defaultPurpose, ownersOf, type Principal } from '../access/index.ts';
import { coveringGroups, type PortalDeps, type RecordItem } from './record.ts';

/**
 * One document of a person's record, to read in the portal: the DocumentReference and its
 * content (a C-CDA document received by ingest is kept as DocumentReference + Binary).
 *
 * Decided like the record sections: the DocumentReference is searched under the permit's
 * patients and hidden labels, so another person's document is a 404 like one that does not
 * exist. Its content (the Binary) must belong to the same person. A document is as sensitive
 * as the most sensitive fact in it: when the account has labels hidden for this person (a
 * teen's confidential information, to a parent), the labels of every fact the document holds
 * (its entries, converted as at ingest) are put to the access point with the document's own,
 * and a document holding a hidden one is a 404 too.
 */
export type DocumentContent =
  | CcdaDocumentView
  | { kind: 'text'; text: string }
  /** Kept in a form the portal does not show (a PDF, an image), or not kept here at all. */
  | { kind: 'unavailable'; contentType: string | null };

export interface DocumentRead {
  document: RecordItem;
  /** The Binary read for the content, if any. */
  binaryId: string | null;
  content: DocumentContent;
}

/** The most bytes of a document shown (a larger one is offered as unavailable). */
export const DOCUMENT_MAX_BYTES = 20 * 1024 * 1024;

const isXml = (type: string | undefined): boolean => !!type && /^(application|text)\/([a-z0-9.+-]*\+)?xml\b/i.test(type);
const isText = (type: string | undefined): boolean => !!type && /^text\/plain\b/i.test(type);

function contentOf(bytes: Buffer, contentType: string | undefined): DocumentContent {
  if (bytes.byteLength > DOCUMENT_MAX_BYTES) return { kind: 'unavailable', contentType: contentType ?? null };
  if (isXml(contentType)) {
    try {
      return ccdaDocumentView(bytes, { maxBytes: DOCUMENT_MAX_BYTES });
    } catch (err) {
      if (err instanceof CcdaError) return { kind: 'unavailable', contentType: contentType ?? null };
      throw err;
    }
  }
  if (isText(contentType)) {
    try {
      return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      return { kind: 'unavailable', contentType: contentType ?? null };
    }
  }
  return { kind: 'unavailable', contentType: contentType ?? null };
}

/** Sensitivity labels of every fact a C-CDA document holds (none when it is not one). */
function factLabels(bytes: Buffer, contentType: string | undefined): string[] {
  if (!isXml(contentType)) return [];
  let resources: Resource[];
  try {
    resources = (convertCcda(bytes, { limits: { maxBytes: DOCUMENT_MAX_BYTES } }).bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  } catch (err) {
    if (err instanceof CcdaError) return [];
    throw err;
  }
  const labels = new Set<string>();
  for (const r of resources) for (const l of classifyResource(r as Resource & Record<string, unknown>)) labels.add(l);
  return [...labels];
}

export async function readDocument(deps: PortalDeps, principal: Principal, patientId: string, documentId: string): Promise<DocumentRead> {
  const notFound = errors.notFound(`DocumentReference/${documentId}`);
  const groups = await coveringGroups(deps, principal, patientId, 'DocumentReference');
  const filter = deps.access.searchFilter({ kind: 'patients', groups });
  const found = await deps.search.search('DocumentReference', [['_id', documentId]], { lenient: false, access: filter });
  const stored = found.matches[0];
  if (!stored?.resource) throw notFound;
  const reference = stored.resource as DocumentReference;
  const owners = ownersOf(reference as unknown as { resourceType: string } & Record<string, unknown>);
  const person = new Set(groups.flatMap((g) => g.patientIds));

  const attachment = reference.content?.[0]?.attachment;
  let bytes: Buffer | null = null;
  let binary: Binary | undefined;
  if (attachment?.data !== undefined) {
    bytes = Buffer.from(attachment.data, 'base64');
  } else if (attachment?.url) {
    const ref = parseReference(attachment.url);
    if (ref?.type === 'Binary') {
      binary = await deps.readBinary(ref.id);
      // The content belongs to the same person as the reference, or it is not shown.
      const context = binary?.securityContext?.reference ? parseReference(binary.securityContext.reference) : undefined;
      if (binary && !(context?.type === 'Patient' && person.has(context.id))) throw notFound;
      if (binary?.data !== undefined) bytes = Buffer.from(binary.data, 'base64');
    }
  }
  const contentType = binary?.contentType ?? attachment?.contentType;

  if (groups.some((g) => g.hiddenLabels.length > 0)) {
    const labels = [...new Set([...labelsOf(reference), ...(binary ? labelsOf(binary) : []), ...(bytes ? factLabels(bytes, contentType) : [])])];
    const d = deps.access.decide(principal, { action: 'read', resourceType: 'DocumentReference', patients: owners, purpose: defaultPurpose(principal.actor), labels });
    if (!d.permit) throw notFound;
  }

  return {
    document: { resourceType: 'DocumentReference', id: stored.id, sourceOrg: stored.sourceOrg, resource: reference },
    binaryId: binary?.id ?? null,
    content: bytes ? contentOf(bytes, contentType) : { kind: 'unavailable', contentType: contentType ?? null },
  };
}
