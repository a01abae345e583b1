import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiRoute, type ApiRoute, type Caller } from '../../http/api-routes.ts';
import { actorOf, requestInfo } from '../accounts/index.ts';
import type { MessagingContext } from './context.ts';
import { readerOf, type Reader } from './policy.ts';
import * as s from './schema.ts';
import { listInbox, markThreadRead, readThread, reply, startFromPortal, startFromStaff } from './service.ts';

/**
 * The messaging API: /api/portal/messages for patients and the proxies acting for them (the
 * session's "acting for" decides whose conversations), /api/staff/messages for an
 * organization's staff. Thin: the use cases in service.ts ask the access point and audit.
 */
type Side = 'portal' | 'staff';

/** Patients and their proxies on one side; on the other, staff roles that handle an organization's messages (billing: billing questions only). */
const CALLERS: Record<Side, readonly Caller[]> = {
  portal: ['patient'],
  staff: ['front-desk', 'nurse', 'provider', 'org-admin', 'billing'],
};

const common = {
  401: s.problem('No session'),
  403: s.problem('Not permitted to read or write messages (no linked record, proxy access without messaging or no longer in force: KB-PROXY-INACTIVE, a role that handles no messages), second factor due, or CSRF'),
};
const withThread = { ...common, 404: s.problem('No such thread among those this account may see (answered alike whether it exists or not)') };

function readerFor(ctx: MessagingContext, side: Side) {
  return async (req: FastifyRequest): Promise<Reader> => {
    // A full session; state changes need its CSRF token (checked here, by method).
    const actor = actorOf((await ctx.sessions.require(req)).session);
    if (side === 'portal' && actor.accountKind !== 'patient') throw errors.forbidden('Portal messages are for patient accounts; staff use /api/staff/messages');
    if (side === 'staff' && actor.accountKind !== 'staff') throw errors.forbidden('Staff messages are for staff accounts');
    return readerOf(ctx, actor);
  };
}

/** The routes both sides share: list, read, reply, mark read. */
function sharedRoutes(ctx: MessagingContext, side: Side): ApiRoute[] {
  const base = `/api/${side}/messages`;
  const reader = readerFor(ctx, side);
  const Side = side === 'portal' ? 'Portal' : 'Staff';
  const who = side === 'portal' ? 'the signed-in patient, or the person a proxy acts for' : "the staff member's organization";
  return [
    apiRoute({
      method: 'GET',
      url: base,
      operationId: `list${Side}MessageThreads`,
      summary: `Message threads of ${who}, latest activity first, with unread counts`,
      tags: ['messaging'],
      security: 'session',
      who: CALLERS[side],
      query: s.listQuery,
      responses: { 200: { description: 'Threads and the number of unread messages over all of them', schema: s.inbox }, 400: s.problem('Bad query'), ...common },
      handler: async ({ req, query }) => ({ status: 200, body: await listInbox(ctx, await reader(req), requestInfo(req), query) }),
    }),
    apiRoute({
      method: 'GET',
      url: `${base}/:id`,
      operationId: `read${Side}MessageThread`,
      summary: 'One thread with the messages this account may see, oldest first (reading does not mark it read)',
      tags: ['messaging'],
      security: 'session',
      who: CALLERS[side],
      params: s.idParams,
      responses: { 200: { description: 'The thread', schema: s.thread }, 400: s.problem('Malformed id'), ...withThread },
      handler: async ({ req, params }) => ({ status: 200, body: await readThread(ctx, await reader(req), requestInfo(req), params.id) }),
    }),
    apiRoute({
      method: 'POST',
      url: `${base}/:id/replies`,
      operationId: `reply${Side}MessageThread`,
      summary: 'Write a message in a thread',
      tags: ['messaging'],
      security: 'session',
      who: CALLERS[side],
      csrf: true,
      params: s.idParams,
      body: z.object({ body: s.body }),
      responses: { 201: { description: 'Written', schema: s.message }, 400: s.problem('Empty or too long message, or control characters'), ...withThread },
      handler: async ({ req, params, body }) => ({ status: 201, body: await reply(ctx, await reader(req), requestInfo(req), params.id, body.body) }),
    }),
    apiRoute({
      method: 'POST',
      url: `${base}/:id/read`,
      operationId: `mark${Side}MessageThreadRead`,
      summary: 'Mark a thread read, up to a message seen (default: the last one)',
      tags: ['messaging'],
      security: 'session',
      who: CALLERS[side],
      csrf: true,
      params: s.idParams,
      body: z.object({ lastMessageId: s.id.optional().describe('The last message the reader saw; later ones stay unread') }),
      responses: { 200: { description: 'Unread counts after', schema: s.readState }, 400: s.problem('Malformed id'), ...withThread },
      handler: async ({ req, params, body }) => ({ status: 200, body: await markThreadRead(ctx, await reader(req), requestInfo(req), params.id, body.lastMessageId) }),
    }),
  ];
}

export function portalMessageRoutes(ctx: MessagingContext): ApiRoute[] {
  const reader = readerFor(ctx, 'portal');
  return [
    ...sharedRoutes(ctx, 'portal'),
    apiRoute({
      method: 'POST',
      url: '/api/portal/messages',
      operationId: 'startPortalMessageThread',
      summary: "Start a thread with an organization's care team",
      description:
        'The organization must hold the patient\'s record (linked to this account by its invitation). A proxy acting for someone writes to the organization of their grant, and needs messaging "act"; the message is shown as "<proxy> acting for <patient>".',
      tags: ['messaging'],
      security: 'session',
      who: CALLERS.portal,
      csrf: true,
      body: z.object({
        orgId: s.id.optional().describe('Which organization, when the account is linked to records at several'),
        category: s.category.default('clinical'),
        subject: s.subject,
        body: s.body,
      }),
      responses: { 201: { description: 'The new thread', schema: s.thread }, 400: s.problem('Bad subject or message'), ...common, 404: s.problem('No such patient among those this account may write for') },
      handler: async ({ req, body }) => ({ status: 201, body: await startFromPortal(ctx, await reader(req), requestInfo(req), body) }),
    }),
  ];
}

export function staffMessageRoutes(ctx: MessagingContext): ApiRoute[] {
  const reader = readerFor(ctx, 'staff');
  return [
    ...sharedRoutes(ctx, 'staff'),
    apiRoute({
      method: 'POST',
      url: '/api/staff/messages',
      operationId: 'startStaffMessageThread',
      summary: "Start a thread with one of the organization's patients, or with one of their proxies",
      description: 'The person who holds the conversation (the patient\'s linked account, or the proxy named) is told by email that a message is waiting; the email holds no text.',
      tags: ['messaging'],
      security: 'session',
      who: CALLERS.staff,
      csrf: true,
      body: z.object({
        patientId: s.id,
        category: s.category.default('clinical'),
        subject: s.subject,
        body: s.body,
        proxyUserId: s.id.optional().describe("Hold the conversation with this proxy (a parent or guardian) instead of the patient; see GET /api/proxy-grants"),
      }),
      responses: {
        201: { description: 'The new thread', schema: s.thread },
        400: s.problem('Bad subject or message'),
        ...common,
        404: s.problem("Not a patient of the staff member's organization"),
        422: s.problem('The proxy named cannot read this patient\'s messages'),
      },
      handler: async ({ req, body }) => ({ status: 201, body: await startFromStaff(ctx, await reader(req), requestInfo(req), body) }),
    }),
  ];
}
