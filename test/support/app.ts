import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, compose, createClient, loadConfig, type AppDeps, type Clock, type ComposeOptions, type SecurityEvents, type LinkedPatients } from '@kennebec/server';
import { createTestDatabase } from './db.ts';

/**
 * The whole server on a fresh database, driven through `app.inject()` (no socket).
 * `token(scope)` registers a client with that scope and returns a bearer token for it.
 */
export interface TestServer {
  app: FastifyInstance;
  deps: AppDeps;
  token: (scope?: string, orgId?: string) => Promise<string>;
  close: () => Promise<void>;
}

export const TEST_BASE_URL = 'http://kennebec.test';

export interface TestServerOptions {
  clock?: Clock;
  env?: Record<string, string>;
  logger?: Logger;
  /** Receives the security events (sign-in, MFA…) instead of the log. */
  securityEvents?: SecurityEvents;
  /** Relationships for the access decision (which Patients an account is, for whom it acts). */
  patientLinks?: ComposeOptions['patientLinks'];
  proxyGrants?: ComposeOptions['proxyGrants'];
  /** Which Patient records an account is linked to as that person (the proxies feature asks). */
  linkedPatients?: LinkedPatients;
}

export async function createTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  // A fresh secret key per server, so tests never write a key file.
  const config = loadConfig({ BASE_URL: TEST_BASE_URL, LOG_LEVEL: 'silent', SEED_DEMO: 'false', KENNEBEC_SECRET_KEY: randomBytes(32).toString('base64'), ...opts.env });
  const db = await createTestDatabase();
  const deps = await compose(config, {
    db,
    migrate: false,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.securityEvents ? { securityEvents: opts.securityEvents } : {}),
    ...(opts.patientLinks ? { patientLinks: opts.patientLinks } : {}),
    ...(opts.proxyGrants ? { proxyGrants: opts.proxyGrants } : {}),
    ...(opts.linkedPatients ? { linkedPatients: opts.linkedPatients } : {}),
  });
  const app = await buildApp(deps);
  await app.ready();
  const tokens = new Map<string, string>();
  return {
    app,
    deps,
    async token(scope = 'system/*.cruds', orgId?: string) {
      const key = `${scope}|${orgId ?? ''}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const client = await createClient(db, { name: 'test', scopes: scope, ...(orgId ? { orgId } : {}) });
      const res = await app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }).toString(),
      });
      if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
      const token = (res.json() as { access_token: string }).access_token;
      tokens.set(key, token);
      return token;
    },
    async close() {
      await app.close();
      await deps.mailer.close();
      await db.close();
    },
  };
}
