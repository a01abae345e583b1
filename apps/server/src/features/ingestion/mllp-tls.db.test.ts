import { createPrivateKey } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { Writable } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, createTestDatabase, createTestServer, writePemFiles, type TestCa, type TestCertificate, type TestServer } from '@kennebec/test-support';
import { encodeMllp, MllpDecoder } from '@kennebec/hl7v2';
import { compose } from '../../compose.ts';
import { loadConfig } from '../../config.ts';
import { startServer } from '../../main.ts';
import { fhirApiFor } from '../../compose.ts';
import { createSource, type DataSource } from '../sources/index.ts';
import { startMllpServer, type RunningMllpServer } from './mllp-server.ts';
import { ingestDepsFor } from './deps.ts';

/**
 * MLLP over real TLS on real TCP: a CA, server and client certificates made at test time, the
 * listener requiring a client certificate and accepting each message only from the source
 * that certificate is registered to.
 */
let t: TestServer;
let ca: TestCa;
let otherCa: TestCa;
let tlsServer: RunningMllpServer;
let plainServer: RunningMllpServer;
let north: DataSource;
/** What the server logged, one parsed JSON line each: handshake refusals are only visible there. */
const logLines: { msg: string; reason?: string; fingerprint?: string }[] = [];
const logger = pino(
  { level: 'warn' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  }),
);
const refusals = (): (string | undefined)[] => logLines.filter((l) => l.msg === 'mllp tls handshake refused').map((l) => l.reason);

const certs: Record<'north' | 'south' | 'stranger' | 'foreign' | 'expired', TestCertificate> = {} as never;

