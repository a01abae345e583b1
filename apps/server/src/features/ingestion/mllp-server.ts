import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { buildParseFailureAck, encodeMllp, Hl7ParseError, HL7_ERROR, MllpDecoder, serializeMessage } from '@kennebec/hl7v2';
import { ingestHl7v2, type Channel, type IngestDeps } from './ingest-hl7v2.ts';
import { certificateCaller, createMllpTlsServer, type MessageCaller, type MllpTlsOptions } from './mllp-tls.ts';

/**
 * The MLLP listener (HL7 v2 over TCP, framed per the MLLP release 2 transport), plain or over
 * TLS with client certificates. Each connection is processed in order, one message at a time:
 * a message's ACK is written only after its effects are committed, and a failing message or
 * junk on one connection never affects the others.
 */
export interface MllpServerOptions {
  port: number;
  host: string;
  maxFrameBytes: number;
  /** Serve MLLP over TLS: a client certificate issued by `ca` is required, and each message must come from its source. */
  tls?: MllpTlsOptions | undefined;
}

export interface RunningMllpServer {
  port: number;
  close(): Promise<void>;
}

const anyone: MessageCaller = async () => ({ options: {}, close: false });

export async function startMllpServer(deps: IngestDeps & { logger: Logger }, opts: MllpServerOptions): Promise<RunningMllpServer> {
  const channel: Channel = opts.tls ? 'mllp-tls' : 'mllp';
  const connections = new Set<Socket>();
  const inFlight = new Set<Promise<void>>();

  const serve = (socket: Socket, caller: MessageCaller): void => {
    const decoder = new MllpDecoder({ maxFrameBytes: opts.maxFrameBytes });
    let queue: Promise<void> = Promise.resolve();
    let closing = false;
    const send = (ack: string): void => {
      if (!socket.destroyed && socket.writable) socket.write(encodeMllp(ack));
    };
    const closeAfterAck = (): void => {
      closing = true;
      socket.end();
      // A peer that never closes its side is cut off.
      setTimeout(() => socket.destroy(), 5_000).unref();
    };
    const handle = async (payload: Buffer): Promise<void> => {
      if (closing) return;
      try {
        const who = await caller();
        const result = await ingestHl7v2(deps, payload.toString('utf8'), channel, who.options);
        send(result.ack);
        if (who.close) closeAfterAck();
      } catch (err) {
        // Unexpected (e.g. the database is down): answer AE so the sender retries later; no PHI logged.
        deps.logger.error({ err: { message: (err as Error).message } }, 'mllp message failed');
        const ack = buildParseFailureAck(payload, new Hl7ParseError('bad-segment', 'Internal error; retry later', undefined, HL7_ERROR.applicationInternalError));
        send(serializeMessage(ack));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (closing) return;
      for (const ev of decoder.push(chunk)) {
        if (ev.type === 'message') {
          const p = (queue = queue.then(() => handle(ev.payload)));
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        } else if (ev.type === 'oversize') {
          deps.logger.warn({ bytes: ev.bytes, limit: ev.limit }, 'mllp frame over the size limit discarded');
          const ack = buildParseFailureAck('', new Hl7ParseError('too-large', `Message larger than ${ev.limit} bytes`, undefined, HL7_ERROR.valueTooLong));
          queue = queue.then(() => send(serializeMessage(ack)));
        } else {
          deps.logger.warn({ event: ev.type, bytes: ev.bytes }, 'mllp bytes outside a frame discarded');
        }
      }
    });
    socket.on('error', () => socket.destroy());
  };

  const server: Server = opts.tls
    ? createMllpTlsServer(opts.tls, deps.logger, (socket) => serve(socket, certificateCaller(deps, socket)))
    : createServer((socket) => serve(socket, anyone));
  // Every accepted TCP connection, including TLS handshakes not yet finished, so close() ends them all.
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    async close() {
      // Stop accepting, let the messages in flight commit and be acknowledged, then close.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      for (const s of connections) s.end();
      for (const s of connections) s.destroy();
      await closed;
    },
  };
}
