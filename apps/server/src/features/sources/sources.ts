import type { Organization } from 'fhir/r4';
import type { Database, Queryable } from '@kennebec/db';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { X509Certificate } from 'node:crypto';
import { deleteCertificate, insertCertificates, listCertificates, normalizeFingerprint, parseCertificates, type CertificateInput, type SourceCertificate } from './certificates.ts';

/**
 * Data sources: organizations (hospitals, practices, labs) that send data to the HIE. Creating
 * one stores its FHIR Organization, its routing row and its client certificates (for MLLP over
 * TLS) in one transaction; nothing is written when any part of the input is bad.
 */
export const HL7_FACILITY_SYSTEM = 'https://kennebec.health/fhir/sid/hl7-facility';

export interface DataSource {
  id: string;
  name: string;
  hl7Facility: string;
  oid: string | null;
  identifierSystem: string;
  createdAt: string;
  disabledAt: string | null;
}

export interface NewDataSource {
  name: string;
  hl7Facility: string;
  oid?: string | undefined;
  /** Client certificates the source may present on the MLLP/TLS listener. */
  certificates?: CertificateInput[] | undefined;
}

/** A source as created or listed by admins, with its client certificates. */
export interface DataSourceWithCertificates extends DataSource {
  certificates: SourceCertificate[];
}

/** What registering certificates needs: the clock (expiry) and the CAs the listener trusts (warnings). */
export interface CertificateContext {
  now: Date;
  trustedCas?: X509Certificate[] | undefined;
}

export class DataSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataSourceError';
  }
}

/** No such source, or (with a fingerprint) no such certificate registered to it. */
export class DataSourceNotFoundError extends Error {
  /** What is missing, as an admin API path below the source: `Organization/{id}[/certificates/{fingerprint}]`. */
  readonly ref: string;
  constructor(orgId: string, fingerprint?: string) {
    super(fingerprint ? `Source ${orgId} has no certificate ${fingerprint}` : `No data source with id '${orgId}'`);
    this.name = 'DataSourceNotFoundError';
    this.ref = `Organization/${orgId}${fingerprint ? `/certificates/${fingerprint}` : ''}`;
  }
}

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;
// MSH-4 namespace ids: printable, no HL7 delimiters.
const FACILITY = /^[A-Za-z0-9 _.-]{1,64}$/;

interface Row {
  org_id: string;
  name: string;
  hl7_facility: string;
  oid: string | null;
  identifier_system: string;
  created_at: string | Date;
  disabled_at: string | Date | null;
}

const COLUMNS = 'org_id, name, hl7_facility, oid, identifier_system, created_at, disabled_at';
const iso = (v: string | Date): string => new Date(v).toISOString();

function toSource(r: Row): DataSource {
  return {
    id: r.org_id,
    name: r.name,
    hl7Facility: r.hl7_facility,
    oid: r.oid,
    identifierSystem: r.identifier_system,
    createdAt: iso(r.created_at),
    disabledAt: r.disabled_at === null ? null : iso(r.disabled_at),
  };
}

export function validateNewSource(input: NewDataSource): string[] {
  const problems: string[] = [];
  if (input.name.trim() === '') problems.push('name is required');
  if (!FACILITY.test(input.hl7Facility)) problems.push('hl7Facility must be 1-64 letters, digits, spaces, dots, dashes or underscores');
  if (input.oid !== undefined && !OID.test(input.oid)) problems.push(`oid '${input.oid}' is not an ISO OID (e.g. 2.16.840.1.113883.3.1234)`);
  return problems;
}

/** The system of the source's MRNs when a message carries no OID: its own OID, else one we name. */
function identifierSystemFor(input: NewDataSource): string {
  return input.oid ? `urn:oid:${input.oid}` : `${HL7_FACILITY_SYSTEM}/${encodeURIComponent(input.hl7Facility)}/mrn`;
}

const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';

/** Runs in the transaction that makes a change, after it (the admin API stages its audit entry here). */
export type WithinTransaction<T> = (tx: Queryable, result: T) => Promise<void>;

