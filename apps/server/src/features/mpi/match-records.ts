import type { Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';

/**
 * The demographics of a source record as HIE staff compare it with another (the review queue
 * shows two side by side, with the per-field evidence of the score): names, birth date, sex,
 * addresses, phones and identifiers, each as the source sent it. A Social Security number is
 * shown by its last four digits only, which is what a reviewer needs to tell two apart.
 */
export interface MatchRecord {
  patientId: string;
  personId: string | null;
  sourceOrg: string | null;
  sourceName: string | null;
  /** Deleted by its source since (the pair may still be waiting in the queue). */
  deleted: boolean;
  names: { family: string | null; given: string[]; suffix: string[] }[];
  birthDate: string | null;
  gender: string | null;
  addresses: { line: string[]; city: string | null; state: string | null; postalCode: string | null }[];
  phones: string[];
  identifiers: { system: string | null; value: string }[];
}

export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';

function maskSsn(value: string): string {
  const digits = value.replace(/\D/g, '');
  return `***-**-${digits.slice(-4)}`;
}

export function matchRecordOf(patientId: string, patient: Patient | null, row: { personId: string | null; sourceOrg: string | null; sourceName: string | null; deleted: boolean }): MatchRecord {
  const p = patient ?? { resourceType: 'Patient' };
  return {
    patientId,
    ...row,
    names: (p.name ?? []).map((n) => ({ family: n.family ?? null, given: n.given ?? [], suffix: n.suffix ?? [] })),
    birthDate: p.birthDate ?? null,
    gender: p.gender ?? null,
    addresses: (p.address ?? []).map((a) => ({ line: a.line ?? [], city: a.city ?? null, state: a.state ?? null, postalCode: a.postalCode ?? null })),
    phones: (p.telecom ?? []).filter((t) => t.system === 'phone' && t.value).map((t) => t.value as string),
    identifiers: (p.identifier ?? []).filter((i) => i.value).map((i) => ({ system: i.system ?? null, value: i.system === SSN_SYSTEM ? maskSsn(i.value as string) : (i.value as string) })),
  };
}

/** The records of these Patients, with their Person and source; unknown ids are left out. */
export async function matchRecords(q: Queryable, patientIds: readonly string[]): Promise<Map<string, MatchRecord>> {
  if (patientIds.length === 0) return new Map();
  const res = await q.query<{ id: string; content: Patient | string | null; deleted: boolean; source_org: string | null; source_name: string | null; person_id: string | null }>(
    `select r.id, r.content, r.deleted, r.source_org, d.name as source_name, l.person_id
     from resource r
     left join data_source d on d.org_id = r.source_org
     left join mpi_link l on l.patient_id = r.id
     where r.resource_type = 'Patient' and r.id = any($1::text[])`,
    [[...new Set(patientIds)]],
  );
  const out = new Map<string, MatchRecord>();
  for (const r of res.rows) {
    const patient = r.content === null ? null : ((typeof r.content === 'string' ? JSON.parse(r.content) : r.content) as Patient);
    out.set(r.id, matchRecordOf(r.id, r.deleted ? null : patient, { personId: r.person_id, sourceOrg: r.source_org, sourceName: r.source_name, deleted: r.deleted }));
  }
  return out;
}
