import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBatch } from './batch.ts';
import { escapeText, unescapeText, DEFAULT_ENCODING } from './encoding.ts';
import { Hl7ParseError } from './errors.ts';
import { parseMessage, serializeMessage } from './parse.ts';
import { checkHeader } from './validate.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const FIXTURES = ['adt-a01.hl7', 'adt-a40.hl7', 'oru-r01.hl7', 'vxu-v04.hl7', 'mdm-t02.hl7', 'rde-o11.hl7', 'ras-o17.hl7', 'siu-s12.hl7'];

function parseError(input: string | Uint8Array, opts?: { maxBytes?: number }): Hl7ParseError {
  try {
    parseMessage(input, opts);
  } catch (err) {
    if (err instanceof Hl7ParseError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

describe('parseMessage', () => {
  it.each(FIXTURES)('round-trips %s byte for byte', (name) => {
    const text = fixture(name);
    expect(serializeMessage(parseMessage(text))).toBe(text);
  });

  it('reads header values, the MSH numbering quirk and paths', () => {
    const msg = parseMessage(fixture('adt-a01.hl7'));
    expect(msg.header.get(1)).toBe('|');
    expect(msg.header.get(2)).toBe('^~\\&');
    expect(msg.get('MSH-3')).toBe('KENADT');
    expect(msg.version).toBe('2.5.1');
    expect(msg.controlId).toBe('ADT0001');
    expect(msg.messageType).toEqual({ code: 'ADT', trigger: 'A01', structure: 'ADT_A01' });
    expect(msg.get('PID-3[1].4.2')).toBe('2.16.840.1.113883.19.5');
    expect(msg.get('PID-3[2].5')).toBe('SS');
    expect(msg.get('PID-5[2].1')).toBe('Ally');
    expect(msg.segment('PID')?.repetitions(3)).toHaveLength(2);
    expect(msg.get('ZZZ-1')).toBe('');
    expect(checkHeader(msg)).toEqual([]);
  });

  it('accepts the v2.3 two-component MSH-9', () => {
    const msg = parseMessage('MSH|^~\\&|A|B|C|D|20240101||ADT^A04|X1|P|2.3\rPID|1||1\r');
    expect(msg.messageType).toEqual({ code: 'ADT', trigger: 'A04', structure: '' });
    expect(msg.type).toBe('ADT^A04');
  });

  it('honours any encoding characters and \\n terminators', () => {
    const msg = parseMessage(fixture('odd-encoding.hl7'));
    expect(msg.encoding).toMatchObject({ field: '*', component: ':', repetition: '%', escape: '$', subcomponent: '@' });
    expect(msg.get('PID-5.1')).toBe('Odd*Name');
    expect(msg.get('PID-3.5')).toBe('MR');
    const obx5 = msg.segment('OBX')?.repetitions(5) ?? [];
    expect(obx5.map((r) => r.text())).toEqual(['a:b*c@d%e', 'f']);
    expect(serializeMessage(msg, '\n')).toBe(fixture('odd-encoding.hl7'));
  });

  it('tolerates \\r\\n, blank lines and a BOM', () => {
    const msg = parseMessage('\uFEFFMSH|^~\\&|A|B|C|D|20240101||ADT^A04|X1|P|2.5\r\n\r\nPID|1||1\r\n');
    expect(msg.segments.map((s) => s.name)).toEqual(['MSH', 'PID']);
  });

  it('reads the v2.7 truncation character', () => {
    const msg = parseMessage('MSH|^~\\&#|A|B|C|D|20240101||ORU^R01|X1|P|2.7\rOBX|1|TX|X||cut\\P\\here\r');
    expect(msg.encoding.truncation).toBe('#');
    expect(msg.get('OBX-5')).toBe('cut#here');
  });

  it.each([
    ['', 'empty'],
    ['PID|1||1\r', 'missing-msh'],
    ['MSH|\r', 'bad-encoding-characters'],
    ['MSH||A|B\r', 'bad-encoding-characters'],
    ['MSH|^~\\|A|B\r', 'bad-encoding-characters'],
    ['MSH|^^\\&|A|B\r', 'bad-encoding-characters'],
    ['MSHA^~\\&|A\r', 'bad-encoding-characters'],
    ['MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rpid|1\r', 'bad-segment'],
    ['MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPIDX|1\r', 'bad-segment'],
    ['MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1\rMSH|^~\\&|A\r', 'bad-segment'],
    ['MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|\u0000\u0001\r', 'binary'],
  ])('rejects %j as %s', (input, kind) => {
    const err = parseError(input);
    expect(err.kind).toBe(kind);
    expect(err.hl7Code).toBeGreaterThanOrEqual(100);
  });

  it('locates a bad segment by line', () => {
    const err = parseError('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1\r?? junk\r');
    expect(err.location?.line).toBe(3);
    expect(err.message).toContain('line 3');
  });

  it('rejects binary junk and oversize input', () => {
    expect(parseError(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01])).kind).toBe('binary');
    expect(parseError('MSH|^~\\&|' + 'x'.repeat(2000), { maxBytes: 1000 }).kind).toBe('too-large');
  });

  it('decodes ISO-8859-1 bytes that are not UTF-8', () => {
    const bytes = Buffer.from('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1||1||M\u00fcller^J\r', 'latin1');
    expect(parseMessage(bytes).get('PID-5')).toBe('M\u00fcller');
  });

  it('flags header problems for the ACK', () => {
    const msg = parseMessage('MSH|^~\\&|A|B|C|D|1||ADT|||9.9\r');
    expect(checkHeader(msg).map((i) => i.code)).toEqual([101, 101, 101, 203]);
  });
});

describe('escape sequences (v2.5.1 2.7)', () => {
  const enc = DEFAULT_ENCODING;
  it.each([
    ['a\\F\\b', 'a|b'],
    ['a\\S\\b\\T\\c\\R\\d\\E\\e', 'a^b&c~d\\e'],
    ['line1\\.br\\line2', 'line1\nline2'],
    ['\\X48656C6C6F\\', 'Hello'],
    ['\\XC3A9\\', '\u00e9'],
    ['\\H\\bold\\N\\', 'bold'],
    ['\\.sp2\\x', '\nx'],
    ['\\.in+4\\x', 'x'],
    ['\\C2842\\x', 'x'],
    ['keep \\Q\\ and \\ dangling', 'keep \\Q\\ and \\ dangling'],
    ['\\Xzz\\', '\\Xzz\\'],
  ])('%j → %j', (raw, text) => {
    expect(unescapeText(raw, enc)).toBe(text);
  });

  it('escapes what it unescapes', () => {
    const text = 'a|b^c&d~e\\f\ng';
    expect(unescapeText(escapeText(text, enc), enc)).toBe(text);
  });
});

describe('parseBatch', () => {
  it('splits FHS/BHS batches, reports the bad message and count mismatches', () => {
    const b = parseBatch(fixture('batch.hl7'));
    expect(b.fileHeader?.get(3)).toBe('LAB');
    expect(b.batches).toHaveLength(1);
    expect(b.messages.map((m) => m.controlId)).toEqual(['B1', 'B2']);
    expect(b.errors).toHaveLength(1);
    expect(b.errors[0]?.index).toBe(3);
    expect(b.errors[0]?.error.kind).toBe('bad-encoding-characters');
    expect(b.issues.map((i) => i.message)).toEqual(['BTS-1 says 3 messages, found 2']);
  });

  it('accepts a batch without trailers and a bare message', () => {
    const b = parseBatch('FHS|^~\\&|X\rBHS|^~\\&|X\rMSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.5.1\rPID|1\r');
    expect(b.messages).toHaveLength(1);
    expect(b.issues.map((i) => i.message)).toEqual(['Batch has no BTS trailer', 'File has no FTS trailer']);
    expect(parseBatch('MSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.5.1\r').messages).toHaveLength(1);
  });

  it('rejects segments outside any message', () => {
    expect(() => parseBatch('FHS|^~\\&|X\rPID|1\r')).toThrow(Hl7ParseError);
  });
});
