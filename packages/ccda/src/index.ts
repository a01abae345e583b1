/**
 * @kennebec/ccda: pure C-CDA → FHIR R4 conversion (safe XML parsing, section mapping,
 * idempotency keys), and a document's header and narrative for a person to read. The ingest
 * endpoint and storage live in the server.
 */
export { CcdaError, type CcdaErrorCode } from './errors.ts';
export { DEFAULT_LIMITS, parseXml, type XmlElement, type XmlLimits } from './xml.ts';
export { convertCcda, parseCcda, type CcdaConversion, type CcdaConvertOptions } from './to-fhir/index.ts';
export { DEFAULT_FACT_SYSTEM, type ConversionIssue, type ConvertOptions } from './to-fhir/context.ts';
export { parseTs } from './to-fhir/dates.ts';
export { systemForOid } from './to-fhir/codes.ts';
export { ccdaDocumentView, type CcdaDocumentView, type CcdaSectionView, type CcdaAuthor } from './view/document-view.ts';
export { narrativeOf, NARRATIVE_STYLES, type NarrativeNode, type NarrativeElement, type NarrativeTag, type NarrativeStyle } from './view/narrative.ts';
