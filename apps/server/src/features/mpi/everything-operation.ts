import type { Bundle, BundleEntry, FhirResource, Extension } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { isPermitted, authorize } from '../access/index.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { groupSameFacts, type FactCopy, type SameFact } from './same-fact.ts';

/**
 * `GET Patient/{id}/$everything` (https://hl7.org/fhir/R4/patient-operation-everything.html):
 * the longitudinal record of the person this Patient belongs to, across every source record
 * linked to the same Person: those Patients and every resource that refers to one of them.
 * Each entry names its source organization (extension below), so a reader sees where each
 * fact came from. Resource types the caller may not read are left out.
 *
 * The same fact sent by several sources (the same lab result, the same immunization) is one
 * entry: its most complete copy, naming every source, with a `same-fact` extension per other
 * copy (that copy's reference and source) so each original stays reachable. `deduplicate=false`
 * returns every copy as stored. What counts as the same fact is in same-fact-rules.ts.
 */
export const SOURCE_EXTENSION = 'https://kennebec.health/fhir/StructureDefinition/source-organization';
export const SAME_FACT_EXTENSION = 'https://kennebec.health/fhir/StructureDefinition/same-fact';
const MAX_RESOURCES = 5000;

interface Row extends FactCopy {
  type: string;
  id: string;
}

/** The operation's own parameter: `deduplicate` (true by default). */
function deduplicate(query: [string, string][]): boolean {
  const values = query.filter(([name]) => name === 'deduplicate').map(([, v]) => v);
  if (values.length === 0) return true;
  if (values.length > 1 || (values[0] !== 'true' && values[0] !== 'false')) {
    throw errors.badRequest('deduplicate must be given once, as true or false', ['deduplicate']);
  }
  return values[0] === 'true';
}

const sourceExtension = (org: string): Extension => ({ url: SOURCE_EXTENSION, valueReference: { reference: `Organization/${org}` } });

function entryFor(rows: readonly Row[], fact: SameFact, fhirBase: string): BundleEntry {
  const rep = rows[fact.representative] as Row;
  const others = fact.others.map((i) => rows[i] as Row);
  const sources = [...new Set([rep, ...others].map((r) => r.sourceOrg).filter((s): s is string => s !== null))];
  const extension: Extension[] = [
    ...sources.map(sourceExtension),
    ...others.map(
      (o): Extension => ({
        url: SAME_FACT_EXTENSION,
        extension: [{ url: 'resource', valueReference: { reference: `${o.type}/${o.id}` } }, ...(o.sourceOrg ? [{ ...sourceExtension(o.sourceOrg), url: 'source' }] : [])],
      }),
    ),
  ];
  return {
    ...(extension.length > 0 ? { extension } : {}),
    fullUrl: `${fhirBase}/${rep.type}/${rep.id}`,
    resource: rep.resource as FhirResource,
    search: { mode: 'match' },
  };
}

export function everythingOperation(deps: { db: Queryable; fhirBase: () => string }) {
  return async (req: FhirRequest): Promise<FhirResponse> => {
    if (req.method !== 'GET') throw errors.methodNotAllowed(req.method, 'Patient/{id}/$everything');
    authorize(req.actor, { resourceType: 'Patient', interaction: 'r' });
    const dedupe = deduplicate(req.query);
    const id = req.path.split('/')[1] ?? '';
    const self = await deps.db.query<{ id: string }>(`select id from resource where resource_type = 'Patient' and id = $1 and not deleted`, [id]);
    if (self.rows.length === 0) throw errors.notFound(`Patient/${id}`);
    const linked = await deps.db.query<{ patient_id: string }>(
      `select l2.patient_id from mpi_link l1 join mpi_link l2 on l2.person_id = l1.person_id where l1.patient_id = $1`,
      [id],
    );
    const patients = [...new Set([id, ...linked.rows.map((r) => r.patient_id)])];
    const result = await deps.db.query<{ resource_type: string; id: string; content: string; source_org: string | null; last_updated: Date | string }>(
      `select r.resource_type, r.id, r.content::text as content, r.source_org, r.last_updated from resource r
       where not r.deleted and (
         (r.resource_type = 'Patient' and r.id = any($1::text[]))
         or (r.resource_type, r.id) in (select s.resource_type, s.resource_id from sp_reference s where s.target_type = 'Patient' and s.target_id = any($1::text[]))
       )
       order by r.resource_type, r.id
       limit ${MAX_RESOURCES + 1}`,
      [patients],
    );
    const truncated = result.rows.length > MAX_RESOURCES;
    const rows: Row[] = result.rows
      .slice(0, MAX_RESOURCES)
      .filter((r) => isPermitted(req.actor, { resourceType: r.resource_type, interaction: 'r' }))
      .map((r) => ({ type: r.resource_type, id: r.id, resource: JSON.parse(r.content) as FhirResource, sourceOrg: r.source_org, storedAt: new Date(r.last_updated).getTime() }));
    const facts = dedupe ? groupSameFacts(rows, new Set(patients)) : rows.map((_, i) => ({ representative: i, others: [] }));
    const entry = facts.map((f) => entryFor(rows, f, deps.fhirBase()));
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entry.length,
      ...(entry.length > 0 ? { entry } : {}),
    };
    if (truncated) {
      bundle.entry = [
        ...(bundle.entry ?? []),
        {
          resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'too-costly', diagnostics: `Only the first ${MAX_RESOURCES} resources are returned` }] },
          search: { mode: 'outcome' },
        },
      ];
    }
    return { status: 200, body: bundle };
  };
}
