/**
 * Acknowledgments in original mode (HL7 v2.5.1 chapter 2.9.2, segments MSA 2.14.8 and
 * ERR 2.14.5). The caller decides the code: AA only once the message's effects are
 * durably committed; AE when its content cannot be processed; AR when it is rejected
 * (unsupported type, version or processing id, or an unusable header).
 */
import { DEFAULT_ENCODING, type EncodingCharacters, escapeText, unescapeText } from './encoding.ts';
import { type Hl7Issue, type Hl7ParseError, hl7ErrorText } from './errors.ts';
import { Hl7Message, type Hl7Segment } from './message.ts';
import { buildSegment } from './parse.ts';
import { versionAtLeast } from './validate.ts';

export type AckCode = 'AA' | 'AE' | 'AR';

export interface AckOptions {
  /** MSH-10 of the ACK; default `ACK` + the original's control id (cut to 20 characters, the v2.5 length). */
  controlId?: string;
  now?: Date;
  /** One ERR segment each (for AA they may carry warnings). */
  errors?: readonly Hl7Issue[];
  /** MSA-3 text (only written for versions before 2.5, where MSA-3 is still defined). */
  text?: string;
}

/** AR for protocol-level rejections (table 0357 codes 200–203), AE for other errors, AA otherwise. */
export function ackCodeFor(issues: readonly Hl7Issue[]): AckCode {
  if (issues.some((i) => i.severity === 'E' && i.code >= 200 && i.code <= 203)) return 'AR';
  if (issues.some((i) => i.severity === 'E')) return 'AE';
  return 'AA';
}

/** v2 DTM with seconds and UTC offset, e.g. 20240101120000+0000. */
export function formatDtm(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + '+0000';
}

/** Re-encodes a raw composite from one delimiter set to another, keeping its structure. */
function reencode(raw: string, from: EncodingCharacters, to: EncodingCharacters, unescape: (s: string) => string): string {
  return raw
    .split(from.repetition)
    .map((rep) =>
      rep
        .split(from.component)
        .map((comp) => comp.split(from.subcomponent).map((sub) => escapeText(unescape(sub), to)).join(to.subcomponent))
        .join(to.component),
    )
    .join(to.repetition);
}

export interface HeaderEcho {
  sendingApp: string;
  sendingFacility: string;
  receivingApp: string;
  receivingFacility: string;
  trigger: string;
  controlId: string;
  processingId: string;
  version: string;
}

function ackMessage(echo: HeaderEcho, code: AckCode, options: AckOptions): Hl7Message {
  const enc = DEFAULT_ENCODING;
  const e = (s: string): string => escapeText(s, enc);
  const version = echo.version || '2.5.1';
  // MSH-9.3 (message structure) exists from v2.3.1; the v2.3 form is ACK^<trigger>.
  const msh9 = versionAtLeast(version, 2, 3, 1) ? `ACK^${e(echo.trigger)}^ACK` : `ACK${echo.trigger ? `^${e(echo.trigger)}` : ''}`;
  const controlId = options.controlId ?? `ACK${echo.controlId}`.slice(0, 20);
  // MSH-5/6 of the reply are MSH-3/4 of the original and vice versa (2.14.9.3–6).
  const msh = buildSegment('MSH', [echo.receivingApp, echo.receivingFacility, echo.sendingApp, echo.sendingFacility, formatDtm(options.now ?? new Date()), '', msh9, e(controlId), e(echo.processingId || 'P'), e(version)], enc);
  const old = !versionAtLeast(version, 2, 5);
  const msaText = old && options.text ? [e(options.text.slice(0, 80))] : [];
  const msa = buildSegment('MSA', [code, e(echo.controlId), ...msaText], enc);
  const errs = (options.errors ?? []).map((issue) => errSegment(issue, old, enc));
  return new Hl7Message([msh, msa, ...errs], enc);
}

