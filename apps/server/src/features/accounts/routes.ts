import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiRoute, problemSchema, type ApiRoute } from '../../http/api-routes.ts';
import type { AccountsContext, RequestInfo } from './context.ts';
import { record } from './context.ts';
import { mayMail } from './mail-quota.ts';
import { changePassword, forgotPassword, resetPassword } from './password-reset.ts';
import * as s from './schema.ts';
import { signIn, verifySecondFactor } from './sign-in.ts';
import { resendVerification, signUp, verifyEmail } from './sign-up.ts';
import { deleteSession, deleteSessions, listSessions, loadSession } from './sessions.ts';
import type { CurrentSession } from './session-http.ts';

/** Sign-up, email verification, passwords, sessions. Thin: the use cases do the work. */
export function requestInfo(req: FastifyRequest): RequestInfo {
  return { ip: req.ip, userAgent: req.headers['user-agent'], requestId: req.id };
}

const problem = (description: string) => ({ description, schema: problemSchema });

/** The answers of a route that mails anyone who asks (limited by mail-quota.ts). */
const limitedMailResponses = {
  202: { description: 'Check your mail (after 5 such mails to one address in a day, at most one an hour; the answer is the same)', schema: s.accepted },
  429: problem('Too many such requests from this client address (KB-THROTTLED)'),
};
const ACCEPTED = { status: 'accepted' as const };

export async function sessionBody(ctx: AccountsContext, cur: CurrentSession): Promise<z.output<typeof s.sessionView>> {
  const { session, token } = cur;
  return {
    authenticated: true,
    stage: session.stage,
    csrfToken: ctx.sessions.csrfToken(token),
    user: {
      id: session.user.id,
      kind: session.user.kind,
      email: session.user.email,
      name: session.user.displayName,
      emailVerified: session.user.emailVerifiedAt !== null,
      mfa: { totp: session.totpConfirmed, recoveryCodesLeft: session.totpConfirmed ? await ctx.mfa.recoveryCodesLeft(session.user.id) : 0, passkeys: session.passkeys },
      staff: session.user.staff ? { orgId: session.user.staff.orgId, roles: [...session.user.staff.roles] } : null,
    },
    session: {
      id: session.id,
      authMethod: session.authMethod,
      createdAt: session.createdAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      idleExpiresAt: session.idleExpiresAt.toISOString(),
    },
  };
}

