import { randomBytes } from 'node:crypto';
import type { Queryable } from '@kennebec/db';
import type { MessageCategory } from '../access/index.ts';
import { messageCondition, threadCondition, type Visibility } from './visibility.ts';

/**
 * The message tables (migration 016). Reads take a Visibility (from the access point's permit)
 * and apply it in SQL; the raw `findThread` is only for asking the decision about a thread.
 */
export type AuthorKind = 'patient' | 'proxy' | 'staff';

export interface ThreadRow {
  id: string;
  orgId: string;
  orgName: string;
  patientId: string;
  category: MessageCategory;
  subject: string;
  /** The proxy who holds the conversation on the patient's side; null: the patient themself. */
  partyProxyUserId: string | null;
  createdBy: string;
  createdByKind: AuthorKind;
  createdAt: Date;
}

export interface ThreadSummary extends ThreadRow {
  /** Messages this reader sees, when the last of them was written, and how many they have not read. */
  messageCount: number;
  lastMessageAt: Date | null;
  unread: number;
}

export interface MessageRow {
  id: string;
  seq: number;
  authorUserId: string;
  authorKind: AuthorKind;
  actingForPatientId: string | null;
  authorOrgId: string | null;
  body: string;
  createdAt: Date;
}

interface ThreadDbRow {
  id: string;
  org_id: string;
  org_name: string;
  patient_id: string;
  category: MessageCategory;
  subject: string;
  party_proxy_user_id: string | null;
  created_by: string;
  created_by_kind: AuthorKind;
  created_at: string | Date;
  message_count?: number | string;
  last_message_at?: string | Date | null;
  unread?: number | string;
}

const date = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));

function toThread(r: ThreadDbRow): ThreadRow {
  return {
    id: r.id,
    orgId: r.org_id,
    orgName: r.org_name,
    patientId: r.patient_id,
    category: r.category,
    subject: r.subject,
    partyProxyUserId: r.party_proxy_user_id,
    createdBy: r.created_by,
    createdByKind: r.created_by_kind,
    createdAt: date(r.created_at),
  };
}

function toSummary(r: ThreadDbRow): ThreadSummary {
  return {
    ...toThread(r),
    messageCount: Number(r.message_count ?? 0),
    lastMessageAt: r.last_message_at ? date(r.last_message_at) : null,
    unread: Number(r.unread ?? 0),
  };
}

const THREAD_COLUMNS = 't.id, t.org_id, ds.name as org_name, t.patient_id, t.category, t.subject, t.party_proxy_user_id, t.created_by, t.created_by_kind, t.created_at';

export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** A thread as stored, whoever may see it: only to put the question to the access point. */
export async function findThread(db: Queryable, id: string): Promise<ThreadRow | null> {
  const res = await db.query<ThreadDbRow>(`select ${THREAD_COLUMNS} from message_thread t join data_source ds on ds.org_id = t.org_id where t.id = $1`, [id]);
  return res.rows[0] ? toThread(res.rows[0]) : null;
}

export interface ListOptions {
  category?: MessageCategory | undefined;
  unreadOnly?: boolean | undefined;
  limit: number;
  /** Only this thread (a single read through the same query). */
  threadId?: string | undefined;
}

/**
 * The threads a reader sees, newest activity first, each with the count of messages they see
 * and of those they have not read (written by someone else after their read mark). The time of
 * the last message is the last one they see, so a hidden message does not show by its time.
 */
export async function listThreads(db: Queryable, v: Visibility, opts: ListOptions): Promise<ThreadSummary[]> {
  const params: unknown[] = [v.userId];
  const tc = threadCondition(v, params.length + 1);
  params.push(...tc.params);
  const mc = messageCondition(v, params.length + 1);
  params.push(...mc.params);
  const extra: string[] = [];
  if (opts.category) extra.push(`t.category = $${params.push(opts.category)}`);
  if (opts.threadId) extra.push(`t.id = $${params.push(opts.threadId)}`);
  if (opts.unreadOnly) extra.push('s.unread > 0');
  const limit = `$${params.push(opts.limit)}`;
  const res = await db.query<ThreadDbRow>(
    `select ${THREAD_COLUMNS}, s.message_count, s.last_message_at, s.unread
       from message_thread t
       join data_source ds on ds.org_id = t.org_id
       left join message_read r on r.thread_id = t.id and r.user_id = $1
       cross join lateral (
         select count(*)::int as message_count, max(m.created_at) as last_message_at,
                (count(*) filter (where m.seq > coalesce(r.last_read_seq, 0) and m.author_user_id <> $1))::int as unread
           from message m where m.thread_id = t.id and ${mc.sql}
       ) s
      where ${tc.sql} and s.message_count > 0 ${extra.map((e) => `and ${e}`).join(' ')}
      order by s.last_message_at desc, t.id
      limit ${limit}`,
    params,
  );
  return res.rows.map(toSummary);
}

