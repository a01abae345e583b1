import { describe, expect, it } from 'vitest';
import { MllpDecoder, type MllpEvent, encodeMllp } from './mllp.ts';

const MSG = 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1\r';
const payloads = (events: MllpEvent[]): string[] => events.flatMap((e) => (e.type === 'message' ? [e.payload.toString()] : []));

describe('MllpDecoder', () => {
  it('decodes a frame split at every byte', () => {
    const frame = encodeMllp(MSG);
    const d = new MllpDecoder();
    const events: MllpEvent[] = [];
    for (const b of frame) events.push(...d.push(Buffer.from([b])));
    expect(payloads(events)).toEqual([MSG]);
    expect(d.end()).toEqual([]);
  });

  it('decodes several frames in one chunk and reports junk between them', () => {
    const d = new MllpDecoder();
    const chunk = Buffer.concat([encodeMllp(MSG), Buffer.from('\n\nxx'), encodeMllp('MSH|2'), encodeMllp('MSH|3')]);
    const events = d.push(chunk);
    expect(payloads(events)).toEqual([MSG, 'MSH|2', 'MSH|3']);
    expect(events.find((e) => e.type === 'junk')).toEqual({ type: 'junk', bytes: 4, sample: '0a0a7878' });
  });

  it('accepts a frame whose CR after FS is missing', () => {
    const d = new MllpDecoder();
    const events = d.push(Buffer.from([0x0b, 0x41, 0x1c, 0x0b, 0x42, 0x1c, 0x0d]));
    expect(payloads(events)).toEqual(['A', 'B']);
  });

  it('drops an oversize frame without buffering it and recovers on the next frame', () => {
    const d = new MllpDecoder({ maxFrameBytes: 10 });
    const events: MllpEvent[] = [];
    events.push(...d.push(Buffer.from([0x0b])));
    for (let i = 0; i < 100; i++) {
      events.push(...d.push(Buffer.alloc(1000, 0x41)));
      expect(d.buffered).toBe(0);
    }
    events.push(...d.push(Buffer.from([0x1c, 0x0d])));
    events.push(...d.push(encodeMllp('MSH|ok')));
    expect(events[0]).toEqual({ type: 'oversize', bytes: 100_000, limit: 10 });
    expect(payloads(events)).toEqual(['MSH|ok']);
  });

  it('reports a frame truncated by a new start block or by the end of the stream', () => {
    const d = new MllpDecoder();
    const events = d.push(Buffer.concat([Buffer.from([0x0b]), Buffer.from('MSH|cut'), encodeMllp('MSH|next'), Buffer.from([0x0b, 0x41])]));
    expect(events).toEqual([{ type: 'truncated', bytes: 7 }, expect.objectContaining({ type: 'message' })]);
    expect(d.end()).toEqual([{ type: 'truncated', bytes: 1 }]);
  });

  it('treats binary garbage as junk without allocating for it', () => {
    const d = new MllpDecoder();
    const garbage = Buffer.alloc(1_000_000, 0xff);
    expect(d.push(garbage)).toEqual([]);
    expect(d.buffered).toBe(0);
    expect(d.end()).toEqual([{ type: 'junk', bytes: 1_000_000, sample: 'ff'.repeat(16) }]);
  });

  it('round-trips UTF-8 payloads', () => {
    const text = 'MSH|^~\\&|µ|ü';
    expect(payloads(new MllpDecoder().push(encodeMllp(text)))).toEqual([text]);
  });
});
