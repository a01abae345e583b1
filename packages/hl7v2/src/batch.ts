/**
 * Batch files (HL7 v2.5.1 chapter 2.10.3): [FHS] { [BHS] { MSH … } [BTS] } [FTS].
 * One bad message does not sink the file: it is reported with its line and the rest parse.
 */
import { type EncodingCharacters, DEFAULT_ENCODING } from './encoding.ts';
import { HL7_ERROR, Hl7ParseError, type Hl7Issue } from './errors.ts';
import { type Hl7Message, Hl7Segment } from './message.ts';
import { type ParseOptions, parseMessage, readEncodingCharacters, DEFAULT_MAX_BYTES } from './parse.ts';

export interface BatchMessageError {
  /** 1-based position of the message in the file. */
  index: number;
  line: number;
  error: Hl7ParseError;
}

export interface Hl7BatchGroup {
  header?: Hl7Segment;
  trailer?: Hl7Segment;
  messages: Hl7Message[];
}

export interface Hl7Batch {
  fileHeader?: Hl7Segment;
  fileTrailer?: Hl7Segment;
  batches: Hl7BatchGroup[];
  /** Every message that parsed, in file order. */
  messages: Hl7Message[];
  errors: BatchMessageError[];
  /** Count mismatches (BTS-1, FTS-1) and missing trailers: warnings, the messages still count. */
  issues: Hl7Issue[];
}

const ENVELOPE = new Set(['FHS', 'BHS', 'BTS', 'FTS']);

function envelopeSegment(text: string, no: number, enc: EncodingCharacters): Hl7Segment {
  const name = text.slice(0, 3);
  const parts = text.split(enc.field);
  const fields = name === 'FHS' || name === 'BHS' ? [name, enc.field, ...parts.slice(1)] : parts;
  return new Hl7Segment(name, fields, enc, no);
}

/** Parses a batch file, or a single message or a bare run of messages as one unnamed batch. */
export function parseBatch(input: string | Uint8Array, options?: ParseOptions): Hl7Batch {
  const max = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > max) throw new Hl7ParseError('too-large', `Batch of ${size} bytes exceeds the limit of ${max} bytes`, undefined, HL7_ERROR.valueTooLong);
  const text = (typeof input === 'string' ? input : Buffer.from(input).toString('utf8')).replace(/^\uFEFF/, '');
  const lines = text.split(/\r\n|\r|\n/);
  const result: Hl7Batch = { batches: [], messages: [], errors: [], issues: [] };
  let enc: EncodingCharacters = DEFAULT_ENCODING;
  let group: Hl7BatchGroup | undefined;
  let pending: { start: number; lines: string[] } | undefined;
  let index = 0;

  const currentGroup = (): Hl7BatchGroup => {
    if (!group) {
      group = { messages: [] };
      result.batches.push(group);
    }
    return group;
  };
  const flush = (): void => {
    if (!pending) return;
    index++;
    try {
      const msg = parseMessage(pending.lines.join('\r'), { maxBytes: max });
      currentGroup().messages.push(msg);
      result.messages.push(msg);
    } catch (err) {
      if (!(err instanceof Hl7ParseError)) throw err;
      result.errors.push({ index, line: pending.start, error: err });
    }
    pending = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const t = lines[i] as string;
    if (t.trim() === '') continue;
    const id = t.slice(0, 3);
    if (ENVELOPE.has(id)) {
      flush();
      if (id === 'FHS' || id === 'BHS') enc = readEncodingCharacters(t, i + 1);
      const seg = envelopeSegment(t, i + 1, enc);
      if (id === 'FHS') result.fileHeader = seg;
      else if (id === 'FTS') result.fileTrailer = seg;
      else if (id === 'BHS') {
        group = { header: seg, messages: [] };
        result.batches.push(group);
      } else {
        currentGroup().trailer = seg;
        group = undefined;
      }
    } else if (id === 'MSH') {
      flush();
      pending = { start: i + 1, lines: [t] };
    } else if (pending) {
      pending.lines.push(t);
    } else {
      throw new Hl7ParseError('bad-batch', `Segment "${t.slice(0, 20)}" outside any message`, { line: i + 1 });
    }
  }
  flush();
  checkCounts(result);
  return result;
}

function checkCounts(batch: Hl7Batch): void {
  for (const g of batch.batches) {
    if (g.header && !g.trailer) batch.issues.push({ severity: 'W', code: HL7_ERROR.segmentSequence, message: 'Batch has no BTS trailer', location: { segment: 'BHS', line: g.header.line } });
    const declared = g.trailer?.get(1);
    if (declared && Number(declared) !== g.messages.length) {
      batch.issues.push({ severity: 'W', code: HL7_ERROR.dataTypeError, message: `BTS-1 says ${declared} messages, found ${g.messages.length}`, location: { segment: 'BTS', field: 1, line: g.trailer?.line ?? 0 } });
    }
  }
  if (batch.fileHeader && !batch.fileTrailer) batch.issues.push({ severity: 'W', code: HL7_ERROR.segmentSequence, message: 'File has no FTS trailer', location: { segment: 'FHS', line: batch.fileHeader.line } });
  const declared = batch.fileTrailer?.get(1);
  const withHeader = batch.batches.filter((g) => g.header).length;
  if (declared && Number(declared) !== withHeader) {
    batch.issues.push({ severity: 'W', code: HL7_ERROR.dataTypeError, message: `FTS-1 says ${declared} batches, found ${withHeader}`, location: { segment: 'FTS', field: 1 } });
  }
}