/** Unread messages over every thread the reader sees. */
export async function unreadTotal(db: Queryable, v: Visibility): Promise<number> {
  const params: unknown[] = [v.userId];
  const tc = threadCondition(v, params.length + 1);
  params.push(...tc.params);
  const mc = messageCondition(v, params.length + 1);
  params.push(...mc.params);
  const res = await db.query<{ n: number | string }>(
    `select count(*)::int as n
       from message_thread t
       join message m on m.thread_id = t.id
       left join message_read r on r.thread_id = t.id and r.user_id = $1
      where ${tc.sql} and ${mc.sql} and m.seq > coalesce(r.last_read_seq, 0) and m.author_user_id <> $1`,
    params,
  );
  return Number(res.rows[0]?.n ?? 0);
}

interface MessageDbRow {
  id: string;
  seq: number | string;
  author_user_id: string;
  author_kind: AuthorKind;
  acting_for_patient_id: string | null;
  author_org_id: string | null;
  body: string;
  created_at: string | Date;
}

/** The messages of a thread the reader sees, oldest first. */
export async function visibleMessages(db: Queryable, v: Visibility, threadId: string): Promise<MessageRow[]> {
  const params: unknown[] = [threadId];
  const tc = threadCondition(v, params.length + 1);
  params.push(...tc.params);
  const mc = messageCondition(v, params.length + 1);
  params.push(...mc.params);
  const res = await db.query<MessageDbRow>(
    `select m.id, m.seq, m.author_user_id, m.author_kind, m.acting_for_patient_id, m.author_org_id, m.body, m.created_at
       from message m join message_thread t on t.id = m.thread_id
      where m.thread_id = $1 and ${tc.sql} and ${mc.sql}
      order by m.seq`,
    params,
  );
  return res.rows.map((r) => ({
    id: r.id,
    seq: Number(r.seq),
    authorUserId: r.author_user_id,
    authorKind: r.author_kind,
    actingForPatientId: r.acting_for_patient_id,
    authorOrgId: r.author_org_id,
    body: r.body,
    createdAt: date(r.created_at),
  }));
}

export interface NewThread {
  orgId: string;
  patientId: string;
  category: MessageCategory;
  subject: string;
  partyProxyUserId: string | null;
  createdBy: string;
  createdByKind: AuthorKind;
  createdAt: Date;
}

export async function insertThread(tx: Queryable, t: NewThread): Promise<string> {
  const id = newId();
  await tx.query(
    `insert into message_thread (id, org_id, patient_id, category, subject, party_proxy_user_id, created_by, created_by_kind, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, t.orgId, t.patientId, t.category, t.subject, t.partyProxyUserId, t.createdBy, t.createdByKind, t.createdAt.toISOString()],
  );
  return id;
}

export interface NewMessage {
  threadId: string;
  authorUserId: string;
  authorKind: AuthorKind;
  actingForPatientId: string | null;
  authorOrgId: string | null;
  body: string;
  createdAt: Date;
}

/**
 * Adds a message. Writers of one thread take its row lock first, and marking as read waits for
 * them (markRead), so a message is never numbered below a read mark set before it committed.
 */
export async function insertMessage(tx: Queryable, m: NewMessage): Promise<{ id: string; seq: number }> {
  await tx.query('select 1 from message_thread where id = $1 for no key update', [m.threadId]);
  const id = newId();
  const res = await tx.query<{ seq: number | string }>(
    `insert into message (id, thread_id, author_user_id, author_kind, acting_for_patient_id, author_org_id, body, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning seq`,
    [id, m.threadId, m.authorUserId, m.authorKind, m.actingForPatientId, m.authorOrgId, m.body, m.createdAt.toISOString()],
  );
  return { id, seq: Number(res.rows[0]?.seq) };
}

/**
 * Marks a thread read by a user up to a message (its `seq`), or up to the last message when
 * none is given. A mark never moves back.
 */
export async function markRead(tx: Queryable, threadId: string, userId: string, upTo: number | null, now: Date): Promise<void> {
  await tx.query('select 1 from message_thread where id = $1 for share', [threadId]);
  await tx.query(
    `insert into message_read (thread_id, user_id, last_read_seq, read_at)
     select $1, $2, coalesce($3::bigint, max(seq), 0), $4 from message where thread_id = $1
     on conflict (thread_id, user_id) do update set last_read_seq = greatest(message_read.last_read_seq, excluded.last_read_seq), read_at = excluded.read_at`,
    [threadId, userId, upTo, now.toISOString()],
  );
}

/** Organization names by id (data sources). */
export async function orgNames(db: Queryable, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const res = await db.query<{ org_id: string; name: string }>('select org_id, name from data_source where org_id = any($1::text[])', [[...ids]]);
  return new Map(res.rows.map((r) => [r.org_id, r.name]));
}
