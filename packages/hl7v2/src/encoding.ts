/**
 * Delimiters and escape sequences: HL7 v2.5.1 chapter 2.5.4 (message delimiters) and
 * 2.7 (use of escape sequences in text fields).
 */
export interface EncodingCharacters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** v2.7+ truncation character (MSH-2.5), when the sender declares one. */
  truncation?: string;
}

export const DEFAULT_ENCODING: EncodingCharacters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** MSH-2 text for these delimiters (the four or five characters after MSH-1). */
export function encodingCharactersText(enc: EncodingCharacters): string {
  return enc.component + enc.repetition + enc.escape + enc.subcomponent + (enc.truncation ?? '');
}

// Formatting commands (2.7.6) carry layout for FT fields; as plain text a line break is the useful part.
const FORMATTING: Record<string, string> = { '.br': '\n', '.sp': '\n', '.fi': '', '.nf': '', '.ce': '\n', H: '', N: '' };

function hexToText(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex').toString('utf8');
}

function decodeSequence(body: string, enc: EncodingCharacters): string | undefined {
  switch (body) {
    case 'F':
      return enc.field;
    case 'S':
      return enc.component;
    case 'T':
      return enc.subcomponent;
    case 'R':
      return enc.repetition;
    case 'E':
      return enc.escape;
    case 'P':
      return enc.truncation ?? '#';
  }
  const fmt = FORMATTING[body];
  if (fmt !== undefined) return fmt;
  const c = body[0];
  if (c === 'X') return hexToText(body.slice(1));
  // \.sp<n>\, \.in±n\, \.ti±n\, \.sk<n>\: layout only (2.7.6).
  if (/^\.(sp|in|ti|sk)[+-]?\d*$/.test(body)) return body.startsWith('.sp') ? '\n' : '';
  // \Cxxyy\ and \Mxxyyzz\ switch character sets (2.7.4/2.7.5); \Z..\ is locally defined. The text itself is already decoded.
  if ((c === 'C' || c === 'M' || c === 'Z') && body.length > 1) return '';
  return undefined;
}

/** Decodes escape sequences; an unknown or unterminated sequence is kept as written rather than lost. */
export function unescapeText(raw: string, enc: EncodingCharacters): string {
  const esc = enc.escape;
  if (esc === '' || !raw.includes(esc)) return raw;
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf(esc, i);
    if (start < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, start);
    const end = raw.indexOf(esc, start + 1);
    if (end < 0) {
      out += raw.slice(start);
      break;
    }
    const decoded = decodeSequence(raw.slice(start + 1, end), enc);
    if (decoded === undefined) {
      out += raw.slice(start, end + 1);
    } else {
      out += decoded;
    }
    i = end + 1;
  }
  return out;
}

/** Escapes text so it can be placed in a field; the inverse of unescapeText for plain text. */
export function escapeText(text: string, enc: EncodingCharacters): string {
  let out = '';
  for (const ch of text) {
    if (ch === enc.escape) out += `${enc.escape}E${enc.escape}`;
    else if (ch === enc.field) out += `${enc.escape}F${enc.escape}`;
    else if (ch === enc.component) out += `${enc.escape}S${enc.escape}`;
    else if (ch === enc.subcomponent) out += `${enc.escape}T${enc.escape}`;
    else if (ch === enc.repetition) out += `${enc.escape}R${enc.escape}`;
    else if (enc.truncation !== undefined && ch === enc.truncation) out += `${enc.escape}P${enc.escape}`;
    else if (ch === '\n') out += `${enc.escape}.br${enc.escape}`;
    else if (ch === '\r') out += `${enc.escape}X0D${enc.escape}`;
    else out += ch;
  }
  return out;
}
