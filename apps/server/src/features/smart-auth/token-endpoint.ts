import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { formatScopes, isOutcomeError } from '@kennebec/fhir';
import { apiRoute, type ApiRegistry, type ApiResult } from '../../http/api-routes.ts';
import type { SmartAuthDeps } from './keys.ts';
import { MAX_CREDENTIAL_LENGTH, prepareSecretVerification, verifyClientSecret } from './clients.ts';
import { decideScopes } from './grant.ts';
import { keyStoreFor } from './keys.ts';
import { parseForm, tokenErrorSchema, tokenRequestSchema, tokenResponseSchema, type TokenErrorBody, type TokenErrorCode, type TokenResponse } from './schema.ts';
import { FailureThrottle, type ThrottleOptions } from './throttle.ts';
import { issueAccessToken } from './tokens.ts';

/**
 * POST /oauth2/token for the client_credentials grant (RFC 6749 §4.4) with client_secret_basic
 * or client_secret_post authentication (§2.3.1). Registered as its own encapsulated plugin so
 * the form parser and the RFC 6749 §5.2 error handler apply to this route only: every error,
 * bad input included, is answered in the §5.2 JSON shape, never as an OperationOutcome.
 */
export interface TokenEndpointOptions {
  deps: SmartAuthDeps;
  api: ApiRegistry;
  throttle?: Partial<ThrottleOptions>;
}

const FORM = 'application/x-www-form-urlencoded';
const BODY_LIMIT = 16 * 1024;
const REALM = 'Basic realm="kennebec", charset="UTF-8"';

/** §5.1: token responses, and the errors with them, must not be cached. */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

type Credentials = { method: 'basic' | 'post'; clientId: string; secret: string };

class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    readonly description: string,
    readonly status = code === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
  }
}

/** The §2.3.1 encoding: id and secret are form-urlencoded, then joined with ':' and base64'd. */
function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

function parseBasic(header: string): { clientId: string; secret: string } {
  const m = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new TokenError('invalid_client', 'Malformed Basic credentials');
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new TokenError('invalid_client', 'Malformed Basic credentials');
  }
}

function credentials(authorization: string | undefined, body: { client_id?: string | undefined; client_secret?: string | undefined }): Credentials {
  if (authorization !== undefined) {
    if (!/^Basic /i.test(authorization)) throw new TokenError('invalid_client', 'Only HTTP Basic client authentication is supported in the Authorization header');
    // §2.3: a client must not use more than one authentication method per request.
    if (body.client_secret !== undefined) throw new TokenError('invalid_request', 'Use either HTTP Basic or client_secret in the body, not both');
    const basic = parseBasic(authorization);
    if (body.client_id !== undefined && body.client_id !== basic.clientId) {
      throw new TokenError('invalid_request', 'client_id in the body does not match the Basic credentials');
    }
    return { method: 'basic', ...basic };
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    throw new TokenError('invalid_client', 'Client authentication is required (HTTP Basic, or client_id and client_secret)');
  }
  return { method: 'post', clientId: body.client_id, secret: body.client_secret };
}

function errorResult(err: TokenError, retryAfter?: number): ApiResult {
  const body: TokenErrorBody = { error: err.code, error_description: err.description };
  return {
    status: err.status,
    body,
    headers: {
      ...NO_STORE,
      // RFC 9110 §15.5.2: a 401 carries a challenge; RFC 6749 §5.2: it names the scheme the client used.
      ...(err.status === 401 ? { 'www-authenticate': REALM } : {}),
      ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
    },
  };
}

const tokenError = (description: string) => ({ description, schema: tokenErrorSchema, contentType: 'application/json', headers: { 'cache-control': 'no-store' } });

