/**
 * Typed errors of the C-CDA converter. Each code is stable so the ingest endpoint can map it
 * to an OperationOutcome (docs/errors.md) without parsing messages.
 */
export type CcdaErrorCode =
  /** not well-formed XML, or an encoding we do not read */
  | 'ccda-not-xml'
  /** a DOCTYPE is present: refused outright, so no XXE and no entity expansion is possible */
  | 'ccda-doctype-forbidden'
  /** larger than the byte limit, or deeper / more elements than the structural limits */
  | 'ccda-too-large'
  /** root is not ClinicalDocument in urn:hl7-org:v3 */
  | 'ccda-not-cda'
  /** no recordTarget/patientRole: a document about nobody cannot be filed */
  | 'ccda-missing-patient';

export class CcdaError extends Error {
  override readonly name = 'CcdaError';
  constructor(
    readonly code: CcdaErrorCode,
    message: string,
    /** 1-based position in the XML text when known */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}
