import type { z } from 'zod';
import { errors } from '@kennebec/fhir';
import type { MessageCategory, PurposeOfUse } from '../access/index.ts';
import type { RequestInfo } from '../accounts/index.ts';
import { messagingEntry, statusOf, type MessagingAuditFields } from './audit.ts';
import { Names } from './authors.ts';
import type { MessagingContext } from './context.ts';
import { notifyPatientSide } from './notify.ts';
import { decideStart, inboxVisibility, mayReply, purposeOf, threadAccess, type Reader, type ThreadAccess } from './policy.ts';
import type * as s from './schema.ts';
import { insertMessage, insertThread, listThreads, markRead, unreadTotal, visibleMessages, type AuthorKind, type ThreadSummary } from './store.ts';
import type { Visibility } from './visibility.ts';

/**
 * The messaging use cases, for both sides: list, read, start, reply, mark read. Each asks the
 * access point through policy.ts, works only on what the permit lets it see, and leaves an
 * audit entry (writes in their own transaction; reads and refusals after).
 */
type ThreadView = z.output<typeof s.thread>;
type SummaryView = z.output<typeof s.threadSummary>;
type MessageView = z.output<typeof s.message>;

async function recordRefusal(ctx: MessagingContext, reader: Reader, req: RequestInfo, fields: Omit<MessagingAuditFields, 'status'>, err: unknown): Promise<never> {
  await ctx.audit.record([messagingEntry(reader.actor, req, { ...fields, status: statusOf(err) })]);
  throw err;
}

/** The purpose of a list: the patient's own request, treatment, or payment for a billing-only inbox. */
function listPurpose(reader: Reader, v: Visibility): PurposeOfUse {
  if (v.kind === 'organization' && !v.categories.includes('clinical')) return 'HPAYMT';
  return purposeOf(reader.actor, 'clinical');
}

async function summaryView(names: Names, t: ThreadSummary): Promise<SummaryView> {
  return {
    id: t.id,
    orgId: t.orgId,
    orgName: t.orgName,
    patientId: t.patientId,
    patientName: await names.patient(t.patientId),
    category: t.category,
    subject: t.subject,
    heldBy: await names.heldBy(t),
    startedBy: t.createdByKind,
    createdAt: t.createdAt.toISOString(),
    lastMessageAt: t.lastMessageAt?.toISOString() ?? null,
    messageCount: t.messageCount,
    unread: t.unread,
  };
}

export async function listInbox(
  ctx: MessagingContext,
  reader: Reader,
  req: RequestInfo,
  query: { category?: MessageCategory | undefined; unread?: 'true' | 'false' | undefined; limit: number },
): Promise<z.output<typeof s.inbox>> {
  const acting = reader.actor.actingFor ? [reader.actor.actingFor.patientId] : [];
  let v: Visibility;
  try {
    v = inboxVisibility(ctx, reader);
  } catch (err) {
    return recordRefusal(ctx, reader, req, { action: 'message-list', purpose: purposeOf(reader.actor, 'clinical'), patients: acting }, err);
  }
  const threads = await listThreads(ctx.db, v, { category: query.category, unreadOnly: query.unread === 'true', limit: query.limit });
  const unread = await unreadTotal(ctx.db, v);
  await ctx.audit.record([
    messagingEntry(reader.actor, req, { action: 'message-list', purpose: listPurpose(reader, v), patients: [...acting, ...threads.map((t) => t.patientId)], threads: threads.map((t) => t.id) }),
  ]);
  const names = new Names(ctx);
  return { threads: await Promise.all(threads.map((t) => summaryView(names, t))), unread };
}

async function messageView(names: Names, threadId: string, patientId: string, m: { id: string; authorUserId: string; authorKind: AuthorKind; actingForPatientId: string | null; body: string; createdAt: Date }): Promise<MessageView> {
  return { id: m.id, threadId, author: await names.author(m, { patientId }), body: m.body, createdAt: m.createdAt.toISOString() };
}

/** The thread as the reader sees it (no audit entry: the caller records what it did). */
async function threadView(ctx: MessagingContext, reader: Reader, access: ThreadAccess): Promise<{ view: ThreadView; messageIds: string[] }> {
  const names = new Names(ctx);
  const messages = await visibleMessages(ctx.db, access.visibility, access.thread.id);
  const view: ThreadView = {
    ...(await summaryView(names, access.thread)),
    canReply: await mayReply(ctx, reader, access.thread.id),
    messages: await Promise.all(messages.map((m) => messageView(names, access.thread.id, access.thread.patientId, m))),
  };
  return { view, messageIds: messages.map((m) => m.id) };
}

