import { X509Certificate } from 'node:crypto';
import type { Queryable } from '@kennebec/db';

/**
 * Client certificates of data sources, for the MLLP/TLS listener. A source registers the
 * certificate(s) its interface engine presents; the listener maps the certificate of each
 * connection to its source by SHA-256 fingerprint. Only public facts of the certificate are
 * stored, never a private key: a PEM that holds one is refused outright.
 */
export interface SourceCertificate {
  /** SHA-256 of the certificate's DER encoding, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint: string;
  orgId: string;
  /** Null when registered by fingerprint alone. */
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string | null;
  addedAt: string;
}

/** A certificate to register: its PEM (or DER) text, or only its SHA-256 fingerprint. */
export type CertificateInput = { pem: string | Buffer } | { fingerprint: string };

export type ParsedCertificate = Omit<SourceCertificate, 'orgId' | 'addedAt'>;

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** `AB:CD:…` (64 hex digits) from any common spelling: with or without colons, any case, `sha256` prefixes. */
export function normalizeFingerprint(input: string): string | null {
  const hex = input
    .trim()
    .replace(/^(sha-?256\s*(fingerprint)?\s*[=:]?\s*)/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return hex.toUpperCase().match(/../g)!.join(':');
}

/** Node prints a distinguished name one attribute per line; show it on one. */
const oneLine = (dn: string): string => dn.split('\n').filter(Boolean).join(', ');

/** Reads one client certificate; returns it with its public facts, or the reason it cannot be registered. */
export function parseCertificate(input: string | Buffer, now: Date): { facts: ParsedCertificate; cert: X509Certificate } | string {
  const text = Buffer.isBuffer(input) ? input.toString('latin1') : input;
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    return 'it holds a private key: give the certificate only (the private key never leaves the source)';
  }
  const blocks = text.match(PEM_CERT) ?? [];
  if (blocks.length > 1) return `it holds ${blocks.length} certificates: give the source's own client certificate only, not its chain`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0] ?? (Buffer.isBuffer(input) ? input : Buffer.from(input, 'latin1')));
  } catch {
    return 'it is not an X.509 certificate (PEM or DER)';
  }
  const usages = cert.keyUsage;
  if (usages && usages.length > 0 && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) {
    return 'its extended key usage does not allow TLS client authentication (clientAuth)';
  }
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() < now.getTime()) return `it expired on ${notAfter.toISOString()}`;
  const facts = {
    fingerprint: cert.fingerprint256,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
  };
  return { facts, cert };
}

/** Whether one of the CA certificates issued (and signed) this certificate. */
function issuedByOneOf(cert: X509Certificate, cas: X509Certificate[]): boolean {
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

/**
 * Parses every input; the list of problems is empty when all can be registered. Given the CA
 * certificates the TLS listener trusts, a certificate none of them issued is registered with a
 * warning: it cannot connect until its CA is trusted too.
 */
export function parseCertificates(
  inputs: CertificateInput[],
  now: Date,
  trustedCas: X509Certificate[] = [],
): { certificates: ParsedCertificate[]; problems: string[]; warnings: string[] } {
  const certificates: ParsedCertificate[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  inputs.forEach((input, i) => {
    const label = inputs.length > 1 ? `certificate ${i + 1}` : 'certificate';
    if ('fingerprint' in input) {
      const fingerprint = normalizeFingerprint(input.fingerprint);
      if (!fingerprint) problems.push(`${label}: fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional)`);
      else certificates.push({ fingerprint, subject: null, issuer: null, serialNumber: null, notBefore: null, notAfter: null });
      return;
    }
    const parsed = parseCertificate(input.pem, now);
    if (typeof parsed === 'string') {
      problems.push(`${label}: ${parsed}`);
      return;
    }
    certificates.push(parsed.facts);
    if (trustedCas.length > 0 && !issuedByOneOf(parsed.cert, trustedCas)) {
      warnings.push(`${label} (${parsed.facts.fingerprint}) was not issued by a CA in MLLP_TLS_CA: the listener will refuse it until its CA is added`);
    }
  });
  const seen = new Set<string>();
  for (const c of certificates) {
    if (seen.has(c.fingerprint)) problems.push(`certificate ${c.fingerprint} is given twice`);
    seen.add(c.fingerprint);
  }
  return { certificates, problems, warnings };
}

interface Row {
  fingerprint_sha256: string;
  org_id: string;
  subject: string | null;
  issuer: string | null;
  serial_number: string | null;
  not_before: string | Date | null;
  not_after: string | Date | null;
  added_at: string | Date;
}

const COLUMNS = 'fingerprint_sha256, org_id, subject, issuer, serial_number, not_before, not_after, added_at';
const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());

function toCertificate(r: Row): SourceCertificate {
  return {
    fingerprint: r.fingerprint_sha256,
    orgId: r.org_id,
    subject: r.subject,
    issuer: r.issuer,
    serialNumber: r.serial_number,
    notBefore: iso(r.not_before),
    notAfter: iso(r.not_after),
    addedAt: iso(r.added_at) as string,
  };
}

/**
 * Stores parsed certificates for a source, inside the caller's transaction. Refuses (with every
 * clash named) certificates already registered, to this source or another.
 */
export async function insertCertificates(
  tx: Queryable,
  orgId: string,
  certificates: ParsedCertificate[],
): Promise<{ stored: SourceCertificate[]; problems: string[] }> {
  if (certificates.length === 0) return { stored: [], problems: [] };
  const fingerprints = certificates.map((c) => c.fingerprint);
  const clash = await tx.query<{ fingerprint_sha256: string; org_id: string }>(
    'select fingerprint_sha256, org_id from data_source_cert where fingerprint_sha256 = any($1::text[]) order by fingerprint_sha256',
    [fingerprints],
  );
  if (clash.rows.length > 0) {
    const problems = clash.rows.map((r) =>
      r.org_id === orgId ? `certificate ${r.fingerprint_sha256} is already registered to this source` : `certificate ${r.fingerprint_sha256} is already registered to another source (${r.org_id})`,
    );
    return { stored: [], problems };
  }
  const stored: SourceCertificate[] = [];
  for (const c of certificates) {
    const res = await tx.query<Row>(
      `insert into data_source_cert (fingerprint_sha256, org_id, subject, issuer, serial_number, not_before, not_after)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [c.fingerprint, orgId, c.subject, c.issuer, c.serialNumber, c.notBefore, c.notAfter],
    );
    stored.push(toCertificate(res.rows[0] as Row));
  }
  return { stored, problems: [] };
}

/** Registered certificates, of one source or of all, oldest first. */
export async function listCertificates(db: Queryable, orgId?: string): Promise<SourceCertificate[]> {
  const res = orgId
    ? await db.query<Row>(`select ${COLUMNS} from data_source_cert where org_id = $1 order by added_at, fingerprint_sha256`, [orgId])
    : await db.query<Row>(`select ${COLUMNS} from data_source_cert order by org_id, added_at, fingerprint_sha256`);
  return res.rows.map(toCertificate);
}

/** Removes a certificate from a source; false when that source has no such certificate. */
export async function deleteCertificate(db: Queryable, orgId: string, fingerprint: string): Promise<boolean> {
  const res = await db.query<{ fingerprint_sha256: string }>('delete from data_source_cert where org_id = $1 and fingerprint_sha256 = $2 returning fingerprint_sha256', [orgId, fingerprint]);
  return res.rows.length > 0;
}
