import { errors, isOutcomeError } from '@kennebec/fhir';
import { apiErrors } from '../../http/api-errors.ts';
import { actingAs, MESSAGE_CATEGORIES, type Decision, type MessageCategory, type PatientGroup, type Principal, type PurposeOfUse, type UserActor } from '../access/index.ts';
import { INACTIVE_TEXT } from '../proxies/index.ts';
import type { MessagingContext } from './context.ts';
import { findThread, listThreads, type ThreadSummary } from './store.ts';
import type { Visibility } from './visibility.ts';

/**
 * Every question about messages goes to the access point's `decide` (area `messaging`); this
 * module asks it and turns its permits into a Visibility that the queries apply. The answers:
 *
 * - someone who may not read messages at all (a proxy whose grant gives messaging `none` or has
 *   ended, a patient with no linked record, HIE staff) gets 403;
 * - a thread they may not see gets 404, exactly like one that does not exist, so thread ids
 *   cannot be probed;
 * - a thread they see but may not write in (a proxy with `view`) gets 403 on a reply.
 *
 * One rule is about threads rather than people: a conversation held by a proxy is read by the
 * patient but written in only by proxies and staff, so that a teen's words never land in a
 * conversation their parent holds.
 */
export interface Reader {
  actor: UserActor;
  /** The principal as the session acts (actingAs): the proxy under its grant, or the user themself. */
  principal: Principal;
}

export async function readerOf(ctx: MessagingContext, actor: UserActor): Promise<Reader> {
  return { actor, principal: actingAs(await ctx.access.principal(actor)) };
}

/** Why the reader reads: their own request on the patient side; treatment, or payment for billing questions, for staff. */
export function purposeOf(actor: UserActor, category: MessageCategory): PurposeOfUse {
  if (actor.accountKind === 'patient') return 'PATRQT';
  return category === 'billing' ? 'HPAYMT' : 'TREAT';
}

type MessageAction = 'search' | 'read' | 'create';

function ask(ctx: MessagingContext, reader: Reader, action: MessageAction, category: MessageCategory, patients: readonly string[] | 'any'): Decision {
  return ctx.access.decide(reader.principal, { action, resourceType: 'Communication', area: 'messaging', category, patients, purpose: purposeOf(reader.actor, category) });
}

/** 403 for a reader who may not do this with messages at all; a proxy whose grant is no longer in force is told why. */
function refusal(reader: Reader, action: MessageAction, reason: string): Error {
  const acting = reader.actor.actingFor ? reader.principal.proxies[0] : undefined;
  if (acting && !acting.decision.active) return apiErrors.proxyInactive(`You cannot act for this person now: ${INACTIVE_TEXT[acting.decision.reason ?? 'revoked']}`);
  if (acting) {
    const level = acting.decision.permissions.messaging;
    return errors.forbidden(`Your access for this person allows ${level === 'none' ? 'no messages' : 'reading messages only'}`);
  }
  return errors.forbidden(`Not permitted to ${action === 'create' ? 'write' : 'read'} messages: ${reason}`);
}

function visibilityOf(reader: Reader, d: Decision & { permit: true }, categories: readonly MessageCategory[]): Visibility {
  const userId = reader.actor.userId;
  if (d.scope.kind === 'patients') return { kind: 'patients', userId, groups: d.scope.groups };
  if (d.scope.kind === 'organization') return { kind: 'organization', userId, orgId: d.scope.orgId, categories };
  throw new Error('messages are read by signed-in users only');
}

/**
 * What the reader may list: on the patient side every thread about the people the permit
 * covers; for staff, their organization's threads of every category they may handle.
 */
export function inboxVisibility(ctx: MessagingContext, reader: Reader, action: MessageAction = 'search'): Visibility {
  const permitted: { category: MessageCategory; d: Decision & { permit: true } }[] = [];
  let reason = 'no relationship';
  for (const category of MESSAGE_CATEGORIES) {
    const d = ask(ctx, reader, action, category, 'any');
    if (d.permit) permitted.push({ category, d });
    else reason = d.reason;
  }
  const first = permitted[0];
  if (!first) throw refusal(reader, action, reason);
  return visibilityOf(reader, first.d, permitted.map((p) => p.category));
}

export interface ThreadAccess {
  thread: ThreadSummary;
  visibility: Visibility;
  /** How the reader is related to the thread's patient (patient side): themself or as a proxy. */
  relation: PatientGroup['relation'] | 'staff';
}

const notFound = (id: string) => errors.notFound(`MessageThread/${id}`);

async function visibleAs(ctx: MessagingContext, reader: Reader, id: string, action: 'read' | 'create'): Promise<ThreadAccess | null> {
  const raw = await findThread(ctx.db, id);
  if (!raw) return null;
  const d = ask(ctx, reader, action, raw.category, [raw.patientId]);
  if (!d.permit) return null;
  const visibility = visibilityOf(reader, d, [raw.category]);
  const [thread] = await listThreads(ctx.db, visibility, { threadId: id, limit: 1 });
  if (!thread) return null;
  const relation = d.scope.kind === 'patients' ? (d.scope.groups.some((g) => g.relation === 'self') ? 'self' : 'proxy') : 'staff';
  return { thread, visibility, relation };
}

/**
 * A thread the reader may read, or may write in ('create'). 404 when they do not see it; 403
 * when they may not read messages at all, or see it but may not write in it.
 */
export async function threadAccess(ctx: MessagingContext, reader: Reader, id: string, action: 'read' | 'create'): Promise<ThreadAccess> {
  inboxVisibility(ctx, reader, 'read');
  const access = await visibleAs(ctx, reader, id, action);
  if (action === 'read') {
    if (!access) throw notFound(id);
    return access;
  }
  if (!access) {
    if (await visibleAs(ctx, reader, id, 'read')) throw refusal(reader, 'create', 'read only');
    throw notFound(id);
  }
  if (access.relation === 'self' && access.thread.partyProxyUserId !== null) {
    throw errors.forbidden('This conversation is held by someone acting for you; start a conversation of your own to write to the care team');
  }
  return access;
}

/** Whether the reader may write in a thread they see (for the answer's `canReply`). */
export async function mayReply(ctx: MessagingContext, reader: Reader, id: string): Promise<boolean> {
  try {
    await threadAccess(ctx, reader, id, 'create');
    return true;
  } catch (err) {
    if (isOutcomeError(err)) return false;
    throw err;
  }
}

/** A decision about writing a new thread for a patient (patient side: a linked record; staff: one of their organization's). */
export function decideStart(ctx: MessagingContext, reader: Reader, category: MessageCategory, patientId: string): Decision & { permit: true } {
  const d = ask(ctx, reader, 'create', category, [patientId]);
  if (!d.permit) {
    const any = ask(ctx, reader, 'create', category, 'any');
    if (!any.permit) throw refusal(reader, 'create', any.reason);
    throw errors.notFound(`Patient/${patientId}`);
  }
  return d;
}

/** Whether someone (a notification's recipient) may read this thread now. */
export async function mayRead(ctx: MessagingContext, actor: UserActor, threadId: string): Promise<boolean> {
  const reader = { actor, principal: await ctx.access.principal(actor) };
  return (await visibleAs(ctx, reader, threadId, 'read')) !== null;
}
