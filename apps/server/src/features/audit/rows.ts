import type { Queryable } from '@kennebec/db';
import type { AuditOutcome, ChainedRecord } from '@kennebec/audit';

/** Reading audit_entry rows back as records, exactly as they were hashed. */
export const ENTRY_COLUMNS = `seq, id::text as id, to_char(recorded at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as recorded,
  actor, actor_org, on_behalf_of, patients, action, operation, resource_type, entities, entities_total,
  purpose_of_use, outcome, status, client_ip, user_agent, request_id, prev_hash, hash`;

export interface EntryRow {
  seq: string | number;
  id: string;
  recorded: string;
  actor: string;
  actor_org: string | null;
  on_behalf_of: string | null;
  patients: string[];
  action: string;
  operation: string | null;
  resource_type: string | null;
  entities: string[];
  entities_total: number;
  purpose_of_use: string | null;
  outcome: AuditOutcome;
  status: number | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export function toRecord(row: EntryRow): ChainedRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    recorded: row.recorded,
    actor: row.actor,
    actorOrg: row.actor_org,
    onBehalfOf: row.on_behalf_of,
    patients: row.patients,
    action: row.action,
    operation: row.operation,
    resourceType: row.resource_type,
    entities: row.entities,
    entitiesTotal: Number(row.entities_total),
    purposeOfUse: row.purpose_of_use,
    outcome: row.outcome,
    status: row.status === null ? null : Number(row.status),
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export async function selectEntries(q: Queryable, where: string, params: readonly unknown[], tail = ''): Promise<ChainedRecord[]> {
  const res = await q.query<EntryRow>(`select ${ENTRY_COLUMNS} from audit_entry ${where} ${tail}`, params);
  return res.rows.map(toRecord);
}