function errSegment(issue: Hl7Issue, old: boolean, enc: EncodingCharacters): Hl7Segment {
  const e = (s: string): string => escapeText(s, enc);
  const loc = issue.location;
  const text = hl7ErrorText(issue.code);
  if (old) {
    // v2.3/2.4 ERR-1 (ELD): segment id ^ sequence ^ field position ^ code (CE, as subcomponents).
    const eld = [loc?.segment ?? '', loc?.sequence ?? (loc?.segment ? 1 : ''), loc?.field ?? '', `${issue.code}&${e(text)}&HL70357`].map(String);
    return buildSegment('ERR', [eld.map((v, i) => (i < 3 ? e(v) : v)).join('^')], enc);
  }
  // v2.5+: ERR-2 location (ERL), ERR-3 code (CWE, table 0357), ERR-4 severity (table 0516), ERR-8 user message.
  const erl = loc?.segment
    ? [loc.segment, loc.sequence ?? 1, loc.field ?? '', loc.field !== undefined ? (loc.repetition ?? 1) : '', loc.component ?? '', loc.subcomponent ?? ''].map(String).map(e).join('^').replace(/\^+$/, '')
    : '';
  return buildSegment('ERR', ['', erl, `${issue.code}^${e(text)}^HL70357`, issue.severity, '', '', '', e(issue.message.slice(0, 250))], enc);
}

/** The ACK for a parsed message. */
export function buildAck(original: Hl7Message, code: AckCode, options: AckOptions = {}): Hl7Message {
  const msh = original.header;
  const from = original.encoding;
  const re = (n: number): string => reencode(msh.raw(n), from, DEFAULT_ENCODING, (s) => unescapeText(s, from));
  return ackMessage(
    {
      sendingApp: re(3),
      sendingFacility: re(4),
      receivingApp: re(5),
      receivingFacility: re(6),
      trigger: original.messageType.trigger,
      controlId: original.controlId,
      processingId: msh.get(11),
      version: original.version,
    },
    code,
    options,
  );
}

const UNUSABLE = new Set(['empty', 'binary', 'missing-msh', 'too-large']);

/**
 * The reply to input that did not parse: AE echoing what the header gives when MSH-10 can be
 * read, otherwise AR. Whatever is echoed is stripped of control characters and re-escaped.
 */
export function buildParseFailureAck(input: string | Uint8Array, error: Hl7ParseError, options: AckOptions = {}): Hl7Message {
  const echo = readHeaderLoosely(input);
  const code: AckCode = UNUSABLE.has(error.kind) || echo.controlId === '' ? 'AR' : 'AE';
  const issue: Hl7Issue = { severity: 'E', code: error.hl7Code, message: error.message, ...(error.location ? { location: error.location } : {}) };
  return ackMessage(echo, code, { ...options, errors: [issue, ...(options.errors ?? [])] });
}

const EMPTY_ECHO: HeaderEcho = { sendingApp: '', sendingFacility: '', receivingApp: '', receivingFacility: '', trigger: '', controlId: '', processingId: '', version: '' };

/** Best-effort read of MSH-3…12 from raw bytes, never throwing. */
export function readHeaderLoosely(input: string | Uint8Array): HeaderEcho {
  const head = typeof input === 'string' ? input.slice(0, 4096) : Buffer.from(input.subarray(0, 4096)).toString('latin1');
  const start = head.indexOf('MSH');
  if (start < 0 || start > 16) return EMPTY_ECHO;
  // eslint-disable-next-line no-control-regex -- control bytes must not be echoed
  const line = (head.slice(start).split(/[\r\n]/)[0] ?? '').replace(/[\u0000-\u001f\u007f]/g, '');
  const sep = line[3] && !/[A-Za-z0-9\s]/.test(line[3]) ? line[3] : '|';
  const parts = line.split(sep);
  const encText = parts[1] ?? '';
  const comp = encText[0] && !/[A-Za-z0-9\s]/.test(encText[0]) && encText[0] !== sep ? encText[0] : '^';
  // MSH-n is parts[n-1]; keep the first component only, since the other delimiters may be the broken part.
  const f = (n: number, max = 199): string => (parts[n - 1] ?? '').split(comp)[0]?.slice(0, max) ?? '';
  const escaped = (n: number): string => escapeText(f(n), DEFAULT_ENCODING);
  const version = f(12, 10);
  return {
    sendingApp: escaped(3),
    sendingFacility: escaped(4),
    receivingApp: escaped(5),
    receivingFacility: escaped(6),
    trigger: (parts[8] ?? '').split(comp)[1]?.slice(0, 3) ?? '',
    controlId: f(10),
    processingId: f(11, 3),
    version: /^2\.\d(\.\d)?$/.test(version) ? version : '',
  };
}
