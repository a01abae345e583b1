import { errors, parseScopes, type OutcomeError } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import type { Actor, ClientActor } from '../access/index.ts';
import { findClient } from './clients.ts';
import { keyStoreFor } from './keys.ts';
import { ExpiringLru } from './lru.ts';
import { InvalidTokenError, verifyAccessToken, type AccessTokenClaims } from './tokens.ts';

/**
 * Turns an Authorization header into an Actor (RFC 6750 bearer tokens). This runs on every FHIR
 * request, so the expensive parts are cached: a verified token is kept by its string until
 * min(exp, 60 s) in a bounded LRU, and whether its client is still enabled is looked up at most
 * every 30 s per client. Disabling a client therefore takes effect within about 30 s.
 */
export type Authenticator = (authorizationHeader: string | undefined) => Promise<Actor>;

export interface AuthenticatorOptions {
  /** Verified tokens kept at most (default 10,000). */
  maxCachedTokens?: number;
  /** Longest a verified token is trusted without re-verifying, in seconds (default 60). */
  tokenCacheSeconds?: number;
  /** How long a client's enabled/disabled state is cached, in seconds (default 30). */
  clientCacheSeconds?: number;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** RFC 6750 §3.1: invalid_token, with a description the client can act on. */
function invalidToken(description: string): OutcomeError {
  return errors.unauthenticated(description, 'invalid_token');
}

export function createAuthenticator(deps: Pick<AppDeps, 'db' | 'config' | 'clock'>, options: AuthenticatorOptions = {}): Authenticator {
  const keys = keyStoreFor(deps);
  const tokenCacheMs = (options.tokenCacheSeconds ?? 60) * 1000;
  const clientCacheMs = (options.clientCacheSeconds ?? 30) * 1000;
  const tokens = new ExpiringLru<string, ClientActor>(options.maxCachedTokens ?? 10_000);
  const clients = new ExpiringLru<string, Promise<boolean>>(10_000);

  /** Whether the client exists and is enabled; concurrent lookups for one client share a query. */
  function clientActive(clientId: string, now: number): Promise<boolean> {
    let active = clients.get(clientId, now);
    if (!active) {
      active = findClient(deps.db, clientId).then((c) => c !== null && c.disabledAt === null);
      active.catch(() => clients.delete(clientId));
      clients.set(clientId, active, now + clientCacheMs);
    }
    return active;
  }

  return async (authorizationHeader) => {
    // RFC 6750 §3.1: no credentials at all gets a bare challenge, without an error code.
    if (authorizationHeader === undefined || authorizationHeader.trim() === '') throw errors.unauthenticated();
    const m = BEARER.exec(authorizationHeader);
    if (!m?.[1]) {
      throw /^Bearer\b/i.test(authorizationHeader)
        ? invalidToken('The bearer token is malformed')
        : errors.unauthenticated('Authorization must use the Bearer scheme');
    }
    const token = m[1];
    const now = deps.clock.now().getTime();

    let actor = tokens.get(token, now);
    if (!actor) {
      let claims: AccessTokenClaims;
      try {
        claims = await verifyAccessToken(deps, keys, token);
      } catch (err) {
        if (err instanceof InvalidTokenError) throw invalidToken(err.message);
        throw err;
      }
      actor = {
        kind: 'client',
        clientId: claims.clientId,
        orgId: claims.orgId,
        // Resource scopes only; identity/launch scopes carry no data access.
        scopes: parseScopes(claims.scope).scopes,
      };
      tokens.set(token, actor, Math.min(claims.exp * 1000, now + tokenCacheMs));
    }
    if (!(await clientActive(actor.clientId, now))) {
      tokens.delete(token);
      throw invalidToken('The client is disabled or unknown');
    }
    return actor;
  };
}
