import { apiErrors } from '../../http/api-errors.ts';
import { apiRoute, problemSchema, type ApiRoute } from '../../http/api-routes.ts';
import { record, type AccountsContext } from './context.ts';
import { OidcError, OIDC_TRANSACTION_SECONDS, type OidcSignIn } from './oidc.ts';
import { completeOidcSignIn } from './oidc-sign-in.ts';
import { requestInfo } from './routes.ts';
import * as s from './schema.ts';
import { deleteSession } from './sessions.ts';

/**
 * GET /api/auth/oidc/start redirects the browser to the provider; the provider redirects back to
 * GET /api/auth/oidc/callback, which signs in (or links, when started while signed in) and
 * redirects to `returnTo`. Registered only when OIDC_ISSUER is configured.
 */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

export function oidcRoutes(ctx: AccountsContext, oidc: OidcSignIn): ApiRoute[] {
  const sessions = ctx.sessions;
  const cookieName = sessions.secure ? '__Host-kennebec_oidc' : 'kennebec_oidc';
  const cookieOptions = { path: '/', httpOnly: true, secure: sessions.secure, sameSite: 'lax' as const };
  return [
    apiRoute({
      method: 'GET',
      url: '/api/auth/oidc/start',
      operationId: 'startOidcSignIn',
      summary: 'Sign in with the external OpenID Connect provider (redirects to it)',
      description: 'Started while signed in, it links the external account to yours instead.',
      tags: ['sessions'],
      security: 'none',
      who: ['anyone'],
      query: s.oidcStartQuery,
      responses: {
        302: { description: 'To the provider', headers: { location: "The provider's authorization URL", 'set-cookie': 'The sign-in transaction (10 minutes)' } },
        400: { description: 'The provider cannot be reached (KB-OIDC-FAILED)', schema: problemSchema },
      },
      handler: async ({ query, req, reply }) => {
        const cur = await sessions.current(req);
        const linkUserId = cur && cur.session.stage === 'full' ? cur.session.user.id : null;
        let started: Awaited<ReturnType<OidcSignIn['start']>>;
        try {
          started = await oidc.start(query.returnTo ?? '/', linkUserId, ctx.clock.now());
        } catch (err) {
          if (err instanceof OidcError) throw apiErrors.oidcFailed(err.message);
          throw err;
        }
        reply.setCookie(cookieName, oidc.sealTransaction(started.transaction), { ...cookieOptions, maxAge: OIDC_TRANSACTION_SECONDS });
        return { status: 302, headers: { location: started.url, 'cache-control': 'no-store' } };
      },
    }),
    apiRoute({
      method: 'GET',
      url: OIDC_CALLBACK_PATH,
      operationId: 'finishOidcSignIn',
      summary: "The provider's redirect back: signs in (or links) and redirects to returnTo",
      tags: ['sessions'],
      security: 'none',
      who: ['anyone'],
      query: s.oidcCallbackQuery,
      responses: {
        302: { description: 'Signed in (or linked); to returnTo', headers: { location: 'returnTo', 'set-cookie': 'The session cookie' } },
        400: { description: 'State mismatch, expired or foreign transaction, provider error, or an account rule refused it (KB-OIDC-FAILED)', schema: problemSchema },
      },
      handler: async ({ req, reply }) => {
        const now = ctx.clock.now();
        const tx = oidc.openTransaction(req.cookies[cookieName], now);
        reply.clearCookie(cookieName, cookieOptions);
        const info = requestInfo(req);
        if (!tx) {
          await record(ctx, info, { type: 'sign-in', outcome: 'failure', method: 'oidc', reason: 'no-transaction' });
          throw apiErrors.oidcFailed('This sign-in has expired or was started in another browser; please start again');
        }
        const cur = await sessions.current(req);
        try {
          const callbackUrl = new URL(req.url, oidc.redirectUri);
          const outcome = await completeOidcSignIn(ctx, oidc, callbackUrl, tx, cur?.session ?? null, info);
          if (outcome.token) {
            if (cur) await deleteSession(ctx.db, cur.session.user.id, cur.session.id);
            sessions.setCookie(reply, outcome.token);
          }
          return { status: 302, headers: { location: tx.returnTo, 'cache-control': 'no-store' } };
        } catch (err) {
          if (!(err instanceof OidcError)) throw err;
          await record(ctx, info, { type: 'sign-in', outcome: 'failure', method: 'oidc', reason: err.reason });
          throw apiErrors.oidcFailed(err.message);
        }
      },
    }),
  ];
}
