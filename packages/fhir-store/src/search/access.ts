/**
 * The restriction an access decision puts on a search, compiled into the same WHERE clause as
 * the request's own filters (so paging, totals and cursors only ever see permitted rows). The
 * decision itself is made by the server's access feature; this only turns its answer into SQL.
 *
 * A resource passes when, for one of the groups, one of its owners (a reference to a Patient in
 * one of `ownerParams`, or the Patient itself) is in the group and it carries none of the
 * group's hidden labels. An organization restriction passes resources whose owner belongs to a
 * Person that has a source record (a Patient) from that organization.
 */
import { ors, type Params } from './sql.ts';

export interface AccessFilter {
  /** Reference parameters that name a resource's owner (e.g. patient, subject). */
  ownerParams: readonly string[];
  /** Code system of the sensitivity labels in `_security`. */
  labelSystem: string;
  groups?: readonly { patientIds: readonly string[]; hiddenLabels: readonly string[] }[];
  organization?: string;
}

function owned(p: Params, type: string, filter: AccessFilter, ownerCond: (col: string) => string): string {
  if (type === 'Patient') return ownerCond('r.id');
  return `exists (select 1 from sp_reference a where a.resource_type = r.resource_type and a.resource_id = r.id
    and a.param = any(${p.array(filter.ownerParams)}) and a.target_type = 'Patient' and ${ownerCond('a.target_id')})`;
}

function notLabelled(p: Params, filter: AccessFilter, labels: readonly string[]): string {
  if (labels.length === 0) return 'true';
  return `not exists (select 1 from sp_token l where l.resource_type = r.resource_type and l.resource_id = r.id
    and l.param = '_security' and l.system = ${p.add(filter.labelSystem)} and l.code = any(${p.array(labels)}))`;
}

/** The SQL condition over alias r. */
export function accessCondition(p: Params, type: string, filter: AccessFilter): string {
  const conds: string[] = [];
  for (const g of filter.groups ?? []) {
    const ids = p.array(g.patientIds);
    conds.push(`(${owned(p, type, filter, (col) => `${col} = any(${ids})`)} and ${notLabelled(p, filter, g.hiddenLabels)})`);
  }
  if (filter.organization !== undefined) {
    const org = p.add(filter.organization);
    conds.push(
      owned(p, type, filter, (col) => `${col} in (select l2.patient_id from mpi_link l2 join mpi_link l1 on l1.person_id = l2.person_id
        join resource o on o.resource_type = 'Patient' and o.id = l1.patient_id and o.source_org = ${org})`),
    );
  }
  return `(${ors(conds)})`;
}