export async function createSource(
  deps: { store: SqlFhirStore },
  input: NewDataSource,
  ctx: CertificateContext = { now: new Date() },
  within?: WithinTransaction<DataSourceWithCertificates>,
): Promise<DataSourceWithCertificates & { warnings: string[] }> {
  const certs = parseCertificates(input.certificates ?? [], ctx.now, ctx.trustedCas);
  const problems = [...validateNewSource(input), ...certs.problems];
  if (problems.length > 0) throw new DataSourceError(problems.join('; '));
  const identifierSystem = identifierSystemFor(input);
  const organization: Organization = {
    resourceType: 'Organization',
    active: true,
    name: input.name.trim(),
    identifier: [
      { system: HL7_FACILITY_SYSTEM, value: input.hl7Facility },
      ...(input.oid ? [{ system: 'urn:ietf:rfc:3986', value: `urn:oid:${input.oid}` }] : []),
    ],
  };
  try {
    return await deps.store.transaction(async (repo, tx) => {
      const clash = await tx.query<{ org_id: string }>('select org_id from data_source where hl7_facility = $1 or oid = $2', [input.hl7Facility, input.oid ?? null]);
      if (clash.rows.length > 0) throw new DataSourceError('A source with this HL7 facility or OID is already registered');
      const created = await repo.create(organization, { author: 'System/sources' });
      const res = await tx.query<Row>(
        `insert into data_source (org_id, name, hl7_facility, oid, identifier_system) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
        [created.id, organization.name, input.hl7Facility, input.oid ?? null, identifierSystem],
      );
      const source = toSource(res.rows[0] as Row);
      const stored = await insertCertificates(tx, source.id, certs.certificates);
      if (stored.problems.length > 0) throw new DataSourceError(stored.problems.join('; '));
      const registered = { ...source, certificates: stored.stored };
      await within?.(tx, registered);
      return { ...registered, warnings: certs.warnings };
    });
  } catch (err) {
    // Registered concurrently by another request between our check and our insert.
    if (isUniqueViolation(err)) throw new DataSourceError('A source with this HL7 facility or OID, or one of these certificates, is already registered');
    throw err;
  }
}

/** Registers more client certificates for an existing source, all or none. */
export async function addSourceCertificates(
  db: Database,
  orgId: string,
  inputs: CertificateInput[],
  ctx: CertificateContext,
  within?: WithinTransaction<SourceCertificate[]>,
): Promise<{ certificates: SourceCertificate[]; warnings: string[] }> {
  if (inputs.length === 0) throw new DataSourceError('no certificate given');
  const certs = parseCertificates(inputs, ctx.now, ctx.trustedCas);
  if (certs.problems.length > 0) throw new DataSourceError(certs.problems.join('; '));
  try {
    return await db.transaction(async (tx) => {
      const source = await tx.query<{ org_id: string }>('select org_id from data_source where org_id = $1', [orgId]);
      if (source.rows.length === 0) throw new DataSourceNotFoundError(orgId);
      const stored = await insertCertificates(tx, orgId, certs.certificates);
      if (stored.problems.length > 0) throw new DataSourceError(stored.problems.join('; '));
      await within?.(tx, stored.stored);
      return { certificates: stored.stored, warnings: certs.warnings };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DataSourceError('one of these certificates was registered at the same time by another request');
    throw err;
  }
}

/** Removes a client certificate from a source: its connections are refused from their next message on. Returns its fingerprint. */
export async function removeSourceCertificate(db: Queryable, orgId: string, fingerprint: string): Promise<string> {
  const normalized = normalizeFingerprint(fingerprint);
  if (!normalized) throw new DataSourceError('fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional)');
  if (!(await deleteCertificate(db, orgId, normalized))) throw new DataSourceNotFoundError(orgId, normalized);
  return normalized;
}

/** Every source with its client certificates, as admins see them. */
export async function listSourcesWithCertificates(db: Queryable): Promise<DataSourceWithCertificates[]> {
  const [sources, certificates] = await Promise.all([listSources(db), listCertificates(db)]);
  const byOrg = new Map<string, SourceCertificate[]>();
  for (const c of certificates) byOrg.set(c.orgId, [...(byOrg.get(c.orgId) ?? []), c]);
  return sources.map((s) => ({ ...s, certificates: byOrg.get(s.id) ?? [] }));
}

/** Registers an Organization already stored (the demo seed's) as a data source. */
export async function registerOrganizationAsSource(db: Queryable, orgId: string, input: NewDataSource): Promise<void> {
  const problems = validateNewSource(input);
  if (problems.length > 0) throw new DataSourceError(problems.join('; '));
  const identifierSystem = identifierSystemFor(input);
  await db.query('insert into data_source (org_id, name, hl7_facility, oid, identifier_system) values ($1, $2, $3, $4, $5)', [
    orgId,
    input.name,
    input.hl7Facility,
    input.oid ?? null,
    identifierSystem,
  ]);
}

export async function listSources(db: Queryable): Promise<DataSource[]> {
  const res = await db.query<Row>(`select ${COLUMNS} from data_source order by name, org_id`);
  return res.rows.map(toSource);
}

/** The source whose registered sending facility (MSH-4) this is, if any. */
export async function findSourceByFacility(db: Queryable, facility: string): Promise<DataSource | null> {
  const res = await db.query<Row>(`select ${COLUMNS} from data_source where hl7_facility = $1 and disabled_at is null`, [facility]);
  return res.rows[0] ? toSource(res.rows[0]) : null;
}

/** The enabled source a client certificate is registered to (by SHA-256 fingerprint, `AB:CD:…`), if any. */
export async function findSourceByCertificate(db: Queryable, fingerprint: string): Promise<DataSource | null> {
  const res = await db.query<Row>(
    `select ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}
     from data_source_cert c join data_source s on s.org_id = c.org_id
     where c.fingerprint_sha256 = $1 and s.disabled_at is null`,
    [fingerprint],
  );
  return res.rows[0] ? toSource(res.rows[0]) : null;
}
