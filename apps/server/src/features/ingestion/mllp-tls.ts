import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { findSourceByCertificate } from '../sources/index.ts';
import type { IngestDeps, IngestOptions } from './ingest-hl7v2.ts';

/**
 * MLLP over TLS with client certificates, as HIE interface engines run it.
 *
 * - The handshake itself requires a client certificate issued by one of the configured CAs
 *   (requestCert + rejectUnauthorized): no certificate, one from another CA, or an expired one
 *   never reaches HL7 at all.
 * - Each message is accepted only from the source the certificate is registered to: its MSH-4
 *   must be that source's facility, else AR naming both.
 * - A valid certificate registered to no source gets one AR (so the sender's log says why,
 *   with the fingerprint to register) and the connection is then closed: an unknown party
 *   does not keep a connection open.
 */
/**
 * Who sends on a connection, asked again for each message (a certificate removed from its
 * source is refused from the next message on). `close` ends the connection after the ACK.
 */
export type MessageCaller = () => Promise<{ options: IngestOptions; close: boolean }>;

export interface MllpTlsOptions {
  /** The server's certificate and any intermediates (PEM). */
  cert: string;
  key: KeyObject;
  /** CA certificates that issue sources' client certificates (PEM). */
  ca: string;
}

export function createMllpTlsServer(tls: MllpTlsOptions, logger: Logger, onSecure: (socket: TLSSocket) => void): Server {
  const server = createServer(
    {
      cert: tls.cert,
      key: tls.key.export({ type: 'pkcs8', format: 'pem' }),
      ca: tls.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 30_000,
    },
    onSecure,
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
    // A certificate the CAs do not vouch for is cut off by Node after the handshake: its reason
    // (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE…) is the socket's authorizationError.
    const reason = socket.authorizationError ?? err.code ?? err.message;
    logger.warn({ remote: socket.remoteAddress, reason: String(reason) }, 'mllp tls handshake refused');
  });
  return server;
}

/** Maps each message on a TLS connection to the source of its client certificate. */
export function certificateCaller(deps: IngestDeps & { logger: Logger }, socket: TLSSocket): MessageCaller {
  // Also present on a resumed session: OpenSSL keeps the peer certificate in the session.
  const fingerprint: string | undefined = socket.getPeerCertificate().fingerprint256;
  return async () => {
    if (!fingerprint) return { options: { refusal: 'No client certificate on this connection' }, close: true };
    const source = await findSourceByCertificate(deps.db, fingerprint);
    if (!source) {
      deps.logger.warn({ remote: socket.remoteAddress, fingerprint }, 'mllp tls client certificate registered to no source; connection closed');
      return { options: { refusal: `Client certificate ${fingerprint} is not registered to any source` }, close: true };
    }
    return { options: { callerOrgId: source.id, callerName: `the source of the client certificate (${source.hl7Facility})` }, close: false };
  };
}
