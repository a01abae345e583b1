import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '@kennebec/fhir';
import { apiErrors } from '../../http/api-errors.ts';
import { apiRoute, problemSchema, type ApiRoute } from '../../http/api-routes.ts';
import { record, type AccountsContext } from './context.ts';
import { addPasskey, passkeySecondFactor, sessionBinding, signInWithPasskey } from './passkey-sign-in.ts';
import * as p from './passkey-schema.ts';
import { CHALLENGE_TTL_MS } from './passkeys.ts';
import { hashToken, newToken } from './random.ts';
import { requestInfo, sessionBody } from './routes.ts';
import * as s from './schema.ts';
import { deleteSession, loadSession } from './sessions.ts';

/**
 * Passkeys: register (options, then the new credential), list, rename, remove; answer the
 * second-factor prompt with one; sign in with one alone. Each WebAuthn ceremony is two requests:
 * the options carry a challenge that the second request must answer within 5 minutes, once.
 * Session-bound ceremonies keep the challenge with the session; a passwordless sign-in, which
 * has no session yet, keeps it with a random cookie set by its options request, so the answer
 * must come from the browser that asked (which also defeats sign-in CSRF).
 */
const problem = (description: string) => ({ description, schema: problemSchema });
const NO_STORE = { 'cache-control': 'no-store' };

function challengeCookie(ctx: AccountsContext): string {
  return ctx.sessions.secure ? '__Host-kennebec_passkey' : 'kennebec_passkey';
}

function setChallengeCookie(ctx: AccountsContext, reply: FastifyReply, value: string): void {
  reply.setCookie(challengeCookie(ctx), value, { path: '/', httpOnly: true, secure: ctx.sessions.secure, sameSite: 'strict', maxAge: CHALLENGE_TTL_MS / 1000 });
}

function cookieBinding(ctx: AccountsContext, req: FastifyRequest): string | null {
  const value = req.cookies[challengeCookie(ctx)];
  return value && value.length <= 128 ? `c:${hashToken(value)}` : null;
}

