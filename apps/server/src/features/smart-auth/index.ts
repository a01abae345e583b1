import type { FastifyPluginAsync } from 'fastify';
import type { ApiRegistry } from '../../http/api-routes.ts';
import type { SmartAuthDeps } from './keys.ts';
import { discoveryRoutes } from './jwks.ts';
import { tokenEndpoint } from './token-endpoint.ts';
import type { ThrottleOptions } from './throttle.ts';

/**
 * OAuth 2.0 client_credentials for system clients with SMART v2 scopes: POST /oauth2/token,
 * GET /oauth2/jwks and GET /.well-known/smart-configuration. Register without fastify-plugin
 * so the form parser and the token error handler stay inside this plugin's scope:
 *
 *   app.register(smartAuthPlugin, { deps, api });
 */
export interface SmartAuthOptions {
  deps: SmartAuthDeps;
  /** The JSON API's registry: the routes are declared there and appear in /api/openapi.json. */
  api: ApiRegistry;
  /** Failed-authentication throttle at the token endpoint; defaults in throttle.ts. */
  throttle?: Partial<ThrottleOptions>;
}

export const smartAuthPlugin: FastifyPluginAsync<SmartAuthOptions> = async (app, opts) => {
  await app.register(tokenEndpoint, { deps: opts.deps, api: opts.api, ...(opts.throttle ? { throttle: opts.throttle } : {}) });
  await app.register(discoveryRoutes, { deps: opts.deps, api: opts.api });
};

export { createAuthenticator, type Authenticator, type AuthenticatorOptions } from './authenticate.ts';
export {
  createClient,
  findClient,
  listClients,
  disableClient,
  verifyClientSecret,
  InvalidClientScopesError,
  type ClientRecord,
  type CreatedClient,
  type NewClient,
} from './clients.ts';
export { keyStoreFor, type KeyStore, type SmartAuthDeps } from './keys.ts';
export { smartConfiguration } from './jwks.ts';
export type { ThrottleOptions } from './throttle.ts';
