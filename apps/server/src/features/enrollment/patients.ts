import type { Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { escapeLike, normalizeString } from '@kennebec/fhir';

/**
 * Patients of one organization, for its staff: the Patients that organization sent (their source
 * organization), found by medical record number or by name and birth date. Staff see minimal
 * demographics only: enough to pick the person standing at the desk.
 */
export const MAX_RESULTS = 20;
const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

export interface PatientSummary {
  id: string;
  mrn: string | null;
  family: string | null;
  given: string[];
  birthDate: string | null;
  /** A portal account is linked to this record. */
  enrolled: boolean;
}

export type PatientQuery = { mrn: string } | { family: string; given?: string | undefined; birthDate: string };

type Row = { id: string; content: Patient | string; identifier_system: string | null; enrolled: boolean };

const parse = (c: Patient | string): Patient => (typeof c === 'string' ? (JSON.parse(c) as Patient) : c);

function mrnOf(p: Patient, system: string | null): string | null {
  const ids = p.identifier ?? [];
  const own = ids.find((i) => system !== null && i.system === system) ?? ids.find((i) => i.type?.coding?.some((c) => c.code === 'MR'));
  return own?.value ?? null;
}

function summarize(r: Row): PatientSummary {
  const p = parse(r.content);
  const name = p.name?.find((n) => n.use === 'official') ?? p.name?.[0];
  return { id: r.id, mrn: mrnOf(p, r.identifier_system), family: name?.family ?? null, given: name?.given ?? [], birthDate: p.birthDate ?? null, enrolled: r.enrolled };
}

const SELECT = `select r.id, r.content, d.identifier_system,
    exists (select 1 from patient_account_link l where l.patient_id = r.id) as enrolled
  from resource r join data_source d on d.org_id = r.source_org
  where r.resource_type = 'Patient' and not r.deleted and r.source_org = $1`;

export async function findPatients(q: Queryable, orgId: string, query: PatientQuery): Promise<PatientSummary[]> {
  let res;
  if ('mrn' in query) {
    res = await q.query<Row>(
      `${SELECT} and r.id in (select t.resource_id from sp_token t where t.resource_type = 'Patient' and t.param = 'identifier' and t.code = $2)
       order by r.id limit ${MAX_RESULTS}`,
      [orgId, query.mrn.trim()],
    );
  } else {
    // Prefix matches on the normalized name, as FHIR string search does; the birth date exactly.
    res = await q.query<Row>(
      `${SELECT} and r.content->>'birthDate' = $2
         and r.id in (select s.resource_id from sp_string s where s.resource_type = 'Patient' and s.param = 'family' and s.value like $3)
         and ($4::text is null or r.id in (select s.resource_id from sp_string s where s.resource_type = 'Patient' and s.param = 'given' and s.value like $4))
       order by r.id limit ${MAX_RESULTS}`,
      [orgId, query.birthDate, `${escapeLike(normalizeString(query.family))}%`, query.given ? `${escapeLike(normalizeString(query.given))}%` : null],
    );
  }
  return res.rows.map(summarize);
}

/** A Patient of the organization, or null (another organization's Patients do not exist for its staff). */
export async function loadOrgPatient(q: Queryable, orgId: string, patientId: string): Promise<Patient | null> {
  const res = await q.query<{ content: Patient | string }>(
    `select content from resource where resource_type = 'Patient' and id = $1 and not deleted and source_org = $2`,
    [patientId, orgId],
  );
  const row = res.rows[0];
  return row ? parse(row.content) : null;
}

/** The last four digits of the Patient's SSN, if it has one. */
export function ssnLast4(p: Patient): string | null {
  const v = p.identifier?.find((i) => i.system === SSN_SYSTEM)?.value?.replace(/\D/g, '');
  return v && v.length >= 4 ? v.slice(-4) : null;
}