export function passkeyRoutes(ctx: AccountsContext): ApiRoute[] {
  const sessions = ctx.sessions;
  return [
    apiRoute({
      method: 'POST',
      url: '/api/passkeys/options',
      operationId: 'passkeyRegistrationOptions',
      summary: 'Start adding a passkey: options for navigator.credentials.create() (valid 5 minutes, once)',
      description: 'A discoverable credential with user verification, so that it serves as a second factor and for passwordless sign-in. Staff at stage mfa-enrol may add one instead of TOTP.',
      tags: ['passkeys'],
      security: 'session',
      who: ['account'],
      csrf: true,
      responses: {
        200: { description: 'PublicKeyCredentialCreationOptionsJSON', schema: p.creationOptions },
        401: problem('No session'),
        403: problem('CSRF token missing or wrong, or a second factor to verify first'),
      },
      handler: async ({ req }) => {
        const { session } = await sessions.require(req, { stages: ['full', 'mfa-enrol'] });
        const options = await ctx.passkeys.registrationOptions(session.user, sessionBinding(session.id), ctx.clock.now());
        return { status: 200, headers: NO_STORE, body: options };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/passkeys',
      operationId: 'addPasskey',
      summary: 'Add a passkey: the credential navigator.credentials.create() returned for the options',
      description: "Attestation is not required ('none' is accepted). At stage mfa-enrol this also completes the session's second factor. The account's address is told by mail.",
      tags: ['passkeys'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: p.registerBody,
      responses: {
        201: { description: 'Added', schema: p.passkeyView },
        400: problem('Refused: no live challenge, wrong origin or challenge, no user verification, already registered, bad attestation (KB-PASSKEY-REJECTED)'),
        401: problem('No session'),
        403: problem('CSRF token missing or wrong, or a second factor to verify first'),
      },
      handler: async ({ body, req }) => {
        const { session } = await sessions.require(req, { stages: ['full', 'mfa-enrol'] });
        const added = await addPasskey(ctx, session, body.response, body.name ?? 'Passkey', requestInfo(req));
        return { status: 201, body: added };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/passkeys',
      operationId: 'listPasskeys',
      summary: 'My passkeys',
      tags: ['passkeys'],
      security: 'session',
      who: ['account'],
      responses: { 200: { description: 'Oldest first', schema: p.passkeyList }, 401: problem('No session'), 403: problem('Second factor due (KB-MFA-REQUIRED)') },
      handler: async ({ req }) => {
        const { session } = await sessions.require(req);
        return { status: 200, body: { passkeys: await ctx.passkeys.list(session.user.id) } };
      },
    }),
    apiRoute({
      method: 'PATCH',
      url: '/api/passkeys/:id',
      operationId: 'renamePasskey',
      summary: 'Rename one of my passkeys',
      tags: ['passkeys'],
      security: 'session',
      who: ['account'],
      csrf: true,
      params: p.passkeyIdParams,
      body: p.renameBody,
      responses: { 200: { description: 'Renamed', schema: p.passkeyView }, 401: problem('No session'), 403: problem('CSRF token missing or wrong'), 404: problem('No such passkey of mine') },
      handler: async ({ params, body, req }) => {
        const { session } = await sessions.require(req);
        const renamed = await ctx.passkeys.rename(session.user.id, params.id, body.name);
        if (!renamed) throw errors.notFound(`passkey ${params.id}`);
        await record(ctx, requestInfo(req), { type: 'passkey.renamed', outcome: 'success', userId: session.user.id, method: 'passkey', sessionId: session.id });
        return { status: 200, body: renamed };
      },
    }),
    apiRoute({
      method: 'DELETE',
      url: '/api/passkeys/:id',
      operationId: 'removePasskey',
      summary: 'Remove one of my passkeys (staff keep at least one second factor)',
      tags: ['passkeys'],
      security: 'session',
      who: ['account'],
      csrf: true,
      params: p.passkeyIdParams,
      responses: {
        204: { description: 'Removed: it no longer signs in' },
        401: problem('No session'),
        403: problem("CSRF token missing or wrong, or a staff account's last second factor"),
        404: problem('No such passkey of mine'),
      },
      handler: async ({ params, req }) => {
        const { session } = await sessions.require(req);
        const outcome = await ctx.passkeys.remove(session.user.id, params.id, session.user.kind === 'staff');
        if (outcome === 'not-found') throw errors.notFound(`passkey ${params.id}`);
        if (outcome === 'last-factor') throw errors.forbidden('Staff accounts must keep a second factor: set up TOTP or another passkey first');
        await record(ctx, requestInfo(req), { type: 'passkey.removed', outcome: 'success', userId: session.user.id, method: 'passkey', sessionId: session.id });
        return { status: 204 };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/session/mfa/passkey/options',
      operationId: 'passkeySecondFactorOptions',
      summary: 'Second factor with a passkey: options for navigator.credentials.get() (valid 5 minutes, once)',
      tags: ['sessions', 'passkeys'],
      security: 'session',
      who: ['account'],
      csrf: true,
      responses: {
        200: { description: "PublicKeyCredentialRequestOptionsJSON listing the account's passkeys", schema: p.requestOptions },
        401: problem('No session'),
        403: problem('CSRF token missing or wrong, or TOTP or a passkey to set up first'),
        422: problem('The second factor was already verified, or the account has no passkey'),
      },
      handler: async ({ req }) => {
        const { session } = await sessions.require(req, { stages: ['mfa-verify'] });
        if (session.passkeys === 0) throw errors.unprocessable('This account has no passkey: enter a code instead');
        const options = await ctx.passkeys.assertionOptions(sessionBinding(session.id), 'second-factor', session.user.id, ctx.clock.now());
        return { status: 200, headers: NO_STORE, body: options };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/session/mfa/passkey',
      operationId: 'verifyPasskeySecondFactor',
      summary: 'Complete sign-in with a passkey assertion instead of a code',
      tags: ['sessions', 'passkeys'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: p.assertionBody,
      responses: {
        200: { description: 'Signed in', schema: s.sessionView },
        400: problem("Refused: no live challenge, wrong origin or challenge, not one of the account's passkeys, bad signature, counter went backwards (KB-PASSKEY-REJECTED)"),
        401: problem('No session'),
        403: problem('CSRF token missing or wrong'),
        422: problem('The second factor was already verified'),
      },
      handler: async ({ body, req }) => {
        const { session } = await sessions.require(req, { stages: ['mfa-verify'] });
        await passkeySecondFactor(ctx, session, body.response, requestInfo(req));
        sessions.refresh(req);
        return { status: 200, body: await sessionBody(ctx, await sessions.require(req, { csrf: false })) };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/session/passkey/options',
      operationId: 'passkeySignInOptions',
      summary: 'Sign in with a passkey alone: options for navigator.credentials.get() (valid 5 minutes, once, in this browser)',
      description: 'Sets a short-lived cookie that ties the challenge to this browser. Any discoverable credential may answer; user verification is required.',
      tags: ['sessions', 'passkeys'],
      security: 'none',
      who: ['anyone'],
      responses: { 200: { description: 'PublicKeyCredentialRequestOptionsJSON', schema: p.requestOptions, headers: { 'set-cookie': 'The challenge cookie' } } },
      handler: async ({ reply }) => {
        const nonce = newToken();
        const options = await ctx.passkeys.assertionOptions(`c:${hashToken(nonce)}`, 'sign-in', null, ctx.clock.now());
        setChallengeCookie(ctx, reply, nonce);
        return { status: 200, headers: NO_STORE, body: options };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/session/passkey',
      operationId: 'signInWithPasskey',
      summary: 'Sign in with a passkey assertion; sets the session cookie',
      description: 'A passkey sign-in is multi-factor: the session is at stage full at once, for staff too.',
      tags: ['sessions', 'passkeys'],
      security: 'none',
      who: ['anyone'],
      body: p.assertionBody,
      responses: {
        200: { description: 'Signed in', schema: s.sessionView, headers: { 'set-cookie': 'The session cookie' } },
        400: problem('Refused: no live challenge in this browser, wrong origin or challenge, unknown passkey, no user verification, bad signature, counter went backwards (KB-PASSKEY-REJECTED)'),
        429: problem('Too many failures from this client (KB-THROTTLED, Retry-After)'),
      },
      handler: async ({ body, req, reply }) => {
        const binding = cookieBinding(ctx, req);
        reply.clearCookie(challengeCookie(ctx), { path: '/', httpOnly: true, secure: ctx.sessions.secure, sameSite: 'strict' });
        if (!binding) {
          await record(ctx, requestInfo(req), { type: 'sign-in', outcome: 'failure', method: 'passkey', reason: 'no-challenge' });
          throw apiErrors.passkeyRejected('no-challenge');
        }
        const previous = await sessions.current(req);
        const { token } = await signInWithPasskey(ctx, binding, body.response, requestInfo(req));
        if (previous) await deleteSession(ctx.db, previous.session.user.id, previous.session.id);
        sessions.setCookie(reply, token);
        const session = await loadSession(ctx.db, token, ctx.clock.now(), ctx.timeouts);
        if (!session) throw new Error('The new session vanished');
        return { status: 200, headers: NO_STORE, body: await sessionBody(ctx, { session, token }) };
      },
    }),
  ];
}
