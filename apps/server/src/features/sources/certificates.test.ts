import { createHash, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa, type TestCertificate } from '@kennebec/test-support';
import { normalizeFingerprint, parseCertificates } from './certificates.ts';

/** Reading a source's client certificate: what is kept, and what is refused before anything is stored. */
let ca: TestCa;
let client: TestCertificate;
const now = new Date();

beforeAll(async () => {
  ca = await createTestCa();
  client = await ca.issue({ commonName: 'Casco Lab interface' });
});

describe('source client certificates', () => {
  it('keeps the SHA-256 fingerprint of the DER encoding, the subject, issuer and validity', () => {
    const { certificates, problems, warnings } = parseCertificates([{ pem: client.cert }], now, [new X509Certificate(ca.cert)]);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    const der = new X509Certificate(client.cert).raw;
    const expected = createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)?.join(':');
    expect(certificates[0]).toMatchObject({ fingerprint: expected, subject: 'CN=Casco Lab interface', issuer: 'CN=Kennebec Test CA' });
    expect(Date.parse(certificates[0]?.notAfter as string)).toBeGreaterThan(now.getTime());
  });

  it('reads a DER certificate as well as PEM', () => {
    const der = new X509Certificate(client.cert).raw;
    expect(parseCertificates([{ pem: der }], now).certificates[0]?.fingerprint).toBe(client.fingerprint);
  });

  it('refuses a file holding a private key, without storing anything of it', () => {
    const res = parseCertificates([{ pem: client.cert + client.key }], now);
    expect(res.certificates).toEqual([]);
    expect(res.problems).toEqual(['certificate: it holds a private key: give the certificate only (the private key never leaves the source)']);
  });

  it('refuses a chain, garbage, an expired certificate and a server-only certificate, naming each', async () => {
    const expired = await ca.issue({ commonName: 'old', notBefore: new Date(now.getTime() - 10 * 86_400_000), notAfter: new Date(now.getTime() - 86_400_000) });
    const server = await ca.issue({ commonName: 'server', usage: 'serverAuth' });
    const res = parseCertificates([{ pem: client.cert + ca.cert }, { pem: 'hello' }, { pem: expired.cert }, { pem: server.cert }, { fingerprint: 'abc' }], now);
    expect(res.problems).toEqual([
      "certificate 1: it holds 2 certificates: give the source's own client certificate only, not its chain",
      'certificate 2: it is not an X.509 certificate (PEM or DER)',
      expect.stringMatching(/^certificate 3: it expired on \d{4}-/),
      'certificate 4: its extended key usage does not allow TLS client authentication (clientAuth)',
      'certificate 5: fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional)',
    ]);
  });

  it('warns about a certificate that no trusted CA issued, and about the same certificate given twice', async () => {
    const other = await createTestCa('Other CA');
    const foreign = await other.issue({ commonName: 'elsewhere' });
    const res = parseCertificates([{ pem: foreign.cert }, { fingerprint: foreign.fingerprint }], now, [new X509Certificate(ca.cert)]);
    expect(res.warnings).toEqual([`certificate 1 (${foreign.fingerprint}) was not issued by a CA in MLLP_TLS_CA: the listener will refuse it until its CA is added`]);
    expect(res.problems).toEqual([`certificate ${foreign.fingerprint} is given twice`]);
  });

  it('normalizes the usual spellings of a fingerprint', () => {
    const hex = client.fingerprint.replaceAll(':', '');
    for (const spelling of [client.fingerprint, hex.toLowerCase(), `sha256 Fingerprint=${client.fingerprint}`, `SHA256:${hex}`]) {
      expect(normalizeFingerprint(spelling), spelling).toBe(client.fingerprint);
    }
    expect(normalizeFingerprint('AB:CD')).toBeNull();
  });
});
