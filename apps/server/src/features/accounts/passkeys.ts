import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Database, Queryable } from '@kennebec/db';
import { iso, newId } from './random.ts';

/**
 * Passkeys (WebAuthn Level 3, https://www.w3.org/TR/webauthn-3/). The relying party is the
 * server's own BASE_URL: its host is the RP ID and its origin the only origin accepted.
 * Signatures, attestation objects and COSE keys are checked by @simplewebauthn/server; this
 * module keeps the state the specification leaves to the relying party:
 *
 * - Challenges (§13.4.3) are stored per binding (the session that asked, or a cookie set with
 *   the options when there is no session yet) and purpose, taken by the first answer whether it
 *   verifies or not, and void after CHALLENGE_TTL_MS: each is used once.
 * - Credential ids are unique across accounts (§7.1 step 26): registering one already known fails.
 * - An assertion names a credential of the expected account (§7.2 steps 5–6: in the allow list
 *   for a second factor; owned by the user handle it carries for a passwordless sign-in).
 * - The signature counter (§6.1.1, §7.2 step 22) must rise unless the authenticator keeps none
 *   (both 0). The check and the new value are one UPDATE, so a replayed or cloned assertion that
 *   races the genuine one still loses; a counter that went backwards is refused, never stored.
 */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** COSE algorithms offered: EdDSA, ES256, RS256 (what platform and roaming authenticators use). */
const ALGORITHMS = [-8, -7, -257];

const TRANSPORTS: ReadonlySet<string> = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingPartyOf(baseUrl: string): RelyingParty {
  const url = new URL(baseUrl);
  return { id: url.hostname, name: 'Kennebec', origin: url.origin };
}

export type ChallengePurpose = 'register' | 'second-factor' | 'sign-in';

/** Why a passkey response was refused; also the `reason` of the security event. */
export type PasskeyFailure =
  | 'no-challenge'
  | 'wrong-type'
  | 'wrong-origin'
  | 'wrong-challenge'
  | 'user-not-verified'
  | 'unknown-credential'
  | 'user-handle-mismatch'
  | 'signature-invalid'
  | 'already-registered'
  | 'sign-count-regressed';

export class PasskeyError extends Error {
  constructor(
    readonly reason: PasskeyFailure,
    /** The account and passkey concerned, when the credential was recognized. */
    readonly userId?: string,
    readonly passkeyId?: string,
  ) {
    super(`passkey refused: ${reason}`);
    this.name = 'PasskeyError';
  }
}

export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  transports: string[];
  backedUp: boolean;
}

interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  sign_count: number | string;
  transports: string[] | string;
  name: string;
  backed_up: boolean;
  created_at: string | Date;
  last_used_at: string | Date | null;
}

/** node-postgres parses text[]; keep a fallback for the literal form. */
function textArray(v: string[] | string): string[] {
  return Array.isArray(v) ? v : v.replace(/^\{|\}$/g, '').split(',').filter((x) => x !== '');
}

function summary(r: PasskeyRow): PasskeySummary {
  return { id: r.id, name: r.name, createdAt: iso(r.created_at) as string, lastUsedAt: iso(r.last_used_at), transports: textArray(r.transports), backedUp: r.backed_up };
}

/** The parts of clientDataJSON that tell one refusal from another (§7.1 steps 7–9, §7.2 steps 10–12). */
function checkClientData(clientDataJSON: string, type: 'webauthn.create' | 'webauthn.get', challenge: string, rp: RelyingParty): void {
  let data: { type?: unknown; challenge?: unknown; origin?: unknown };
  try {
    data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as typeof data;
  } catch {
    throw new PasskeyError('signature-invalid');
  }
  if (data.type !== type) throw new PasskeyError('wrong-type');
  if (data.origin !== rp.origin) throw new PasskeyError('wrong-origin');
  if (data.challenge !== challenge) throw new PasskeyError('wrong-challenge');
}

/** The UV flag of authenticator data (§6.1, bit 2 of the flags byte after the RP ID hash). */
function userVerified(authenticatorData: string): boolean {
  const flags = Buffer.from(authenticatorData, 'base64url')[32];
  return flags !== undefined && (flags & 0x04) !== 0;
}

