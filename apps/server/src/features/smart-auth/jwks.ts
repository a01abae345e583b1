import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { apiRoute, type ApiRegistry } from '../../http/api-routes.ts';
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
  api: ApiRegistry;
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

const jwkSet = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional(), use: z.string().optional() }).loose()) })
  .meta({ id: 'JwkSet', description: 'A JWK Set (RFC 7517 §5): the public keys only' });

const smartConfigurationSchema = z
  .object({
    token_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
    capabilities: z.array(z.string()),
  })
  .meta({ id: 'SmartConfiguration' });

export const discoveryRoutes: FastifyPluginAsync<DiscoveryOptions> = async (app, opts) => {
  const { deps } = opts;
  const keys = keyStoreFor(deps);
  const config = smartConfiguration(deps.config.baseUrl);
  const smartConfig = (url: string, operationId: string, summary: string) =>
    apiRoute({
      method: 'GET',
      url,
      operationId,
      summary,
      tags: ['oauth'],
      security: 'none',
      who: ['anyone'],
      responses: { 200: { description: 'The SMART configuration', schema: smartConfigurationSchema, headers: { 'cache-control': 'public, max-age=3600' } } },
      handler: async () => ({ status: 200, body: config, headers: { 'cache-control': 'public, max-age=3600' } }),
    });

  opts.api.add(app, [
    apiRoute({
      method: 'GET',
      url: '/oauth2/jwks',
      operationId: 'getJwks',
      summary: 'The public keys that verify access tokens, including retired ones still in their grace period',
      tags: ['oauth'],
      security: 'none',
      who: ['anyone'],
      responses: { 200: { description: 'The key set', schema: jwkSet, contentType: 'application/jwk-set+json', headers: { 'cache-control': 'public, max-age=300' } } },
      // Short public caching: verifiers pick up a new key within minutes of a rotation.
      handler: async () => ({ status: 200, body: { keys: await keys.publicJwks() }, headers: { 'cache-control': 'public, max-age=300' } }),
    }),
    // Served at the server root and below the FHIR base: SMART looks for it relative to the FHIR base URL.
    smartConfig('/.well-known/smart-configuration', 'getSmartConfiguration', 'SMART on FHIR discovery (token endpoint, grants, scopes)'),
    smartConfig('/fhir/R4/.well-known/smart-configuration', 'getFhirSmartConfiguration', 'SMART on FHIR discovery, below the FHIR base URL'),
  ]);
};