export function accountRoutes(ctx: AccountsContext, signInMethods: ('password' | 'passkey' | 'oidc')[]): ApiRoute[] {
  const sessions = ctx.sessions;
  return [
    apiRoute({
      method: 'POST',
      url: '/api/accounts',
      operationId: 'signUp',
      summary: 'Create a patient account; a link to confirm the email address is mailed',
      description: 'The answer is the same whether or not the address already has an account (its owner is told by mail).',
      tags: ['accounts'],
      security: 'none',
      who: ['anyone'],
      body: s.signUpBody,
      responses: { 202: { description: 'Check your mail', schema: s.accepted }, 429: problem('Too many such requests from this client address (KB-THROTTLED)'), 400: problem('Invalid input or a password that breaks the rules (KB-PASSWORD-REJECTED, one issue per reason)') },
      handler: async ({ body, req }) => {
        if (await mayMail(ctx, body.email, requestInfo(req))) await signUp(ctx, body, requestInfo(req));
        return { status: 202, body: { ...ACCEPTED, message: 'If the address can be used, a link to confirm it has been sent to it' } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/accounts/verify-email',
      operationId: 'verifyEmail',
      summary: 'Confirm an email address with the token of the emailed link',
      tags: ['accounts'],
      security: 'none',
      who: ['anyone'],
      body: s.tokenBody,
      responses: { 204: { description: 'The address is confirmed' }, 400: problem('Unknown, expired or used link (KB-TOKEN-INVALID)') },
      handler: async ({ body, req }) => {
        await verifyEmail(ctx, body.token, requestInfo(req));
        return { status: 204 };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/accounts/verify-email/resend',
      operationId: 'resendVerification',
      summary: 'Send a new confirmation link (same answer for any address)',
      tags: ['accounts'],
      security: 'none',
      who: ['anyone'],
      body: s.emailBody,
      responses: limitedMailResponses,
      handler: async ({ body, req }) => {
        if (await mayMail(ctx, body.email, requestInfo(req))) await resendVerification(ctx, body.email);
        return { status: 202, body: { ...ACCEPTED, message: 'If the address has an unconfirmed account, a new link has been sent to it' } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/password/forgot',
      operationId: 'forgotPassword',
      summary: 'Mail a password reset link (same answer for any address)',
      tags: ['accounts'],
      security: 'none',
      who: ['anyone'],
      body: s.emailBody,
      responses: limitedMailResponses,
      handler: async ({ body, req }) => {
        if (await mayMail(ctx, body.email, requestInfo(req))) await forgotPassword(ctx, body.email);
        return { status: 202, body: { ...ACCEPTED, message: 'If the address has an account, a link to reset its password has been sent to it' } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/password/reset',
      operationId: 'resetPassword',
      summary: 'Set a new password with the token of a reset or set-password link; ends every session',
      tags: ['accounts'],
      security: 'none',
      who: ['anyone'],
      body: s.resetBody,
      responses: { 204: { description: 'Password set; sign in with it' }, 400: problem('Unknown, expired or used link (KB-TOKEN-INVALID), or a password that breaks the rules (KB-PASSWORD-REJECTED)') },
      handler: async ({ body, req }) => {
        await resetPassword(ctx, body.token, body.password, requestInfo(req));
        return { status: 204 };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/account/password',
      operationId: 'changePassword',
      summary: 'Change the password (needs the current one); other sessions end',
      tags: ['accounts'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: s.changePasswordBody,
      responses: {
        204: { description: 'Changed' },
        400: problem('A new password that breaks the rules (KB-PASSWORD-REJECTED)'),
        401: problem('No session, or the current password is wrong'),
        403: problem('CSRF token missing or wrong, or second factor due'),
        429: problem('Too many wrong passwords (KB-THROTTLED)'),
      },
      handler: async ({ body, req }) => {
        const { session } = await sessions.require(req);
        await changePassword(ctx, session, body.currentPassword, body.newPassword, requestInfo(req));
        return { status: 204 };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/session',
      operationId: 'getSession',
      summary: 'The current session: who is signed in, how far sign-in has got, and the CSRF token',
      tags: ['sessions'],
      security: 'none',
      who: ['anyone'],
      responses: { 200: { description: 'The session, or authenticated: false', schema: s.sessionView } },
      handler: async ({ req }) => {
        const cur = await sessions.current(req);
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: cur ? await sessionBody(ctx, cur) : { authenticated: false, signInMethods } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/session',
      operationId: 'signIn',
      summary: 'Sign in with email and password; sets the session cookie',
      description: 'Staff, and patients who enrolled TOTP, get a session at stage mfa-enrol or mfa-verify that must complete the second factor.',
      tags: ['sessions'],
      security: 'none',
      who: ['anyone'],
      body: s.signInBody,
      responses: {
        200: { description: 'Signed in (see stage)', schema: s.sessionView, headers: { 'set-cookie': 'The session cookie' } },
        401: problem('Wrong email or password (KB-SIGN-IN-FAILED; the same for unknown addresses)'),
        403: problem('The email address is not confirmed yet (KB-EMAIL-UNVERIFIED; a new link is sent)'),
        429: problem('Too many failures for this address or from this client (KB-THROTTLED, Retry-After)'),
      },
      handler: async ({ body, req, reply }) => {
        const previous = await sessions.current(req);
        const { token } = await signIn(ctx, body.email, body.password, requestInfo(req));
        if (previous) await deleteSession(ctx.db, previous.session.user.id, previous.session.id);
        sessions.setCookie(reply, token);
        const session = await loadSession(ctx.db, token, ctx.clock.now(), ctx.timeouts);
        if (!session) throw new Error('The new session vanished');
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: await sessionBody(ctx, { session, token }) };
      },
    }),
    apiRoute({
      method: 'DELETE',
      url: '/api/session',
      operationId: 'signOut',
      summary: 'Sign out of this session',
      tags: ['sessions'],
      security: 'session',
      who: ['account'],
      csrf: true,
      responses: { 204: { description: 'Signed out; the cookie is cleared' }, 401: problem('No session'), 403: problem('CSRF token missing or wrong') },
      handler: async ({ req, reply }) => {
        const { session } = await sessions.require(req, { stages: ['full', 'mfa-enrol', 'mfa-verify'] });
        await deleteSession(ctx.db, session.user.id, session.id);
        sessions.clearCookie(reply);
        await record(ctx, requestInfo(req), { type: 'sign-out', outcome: 'success', userId: session.user.id, sessionId: session.id });
        return { status: 204 };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/session/mfa',
      operationId: 'verifySecondFactor',
      summary: 'Complete sign-in with a TOTP code or a recovery code',
      tags: ['sessions'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: s.secondFactorBody,
      responses: {
        200: { description: 'Signed in', schema: s.sessionView },
        400: problem('Wrong, expired or reused code (KB-CODE-INVALID)'),
        401: problem('No session'),
        403: problem('CSRF token missing or wrong, or TOTP not enrolled yet'),
        422: problem('The second factor was already verified'),
        429: problem('Too many wrong codes (KB-THROTTLED)'),
      },
      handler: async ({ body, req }) => {
        const cur = await sessions.require(req, { stages: ['mfa-verify'] });
        await verifySecondFactor(ctx, cur.session, body, requestInfo(req));
        sessions.refresh(req);
        return { status: 200, body: await sessionBody(ctx, await sessions.require(req, { csrf: false })) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/sessions',
      operationId: 'listSessions',
      summary: 'My sessions that have not ended',
      tags: ['sessions'],
      security: 'session',
      who: ['account'],
      responses: { 200: { description: 'Sessions, newest first', schema: s.sessionList }, 401: problem('No session'), 403: problem('Second factor due (KB-MFA-REQUIRED)') },
      handler: async ({ req }) => {
        const { session } = await sessions.require(req);
        const list = await listSessions(ctx.db, session.user.id, ctx.clock.now(), ctx.timeouts);
        return { status: 200, body: { sessions: list.map((x) => ({ ...x, current: x.id === session.id })) } };
      },
    }),
    apiRoute({
      method: 'DELETE',
      url: '/api/sessions/:id',
      operationId: 'endSession',
      summary: 'End one of my sessions',
      tags: ['sessions'],
      security: 'session',
      who: ['account'],
      csrf: true,
      params: s.sessionIdParams,
      responses: { 204: { description: 'Ended' }, 401: problem('No session'), 403: problem('CSRF token missing or wrong'), 404: problem('No such session of mine') },
      handler: async ({ params, req, reply }) => {
        const { session } = await sessions.require(req);
        if (!(await deleteSession(ctx.db, session.user.id, params.id))) throw errors.notFound(`session ${params.id}`);
        if (params.id === session.id) sessions.clearCookie(reply);
        await record(ctx, requestInfo(req), { type: 'session.revoked', outcome: 'success', userId: session.user.id, sessionId: params.id });
        return { status: 204 };
      },
    }),
    apiRoute({
      method: 'DELETE',
      url: '/api/sessions',
      operationId: 'endSessions',
      summary: 'Sign out everywhere (or, with keep=current, everywhere else)',
      tags: ['sessions'],
      security: 'session',
      who: ['account'],
      csrf: true,
      query: s.endSessionsQuery,
      responses: { 200: { description: 'How many sessions ended', schema: s.endedSessions }, 401: problem('No session'), 403: problem('CSRF token missing or wrong') },
      handler: async ({ query, req, reply }) => {
        const { session } = await sessions.require(req);
        const ended = await deleteSessions(ctx.db, session.user.id, query.keep === 'current' ? session.id : undefined);
        if (query.keep !== 'current') sessions.clearCookie(reply);
        await record(ctx, requestInfo(req), { type: 'session.revoked', outcome: 'success', userId: session.user.id, reason: query.keep === 'current' ? 'others' : 'all' });
        return { status: 200, body: { ended } };
      },
    }),
  ];
}
