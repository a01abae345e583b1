import type { Bundle, Patient, Person } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { TestServer } from '@kennebec/test-support';

/** Helpers for the MPI's database tests: demographics, FHIR calls, and the index's invariants. */
export interface Demo {
  mrn: string;
  system: string;
  given: string;
  family: string;
  birthDate: string;
  gender?: Patient['gender'];
  line?: string;
  city?: string;
  zip?: string;
  phone?: string;
  ssn?: string;
  suffix?: string;
}

export function patient(o: Demo, id?: string): Patient {
  return {
    resourceType: 'Patient',
    ...(id ? { id } : {}),
    identifier: [{ system: o.system, value: o.mrn }, ...(o.ssn ? [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: o.ssn }] : [])],
    name: [{ family: o.family, given: [o.given], ...(o.suffix ? { suffix: [o.suffix] } : {}) }],
    gender: o.gender ?? 'male',
    birthDate: o.birthDate,
    address: [{ line: [o.line ?? '14 Front St'], city: o.city ?? 'Hallowell', state: 'ME', postalCode: o.zip ?? '04347' }],
    ...(o.phone ? { telecom: [{ system: 'phone' as const, value: o.phone }] } : {}),
  };
}

export function client(t: TestServer) {
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) => {
    const type = url.startsWith('/fhir/') ? { 'content-type': 'application/fhir+json' } : payload !== undefined ? { 'content-type': 'application/json' } : {};
    const res = await t.app.inject({ method, url, headers: { ...type, ...headers }, ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}) });
    return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>(): T => res.json() as T };
  };
  return {
    call,
    async create(headers: Record<string, string>, p: Patient): Promise<string> {
      const res = await call('POST', '/fhir/R4/Patient', headers, p);
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.body}`);
      return res.json().id as string;
    },
    async update(headers: Record<string, string>, id: string, p: Patient): Promise<void> {
      const res = await call('PUT', `/fhir/R4/Patient/${id}`, headers, { ...p, id });
      if (res.status !== 200) throw new Error(`update failed: ${res.status} ${res.body}`);
    },
    /** The Person found by `Person?link=Patient/{id}`; fails when there is not exactly one. */
    async personOf(headers: Record<string, string>, patientId: string): Promise<Person & { id: string }> {
      const res = await call('GET', `/fhir/R4/Person?link=Patient/${patientId}`, headers);
      const entries = res.json<Bundle>().entry ?? [];
      if (entries.length !== 1) throw new Error(`Patient/${patientId} has ${entries.length} Persons`);
      return entries[0]?.resource as Person & { id: string };
    },
  };
}

/**
 * Every way the Person resources could disagree with mpi_link: a Person whose Patient links
 * are not exactly its linked Patients, or whose `active` does not say whether it has any.
 */
export async function inconsistencies(db: Queryable): Promise<string[]> {
  const persons = await db.query<{ id: string; content: Person | string }>(`select id, content from resource where resource_type = 'Person' and not deleted`);
  const links = await db.query<{ person_id: string; patient_id: string }>('select person_id, patient_id from mpi_link');
  const members = new Map<string, string[]>();
  for (const l of links.rows) members.set(l.person_id, [...(members.get(l.person_id) ?? []), l.patient_id]);
  const problems: string[] = [];
  const known = new Set<string>();
  for (const row of persons.rows) {
    known.add(row.id);
    const p = (typeof row.content === 'string' ? JSON.parse(row.content) : row.content) as Person;
    const targets = (p.link ?? []).map((l) => l.target.reference ?? '').filter((r) => r.startsWith('Patient/')).map((r) => r.slice(8)).sort();
    const expected = [...(members.get(row.id) ?? [])].sort();
    if (JSON.stringify(targets) !== JSON.stringify(expected)) problems.push(`Person/${row.id} links ${targets.join(',')} but mpi_link has ${expected.join(',')}`);
    if ((p.active !== false) !== expected.length > 0) problems.push(`Person/${row.id} active=${String(p.active)} with ${expected.length} Patients`);
  }
  for (const id of members.keys()) if (!known.has(id)) problems.push(`mpi_link names Person/${id}, which does not exist`);
  return problems;
}
