import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import type { AppDeps } from '../../deps.ts';
import { SIGNING_ALG, type KeyStore } from './keys.ts';

/**
 * Access tokens: JWTs in the RFC 9068 profile (typ `at+jwt`; iss, sub, aud, client_id, iat,
 * exp, jti), signed ES256. `scope` is the space-separated granted scope (RFC 9068 §2.2.3), `org`
 * the client's organization, when it has one. The typ check keeps any other JWT signed with
 * the same key from being accepted as an access token (RFC 9068 §4).
 */
export const ACCESS_TOKEN_TYP = 'at+jwt';

type TokenDeps = Pick<AppDeps, 'config' | 'clock'>;

export function tokenAudience(baseUrl: string): string {
  return `${baseUrl}/fhir/R4`;
}

export interface AccessTokenClaims {
  clientId: string;
  orgId: string | null;
  scope: string;
  /** Expiry, seconds since epoch. */
  exp: number;
}

export async function issueAccessToken(
  deps: TokenDeps,
  keys: KeyStore,
  grant: { clientId: string; orgId: string | null; scope: string },
): Promise<{ token: string; expiresIn: number }> {
  const { kid, privateKey } = await keys.signingKey();
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const expiresIn = deps.config.accessTokenTtl;
  const token = await new SignJWT({
    client_id: grant.clientId,
    scope: grant.scope,
    ...(grant.orgId !== null ? { org: grant.orgId } : {}),
  })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYP, kid })
    .setIssuer(deps.config.baseUrl)
    .setSubject(grant.clientId)
    .setAudience(tokenAudience(deps.config.baseUrl))
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .sign(privateKey);
  return { token, expiresIn };
}

/** Why a token was refused; the message is safe to return in error_description. */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export async function verifyAccessToken(deps: TokenDeps, keys: KeyStore, token: string): Promise<AccessTokenClaims> {
  const getKey = async (header: JWTHeaderParameters) => {
    if (header.kid === undefined) throw new InvalidTokenError('The token has no key id');
    const key = await keys.verificationKey(header.kid);
    if (!key) throw new InvalidTokenError('The token was signed by an unknown key');
    return key;
  };
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [SIGNING_ALG],
      typ: ACCESS_TOKEN_TYP,
      issuer: deps.config.baseUrl,
      audience: tokenAudience(deps.config.baseUrl),
      currentDate: deps.clock.now(),
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    const { sub, exp, scope, org, client_id: clientId } = payload;
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof scope !== 'string' || clientId !== sub) {
      throw new InvalidTokenError('The token is missing required claims');
    }
    if (org !== undefined && typeof org !== 'string') throw new InvalidTokenError('The token has a malformed org claim');
    return { clientId: sub, orgId: org ?? null, scope, exp };
  } catch (err) {
    if (err instanceof InvalidTokenError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new InvalidTokenError('The token has expired');
    if (err instanceof joseErrors.JWTClaimValidationFailed) throw new InvalidTokenError(`The token's ${err.claim} claim is not valid here`);
    throw new InvalidTokenError('The token is malformed or its signature does not verify');
  }
}
