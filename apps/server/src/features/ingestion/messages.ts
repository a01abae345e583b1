import type { Queryable } from '@kennebec/db';
import type { Channel, IngestDeps, IngestResult } from './ingest-hl7v2.ts';
import { errors } from '@kennebec/fhir';
import { ingestHl7v2 } from './ingest-hl7v2.ts';

const AUTHENTICATED_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['http', 'mllp-tls']);

/**
 * The inbound message log as HIE admins see it: failed and rejected messages with their error
 * (never their content in lists), and reprocessing of one after a fix (a source registered, a
 * mapping corrected). Reprocessing runs the raw message through ingest again, as if resent.
 */
export interface InboundMessageSummary {
  id: string;
  sourceOrg: string | null;
  channel: Channel;
  controlId: string | null;
  messageType: string | null;
  receivedAt: string;
  status: 'processed' | 'error' | 'rejected';
  error: string | null;
  /** Set when a later run of the same message succeeded. */
  reprocessed: boolean;
}

interface Row {
  id: string;
  source_org: string | null;
  channel: Channel;
  control_id: string | null;
  message_type: string | null;
  received_at: string | Date;
  status: InboundMessageSummary['status'];
  error: string | null;
  reprocessed: boolean;
}

export async function listMessages(db: Queryable, opts: { status?: 'failed' | 'processed'; limit?: number } = {}): Promise<InboundMessageSummary[]> {
  const filter = opts.status === 'processed' ? `m.status = 'processed'` : opts.status === 'failed' ? `m.status <> 'processed'` : 'true';
  const res = await db.query<Row>(
    `select m.id::text as id, m.source_org, m.channel, m.control_id, m.message_type, m.received_at, m.status, m.error,
            exists (select 1 from inbound_message p where p.retry_of = m.id and p.status = 'processed') as reprocessed
     from inbound_message m where ${filter} order by m.id desc limit $1`,
    [Math.min(Math.max(opts.limit ?? 100, 1), 1000)],
  );
  return res.rows.map((r) => ({
    id: r.id,
    sourceOrg: r.source_org,
    channel: r.channel,
    controlId: r.control_id,
    messageType: r.message_type,
    receivedAt: new Date(r.received_at).toISOString(),
    status: r.status,
    error: r.error,
    reprocessed: r.reprocessed,
  }));
}

/** Runs a logged message through ingest again; undefined when there is no such message. */
export async function reprocessMessage(deps: IngestDeps, id: string): Promise<IngestResult | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const res = await deps.db.query<{ raw: string; channel: Channel; status: InboundMessageSummary['status']; source_org: string | null }>(
    'select raw, channel, status, source_org from inbound_message where id = $1::bigint',
    [id],
  );
  const row = res.rows[0];
  if (!row) return undefined;
  // A channel that authenticates its sender (HTTPS client, TLS client certificate) vouched for
  // the source when the message arrived; a rejected message never got that far, and its sender
  // cannot be authenticated again now, so the source must send it again.
  if (AUTHENTICATED_CHANNELS.has(row.channel) && row.status === 'rejected') {
    throw errors.unprocessable(`Message ${id} was rejected on an authenticated channel (${row.channel}); its sender cannot be checked again, so the source must resend it`);
  }
  // One that failed after its sender was checked is tried again as that source's.
  const callerOrgId = AUTHENTICATED_CHANNELS.has(row.channel) ? row.source_org : undefined;
  return ingestHl7v2(deps, row.raw, row.channel, { retryOf: id, ...(callerOrgId ? { callerOrgId } : {}) });
}