export async function readThread(ctx: MessagingContext, reader: Reader, req: RequestInfo, id: string): Promise<ThreadView> {
  let access: ThreadAccess;
  try {
    access = await threadAccess(ctx, reader, id, 'read');
  } catch (err) {
    return recordRefusal(ctx, reader, req, { action: 'message-read', purpose: purposeOf(reader.actor, 'clinical'), patients: [], threads: [id] }, err);
  }
  const { view, messageIds } = await threadView(ctx, reader, access);
  await ctx.audit.record([
    messagingEntry(reader.actor, req, { action: 'message-read', purpose: purposeOf(reader.actor, access.thread.category), patients: [access.thread.patientId], threads: [id], messages: messageIds }),
  ]);
  return view;
}

export interface NewThreadInput {
  orgId: string;
  patientId: string;
  category: MessageCategory;
  subject: string;
  body: string;
  /** Staff: the proxy to hold the conversation instead of the patient. */
  partyProxyUserId: string | null;
}

/** Writes a new thread and its first message, after the access point permitted it; staff-started threads notify the patient side. */
async function writeThread(ctx: MessagingContext, reader: Reader, req: RequestInfo, input: NewThreadInput): Promise<ThreadView> {
  const actor = reader.actor;
  const kind: AuthorKind = actor.accountKind === 'staff' ? 'staff' : actor.actingFor ? 'proxy' : 'patient';
  const now = ctx.clock.now();
  const threadId = await ctx.db.transaction(async (tx) => {
    const tid = await insertThread(tx, { orgId: input.orgId, patientId: input.patientId, category: input.category, subject: input.subject, partyProxyUserId: input.partyProxyUserId, createdBy: actor.userId, createdByKind: kind, createdAt: now });
    const m = await insertMessage(tx, {
      threadId: tid,
      authorUserId: actor.userId,
      authorKind: kind,
      actingForPatientId: kind === 'proxy' ? input.patientId : null,
      authorOrgId: kind === 'staff' ? actor.orgId : null,
      body: input.body,
      createdAt: now,
    });
    await ctx.audit.appendInTransaction(tx, [
      messagingEntry(actor, req, { action: 'message-start', purpose: purposeOf(actor, input.category), patients: [input.patientId], threads: [tid], messages: [m.id], status: 201 }),
    ]);
    return tid;
  });
  if (kind === 'staff') await notifyPatientSide(ctx, { id: threadId, patientId: input.patientId, partyProxyUserId: input.partyProxyUserId });
  return (await threadView(ctx, reader, await threadAccess(ctx, reader, threadId, 'read'))).view;
}

/**
 * A patient (or a proxy acting for one) starts a thread with an organization that holds their
 * record: the patient's record linked at that organization, or the record the proxy's grant names.
 */
export async function startFromPortal(ctx: MessagingContext, reader: Reader, req: RequestInfo, input: { orgId?: string | undefined; category: MessageCategory; subject: string; body: string }): Promise<ThreadView> {
  const actor = reader.actor;
  const fields = { action: 'message-start' as const, purpose: purposeOf(actor, input.category), patients: actor.actingFor ? [actor.actingFor.patientId] : [] };
  let target: { patientId: string; orgId: string };
  try {
    target = await portalTarget(ctx, reader, input.orgId);
    decideStart(ctx, reader, input.category, target.patientId);
  } catch (err) {
    return recordRefusal(ctx, reader, req, fields, err);
  }
  return writeThread(ctx, reader, req, { ...target, category: input.category, subject: input.subject, body: input.body, partyProxyUserId: actor.actingFor ? actor.userId : null });
}

async function portalTarget(ctx: MessagingContext, reader: Reader, orgId: string | undefined): Promise<{ patientId: string; orgId: string }> {
  const acting = reader.actor.actingFor;
  if (acting) {
    if (orgId !== undefined && orgId !== acting.orgId) throw errors.forbidden("Acting for someone, you write to the organization that granted your access");
    return { patientId: acting.patientId, orgId: acting.orgId };
  }
  const links = await ctx.linkedPatients(reader.actor.userId);
  const candidates = orgId === undefined ? links : links.filter((l) => l.orgId === orgId);
  const [first] = candidates;
  if (!first) throw errors.forbidden('You can write only to an organization that holds your record (after accepting its invitation)');
  if (candidates.length > 1) throw errors.badRequest('Your account is linked to records at several organizations: name one (orgId)', ['body.orgId']);
  return { patientId: first.patientId, orgId: first.orgId };
}

