import type { Bundle, BundleEntry, FhirResource, Extension } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { isPermitted, authorize } from '../access/index.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';

/**
 * `GET Patient/{id}/$everything` (https://hl7.org/fhir/R4/patient-operation-everything.html):
 * the longitudinal record of the person this Patient belongs to, across every source record
 * linked to the same Person: those Patients and every resource that refers to one of them.
 * Each entry names its source organization (extension below), so a reader sees where each
 * fact came from. Resource types the caller may not read are left out.
 */
const SOURCE_EXTENSION = 'https://kennebec.health/fhir/StructureDefinition/source-organization';
const MAX_RESOURCES = 5000;

export function everythingOperation(deps: { db: Queryable; fhirBase: () => string }) {
  return async (req: FhirRequest): Promise<FhirResponse> => {
    if (req.method !== 'GET') throw errors.methodNotAllowed(req.method, 'Patient/{id}/$everything');
    authorize(req.actor, { resourceType: 'Patient', interaction: 'r' });
    const id = req.path.split('/')[1] ?? '';
    const self = await deps.db.query<{ id: string }>(`select id from resource where resource_type = 'Patient' and id = $1 and not deleted`, [id]);
    if (self.rows.length === 0) throw errors.notFound(`Patient/${id}`);
    const linked = await deps.db.query<{ patient_id: string }>(
      `select l2.patient_id from mpi_link l1 join mpi_link l2 on l2.person_id = l1.person_id where l1.patient_id = $1`,
      [id],
    );
    const patients = [...new Set([id, ...linked.rows.map((r) => r.patient_id)])];
    const rows = await deps.db.query<{ resource_type: string; id: string; content: string; source_org: string | null }>(
      `select r.resource_type, r.id, r.content::text as content, r.source_org from resource r
       where not r.deleted and (
         (r.resource_type = 'Patient' and r.id = any($1::text[]))
         or (r.resource_type, r.id) in (select s.resource_type, s.resource_id from sp_reference s where s.target_type = 'Patient' and s.target_id = any($1::text[]))
       )
       order by r.resource_type, r.id
       limit ${MAX_RESOURCES + 1}`,
      [patients],
    );
    const truncated = rows.rows.length > MAX_RESOURCES;
    const entry: BundleEntry[] = rows.rows
      .slice(0, MAX_RESOURCES)
      .filter((r) => isPermitted(req.actor, { resourceType: r.resource_type, interaction: 'r' }))
      .map((r) => {
        const source: Extension[] = r.source_org ? [{ url: SOURCE_EXTENSION, valueReference: { reference: `Organization/${r.source_org}` } }] : [];
        return {
          ...(source.length > 0 ? { extension: source } : {}),
          fullUrl: `${deps.fhirBase()}/${r.resource_type}/${r.id}`,
          resource: JSON.parse(r.content) as FhirResource,
          search: { mode: 'match' as const },
        };
      });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entry.length,
      ...(entry.length > 0 ? { entry } : {}),
    };
    if (truncated) {
      bundle.entry?.push({
        resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'too-costly', diagnostics: `Only the first ${MAX_RESOURCES} resources are returned` }] },
        search: { mode: 'outcome' },
      });
    }
    return { status: 200, body: bundle };
  };
}