export class Passkeys {
  constructor(
    private readonly db: Database,
    readonly rp: RelyingParty,
  ) {}

  async list(userId: string): Promise<PasskeySummary[]> {
    const res = await this.db.query<PasskeyRow>('select * from passkey where user_id = $1 order by created_at, id', [userId]);
    return res.rows.map(summary);
  }

  /** Options for navigator.credentials.create(): a discoverable credential with user verification. */
  async registrationOptions(user: { id: string; email: string; displayName: string | null }, binding: string, now: Date): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.db.query<{ credential_id: string; transports: string[] | string }>('select credential_id, transports from passkey where user_id = $1', [user.id]);
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      // The user handle is the account's opaque id, never the email address (§14.6.1).
      userID: new TextEncoder().encode(user.id),
      userName: user.email,
      userDisplayName: user.displayName ?? user.email,
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.rows.map((r) => ({ id: r.credential_id, transports: textArray(r.transports) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    await this.putChallenge(binding, 'register', options.challenge, user.id, now);
    return options;
  }

  /** Verifies a new credential against the binding's challenge and stores it. */
  async register(userId: string, binding: string, response: RegistrationResponseJSON, name: string, now: Date): Promise<PasskeySummary> {
    const challenge = await this.takeChallenge(binding, 'register', userId, now);
    checkClientData(response.response.clientDataJSON, 'webauthn.create', challenge, this.rp);
    let info;
    try {
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!verified.verified) throw new PasskeyError('signature-invalid', userId);
      info = verified.registrationInfo;
    } catch (err) {
      if (err instanceof PasskeyError) throw err;
      throw new PasskeyError(/user verification/i.test((err as Error).message) ? 'user-not-verified' : 'signature-invalid', userId);
    }
    const transports = (response.response.transports ?? []).filter((t) => TRANSPORTS.has(t));
    const res = await this.db.query<PasskeyRow>(
      `insert into passkey (id, user_id, credential_id, public_key, sign_count, transports, name, aaguid, backed_up, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (credential_id) do nothing returning *`,
      [newId(), userId, info.credential.id, Buffer.from(info.credential.publicKey), info.credential.counter, transports, name, info.aaguid, info.credentialBackedUp, now.toISOString()],
    );
    const row = res.rows[0];
    if (!row) throw new PasskeyError('already-registered', userId);
    return summary(row);
  }

  /**
   * Options for navigator.credentials.get(). With a user (second factor): their credentials, user
   * verification preferred (the password was the first factor). Without (passwordless sign-in):
   * any discoverable credential, user verification required.
   */
  async assertionOptions(binding: string, purpose: 'second-factor' | 'sign-in', userId: string | null, now: Date): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allow = userId
      ? (await this.db.query<{ credential_id: string; transports: string[] | string }>('select credential_id, transports from passkey where user_id = $1', [userId])).rows
      : [];
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      timeout: CHALLENGE_TTL_MS,
      userVerification: purpose === 'sign-in' ? 'required' : 'preferred',
      allowCredentials: allow.map((r) => ({ id: r.credential_id, transports: textArray(r.transports) })),
    });
    await this.putChallenge(binding, purpose, options.challenge, userId, now);
    return options;
  }

  /**
   * Verifies an assertion against the binding's challenge; returns the account and passkey. For
   * a second factor the credential must be the challenge's user's; for a sign-in, the user
   * handle must name the credential's owner and the user must have been verified.
   */
  async verifyAssertion(binding: string, purpose: 'second-factor' | 'sign-in', response: AuthenticationResponseJSON, now: Date): Promise<{ userId: string; passkeyId: string }> {
    const { challenge, userId: expectedUser } = await this.takeChallengeRow(binding, purpose, now);
    checkClientData(response.response.clientDataJSON, 'webauthn.get', challenge, this.rp);
    const found = await this.db.query<PasskeyRow>('select * from passkey where credential_id = $1', [response.id]);
    const row = found.rows[0];
    if (!row || (purpose === 'second-factor' && row.user_id !== expectedUser)) throw new PasskeyError('unknown-credential', expectedUser ?? undefined);
    // A discoverable credential must say whose it is; any user handle must name the owner.
    const handle = response.response.userHandle;
    if (handle ? Buffer.from(handle, 'base64url').toString('utf8') !== row.user_id : purpose === 'sign-in') throw new PasskeyError('user-handle-mismatch', row.user_id, row.id);
    if (purpose === 'sign-in' && !userVerified(response.response.authenticatorData)) throw new PasskeyError('user-not-verified', row.user_id, row.id);
    let newCounter: number;
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.rp.origin,
        expectedRPID: this.rp.id,
        // The counter is checked below, in the same statement that stores it.
        credential: { id: row.credential_id, publicKey: new Uint8Array(row.public_key), counter: 0 },
        requireUserVerification: purpose === 'sign-in',
      });
      if (!verified.verified) throw new PasskeyError('signature-invalid', row.user_id, row.id);
      newCounter = verified.authenticationInfo.newCounter;
    } catch (err) {
      if (err instanceof PasskeyError) throw err;
      throw new PasskeyError('signature-invalid', row.user_id, row.id);
    }
    if (!(await this.claimCounter(this.db, row.id, newCounter, now))) throw new PasskeyError('sign-count-regressed', row.user_id, row.id);
    return { userId: row.user_id, passkeyId: row.id };
  }

  private async claimCounter(q: Queryable, id: string, counter: number, now: Date): Promise<boolean> {
    const res = await q.query(
      `update passkey set sign_count = $2::bigint, last_used_at = $3
        where id = $1 and (sign_count < $2::bigint or (sign_count = 0 and $2::bigint = 0))`,
      [id, counter, now.toISOString()],
    );
    return res.rowCount > 0;
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeySummary | null> {
    const res = await this.db.query<PasskeyRow>('update passkey set name = $3 where user_id = $1 and id = $2 returning *', [userId, id, name]);
    return res.rows[0] ? summary(res.rows[0]) : null;
  }

  /**
   * Removes one of the user's passkeys. With `keepSecondFactor` (staff), the last one goes only
   * when TOTP is set up: checked in the same statement as the delete.
   */
  async remove(userId: string, id: string, keepSecondFactor: boolean): Promise<'removed' | 'not-found' | 'last-factor'> {
    const res = await this.db.query(
      `delete from passkey p where p.user_id = $1 and p.id = $2
          and (not $3::boolean
               or exists (select 1 from mfa_totp t where t.user_id = $1 and t.confirmed_at is not null)
               or (select count(*) from passkey o where o.user_id = $1) > 1)`,
      [userId, id, keepSecondFactor],
    );
    if (res.rowCount > 0) return 'removed';
    const exists = await this.db.query('select 1 from passkey where user_id = $1 and id = $2', [userId, id]);
    return exists.rows.length > 0 ? 'last-factor' : 'not-found';
  }

  private async putChallenge(binding: string, purpose: ChallengePurpose, challenge: string, userId: string | null, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('delete from webauthn_challenge where expires_at <= $1', [now.toISOString()]);
      await tx.query(
        `insert into webauthn_challenge (binding, purpose, challenge, user_id, expires_at) values ($1, $2, $3, $4, $5)
         on conflict (binding, purpose) do update set challenge = excluded.challenge, user_id = excluded.user_id, expires_at = excluded.expires_at`,
        [binding, purpose, challenge, userId, new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString()],
      );
    });
  }

  /** Takes (deletes) the binding's outstanding challenge; PasskeyError when none is live. */
  private async takeChallengeRow(binding: string, purpose: ChallengePurpose, now: Date): Promise<{ challenge: string; userId: string | null }> {
    const res = await this.db.query<{ challenge: string; user_id: string | null; expires_at: string | Date }>(
      'delete from webauthn_challenge where binding = $1 and purpose = $2 returning challenge, user_id, expires_at',
      [binding, purpose],
    );
    const row = res.rows[0];
    if (!row || new Date(row.expires_at).getTime() <= now.getTime()) throw new PasskeyError('no-challenge');
    return { challenge: row.challenge, userId: row.user_id };
  }

  private async takeChallenge(binding: string, purpose: ChallengePurpose, userId: string, now: Date): Promise<string> {
    const row = await this.takeChallengeRow(binding, purpose, now);
    if (row.userId !== userId) throw new PasskeyError('no-challenge', userId);
    return row.challenge;
  }
}
