import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiErrors } from '../../http/api-errors.ts';
import { apiRoute, type ApiRoute } from '../../http/api-routes.ts';
import { actorOf, emailSchema, requestInfo } from '../accounts/index.ts';
import type { ProxiesContext } from './context.ts';
import { decide, findGrant, findGrants, INACTIVE_TEXT, revokeGrant, updatePermissions } from './grants.ts';
import { acceptInvitation, inviteProxy, pendingInvitations } from './invitations.ts';
import * as s from './schema.ts';
import { createRequest } from './staff-grants.ts';

const subjectView = s.grantView.pick({ id: true, patientId: true, orgId: true, name: true, basis: true, reviewBy: true, status: true });
const actingView = z.object({ actingFor: subjectView.nullable() });

/**
 * The portal's side: an adult manages who may act for them; a proxy sees whom they act for and
 * switches the session's subject. Every route needs a full session; changes need the CSRF token.
 */
export function portalProxyRoutes(ctx: ProxiesContext): ApiRoute[] {
  const user = async (req: Parameters<typeof requestInfo>[0]) => actorOf((await ctx.sessions.require(req)).session);
  /** A grant on one of the adult's own records, or 404 (no telling whose it is). */
  const ownGrant = async (req: Parameters<typeof requestInfo>[0], id: string) => {
    const actor = await user(req);
    const grant = await findGrant(ctx.db, id);
    const linked = actor.accountKind === 'patient' ? await ctx.linkedPatients(actor.userId) : [];
    if (!grant || !linked.some((l) => l.patientId === grant.patientId && l.orgId === grant.orgId)) throw errors.notFound(`ProxyGrant/${id}`);
    return { actor, grant };
  };
  return [
    apiRoute({
      method: 'GET',
      url: '/api/me/proxies',
      operationId: 'listMyProxies',
      summary: 'Who may act for me: grants on my records and invitations not yet accepted',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      responses: {
        200: { description: 'Grants (in force or not) and pending invitations', schema: z.object({ grants: z.array(s.grantView), invitations: z.array(z.object({ id: z.string(), email: z.string(), patientId: z.string(), permissions: s.permissions, createdAt: z.string(), expiresAt: z.string() })) }) },
        401: s.problem('No session'),
      },
      handler: async ({ req }) => {
        const actor = await user(req);
        const linked = actor.accountKind === 'patient' ? await ctx.linkedPatients(actor.userId) : [];
        const ids = linked.map((l) => l.patientId);
        const now = ctx.clock.now();
        const grants = ids.length === 0 ? [] : await findGrants(ctx.db, 'g.subject_patient_id = any($1::text[])', [ids]);
        const mine = grants.filter((g) => linked.some((l) => l.patientId === g.patientId && l.orgId === g.orgId));
        return { status: 200, body: { grants: mine.map((g) => s.grantBody(g, now)), invitations: await pendingInvitations(ctx.db, ids, now) } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/me/proxy-invitations',
      operationId: 'inviteProxy',
      summary: 'Invite someone by email to act for me, with a level per area',
      description: 'The invitee gets a link by mail; the answer carries a code to give them by other means. Both are needed to accept.',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      csrf: true,
      body: z.object({ email: emailSchema, permissions: s.permissions, patientId: s.id.optional().describe('Which of my records, when my account is linked to several') }),
      responses: {
        201: { description: 'Invited', schema: z.object({ id: z.string(), code: z.string().describe('Give this to the invitee yourself; it is not shown again'), expiresAt: z.string() }) },
        401: s.problem('No session'),
        403: s.problem('Not a patient linked to that record, or CSRF'),
        422: s.problem('The record is not an adult\'s'),
      },
      handler: async ({ body, req }) => ({ status: 201, body: await inviteProxy(ctx, await user(req), requestInfo(req), body) }),
    }),
    apiRoute({
      method: 'POST',
      url: '/api/proxy-invitations/accept',
      operationId: 'acceptProxyInvitation',
      summary: 'Accept an invitation to act for someone: the token of the mailed link and their code',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      csrf: true,
      body: z.object({ token: z.string().min(1).max(128), code: z.string().min(1).max(32) }),
      responses: {
        201: { description: 'You are now their proxy', schema: s.grantView },
        400: s.problem('Unknown, expired or used link, or not sent to this account\'s address (KB-TOKEN-INVALID); wrong code (KB-CODE-INVALID, five void the invitation)'),
        401: s.problem('No session'),
        409: s.problem('Already their proxy'),
      },
      handler: async ({ body, req }) => ({ status: 201, body: s.grantBody(await acceptInvitation(ctx, await user(req), requestInfo(req), body.token, body.code), ctx.clock.now()) }),
    }),
    apiRoute({
      method: 'PUT',
      url: '/api/me/proxies/:id/permissions',
      operationId: 'changeMyProxyPermissions',
      summary: 'Change what one of my proxies may do, per area',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      csrf: true,
      params: s.idParams,
      body: z.object({ permissions: s.permissions }),
      responses: { 200: { description: 'Changed', schema: s.grantView }, 401: s.problem('No session'), 404: s.problem('Not a grant on my records'), 409: s.problem('The grant is revoked') },
      handler: async ({ params, body, req }) => {
        const { actor, grant } = await ownGrant(req, params.id);
        await ctx.db.transaction(async (tx) => {
          if (!(await updatePermissions(tx, grant.id, body.permissions))) throw apiErrors.proxyConflict('This grant is revoked');
          await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-permissions', patients: [`Patient/${grant.patientId}`], entities: [`ProxyGrant/${grant.id}`], outcome: 'success', status: 200 });
        });
        return { status: 200, body: s.grantBody((await findGrant(ctx.db, grant.id))!, ctx.clock.now()) };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/me/proxies/:id/revoke',
      operationId: 'revokeMyProxy',
      summary: 'Revoke one of my proxies',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      csrf: true,
      params: s.idParams,
      body: z.object({ reason: z.string().trim().max(500).optional() }),
      responses: { 200: { description: 'Revoked', schema: s.grantView }, 401: s.problem('No session'), 404: s.problem('Not a grant on my records'), 409: s.problem('Already revoked') },
      handler: async ({ params, body, req }) => {
        const { actor, grant } = await ownGrant(req, params.id);
        const now = ctx.clock.now();
        await ctx.db.transaction(async (tx) => {
          if (!(await revokeGrant(tx, grant.id, actor.userId, body.reason || null, now))) throw apiErrors.proxyConflict('This grant is already revoked');
          await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-revoke', patients: [`Patient/${grant.patientId}`], entities: [`ProxyGrant/${grant.id}`], outcome: 'success', status: 200 });
        });
        return { status: 200, body: s.grantBody((await findGrant(ctx.db, grant.id))!, now) };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/proxy-requests',
      operationId: 'requestProxyAccess',
      summary: "Ask an organization's staff for proxy access to someone (they find the record and decide)",
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      csrf: true,
      body: z.object({
        orgId: s.id,
        basis: s.basis,
        subjectName: z.string().trim().min(1).max(200),
        subjectBirthDate: z.iso.date(),
        note: z.string().trim().max(1000).optional(),
      }),
      responses: { 201: { description: 'Requested', schema: s.requestView }, 401: s.problem('No session'), 403: s.problem('Not a portal account') },
      handler: async ({ body, req }) => {
        const actor = await user(req);
        if (actor.accountKind !== 'patient') throw errors.forbidden('Only a portal account can ask to become a proxy');
        return { status: 201, body: await createRequest(ctx, actor.userId, body) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/proxy/subjects',
      operationId: 'listProxySubjects',
      summary: 'The people I may act for, with their age band and what I may do now',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      responses: { 200: { description: 'Subjects, including those whose access has ended', schema: z.object({ subjects: z.array(subjectView), actingFor: z.string().nullable() }) }, 401: s.problem('No session') },
      handler: async ({ req }) => {
        const { session } = await ctx.sessions.require(req);
        const now = ctx.clock.now();
        const grants = await findGrants(ctx.db, 'g.proxy_user_id = $1 and g.revoked_at is null', [session.user.id]);
        return { status: 200, body: { subjects: grants.map((g) => subjectView.parse(s.grantBody(g, now))), actingFor: session.actingFor?.patientId ?? null } };
      },
    }),
    apiRoute({
      method: 'PUT',
      url: '/api/proxy/acting-for',
      operationId: 'actForSubject',
      summary: 'Act for one of my subjects in this session (null: act for myself again)',
      description: 'From then on the session acts on behalf of that patient; each request is checked again against the grant.',
      tags: ['proxies'],
      security: 'session',
      who: ['patient'],
      csrf: true,
      body: z.object({ patientId: s.id.nullable() }),
      responses: {
        200: { description: 'Now acting for', schema: actingView },
        401: s.problem('No session'),
        403: s.problem('The grant is not in force now (KB-PROXY-INACTIVE), or CSRF'),
        404: s.problem('No grant of mine for that patient'),
      },
      handler: async ({ body, req }) => {
        const { session } = await ctx.sessions.require(req);
        const actor = actorOf(session);
        const now = ctx.clock.now();
        if (body.patientId === null) {
          await ctx.db.transaction(async (tx) => {
            await tx.query('update user_session set acting_grant_id = null where id = $1', [session.id]);
            if (session.actingFor) await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-switch-back', patients: [`Patient/${session.actingFor.patientId}`], entities: [`ProxyGrant/${session.actingFor.grantId}`], outcome: 'success', status: 200 });
          });
          ctx.sessions.refresh(req);
          return { status: 200, body: { actingFor: null } };
        }
        const [grant] = await findGrants(ctx.db, 'g.proxy_user_id = $1 and g.subject_patient_id = $2 and g.revoked_at is null', [session.user.id, body.patientId]);
        if (!grant) throw errors.notFound(`Patient/${body.patientId}`);
        const decision = decide(grant, now);
        if (!decision.active) {
          await ctx.db.transaction((tx) => ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-switch', patients: [`Patient/${grant.patientId}`], entities: [`ProxyGrant/${grant.id}`], outcome: 'denied', status: 403 }));
          throw apiErrors.proxyInactive(`You cannot act for this person now: ${INACTIVE_TEXT[decision.reason ?? 'revoked']}`);
        }
        const acting = { ...actor, actingFor: { grantId: grant.id, patientId: grant.patientId, orgId: grant.orgId }, onBehalfOf: `Patient/${grant.patientId}` };
        await ctx.db.transaction(async (tx) => {
          await tx.query('update user_session set acting_grant_id = $2 where id = $1', [session.id, grant.id]);
          await ctx.audit(tx, acting, requestInfo(req), { action: 'proxy-switch', patients: [`Patient/${grant.patientId}`], entities: [`ProxyGrant/${grant.id}`], outcome: 'success', status: 200 });
        });
        ctx.sessions.refresh(req);
        return { status: 200, body: { actingFor: subjectView.parse(s.grantBody(grant, now)) } };
      },
    }),
  ];
}
