import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { formatScopes } from '@kennebec/fhir';
import type { SmartAuthDeps } from './keys.ts';
import { MAX_CREDENTIAL_LENGTH, prepareSecretVerification, verifyClientSecret } from './clients.ts';
import { decideScopes } from './grant.ts';
import { keyStoreFor } from './keys.ts';
import { describeTokenRequestError, parseForm, tokenRequestSchema, type TokenErrorBody, type TokenErrorCode, type TokenResponse } from './schema.ts';
import { FailureThrottle, type ThrottleOptions } from './throttle.ts';
import { issueAccessToken } from './tokens.ts';

/**
 * POST /oauth2/token for the client_credentials grant (RFC 6749 §4.4) with client_secret_basic
 * or client_secret_post authentication (§2.3.1). Registered as its own encapsulated plugin so
 * the form parser and the RFC 6749 §5.2 error handler apply to this route only.
 */
export interface TokenEndpointOptions {
  deps: SmartAuthDeps;
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

function sendError(reply: FastifyReply, err: TokenError, retryAfter?: number): FastifyReply {
  const body: TokenErrorBody = { error: err.code, error_description: err.description };
  reply.code(err.status).headers(NO_STORE);
  // RFC 9110 §15.5.2: a 401 carries a challenge; RFC 6749 §5.2: it names the scheme the client used.
  if (err.status === 401) reply.header('www-authenticate', REALM);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.send(body);
}

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

  // Framework-level failures (wrong media type, body too large) still answer in §5.2 form.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      log.error({ err, reqId: req.id }, 'token endpoint failed');
      return reply.code(500).headers(NO_STORE).send({ error: 'server_error', error_description: `Internal error; quote request id ${req.id}` });
    }
    return sendError(reply, new TokenError('invalid_request', err.message, status === 413 || status === 415 ? status : 400));
  });

  app.post('/oauth2/token', { bodyLimit: BODY_LIMIT }, async (req: FastifyRequest, reply: FastifyReply) => {
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith(FORM)) {
      return sendError(reply, new TokenError('invalid_request', `The token request must be ${FORM}`));
    }
    const parsed = tokenRequestSchema.safeParse(req.body);
    if (!parsed.success) return sendError(reply, new TokenError('invalid_request', describeTokenRequestError(parsed.error)));
    const body = parsed.data;
    if (body.grant_type !== 'client_credentials') {
      return sendError(reply, new TokenError('unsupported_grant_type', 'Only grant_type=client_credentials is supported'));
    }

    let creds: Credentials;
    try {
      creds = credentials(req.headers.authorization, body);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      if (err.code === 'invalid_client') throttle.recordFailure(req.ip, undefined);
      return sendError(reply, err);
    }
    const throttleKey = creds.clientId.slice(0, MAX_CREDENTIAL_LENGTH);
    const wait = throttle.retryAfter(req.ip, throttleKey);
    if (wait > 0) {
      log.warn({ clientId: throttleKey, ip: req.ip }, 'token request throttled after repeated failed client authentication');
      return sendError(reply, new TokenError('invalid_request', 'Too many failed client authentications; retry later', 429), wait);
    }

    const client = await verifyClientSecret(deps.db, creds.clientId, creds.secret);
    if (!client) {
      throttle.recordFailure(req.ip, throttleKey);
      log.warn({ clientId: throttleKey, ip: req.ip, method: creds.method }, 'client authentication failed');
      // One message for unknown client, wrong secret and disabled client: nothing to enumerate.
      return sendError(reply, new TokenError('invalid_client', 'Client authentication failed'));
    }
    throttle.recordSuccess(client.clientId);

    const decision = decideScopes(client.scope, body.scope);
    if (!decision.ok) return sendError(reply, new TokenError(decision.error, decision.description));
    const scope = formatScopes(decision.scopes);
    const { token, expiresIn } = await issueAccessToken(deps, keys, { clientId: client.clientId, orgId: client.orgId, scope });
    log.info({ clientId: client.clientId, scope, expiresIn }, 'access token issued');
    const res: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
    return reply.code(200).headers(NO_STORE).send(res);
  });
};
