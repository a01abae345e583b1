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

/** Which messages: `failed` is every one not processed (`error` or `rejected`). */
export type MessageStatusFilter = 'processed' | 'failed' | 'error' | 'rejected';

export interface MessageQuery {
  status?: MessageStatusFilter | undefined;
  /** The source organization's id. */
  source?: string | undefined;
  limit?: number | undefined;
  /** Only messages logged before this one (the `next` of the previous page). */
  before?: string | undefined;
}

const STATUS_FILTER: Record<MessageStatusFilter, string> = {
  processed: `m.status = 'processed'`,
  failed: `m.status <> 'processed'`,
  error: `m.status = 'error'`,
  rejected: `m.status = 'rejected'`,
};

/** Newest first, a page at a time: `next` is the cursor of the following page, null on the last. */
export async function listMessages(db: Queryable, opts: MessageQuery = {}): Promise<{ messages: InboundMessageSummary[]; next: string | null }> {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 1000);
  const where = [opts.status ? STATUS_FILTER[opts.status] : 'true', `($1::text is null or m.source_org = $1)`, `($2::bigint is null or m.id < $2::bigint)`];
  const res = await db.query<Row>(
    `select m.id::text as id, m.source_org, m.channel, m.control_id, m.message_type, m.received_at, m.status, m.error,
            exists (select 1 from inbound_message p where p.retry_of = m.id and p.status = 'processed') as reprocessed
     from inbound_message m where ${where.join(' and ')} order by m.id desc limit $3`,
    [opts.source ?? null, opts.before ?? null, limit + 1],
  );
  const rows = res.rows.slice(0, limit);
  return {
    messages: rows.map((r) => ({
      id: r.id,
      sourceOrg: r.source_org,
      channel: r.channel,
      controlId: r.control_id,
      messageType: r.message_type,
      receivedAt: new Date(r.received_at).toISOString(),
      status: r.status,
      error: r.error,
      reprocessed: r.reprocessed,
    })),
    next: res.rows.length > limit ? (rows.at(-1)?.id ?? null) : null,
  };
}

export interface FeedCounts {
  accepted: number;
  rejected: number;
  errored: number;
}

export interface FeedStatus {
  lastReceivedAt: string | null;
  last24h: FeedCounts;
  total: FeedCounts;
}

const emptyFeed = (): FeedStatus => ({ lastReceivedAt: null, last24h: { accepted: 0, rejected: 0, errored: 0 }, total: { accepted: 0, rejected: 0, errored: 0 } });
const COUNT_OF: Record<InboundMessageSummary['status'], keyof FeedCounts> = { processed: 'accepted', rejected: 'rejected', error: 'errored' };

/**
 * Each source's feed: when its last message arrived and how many were accepted, rejected and
 * failed, in the last 24 hours and in all; messages from no known source apart. One pass over
 * the index on (source_org, id), which carries the time and the status (migration 018).
 */
export async function feedStatus(db: Queryable, now: Date): Promise<{ bySource: Map<string, FeedStatus>; unattributed: FeedStatus }> {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const res = await db.query<{ source_org: string | null; status: InboundMessageSummary['status']; total: string | number; recent: string | number; last: string | Date | null }>(
    `select source_org, status, count(*) as total, count(*) filter (where received_at >= $1) as recent, max(received_at) as last
     from inbound_message group by source_org, status`,
    [since.toISOString()],
  );
  const bySource = new Map<string, FeedStatus>();
  const unattributed = emptyFeed();
  for (const r of res.rows) {
    let feed = unattributed;
    if (r.source_org !== null) {
      feed = bySource.get(r.source_org) ?? emptyFeed();
      bySource.set(r.source_org, feed);
    }
    const key = COUNT_OF[r.status];
    feed.total[key] += Number(r.total);
    feed.last24h[key] += Number(r.recent);
    const last = r.last === null ? null : new Date(r.last).toISOString();
    if (last !== null && (feed.lastReceivedAt === null || last > feed.lastReceivedAt)) feed.lastReceivedAt = last;
  }
  return { bySource, unattributed };
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
