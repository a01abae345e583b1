import type { FastifyPluginAsync } from 'fastify';
import type { SmartAuthDeps } from './keys.ts';
import { keyStoreFor } from './keys.ts';

/**
 * Discovery: the public signing keys (JWK Set, RFC 7517 §5) and the SMART configuration
 * document (https://hl7.org/fhir/smart-app-launch/conformance.html#metadata). The document lists
 * only what is implemented: client_credentials with a client secret. `issuer` is omitted
 * because SMART requires it only with sso-openid-connect; there is no authorization endpoint,
 * so no response types or PKCE methods either.
 */
export interface DiscoveryOptions {
  deps: SmartAuthDeps;
}

/** Scopes a client can ask for; any resource type may replace '*'. */
export const SCOPES_SUPPORTED = ['system/*.cruds', 'system/*.rs', 'system/*.read', 'system/*.write', 'system/*.*'];

export function smartConfiguration(baseUrl: string) {
  return {
    token_endpoint: `${baseUrl}/oauth2/token`,
    jwks_uri: `${baseUrl}/oauth2/jwks`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: SCOPES_SUPPORTED,
    capabilities: ['client-confidential-symmetric', 'permission-v1', 'permission-v2'],
  };
}

export const discoveryRoutes: FastifyPluginAsync<DiscoveryOptions> = async (app, opts) => {
  const { deps } = opts;
  const keys = keyStoreFor(deps);

  app.get('/oauth2/jwks', async (_req, reply) => {
    const jwks = await keys.publicJwks();
    // Short public caching: verifiers pick up a new key within minutes of a rotation.
    return reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send({ keys: jwks });
  });

  // Served at the server root and below the FHIR base: SMART looks for it relative to the FHIR base URL.
  const config = smartConfiguration(deps.config.baseUrl);
  for (const path of ['/.well-known/smart-configuration', '/fhir/R4/.well-known/smart-configuration']) {
    app.get(path, async (_req, reply) => reply.header('cache-control', 'public, max-age=3600').send(config));
  }
};