function adt(controlId: string, facility: string, mrn = 'MRN-T1'): string {
  return [
    `MSH|^~\\&|ADT|${facility}|KENNEBEC|HIE|20240301120000-0500||ADT^A04^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A04|20240301120000-0500',
    `PID|1||${mrn}^^^${facility}^MR||Roy^Lucie||19820304|F`,
  ].join('\r');
}

const msa = (ack: string): string[] => (ack.split('\r').find((s) => s.startsWith('MSA|')) ?? '').split('|');

interface Exchange {
  acks: string[];
  /** The TLS or socket error that ended the connection, if any. */
  error?: NodeJS.ErrnoException;
  /** Whether the server closed the connection before we did. */
  closedByServer: boolean;
  /** Whether the TLS session was resumed from an earlier one. */
  resumed?: boolean;
}

/**
 * Opens a TLS connection with the given client certificate (or none), sends the messages, and
 * returns once `expectAcks` ACKs arrived or the connection ended.
 */
function tlsExchange(
  client: TestCertificate | null,
  messages: string[],
  expectAcks = messages.length,
  port = tlsServer.port,
  session?: { resume?: Buffer; onSession?: (s: Buffer) => void },
): Promise<Exchange> {
  return new Promise((resolve) => {
    const result: Exchange = { acks: [], closedByServer: false };
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      ca: ca.cert,
      servername: 'localhost',
      ...(client ? { cert: client.cert, key: client.key } : {}),
      ...(session?.resume ? { session: session.resume } : {}),
    });
    socket.on('session', (s: Buffer) => session?.onSession?.(s));
    socket.on('secureConnect', () => {
      result.resumed = socket.isSessionReused();
    });
    const decoder = new MllpDecoder();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(finish, 10_000);
    socket.on('secureConnect', () => {
      for (const m of messages) socket.write(encodeMllp(m));
    });
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) if (ev.type === 'message') result.acks.push(ev.payload.toString('utf8'));
      if (result.acks.length >= expectAcks && expectAcks > 0) finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      result.error = err;
      finish();
    });
    socket.on('end', () => {
      result.closedByServer = true;
    });
    socket.on('close', finish);
  });
}

/** Plain MLLP on the plain listener. */
function plainExchange(message: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(port, '127.0.0.1');
    const decoder = new MllpDecoder();
    socket.on('connect', () => socket.write(encodeMllp(message)));
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.type === 'message') {
          socket.end();
          resolve(ev.payload.toString('utf8'));
        }
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error('no ACK')), 10_000).unref();
  });
}

async function logged(controlId: string): Promise<{ status: string; channel: string; error: string | null; source_org: string | null }[]> {
  const res = await t.deps.db.query<{ status: string; channel: string; error: string | null; source_org: string | null }>(
    'select status, channel, error, source_org from inbound_message where control_id = $1 order by id',
    [controlId],
  );
  return res.rows;
}

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([createTestCa(), createTestCa('Some Other CA')]);
  const server = await ca.issueServer();
  certs.north = await ca.issue({ commonName: 'North Hospital interface engine' });
  certs.south = await ca.issue({ commonName: 'South Clinic interface engine' });
  certs.stranger = await ca.issue({ commonName: 'Not a registered source' });
  certs.foreign = await otherCa.issue({ commonName: 'North Hospital, other CA' });
  certs.expired = await ca.issue({ commonName: 'North Hospital, expired', notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
  t = await createTestServer({ logger });
  north = await createSource(t.deps, { name: 'North Hospital', hl7Facility: 'NORTHHOSP', certificates: [{ pem: certs.north.cert }] });
  await createSource(t.deps, { name: 'South Clinic', hl7Facility: 'SOUTHCLIN', certificates: [{ fingerprint: certs.south.fingerprint }] });
  const ingest = { ...ingestDepsFor(t.deps, fhirApiFor(t.deps).dispatch), logger };
  const tls = { cert: server.cert, key: createPrivateKey(server.key), ca: ca.cert };
  tlsServer = await startMllpServer(ingest, { port: 0, host: '127.0.0.1', maxFrameBytes: 1024 * 1024, tls });
  plainServer = await startMllpServer(ingest, { port: 0, host: '127.0.0.1', maxFrameBytes: 1024 * 1024 });
});
afterAll(async () => {
  await tlsServer?.close();
  await plainServer?.close();
  await t?.close();
});

describe('MLLP over TLS with client certificates', () => {
  it('accepts (AA) a message whose MSH-4 is the source of the client certificate', async () => {
    const { acks, error } = await tlsExchange(certs.north, [adt('TLS-1', 'NORTHHOSP')]);
    expect(error).toBeUndefined();
    expect(msa(acks[0] as string).slice(1, 3), acks[0]).toEqual(['AA', 'TLS-1']);
    expect(await logged('TLS-1')).toEqual([{ status: 'processed', channel: 'mllp-tls', error: null, source_org: north.id }]);
    const stored = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient' and source_org = $1`, [north.id]);
    expect(Number(stored.rows[0]?.n)).toBe(1);
  });

  it('knows the source on a resumed TLS session too', async () => {
    let ticket: Buffer | undefined;
    const first = await tlsExchange(certs.north, [adt('TLS-R1', 'NORTHHOSP')], 1, tlsServer.port, { onSession: (s) => (ticket = s) });
    expect(msa(first.acks[0] as string)[1]).toBe('AA');
    expect(ticket).toBeDefined();
    const again = await tlsExchange(certs.north, [adt('TLS-R2', 'NORTHHOSP'), adt('TLS-R3', 'SOUTHCLIN')], 2, tlsServer.port, { resume: ticket as Buffer });
    expect(again.resumed).toBe(true);
    expect(again.acks.map((a) => msa(a)[1])).toEqual(['AA', 'AR']);
  });

  it('accepts a source registered by fingerprint alone', async () => {
    const { acks } = await tlsExchange(certs.south, [adt('TLS-2', 'SOUTHCLIN')]);
    expect(msa(acks[0] as string)[1], acks[0]).toBe('AA');
  });

  it("rejects (AR) a message for another source's facility, logs it, and keeps the connection", async () => {
    const { acks, closedByServer } = await tlsExchange(certs.north, [adt('TLS-3', 'SOUTHCLIN'), adt('TLS-4', 'NORTHHOSP')]);
    expect(msa(acks[0] as string).slice(1, 3)).toEqual(['AR', 'TLS-3']);
    expect(acks[0]).toContain("Sending facility 'SOUTHCLIN' does not belong to the source of the client certificate (NORTHHOSP)");
    expect(msa(acks[1] as string).slice(1, 3)).toEqual(['AA', 'TLS-4']);
    expect(closedByServer).toBe(false);
    expect(await logged('TLS-3')).toMatchObject([{ status: 'rejected', channel: 'mllp-tls' }]);
    const south = await t.deps.db.query<{ n: string }>(`select count(*) as n from resource where resource_type = 'Patient' and content::text like '%SOUTHCLIN%' and source_org = $1`, [north.id]);
    expect(Number(south.rows[0]?.n)).toBe(0);
  });

  it('answers a certificate of the CA registered to no source with one AR naming its fingerprint, then closes the connection', async () => {
    const { acks, closedByServer } = await tlsExchange(certs.stranger, [adt('TLS-5', 'NORTHHOSP'), adt('TLS-6', 'NORTHHOSP')], 2);
    expect(acks).toHaveLength(1);
    expect(msa(acks[0] as string).slice(1, 3)).toEqual(['AR', 'TLS-5']);
    expect(acks[0]).toContain(`Client certificate ${certs.stranger.fingerprint} is not registered to any source`);
    expect(closedByServer).toBe(true);
    expect(logLines.some((l) => l.fingerprint === certs.stranger.fingerprint)).toBe(true);
    expect(await logged('TLS-5')).toMatchObject([{ status: 'rejected', channel: 'mllp-tls', source_org: null }]);
    expect(await logged('TLS-6')).toEqual([]);
  });

  it('refuses the handshake without a client certificate', async () => {
    const before = refusals().length;
    const res = await tlsExchange(null, [adt('TLS-7', 'NORTHHOSP')]);
    expect(res.acks).toEqual([]);
    expect(res.error?.code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(await logged('TLS-7')).toEqual([]);
    await expect.poll(() => refusals().slice(before)).toEqual(['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE']);
  });

  it('refuses the handshake with a certificate from another CA, even one whose fingerprint a source registered', async () => {
    const admin = { authorization: `Bearer ${await t.token('system/Organization.cruds')}` };
    const added = await t.app.inject({ method: 'POST', url: `/admin/sources/${north.id}/certificates`, headers: admin, payload: { pem: certs.foreign.cert } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().warnings).toEqual([]);
    const before = refusals().length;
    const res = await tlsExchange(certs.foreign, [adt('TLS-8', 'NORTHHOSP')]);
    expect(res.acks).toEqual([]);
    expect(res.error !== undefined || res.closedByServer).toBe(true);
    expect(await logged('TLS-8')).toEqual([]);
    await expect.poll(() => refusals().slice(before)).toEqual(['UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
  });

  it('refuses the handshake with an expired certificate of the CA', async () => {
    const before = refusals().length;
    const res = await tlsExchange(certs.expired, [adt('TLS-9', 'NORTHHOSP')]);
    expect(res.acks).toEqual([]);
    expect(res.error !== undefined || res.closedByServer).toBe(true);
    expect(await logged('TLS-9')).toEqual([]);
    await expect.poll(() => refusals().slice(before)).toEqual(['CERT_HAS_EXPIRED']);
  });

  it('keeps serving good connections while bad ones are refused', async () => {
    const results = await Promise.all([
      tlsExchange(null, [adt('TLS-10', 'NORTHHOSP')]),
      tlsExchange(certs.foreign, [adt('TLS-11', 'NORTHHOSP')]),
      tlsExchange(certs.stranger, [adt('TLS-12', 'NORTHHOSP')]),
      tlsExchange(certs.north, [adt('TLS-13', 'NORTHHOSP', 'MRN-T2'), adt('TLS-14', 'NORTHHOSP', 'MRN-T3')]),
      tlsExchange(certs.south, [adt('TLS-15', 'SOUTHCLIN', 'MRN-T4')]),
    ]);
    expect(results[0]?.acks).toEqual([]);
    expect(results[1]?.acks).toEqual([]);
    expect(await logged('TLS-10')).toEqual([]);
    expect(await logged('TLS-11')).toEqual([]);
    expect(msa(results[2]?.acks[0] as string)[1]).toBe('AR');
    expect(results[3]?.acks.map((a) => msa(a)[1])).toEqual(['AA', 'AA']);
    expect(msa(results[4]?.acks[0] as string)[1]).toBe('AA');
  });

  it('keeps the plain MLLP listener working beside it', async () => {
    const ack = await plainExchange(adt('PLAIN-1', 'NORTHHOSP'), plainServer.port);
    expect(msa(ack).slice(1, 3)).toEqual(['AA', 'PLAIN-1']);
    expect(await logged('PLAIN-1')).toMatchObject([{ status: 'processed', channel: 'mllp' }]);
  });

  it('refuses a certificate from the next message on once it is removed from its source', async () => {
    const admin = { authorization: `Bearer ${await t.token('system/Organization.cruds')}` };
    const source = await createSource(t.deps, { name: 'East Lab', hl7Facility: 'EASTLAB' });
    const eastCert = await ca.issue({ commonName: 'East Lab interface' });
    const before = await tlsExchange(eastCert, [adt('TLS-16', 'EASTLAB')]);
    expect(msa(before.acks[0] as string)[1]).toBe('AR');
    const add = await t.app.inject({ method: 'POST', url: `/admin/sources/${source.id}/certificates`, headers: admin, payload: { fingerprint: eastCert.fingerprint.replaceAll(':', '').toLowerCase() } });
    expect(add.statusCode, add.body).toBe(201);
    expect(add.json().fingerprint).toBe(eastCert.fingerprint);
    const during = await tlsExchange(eastCert, [adt('TLS-17', 'EASTLAB')]);
    expect(msa(during.acks[0] as string)[1]).toBe('AA');
    const del = await t.app.inject({ method: 'DELETE', url: `/admin/sources/${source.id}/certificates/${eastCert.fingerprint}`, headers: admin });
    expect(del.statusCode).toBe(204);
    const after = await tlsExchange(eastCert, [adt('TLS-18', 'EASTLAB')]);
    expect(after.acks[0]).toContain('is not registered to any source');
  });
});

describe('startServer with MLLP over TLS only', () => {
  it('starts the TLS listener and not the plain one when MLLP_PORT=off', async () => {
    const server = await ca.issueServer();
    const files = await writePemFiles({ cert: server.cert, key: server.key, ca: ca.cert });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      MLLP_PORT: 'off',
      MLLP_TLS_PORT: '0',
      MLLP_TLS_CERT: files.cert,
      MLLP_TLS_KEY: files.key,
      MLLP_TLS_CA: files.ca,
    });
    const deps = await compose(config, { db: await createTestDatabase(), migrate: false });
    const running = await startServer(deps);
    try {
      expect(running.mllpPort).toBeNull();
      expect(running.mllpTlsPort).toEqual(expect.any(Number));
      await createSource(deps, { name: 'West Hospital', hl7Facility: 'WESTHOSP', certificates: [{ pem: certs.north.cert }] });
      const { acks } = await tlsExchange(certs.north, [adt('MAIN-1', 'WESTHOSP')], 1, running.mllpTlsPort as number);
      expect(msa(acks[0] as string).slice(1, 3), acks[0]).toEqual(['AA', 'MAIN-1']);
    } finally {
      await running.stop();
    }
  });
});
