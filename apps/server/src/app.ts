import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from './deps.ts';
import { errorHandler } from './errors.ts';
import { healthPlugin } from './features/health/index.ts';
import { fhirHttpPlugin, type FhirApi } from './features/fhir-api/index.ts';
import { fhirApiFor } from './compose.ts';
import { smartAuthPlugin } from './features/smart-auth/index.ts';
import { sourcesPlugin } from './features/sources/index.ts';
import { mpiPlugin } from './features/mpi/index.ts';
import { feedStatus, ingestPlugin } from './features/ingestion/index.ts';
import { AdminGate } from './features/access/index.ts';
import fastifyCookie from '@fastify/cookie';
import { ApiRegistry } from './http/api-routes.ts';
import { openApiRoute } from './http/openapi.ts';
import { accountsContext, accountsPlugin, actorOf, sessionOrBearer } from './features/accounts/index.ts';
import { staffPlugin } from './features/staff/index.ts';
import { devMailboxPlugin } from './features/mail/index.ts';
import { enrollmentContext, enrollmentPlugin } from './features/enrollment/index.ts';
import { portalPlugin } from './features/portal/index.ts';
import { proxiesContext, proxiesPlugin } from './features/proxies/index.ts';
import { webPlugin } from './features/web/index.ts';

/** Builds the HTTP application from its dependencies. It never listens: main.ts does, tests inject. */
export async function buildApp(deps: AppDeps, api: FhirApi = fhirApiFor(deps)): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: deps.config.bodyLimit,
    requestIdHeader: false,
    trustProxy: deps.config.trustProxy,
    // Per-request lines only when debugging: at thousands of requests a second they cost CPU.
    logController: new LogController({ disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace' }),
  });
  app.setErrorHandler(errorHandler(deps.config.bodyLimit));
  app.setNotFoundHandler((req, reply) => {
    const e = errors.notFound(req.url.split('?')[0] ?? '');
    void reply.code(404).type('application/fhir+json; charset=utf-8').send(JSON.stringify(e.outcome));
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Whoever closes the app (main.ts, tests) gets the audit entries still waiting appended.
  app.addHook('onClose', async () => {
    await deps.audit.close().catch((err: unknown) => deps.logger.error({ err: { message: (err as Error).message } }, 'audit entries could not be appended at close'));
  });

  const jsonApi = new ApiRegistry({ allowedOrigins: [new URL(deps.config.baseUrl).origin], validateResponses: deps.config.mode !== 'production' });
  jsonApi.track(app);
  await app.register(fastifyCookie);

  const accounts = accountsContext(deps);
  // The route gate learns who is calling from the session cookie, else a bearer token.
  jsonApi.identifyCallers(async (req) => {
    const cur = await accounts.sessions.current(req);
    if (cur) return { kind: 'account', userId: cur.session.user.id, orgId: cur.session.user.staff?.orgId ?? null, accountKind: cur.session.user.kind, roles: cur.session.user.staff?.roles ?? [], stage: cur.session.stage };
    return req.headers.authorization?.startsWith('Bearer ') ? { kind: 'client' } : { kind: 'anonymous' };
  });
  // A signed-in person trying an endpoint that is not for them is written down.
  jsonApi.onRefused((route, req, caller) => {
    if (caller.kind !== 'account') return;
    void deps.audit
      .record([{ actor: `User/${caller.userId}`, actorOrg: caller.orgId ? `Organization/${caller.orgId}` : null, action: 'refused', operation: route.operationId, outcome: 'denied', status: 403, clientIp: req.ip, userAgent: req.headers['user-agent'] ?? null, requestId: req.id }])
      .catch((err: unknown) => deps.logger.error({ err: { message: (err as Error).message } }, 'audit entry not recorded'));
  });
  // The HIE admin API: HIE staff signed in, or automation with a bearer token; every attempt audited.
  const gate = new AdminGate({
    caller: sessionOrBearer(accounts.sessions, deps.authenticate),
    // A session refused for its CSRF token or second factor is still written down as its user's.
    whoTried: async (req) => {
      const cur = await accounts.sessions.current(req);
      return cur ? actorOf(cur.session) : undefined;
    },
    audit: deps.audit,
    onAuditError: (err) => deps.logger.error({ err: { message: (err as Error).message } }, 'audit entry not recorded'),
  });

  await app.register(healthPlugin, { db: deps.db, api: jsonApi });
  await app.register(smartAuthPlugin, { deps, api: jsonApi });
  await app.register(sourcesPlugin, { api: jsonApi, ctx: { deps, gate, feeds: (now) => feedStatus(deps.db, now) } });
  await app.register(mpiPlugin, { api: jsonApi, ctx: { db: deps.db, store: deps.store, gate } });

  await app.register(fhirHttpPlugin, { dispatch: api.dispatch, authenticate: deps.authenticate, bodyLimit: deps.config.bodyLimit, refused: api.refused });
  await app.register(ingestPlugin, { api: jsonApi, ctx: { deps, dispatch: api.dispatch, gate } });

  await app.register(accountsPlugin, { deps, api: jsonApi, ctx: accounts });
  await app.register(staffPlugin, { api: jsonApi, ctx: accounts });
  await app.register(enrollmentPlugin, { api: jsonApi, ctx: enrollmentContext(deps, accounts, deps.audit) });
  await app.register(portalPlugin, { api: jsonApi, ctx: accounts, access: deps.access, search: deps.search, store: deps.store, audit: deps.audit });
  await app.register(proxiesPlugin, { api: jsonApi, ctx: proxiesContext(deps, accounts) });
  if (deps.config.mode === 'development') await app.register(devMailboxPlugin, { api: jsonApi, mailer: deps.mailer });
  jsonApi.add(app, [openApiRoute(jsonApi, { title: 'Kennebec API', version: deps.version, serverUrl: deps.config.baseUrl, sessionCookie: accounts.sessions.cookieName })]);
  // Last: the web app answers the page paths no route above claims.
  await app.register(webPlugin);
  return app;
}
