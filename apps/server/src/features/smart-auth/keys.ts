import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database } from '@kennebec/db';
import type { AppDeps, Clock } from '../../deps.ts';

/**
 * The ES256 keys that sign access tokens (JWS, RFC 7515; JWK, RFC 7517). One key is active per
 * algorithm; the first process to start creates it. Concurrent first starts race on
 * `insert … on conflict do nothing` against the partial unique index `signing_key_one_active`
 * (migration 002), then all read back the one row that won. Imported keys stay in memory.
 *
 * A retired key keeps verifying for `verifyGraceSeconds` after retirement (the longest token
 * lifetime), so tokens signed just before a rotation stay valid until they expire.
 */
export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  kid: string;
  alg: typeof SIGNING_ALG;
  privateKey: CryptoKey;
}

export interface KeyStore {
  /** The active signing key, created on first use if the table has none. */
  signingKey(): Promise<SigningKey>;
  /** A verification key by kid, if it is active or retired within the grace period. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** Public JWKs of every key that can still verify tokens (for /oauth2/jwks). */
  publicJwks(): Promise<JWK[]>;
}

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: JWK | string;
  retired_at: string | Date | null;
}

interface VerificationEntry {
  jwk: JWK;
  key: CryptoKey;
  /** ms since epoch; null while active. */
  retiredAt: number | null;
}

/** Unknown kids trigger a reload (another process may have rotated), at most this often. */
const RELOAD_INTERVAL_MS = 5_000;

function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

async function importKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, SIGNING_ALG);
  if (key instanceof Uint8Array) throw new Error('signing_key holds a symmetric key; expected EC P-256');
  return key;
}

export function createKeyStore(db: Database, opts: { clock: Clock; verifyGraceSeconds: number }): KeyStore {
  let active: Promise<SigningKey> | undefined;
  let verification = new Map<string, VerificationEntry>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | undefined;

  async function loadActive(): Promise<SigningKey> {
    const select = () =>
      db.query<{ kid: string; private_jwk: JWK | string; public_jwk: JWK | string }>(
        'select kid, private_jwk, public_jwk from signing_key where alg = $1 and retired_at is null',
        [SIGNING_ALG],
      );
    let row = (await select()).rows[0];
    if (!row) {
      const pair = await generateKeyPair(SIGNING_ALG, { extractable: true });
      const publicJwk = await exportJWK(pair.publicKey);
      const kid = await calculateJwkThumbprint(publicJwk); // RFC 7638
      const privateJwk = { ...(await exportJWK(pair.privateKey)), kid, alg: SIGNING_ALG };
      await db.query(
        `insert into signing_key (kid, alg, private_jwk, public_jwk, created_at)
         values ($1, $2, $3::jsonb, $4::jsonb, $5) on conflict do nothing`,
        [kid, SIGNING_ALG, JSON.stringify(privateJwk), JSON.stringify({ ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }), opts.clock.now().toISOString()],
      );
      row = (await select()).rows[0];
      if (!row) throw new Error('No active signing key after creating one');
    }
    // Make the key verifiable here at once, whatever the reload throttle says.
    if (!verification.has(row.kid)) {
      const jwk = json(row.public_jwk);
      verification.set(row.kid, { jwk, key: await importKey(jwk), retiredAt: null });
    }
    return { kid: row.kid, alg: SIGNING_ALG, privateKey: await importKey(json(row.private_jwk)) };
  }

  async function reload(): Promise<void> {
    const res = await db.query<KeyRow>('select kid, alg, public_jwk, retired_at from signing_key where alg = $1', [SIGNING_ALG]);
    const next = new Map<string, VerificationEntry>();
    for (const row of res.rows) {
      const known = verification.get(row.kid);
      const jwk = json(row.public_jwk);
      next.set(row.kid, {
        jwk,
        key: known?.key ?? (await importKey(jwk)),
        retiredAt: row.retired_at === null ? null : new Date(row.retired_at).getTime(),
      });
    }
    verification = next;
    loadedAt = Date.now();
  }

  /** Reloads unless one ran recently; concurrent callers share one reload. */
  function maybeReload(force = false): Promise<void> {
    if (!force && Date.now() - loadedAt < RELOAD_INTERVAL_MS) return Promise.resolve();
    loading ??= reload().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  function usable(e: VerificationEntry): boolean {
    return e.retiredAt === null || opts.clock.now().getTime() < e.retiredAt + opts.verifyGraceSeconds * 1000;
  }

  return {
    signingKey() {
      active ??= loadActive().catch((err: unknown) => {
        active = undefined;
        throw err;
      });
      return active;
    },
    async verificationKey(kid) {
      let entry = verification.get(kid);
      if (!entry) {
        await maybeReload();
        entry = verification.get(kid);
      }
      return entry && usable(entry) ? entry.key : undefined;
    },
    async publicJwks() {
      await this.signingKey();
      await maybeReload();
      return [...verification.values()].filter(usable).map((e) => e.jwk);
    },
  };
}

/** What this feature needs of AppDeps; the full AppDeps fits. */
export type SmartAuthDeps = Pick<AppDeps, 'db' | 'config' | 'clock' | 'logger'>;

/** One key store per database, shared by the token endpoint, the JWKS route and the authenticator. */
const stores = new WeakMap<Database, KeyStore>();

export function keyStoreFor(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>): KeyStore {
  let store = stores.get(deps.db);
  if (!store) {
    store = createKeyStore(deps.db, { clock: deps.clock, verifyGraceSeconds: deps.config.accessTokenTtl });
    stores.set(deps.db, store);
  }
  return store;
}
