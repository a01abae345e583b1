import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/**
 * A throwaway public-key infrastructure made at test time: a CA, the server certificate it
 * issues for the MLLP/TLS listener, and client certificates for sources. ECDSA P-256 keys
 * (fast to generate); PEM text as operators would have in files.
 */
type WebCrypto = Parameters<typeof x509.cryptoProvider.set>[0];
type CryptoKeyPair = webcrypto.CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as unknown as WebCrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface TestCertificate {
  /** The certificate (PEM). */
  cert: string;
  /** Its private key (PKCS#8 PEM). */
  key: string;
  /** SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint: string;
}

export interface IssueOptions {
  commonName: string;
  /** Extended key usage; default clientAuth. */
  usage?: 'clientAuth' | 'serverAuth';
  /** Validity window; default from a minute ago for a year. */
  notBefore?: Date;
  notAfter?: Date;
}

export interface TestCa extends TestCertificate {
  /** A certificate for the listener, valid for localhost and 127.0.0.1. */
  issueServer(): Promise<TestCertificate>;
  /** A certificate signed by this CA (by default a client certificate). */
  issue(opts: IssueOptions): Promise<TestCertificate>;
}

let serial = 1;
const nextSerial = (): string => (serial++).toString(16).padStart(4, '0');

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pemKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
}

async function finish(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<TestCertificate> {
  const thumbprint = Buffer.from(await cert.getThumbprint('SHA-256', webcrypto as unknown as WebCrypto));
  return { cert: cert.toString('pem'), key: await pemKey(keys.privateKey), fingerprint: thumbprint.toString('hex').toUpperCase().match(/../g)!.join(':') };
}

export async function createTestCa(name = 'Kennebec Test CA'): Promise<TestCa> {
  const caKeys = await keyPair();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * DAY),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (opts: IssueOptions & { sans?: x509.JsonGeneralName[] }): Promise<TestCertificate> => {
    const keys = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: nextSerial(),
      subject: `CN=${opts.commonName}`,
      issuer: caCert.subject,
      notBefore: opts.notBefore ?? new Date(Date.now() - 60_000),
      notAfter: opts.notAfter ?? new Date(Date.now() + 365 * DAY),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([opts.usage === 'serverAuth' ? SERVER_AUTH : CLIENT_AUTH]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ...(opts.sans ? [new x509.SubjectAlternativeNameExtension(opts.sans)] : []),
      ],
    });
    return finish(cert, keys);
  };
  return {
    ...(await finish(caCert, caKeys)),
    issue,
    issueServer: () =>
      issue({
        commonName: 'localhost',
        usage: 'serverAuth',
        sans: [
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ],
      }),
  };
}

/** Writes PEM files into a new temporary folder; returns their paths by name. */
export async function writePemFiles<K extends string>(files: Record<K, string>): Promise<Record<K, string> & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kennebec-pki-'));
  const paths = { dir } as Record<K, string> & { dir: string };
  for (const [name, pem] of Object.entries(files) as [K, string][]) {
    const path = join(dir, `${name}.pem`);
    await writeFile(path, pem, { mode: 0o600 });
    (paths as Record<K, string>)[name] = path;
  }
  return paths;
}
