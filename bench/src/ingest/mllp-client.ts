import { connect, type Socket } from 'node:net';
import { encodeMllp, MllpDecoder } from '@kennebec/hl7v2';

/**
 * One MLLP sender connection: one message in flight at a time (send, wait for the ACK, next),
 * as a source system's interface engine does. The latency is from the write to the complete
 * ACK frame, timed with process.hrtime.bigint().
 */
export class MllpConnection {
  private readonly decoder = new MllpDecoder();
  private waiting: { resolve: (ack: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout } | undefined;
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.decoder.push(chunk)) {
        if (ev.type !== 'message') {
          this.fail(new Error(`MLLP ${ev.type} from the server (${ev.bytes} bytes)`));
          continue;
        }
        const w = this.waiting;
        if (!w) {
          this.fail(new Error('an ACK arrived with no message in flight'));
          continue;
        }
        this.waiting = undefined;
        clearTimeout(w.timer);
        w.resolve(ev.payload.toString('utf8'));
      }
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  /** Connects, retrying for up to `timeoutMs` (the listener may start just after /healthz). */
  static async open(host: string, port: number, timeoutMs = 10_000): Promise<MllpConnection> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ host, port });
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        return new MllpConnection(socket);
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`cannot connect to MLLP ${host}:${port}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Sends one message; resolves with the ACK text and the latency in ms. */
  async send(message: string, timeoutMs = 30_000): Promise<{ ack: string; ms: number }> {
    if (this.closedError) throw this.closedError;
    if (this.waiting) throw new Error('a message is already in flight on this connection');
    const frame = encodeMllp(message);
    const t0 = process.hrtime.bigint();
    const ack = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`no ACK within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiting = { resolve, reject, timer };
      this.socket.write(frame);
    });
    return { ack, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