/** Staff start a thread with one of their organization's patients, held by the patient or by one of the patient's proxies. */
export async function startFromStaff(
  ctx: MessagingContext,
  reader: Reader,
  req: RequestInfo,
  input: { patientId: string; category: MessageCategory; subject: string; body: string; proxyUserId?: string | undefined },
): Promise<ThreadView> {
  // A refusal names the patient asked for: staff trying another organization's patients is on record.
  const fields = { action: 'message-start' as const, purpose: purposeOf(reader.actor, input.category), patients: [input.patientId] };
  let orgId: string;
  try {
    const d = decideStart(ctx, reader, input.category, input.patientId);
    if (d.scope.kind !== 'organization') throw errors.forbidden('Only staff of an organization start threads here');
    orgId = d.scope.orgId;
    // The thread is with the organization's own record of the patient.
    const patient = await ctx.readPatient(input.patientId);
    if (!patient || patient.sourceOrg !== orgId) throw errors.notFound(`Patient/${input.patientId}`);
    if (input.proxyUserId !== undefined && !(await proxyMayRead(ctx, input.proxyUserId, input.patientId))) {
      throw errors.unprocessable("That account cannot read this patient's messages: it has no proxy grant in force that allows messaging", ['body.proxyUserId']);
    }
  } catch (err) {
    return recordRefusal(ctx, reader, req, fields, err);
  }
  return writeThread(ctx, reader, req, { orgId, patientId: input.patientId, category: input.category, subject: input.subject, body: input.body, partyProxyUserId: input.proxyUserId ?? null });
}

/** Whether an account may read a patient's messages as their proxy now (asked of the access point as that account). */
async function proxyMayRead(ctx: MessagingContext, userId: string, patientId: string): Promise<boolean> {
  const principal = await ctx.access.principal({ kind: 'user', userId, accountKind: 'patient', orgId: null, roles: [] });
  const d = ctx.access.decide(principal, { action: 'read', resourceType: 'Communication', area: 'messaging', patients: [patientId], purpose: 'PATRQT' });
  return d.permit && d.scope.kind === 'patients' && d.scope.groups.some((g) => g.relation === 'proxy');
}

export async function reply(ctx: MessagingContext, reader: Reader, req: RequestInfo, id: string, body: string): Promise<MessageView> {
  const actor = reader.actor;
  let access: ThreadAccess;
  try {
    access = await threadAccess(ctx, reader, id, 'create');
  } catch (err) {
    return recordRefusal(ctx, reader, req, { action: 'message-reply', purpose: purposeOf(actor, 'clinical'), patients: [], threads: [id] }, err);
  }
  const { thread } = access;
  const kind: AuthorKind = access.relation === 'staff' ? 'staff' : access.relation === 'proxy' ? 'proxy' : 'patient';
  const now = ctx.clock.now();
  const written = await ctx.db.transaction(async (tx) => {
    const m = await insertMessage(tx, {
      threadId: id,
      authorUserId: actor.userId,
      authorKind: kind,
      actingForPatientId: kind === 'proxy' ? thread.patientId : null,
      authorOrgId: kind === 'staff' ? actor.orgId : null,
      body,
      createdAt: now,
    });
    await ctx.audit.appendInTransaction(tx, [
      messagingEntry(actor, req, { action: 'message-reply', purpose: purposeOf(actor, thread.category), patients: [thread.patientId], threads: [id], messages: [m.id], status: 201 }),
    ]);
    return m;
  });
  if (kind === 'staff') await notifyPatientSide(ctx, thread);
  return messageView(new Names(ctx), id, thread.patientId, { id: written.id, authorUserId: actor.userId, authorKind: kind, actingForPatientId: kind === 'proxy' ? thread.patientId : null, body, createdAt: now });
}

/** Marks a thread read up to a message the reader sees (default: the last one). */
export async function markThreadRead(ctx: MessagingContext, reader: Reader, req: RequestInfo, id: string, lastMessageId: string | undefined): Promise<z.output<typeof s.readState>> {
  const actor = reader.actor;
  let access: ThreadAccess;
  let upTo: number | null = null;
  try {
    access = await threadAccess(ctx, reader, id, 'read');
    if (lastMessageId !== undefined) {
      const seen = (await visibleMessages(ctx.db, access.visibility, id)).find((m) => m.id === lastMessageId);
      if (!seen) throw errors.notFound(`Message/${lastMessageId}`);
      upTo = seen.seq;
    }
  } catch (err) {
    return recordRefusal(ctx, reader, req, { action: 'message-mark-read', purpose: purposeOf(actor, 'clinical'), patients: [], threads: [id] }, err);
  }
  const { thread, visibility } = access;
  await ctx.db.transaction(async (tx) => {
    await markRead(tx, id, actor.userId, upTo, ctx.clock.now());
    await ctx.audit.appendInTransaction(tx, [
      messagingEntry(actor, req, { action: 'message-mark-read', purpose: purposeOf(actor, thread.category), patients: [thread.patientId], threads: [id], ...(lastMessageId ? { messages: [lastMessageId] } : {}) }),
    ]);
  });
  const [after] = await listThreads(ctx.db, visibility, { threadId: id, limit: 1 });
  return { threadId: id, unread: after?.unread ?? 0, totalUnread: await unreadTotal(ctx.db, inboxVisibility(ctx, reader)) };
}
