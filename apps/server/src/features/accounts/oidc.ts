import * as client from 'openid-client';
import type { OidcConfig } from '../../config.ts';
import { open, seal } from './secret-box.ts';

/**
 * Sign-in with an external OpenID Connect provider (OpenID Connect Core 1.0 §3.1, authorization
 * code flow) through openid-client: PKCE (RFC 7636, S256), `state` against cross-site request
 * forgery of the callback, `nonce` bound into the ID token against replay. The three values
 * travel in a short-lived cookie sealed with the server's key (AES-256-GCM), so nothing is
 * stored server-side and a callback works only in the browser that started it.
 */
export interface OidcTransaction {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to send the browser afterwards (a path on this server). */
  returnTo: string;
  /** Set when a signed-in user started it to link the identity to their account. */
  linkUserId: string | null;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface ExternalIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** A failure the user sees as KB-OIDC-FAILED; `reason` is for the log and security events. */
export class OidcError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'OidcError';
  }
}

export const OIDC_TRANSACTION_SECONDS = 600;

export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly cfg: OidcConfig,
    readonly redirectUri: string,
    private readonly sealKey: Buffer,
  ) {}

  private config(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        new URL(this.cfg.issuer),
        this.cfg.clientId,
        { client_secret: this.cfg.clientSecret, redirect_uris: [this.redirectUri], response_types: ['code'] },
        client.ClientSecretBasic(this.cfg.clientSecret),
        // Plain http is allowed by config only outside production (a provider on localhost).
        this.cfg.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.configuration = undefined;
        throw new OidcError('The sign-in provider cannot be reached; try again later', `discovery: ${(err as Error).message}`);
      });
    return this.configuration;
  }

  /** The provider's authorization URL and the transaction to keep in the cookie. */
  async start(returnTo: string, linkUserId: string | null, now: Date): Promise<{ url: string; transaction: OidcTransaction }> {
    const config = await this.config();
    const verifier = client.randomPKCECodeVerifier();
    const transaction: OidcTransaction = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier,
      returnTo,
      linkUserId,
      expiresAt: now.getTime() + OIDC_TRANSACTION_SECONDS * 1000,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
    });
    return { url: url.href, transaction };
  }

  /** Exchanges the callback's code (checking state, PKCE and nonce) for the user's identity. */
  async finish(callbackUrl: URL, tx: OidcTransaction): Promise<ExternalIdentity> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const e = err as { code?: string; error?: string; message?: string };
      throw new OidcError('Sign-in with the external provider failed; please start again', e.error ?? e.code ?? 'token-exchange');
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcError('The provider sent no ID token', 'no-id-token');
    const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
    return {
      issuer: claims.iss,
      subject: claims.sub,
      email: str(claims.email),
      emailVerified: claims.email_verified === true,
      name: str(claims.name),
    };
  }

  sealTransaction(tx: OidcTransaction): string {
    return seal(this.sealKey, Buffer.from(JSON.stringify(tx)), 'oidc-transaction');
  }

  /** The transaction of a cookie, or null when absent, tampered with or expired. */
  openTransaction(cookie: string | undefined, now: Date): OidcTransaction | null {
    if (!cookie) return null;
    try {
      const tx = JSON.parse(open(this.sealKey, cookie, 'oidc-transaction').toString('utf8')) as OidcTransaction;
      return tx.expiresAt > now.getTime() ? tx : null;
    } catch {
      return null;
    }
  }
}
