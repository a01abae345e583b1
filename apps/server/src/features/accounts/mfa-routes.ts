import { errors } from '@kennebec/fhir';
import { apiErrors } from '../../http/api-errors.ts';
import { apiRoute, problemSchema, type ApiRoute } from '../../http/api-routes.ts';
import { record, type AccountsContext } from './context.ts';
import { requestInfo } from './routes.ts';
import * as s from './schema.ts';
import { markSecondFactor } from './sessions.ts';

/** TOTP enrolment (with its confirm step), recovery codes, and turning TOTP off (patients only). */
const problem = (description: string) => ({ description, schema: problemSchema });

export function mfaRoutes(ctx: AccountsContext): ApiRoute[] {
  const sessions = ctx.sessions;
  return [
    apiRoute({
      method: 'POST',
      url: '/api/mfa/totp/enrol',
      operationId: 'enrolTotp',
      summary: 'Start TOTP enrolment: a new secret for an authenticator app, confirmed by a first code',
      tags: ['mfa'],
      security: 'session',
      who: ['account'],
      csrf: true,
      responses: {
        200: { description: 'The secret, to type in or scan', schema: s.totpEnrolment },
        401: problem('No session'),
        403: problem('CSRF token missing or wrong, or a second factor to verify first'),
        422: problem('TOTP is already set up'),
      },
      handler: async ({ req }) => {
        const { session } = await sessions.require(req, { stages: ['full', 'mfa-enrol'] });
        const enrolment = await ctx.mfa.startEnrolment(session.user.id, session.user.email, ctx.clock.now());
        if (!enrolment) throw errors.unprocessable('An authenticator app is already set up for this account');
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: enrolment };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/mfa/totp/confirm',
      operationId: 'confirmTotp',
      summary: 'Confirm TOTP enrolment with a first code; returns 10 single-use recovery codes',
      description: 'Also completes the second factor of this session.',
      tags: ['mfa'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: s.codeBody,
      responses: {
        200: { description: 'Enrolled; the recovery codes are shown only now', schema: s.recoveryCodes },
        400: problem('Wrong code, or no enrolment started (KB-CODE-INVALID)'),
        401: problem('No session'),
        403: problem('CSRF token missing or wrong'),
        429: problem('Too many wrong codes (KB-THROTTLED)'),
      },
      handler: async ({ body, req }) => {
        const { session } = await sessions.require(req, { stages: ['full', 'mfa-enrol'] });
        const now = ctx.clock.now();
        const key = ctx.throttle.codeKey(session.user.id);
        const wait = await ctx.throttle.retryAfter([key], now);
        if (wait > 0) throw apiErrors.throttled(wait);
        const codes = await ctx.mfa.confirmEnrolment(session.user.id, body.code, now);
        if (!codes) {
          await ctx.throttle.recordFailure([key], now);
          await record(ctx, requestInfo(req), { type: 'mfa.enrolled', outcome: 'failure', userId: session.user.id, method: 'totp', reason: 'code-invalid' });
          throw apiErrors.codeInvalid();
        }
        await markSecondFactor(ctx.db, session.id, now);
        await record(ctx, requestInfo(req), { type: 'mfa.enrolled', outcome: 'success', userId: session.user.id, method: 'totp', sessionId: session.id });
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: { recoveryCodes: codes } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/mfa/recovery-codes',
      operationId: 'renewRecoveryCodes',
      summary: 'Replace the recovery codes (needs a current TOTP code); the old ones stop working',
      tags: ['mfa'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: s.codeBody,
      responses: {
        200: { description: 'New recovery codes, shown only now', schema: s.recoveryCodes },
        400: problem('Wrong or reused code (KB-CODE-INVALID)'),
        401: problem('No session'),
        403: problem('CSRF token missing or wrong'),
        429: problem('Too many wrong codes (KB-THROTTLED)'),
      },
      handler: async ({ body, req }) => {
        const { session } = await sessions.require(req);
        await checkCode(ctx, session.user.id, body.code, req.id);
        const codes = await ctx.mfa.renewRecoveryCodes(session.user.id);
        await record(ctx, requestInfo(req), { type: 'mfa.recovery-codes-renewed', outcome: 'success', userId: session.user.id, sessionId: session.id });
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: { recoveryCodes: codes } };
      },
    }),
    apiRoute({
      method: 'DELETE',
      url: '/api/mfa/totp',
      operationId: 'disableTotp',
      summary: 'Turn TOTP off (patients only; staff must keep a second factor); needs a current code',
      tags: ['mfa'],
      security: 'session',
      who: ['account'],
      csrf: true,
      body: s.codeBody,
      responses: {
        204: { description: 'TOTP and recovery codes removed' },
        400: problem('Wrong or reused code (KB-CODE-INVALID)'),
        401: problem('No session'),
        403: problem('Staff accounts must keep TOTP, or CSRF token missing or wrong'),
        429: problem('Too many wrong codes (KB-THROTTLED)'),
      },
      handler: async ({ body, req }) => {
        const { session } = await sessions.require(req);
        if (session.user.kind === 'staff') throw errors.forbidden('Staff accounts must keep a second factor');
        await checkCode(ctx, session.user.id, body.code, req.id);
        await ctx.mfa.disable(session.user.id);
        await record(ctx, requestInfo(req), { type: 'mfa.disabled', outcome: 'success', userId: session.user.id, sessionId: session.id });
        return { status: 204 };
      },
    }),
  ];
}

/** A current TOTP code for a sensitive change, throttled like sign-in codes. */
async function checkCode(ctx: AccountsContext, userId: string, code: string, requestId: string): Promise<void> {
  const now = ctx.clock.now();
  const key = ctx.throttle.codeKey(userId);
  const wait = await ctx.throttle.retryAfter([key], now);
  if (wait > 0) throw apiErrors.throttled(wait);
  if (!(await ctx.mfa.verifyTotp(userId, code, now))) {
    await ctx.throttle.recordFailure([key], now);
    await record(ctx, { ip: '', userAgent: undefined, requestId }, { type: 'sign-in.second-factor', outcome: 'failure', userId, method: 'totp', reason: 'code-invalid' });
    throw apiErrors.codeInvalid();
  }
  await ctx.throttle.clear(key);
}
