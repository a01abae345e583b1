import type { Organization } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirStore } from '@kennebec/fhir-store';

/**
 * Data sources: organizations (hospitals, practices, labs) that send data to the HIE. Creating
 * one stores its FHIR Organization and its routing row in one transaction.
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
}

export class DataSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataSourceError';
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

export async function createSource(deps: { store: SqlFhirStore }, input: NewDataSource): Promise<DataSource> {
  const problems = validateNewSource(input);
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
  return deps.store.transaction(async (repo, tx) => {
    const clash = await tx.query<{ org_id: string }>('select org_id from data_source where hl7_facility = $1 or oid = $2', [input.hl7Facility, input.oid ?? null]);
    if (clash.rows.length > 0) throw new DataSourceError('A source with this HL7 facility or OID is already registered');
    const created = await repo.create(organization, { author: 'System/sources' });
    const res = await tx.query<Row>(
      `insert into data_source (org_id, name, hl7_facility, oid, identifier_system) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`,
      [created.id, organization.name, input.hl7Facility, input.oid ?? null, identifierSystem],
    );
    return toSource(res.rows[0] as Row);
  });
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
