/**
 * ER7 parsing and serialization (HL7 v2.5.1 chapter 2.6 "Message construction rules",
 * 2.10.3 batch protocol). Structure only: whether the content makes sense is checked by
 * validate.ts and the mappers.
 */
import { type EncodingCharacters, encodingCharactersText } from './encoding.ts';
import { HL7_ERROR, Hl7ParseError } from './errors.ts';
import { Hl7Message, Hl7Segment } from './message.ts';

export interface ParseOptions {
  /** Refuse larger input (bytes, or UTF-16 units for strings). Default 50 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;
const HEADER_IDS = new Set(['MSH', 'FHS', 'BHS']);
// C0 controls other than TAB, LF, FF and CR have no place in ER7 text (2.5.4); they mean binary data or stray framing.
// eslint-disable-next-line no-control-regex -- finding control bytes is the purpose
const CONTROL = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/;

/** Turns bytes into text: UTF-8 unless MSH-18 names ISO 8859 or the bytes are not valid UTF-8. */
function decodeBytes(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = buf.subarray(0, 2048).toString('latin1');
  if (/\|8859\//.test(head.split(/[\r\n]/)[0] ?? '')) return buf.toString('latin1');
  const text = buf.toString('utf8');
  return text.includes('\uFFFD') ? buf.toString('latin1') : text;
}

function toText(input: string | Uint8Array, options: ParseOptions | undefined): string {
  const max = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > max) throw new Hl7ParseError('too-large', `Message of ${size} bytes exceeds the limit of ${max} bytes`, undefined, HL7_ERROR.valueTooLong);
  let text = typeof input === 'string' ? input : decodeBytes(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const bad = CONTROL.exec(text);
  if (bad) {
    const line = text.slice(0, bad.index).split(/\r\n|\r|\n/).length;
    const code = bad[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw new Hl7ParseError('binary', `Binary data (byte 0x${code}) is not HL7 ER7 text`, { line });
  }
  return text;
}

/** Reads MSH-1/MSH-2 (or FHS/BHS-1/2): any field separator and four or five distinct encoding characters. */
export function readEncodingCharacters(line: string, lineNo = 1): EncodingCharacters {
  const id = line.slice(0, 3);
  const field = line[3];
  const where = { segment: id, sequence: 1, field: 1, line: lineNo };
  if (field === undefined) throw new Hl7ParseError('bad-encoding-characters', `${id} has no field separator (${id}-1)`, where, HL7_ERROR.requiredFieldMissing);
  if (/[A-Za-z0-9\s]/.test(field)) throw new Hl7ParseError('bad-encoding-characters', `${id}-1 field separator "${field}" must be a non-alphanumeric printable character`, where, HL7_ERROR.dataTypeError);
  const end = line.indexOf(field, 4);
  const chars = line.slice(4, end < 0 ? undefined : end);
  const where2 = { ...where, field: 2 };
  if (chars.length < 4 || chars.length > 5) {
    throw new Hl7ParseError('bad-encoding-characters', `${id}-2 encoding characters "${chars}" must be 4 characters (5 with the v2.7 truncation character)`, where2, chars === '' ? HL7_ERROR.requiredFieldMissing : HL7_ERROR.dataTypeError);
  }
  const all = field + chars;
  if (new Set(all).size !== all.length || /[A-Za-z0-9\s]/.test(chars)) {
    throw new Hl7ParseError('bad-encoding-characters', `${id}-2 encoding characters "${chars}" must be distinct non-alphanumeric characters different from the field separator`, where2, HL7_ERROR.dataTypeError);
  }
  const [component, repetition, escape, subcomponent, truncation] = chars as unknown as [string, string, string, string, string?];
  return { field, component, repetition, escape, subcomponent, ...(truncation ? { truncation } : {}) };
}

interface Line {
  text: string;
  no: number;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const parts = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i] as string;
    // Blank lines and trailing whitespace-only lines are tolerated (a common artefact of file transfer).
    if (t.trim() !== '') out.push({ text: t, no: i + 1 });
  }
  return out;
}

function toSegment(line: Line, enc: EncodingCharacters): Hl7Segment {
  const name = line.text.slice(0, 3);
  if (!SEGMENT_NAME.test(name) || (line.text.length > 3 && line.text[3] !== enc.field)) {
    const shown = line.text.slice(0, 20);
    throw new Hl7ParseError('bad-segment', `Invalid segment "${shown}": a segment starts with a 3-character id followed by "${enc.field}"`, { line: line.no });
  }
  const parts = line.text.split(enc.field);
  // MSH-1 is the field separator itself, so MSH-n is parts[n-1] (2.14.9.1).
  const fields = HEADER_IDS.has(name) ? [name, enc.field, ...parts.slice(1)] : parts;
  return new Hl7Segment(name, fields, enc, line.no);
}

function messageFromLines(lines: Line[]): Hl7Message {
  const first = lines[0];
  if (!first) throw new Hl7ParseError('empty', 'Empty message', undefined, HL7_ERROR.requiredFieldMissing);
  if (!first.text.startsWith('MSH')) {
    const id = first.text.slice(0, 3);
    const hint = id === 'FHS' || id === 'BHS' ? ' (a batch file: use parseBatch)' : '';
    throw new Hl7ParseError('missing-msh', `A message must start with MSH, found "${first.text.slice(0, 20)}"${hint}`, { line: first.no }, HL7_ERROR.segmentSequence);
  }
  const enc = readEncodingCharacters(first.text, first.no);
  const segments: Hl7Segment[] = [];
  for (const line of lines) {
    const seg = toSegment(line, enc);
    if (segments.length > 0 && HEADER_IDS.has(seg.name)) {
      throw new Hl7ParseError('bad-segment', `Unexpected ${seg.name} inside a message (several messages: use parseBatch)`, { segment: seg.name, line: line.no });
    }
    segments.push(seg);
  }
  return new Hl7Message(segments, enc);
}

/** Parses one message. Throws Hl7ParseError with a location when the structure is unusable. */
export function parseMessage(input: string | Uint8Array, options?: ParseOptions): Hl7Message {
  return messageFromLines(splitLines(toText(input, options)));
}

/** Serializes with `\r` segment terminators (2.6.1); parse → serialize is byte-identical for `\r`-terminated input. */
export function serializeMessage(message: Hl7Message, terminator = '\r'): string {
  return message.segments.map((s) => serializeSegment(s)).join(terminator) + terminator;
}

export function serializeSegment(segment: Hl7Segment): string {
  const sep = segment.encoding.field;
  if (HEADER_IDS.has(segment.name)) return segment.name + sep + segment.fields.slice(2).join(sep);
  return segment.fields.join(sep);
}

/** Builds a segment from raw (already escaped) field texts; `fields[0]` is field 1. For MSH, pass MSH-3 onwards. */
export function buildSegment(name: string, fields: readonly string[], enc: EncodingCharacters): Hl7Segment {
  const all = HEADER_IDS.has(name) ? [name, enc.field, encodingCharactersText(enc), ...fields] : [name, ...fields];
  return new Hl7Segment(name, all, enc);
}
