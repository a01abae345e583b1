/**
 * MLLP framing (HL7 v2 "Minimal Lower Layer Protocol", Transport Specification MLLP
 * Release 2, section 1.2: <VT=0x0B> payload <FS=0x1C><CR=0x0D>). Pure: bytes in, events out;
 * the server feeds it socket chunks. Memory stays bounded: an oversize frame is dropped
 * as it streams past and junk outside frames is counted, never stored.
 */
export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

export const DEFAULT_MAX_FRAME_BYTES = 50 * 1024 * 1024;

export type MllpEvent =
  /** A complete frame's payload (without the framing bytes). */
  | { type: 'message'; payload: Buffer }
  /** Bytes outside any frame, discarded; `sample` shows the first few (hex). */
  | { type: 'junk'; bytes: number; sample: string }
  /** A frame larger than the limit; its bytes were discarded up to its end block. */
  | { type: 'oversize'; bytes: number; limit: number }
  /** A frame cut short: a new start block arrived, or the stream ended, before its end block. */
  | { type: 'truncated'; bytes: number };

export interface MllpDecoderOptions {
  maxFrameBytes?: number;
}

type State = 'idle' | 'frame' | 'frame-end' | 'discard' | 'discard-end';

const SAMPLE_BYTES = 16;

export class MllpDecoder {
  private readonly max: number;
  private state: State = 'idle';
  private parts: Buffer[] = [];
  private size = 0;
  private junk = 0;
  private junkSample: number[] = [];

  constructor(options: MllpDecoderOptions = {}) {
    this.max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes currently held for an unfinished frame (never above maxFrameBytes). */
  get buffered(): number {
    return this.state === 'frame' || this.state === 'frame-end' ? this.size : 0;
  }

  /** Feeds a chunk; returns the events it completes, in order. */
  push(chunk: Uint8Array): MllpEvent[] {
    const events: MllpEvent[] = [];
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'idle': {
          const start = buf.indexOf(MLLP_START, i);
          const end = start < 0 ? buf.length : start;
          this.addJunk(buf, i, end);
          if (start < 0) return events;
          this.flushJunk(events);
          this.startFrame();
          i = start + 1;
          break;
        }
        case 'frame': {
          const fs = buf.indexOf(MLLP_END, i);
          const vt = buf.indexOf(MLLP_START, i);
          if (vt >= 0 && (fs < 0 || vt < fs)) {
            // A new start block inside a frame: the sender gave up on the previous one.
            this.append(buf, i, vt);
            if (this.state === 'frame') events.push({ type: 'truncated', bytes: this.size });
            else events.push({ type: 'oversize', bytes: this.size, limit: this.max });
            this.startFrame();
            i = vt + 1;
            break;
          }
          const stop = fs < 0 ? buf.length : fs;
          this.append(buf, i, stop);
          if (fs < 0) return events;
          i = fs + 1;
          if (this.state === 'frame') this.state = 'frame-end';
          else this.state = 'discard-end';
          break;
        }
        case 'frame-end': {
          // The CR after FS belongs to the frame trailer; senders that omit it still end the frame here.
          if (buf[i] === MLLP_CR) i++;
          events.push({ type: 'message', payload: Buffer.concat(this.parts, this.size) });
          this.reset();
          break;
        }
        case 'discard': {
          const fs = buf.indexOf(MLLP_END, i);
          const vt = buf.indexOf(MLLP_START, i);
          if (vt >= 0 && (fs < 0 || vt < fs)) {
            this.size += vt - i;
            events.push({ type: 'oversize', bytes: this.size, limit: this.max });
            this.startFrame();
            i = vt + 1;
            break;
          }
          if (fs < 0) {
            this.size += buf.length - i;
            return events;
          }
          this.size += fs - i;
          i = fs + 1;
          this.state = 'discard-end';
          break;
        }
        case 'discard-end': {
          if (buf[i] === MLLP_CR) i++;
          events.push({ type: 'oversize', bytes: this.size, limit: this.max });
          this.reset();
          break;
        }
      }
    }
    return events;
  }

  /** Call when the stream closes: reports what was left unfinished. */
  end(): MllpEvent[] {
    const events: MllpEvent[] = [];
    if (this.state === 'frame') events.push({ type: 'truncated', bytes: this.size });
    else if (this.state === 'frame-end') events.push({ type: 'message', payload: Buffer.concat(this.parts, this.size) });
    else if (this.state === 'discard' || this.state === 'discard-end') events.push({ type: 'oversize', bytes: this.size, limit: this.max });
    this.flushJunk(events);
    this.reset();
    return events;
  }

  private startFrame(): void {
    this.parts = [];
    this.size = 0;
    this.state = 'frame';
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.state = 'idle';
  }

  private append(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const n = to - from;
    if (this.state === 'frame' && this.size + n > this.max) {
      this.parts = [];
      this.state = 'discard';
    }
    if (this.state === 'frame') this.parts.push(Buffer.from(buf.subarray(from, to)));
    this.size += n;
  }

  private addJunk(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.junk += to - from;
    for (let k = from; k < to && this.junkSample.length < SAMPLE_BYTES; k++) this.junkSample.push(buf[k] as number);
  }

  private flushJunk(events: MllpEvent[]): void {
    if (this.junk === 0) return;
    events.push({ type: 'junk', bytes: this.junk, sample: Buffer.from(this.junkSample).toString('hex') });
    this.junk = 0;
    this.junkSample = [];
  }
}

/** Wraps one message in an MLLP frame. */
export function encodeMllp(message: string | Uint8Array): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : Buffer.from(message);
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = MLLP_START;
  body.copy(out, 1);
  out[body.length + 1] = MLLP_END;
  out[body.length + 2] = MLLP_CR;
  return out;
}