export const tokenEndpoint: FastifyPluginAsync<TokenEndpointOptions> = async (app, opts) => {
  const { deps } = opts;
  const keys = keyStoreFor(deps);
  const throttle = new FailureThrottle(deps.clock, opts.throttle);
  const log = deps.logger.child({ feature: 'smart-auth' });
  await prepareSecretVerification();

  // Fastify has no form parser built in; this one is scoped to this plugin (RFC 6749 Appendix B).
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
  });

  // Failures outside the handler (wrong media type, body too large, a foreign Origin) still answer in §5.2 form.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = isOutcomeError(err) ? err.status : (err.statusCode ?? 500);
    if (status >= 500) {
      log.error({ err, reqId: req.id }, 'token endpoint failed');
      return reply.code(500).headers(NO_STORE).send({ error: 'server_error', error_description: `Internal error; quote request id ${req.id}` });
    }
    const keep = isOutcomeError(err) || status === 413 || status === 415;
    const result = errorResult(new TokenError('invalid_request', err.message, keep ? status : 400));
    return reply.code(result.status).headers(result.headers ?? {}).send(result.body);
  });

  opts.api.add(app, [
    apiRoute({
      method: 'POST',
      url: '/oauth2/token',
      operationId: 'requestToken',
      summary: 'An access token for a system client (OAuth 2.0 client_credentials, SMART Backend Services scopes)',
      description:
        'Client authentication by HTTP Basic (client_secret_basic) or by client_id and client_secret in the body (client_secret_post), not both. Errors follow RFC 6749 §5.2.',
      tags: ['oauth'],
      security: 'none',
      who: ['anyone'],
      body: tokenRequestSchema,
      bodyTypes: [FORM],
      bodyLimit: BODY_LIMIT,
      responses: {
        200: { description: 'The token (RFC 6749 §5.1)', schema: tokenResponseSchema, headers: { 'cache-control': 'no-store', pragma: 'no-cache' } },
        400: tokenError('invalid_request, unsupported_grant_type, invalid_scope or unauthorized_client'),
        401: { ...tokenError('invalid_client: unknown client, wrong secret or disabled client, one answer for all'), headers: { 'www-authenticate': 'Basic challenge', 'cache-control': 'no-store' } },
        403: tokenError('A browser request from another web origin'),
        413: tokenError('Body too large'),
        415: tokenError('Not application/x-www-form-urlencoded'),
        429: { ...tokenError('Too many failed client authentications'), headers: { 'retry-after': 'Seconds to wait', 'cache-control': 'no-store' } },
        500: tokenError('server_error'),
      },
      // §5.2: a malformed request is invalid_request, described by its first problem.
      invalidInput: (problem) => errorResult(new TokenError('invalid_request', problem.issues[0]?.message ?? 'Malformed token request')),
      handler: async ({ body, req }) => {
        if (body.grant_type !== 'client_credentials') return errorResult(new TokenError('unsupported_grant_type', 'Only grant_type=client_credentials is supported'));

        let creds: Credentials;
        try {
          creds = credentials(req.headers.authorization, body);
        } catch (err) {
          if (!(err instanceof TokenError)) throw err;
          if (err.code === 'invalid_client') throttle.recordFailure(req.ip, undefined);
          return errorResult(err);
        }
        const throttleKey = creds.clientId.slice(0, MAX_CREDENTIAL_LENGTH);
        const wait = throttle.retryAfter(req.ip, throttleKey);
        if (wait > 0) {
          log.warn({ clientId: throttleKey, ip: req.ip }, 'token request throttled after repeated failed client authentication');
          return errorResult(new TokenError('invalid_request', 'Too many failed client authentications; retry later', 429), wait);
        }

        const client = await verifyClientSecret(deps.db, creds.clientId, creds.secret);
        if (!client) {
          throttle.recordFailure(req.ip, throttleKey);
          log.warn({ clientId: throttleKey, ip: req.ip, method: creds.method }, 'client authentication failed');
          // One message for unknown client, wrong secret and disabled client: nothing to enumerate.
          return errorResult(new TokenError('invalid_client', 'Client authentication failed'));
        }
        throttle.recordSuccess(client.clientId);

        const decision = decideScopes(client.scope, body.scope);
        if (!decision.ok) return errorResult(new TokenError(decision.error, decision.description));
        const scope = formatScopes(decision.scopes);
        const { token, expiresIn } = await issueAccessToken(deps, keys, { clientId: client.clientId, orgId: client.orgId, scope });
        log.info({ clientId: client.clientId, scope, expiresIn }, 'access token issued');
        const res: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
        return { status: 200, body: res, headers: NO_STORE };
      },
    }),
  ]);
};
