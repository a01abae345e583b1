import { describe, expect, it } from 'vitest';
import { ackCodeFor, buildAck, buildParseFailureAck } from './ack.ts';
import { HL7_ERROR, Hl7ParseError } from './errors.ts';
import { parseMessage, serializeMessage } from './parse.ts';
import { checkHeader } from './validate.ts';

const NOW = new Date('2024-03-01T12:00:00Z');
const ORIGINAL = 'MSH|^~\\&|LABSYS|NORTHLAB|KENNEBEC|HIE|20240302101500||ORU^R01^ORU_R01|LAB0001|P|2.5.1\rPID|1||1\r';

function parseFailure(input: string): Hl7ParseError {
  try {
    parseMessage(input);
  } catch (err) {
    if (err instanceof Hl7ParseError) return err;
  }
  throw new Error('expected a parse error');
}

describe('buildAck', () => {
  it('AA: swaps sender and receiver, echoes MSH-10 in MSA-2, keeps the version', () => {
    const ack = buildAck(parseMessage(ORIGINAL), 'AA', { now: NOW });
    expect(serializeMessage(ack)).toBe('MSH|^~\\&|KENNEBEC|HIE|LABSYS|NORTHLAB|20240301120000+0000||ACK^R01^ACK|ACKLAB0001|P|2.5.1\rMSA|AA|LAB0001\r');
  });

  it('AE with v2.5 ERR: location (ERR-2), table 0357 code (ERR-3), severity (ERR-4), message (ERR-8)', () => {
    const ack = buildAck(parseMessage(ORIGINAL), 'AE', {
      now: NOW,
      controlId: 'A1',
      errors: [{ severity: 'E', code: HL7_ERROR.requiredFieldMissing, message: 'PID-3 is missing', location: { segment: 'PID', sequence: 1, field: 3 } }],
    });
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSA-2')).toBe('LAB0001');
    expect(serializeMessage(ack).split('\r')[2]).toBe('ERR||PID^1^3^1|101^Required field missing^HL70357|E||||PID-3 is missing');
  });

  it('uses ERR-1 (ELD) and MSA-3 for v2.3/2.4, and the two-component MSH-9 for v2.3', () => {
    const msg = parseMessage(ORIGINAL.replace('ORU^R01^ORU_R01', 'ORU^R01').replace('2.5.1', '2.3'));
    const ack = buildAck(msg, 'AR', { now: NOW, text: 'rejected', errors: [{ severity: 'E', code: 200, message: 'x', location: { segment: 'MSH', field: 9 } }] });
    const lines = serializeMessage(ack).split('\r');
    expect(ack.get('MSH-9')).toBe('ACK');
    expect(ack.header.raw(9)).toBe('ACK^R01');
    expect(lines[1]).toBe('MSA|AR|LAB0001|rejected');
    expect(lines[2]).toBe('ERR|MSH^1^9^200&Unsupported message type&HL70357');
  });

  it('re-escapes echoed values from a message with other delimiters', () => {
    const msg = parseMessage('MSH*:%$@*APP:X*FAC*R*RF*20240101**ADT:A01*C$F$1^2*P*2.5\rPID*1\r');
    const ack = buildAck(msg, 'AA', { now: NOW });
    expect(ack.header.raw(5)).toBe('APP^X');
    expect(ack.get('MSA-2')).toBe('C*1^2');
    expect(ack.segment('MSA')?.raw(2)).toBe('C*1\\S\\2');
  });

  it('chooses AR for header rejections and AE for content errors', () => {
    const msg = parseMessage('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|9.9\r');
    expect(ackCodeFor(checkHeader(msg))).toBe('AR');
    expect(ackCodeFor([{ severity: 'E', code: 101, message: '' }])).toBe('AE');
    expect(ackCodeFor([{ severity: 'W', code: 102, message: '' }])).toBe('AA');
  });
});

describe('buildParseFailureAck', () => {
  it('AE echoing MSH-10 when the header is readable but a segment is broken', () => {
    const input = ORIGINAL + 'bad segment\r';
    const ack = buildParseFailureAck(input, parseFailure(input), { now: NOW });
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSA-2')).toBe('LAB0001');
    expect(ack.get('MSH-5')).toBe('LABSYS');
    expect(ack.get('ERR-3')).toBe('100');
  });

  it('best effort with broken encoding characters', () => {
    const input = 'MSH|^~|APP|FAC|R|RF|1||ADT^A01|CTRL9|P|2.5\r';
    const ack = buildParseFailureAck(input, parseFailure(input), { now: NOW });
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSA-2')).toBe('CTRL9');
    expect(ack.get('ERR-2')).toBe('MSH');
    expect(ack.get('ERR-2.3')).toBe('2');
  });

  it('AR with nothing to echo for junk', () => {
    const input = '\u0000\u0001garbage';
    const ack = buildParseFailureAck(input, parseFailure(input), { now: NOW });
    expect(ack.get('MSA-1')).toBe('AR');
    expect(ack.get('MSA-2')).toBe('');
    expect(ack.version).toBe('2.5.1');
    expect(() => parseMessage(serializeMessage(ack))).not.toThrow();
  });
});
