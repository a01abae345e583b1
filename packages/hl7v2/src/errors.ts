/**
 * Typed errors and issues of the HL7 v2 package. Each carries an HL7 error code from
 * table 0357 (v2.5+ ERR-3, "Message Error Condition Codes") so an ACK can name it, and a
 * location in the ERL shape of v2.5 ERR-2 (segment id, sequence, field, repetition,
 * component, subcomponent).
 */

/** HL7 table 0357 (v2.5 chapter 2.16.5, ERR-3). */
export const HL7_ERROR = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataTypeError: 102,
  tableValueNotFound: 103,
  valueTooLong: 104,
  unsupportedMessageType: 200,
  unsupportedEventCode: 201,
  unsupportedProcessingId: 202,
  unsupportedVersionId: 203,
  unknownKeyIdentifier: 204,
  duplicateKeyIdentifier: 205,
  applicationRecordLocked: 206,
  applicationInternalError: 207,
} as const;

export type Hl7ErrorCode = (typeof HL7_ERROR)[keyof typeof HL7_ERROR];

const ERROR_TEXT: Record<Hl7ErrorCode, string> = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  104: 'Value too long',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

export function hl7ErrorText(code: Hl7ErrorCode): string {
  return ERROR_TEXT[code];
}

/** Where in a message something is: the v2.5 ERL data type, 1-based. */
export interface Hl7Location {
  segment?: string;
  /** 1-based occurrence of that segment id in the message (ERL.2). */
  sequence?: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
  /** 1-based line (segment) number in the raw text, for humans. */
  line?: number;
}

export function formatLocation(loc: Hl7Location | undefined): string {
  if (!loc) return '';
  let s = loc.segment ?? '';
  if (loc.sequence !== undefined && loc.sequence > 1) s += `[${loc.sequence}]`;
  if (loc.field !== undefined) s += `-${loc.field}`;
  if (loc.repetition !== undefined && loc.repetition > 1) s += `[${loc.repetition}]`;
  if (loc.component !== undefined) s += `.${loc.component}`;
  if (loc.subcomponent !== undefined) s += `.${loc.subcomponent}`;
  if (loc.line !== undefined) s += ` (line ${loc.line})`;
  return s.trim();
}

export type Hl7ParseErrorKind =
  | 'empty'
  | 'too-large'
  | 'binary'
  | 'missing-msh'
  | 'bad-encoding-characters'
  | 'bad-segment'
  | 'bad-batch';

/** A message that cannot be parsed at all (structure, not content). */
export class Hl7ParseError extends Error {
  readonly kind: Hl7ParseErrorKind;
  readonly location: Hl7Location | undefined;
  readonly hl7Code: Hl7ErrorCode;

  constructor(kind: Hl7ParseErrorKind, message: string, location?: Hl7Location, hl7Code: Hl7ErrorCode = HL7_ERROR.segmentSequence) {
    super(location ? `${message} at ${formatLocation(location)}` : message);
    this.name = 'Hl7ParseError';
    this.kind = kind;
    this.location = location;
    this.hl7Code = hl7Code;
  }
}

export function isHl7ParseError(err: unknown): err is Hl7ParseError {
  return err instanceof Hl7ParseError;
}

/** A well-formed message this package does not map (the server answers AR, table 0008). */
export class Hl7UnsupportedError extends Error {
  readonly messageType: string;
  readonly hl7Code: Hl7ErrorCode;
  readonly location: Hl7Location;

  constructor(messageType: string, hl7Code: Hl7ErrorCode = HL7_ERROR.unsupportedMessageType, detail?: string) {
    super(detail ?? `Unsupported message type ${messageType}`);
    this.name = 'Hl7UnsupportedError';
    this.messageType = messageType;
    this.hl7Code = hl7Code;
    this.location = { segment: 'MSH', sequence: 1, field: hl7Code === HL7_ERROR.unsupportedVersionId ? 12 : 9 };
  }
}

export function isHl7UnsupportedError(err: unknown): err is Hl7UnsupportedError {
  return err instanceof Hl7UnsupportedError;
}

/** A content problem found while checking or mapping; severity follows v2.5 ERR-4 (table 0516). */
export interface Hl7Issue {
  severity: 'E' | 'W' | 'I';
  code: Hl7ErrorCode;
  message: string;
  location?: Hl7Location;
}

/** A supported message whose content cannot be processed, e.g. a required segment is absent (the server answers AE). */
export class Hl7MappingError extends Error {
  readonly hl7Code: Hl7ErrorCode;
  readonly location: Hl7Location;

  constructor(message: string, location: Hl7Location, hl7Code: Hl7ErrorCode = HL7_ERROR.segmentSequence) {
    super(message);
    this.name = 'Hl7MappingError';
    this.location = location;
    this.hl7Code = hl7Code;
  }
}

export function isHl7MappingError(err: unknown): err is Hl7MappingError {
  return err instanceof Hl7MappingError;
}
