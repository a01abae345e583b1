import type { Queryable } from '@kennebec/db';
import type { ProxyDecision } from '@kennebec/consent';

/**
 * What the decision point needs to know about relationships, as ports: the features that own
 * them (enrollment links accounts to Patients, proxies grants acting for another) provide the
 * real ones through the composition root. The defaults know no relationship, so they deny.
 */
export interface PatientLinks {
  /** The Patient ids an account is linked to as that patient. */
  patientsOf(userId: string): Promise<string[]>;
}

export interface ProxySubjectGrant {
  /** The subject's Patient id (one of their source records). */
  patientId: string;
  /** The proxy decision now (packages/consent evaluateProxy). */
  decision: ProxyDecision;
}

export interface ProxyGrants {
  /** Everyone the account acts for, with the decision for each at `now`. */
  subjectsOf(userId: string, now: Date): Promise<ProxySubjectGrant[]>;
}

export const noPatientLinks: PatientLinks = { patientsOf: async () => [] };
export const noProxyGrants: ProxyGrants = { subjectsOf: async () => [] };

/**
 * Reads of the MPI and store the decision point needs: every source record of the same Person,
 * and which patients an organization has a care relationship with.
 */
export interface RecordIndex {
  /** The given Patient ids and every other Patient linked to the same Person. */
  samePerson(patientIds: readonly string[]): Promise<string[]>;
  /** Those of the given Patients whose Person has a source record from the organization. */
  caredForBy(orgId: string, patientIds: readonly string[]): Promise<Set<string>>;
}

export function sqlRecordIndex(db: Queryable): RecordIndex {
  return {
    async samePerson(patientIds) {
      if (patientIds.length === 0) return [];
      const res = await db.query<{ patient_id: string }>(
        `select l2.patient_id from mpi_link l1 join mpi_link l2 on l2.person_id = l1.person_id where l1.patient_id = any($1::text[])`,
        [[...patientIds]],
      );
      return [...new Set([...patientIds, ...res.rows.map((r) => r.patient_id)])];
    },
    async caredForBy(orgId, patientIds) {
      if (patientIds.length === 0) return new Set();
      const res = await db.query<{ patient_id: string }>(
        `select l2.patient_id from mpi_link l2 join mpi_link l1 on l1.person_id = l2.person_id
         join resource o on o.resource_type = 'Patient' and o.id = l1.patient_id and o.source_org = $1
         where l2.patient_id = any($2::text[])`,
        [orgId, [...patientIds]],
      );
      return new Set(res.rows.map((r) => r.patient_id));
    },
  };
}
