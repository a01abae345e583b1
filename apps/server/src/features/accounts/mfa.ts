import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '@kennebec/db';
import { hashSecret, verifySecret } from './passwords/hash.ts';
import { newId } from './random.ts';
import { open, seal } from './secret-box.ts';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp.ts';

/**
 * Second factors: TOTP with an enrolment that a first code confirms, and ten single-use
 * recovery codes (argon2id hashes) given at confirmation. A TOTP code is accepted once: its time
 * step must be later than the last one accepted, checked and recorded in one UPDATE, so the same
 * code replayed (even concurrently) is refused.
 */
export const RECOVERY_CODES = 10;

export interface TotpEnrolment {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** otpauth:// URI, for a QR code. */
  otpauthUri: string;
}

/** A recovery code: 60 random bits as three groups of four base32 characters. */
function newRecoveryCode(): string {
  const s = base32Encode(randomBytes(8)).slice(0, 12).toLowerCase();
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

function normalizeRecoveryCode(code: string): string {
  const s = code.toLowerCase().replace(/[^a-z2-7]/g, '');
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
}

export class Mfa {
  constructor(
    private readonly db: Database,
    private readonly sealKey: Buffer,
  ) {}

  async hasConfirmedTotp(userId: string): Promise<boolean> {
    const res = await this.db.query('select 1 from mfa_totp where user_id = $1 and confirmed_at is not null', [userId]);
    return res.rows.length > 0;
  }

  /**
   * Enrols a TOTP secret that is already known, confirmed at once, without recovery codes: for
   * the demo staff, whose shared secret `npm start` prints. Never used for real accounts.
   */
  async enrolKnownSecret(userId: string, secret: Buffer, now: Date): Promise<void> {
    await this.db.query(
      `insert into mfa_totp (user_id, secret_sealed, created_at, confirmed_at) values ($1, $2, $3, $3)
       on conflict (user_id) do update set secret_sealed = excluded.secret_sealed, confirmed_at = excluded.confirmed_at, last_step = null`,
      [userId, seal(this.sealKey, secret, userId), now.toISOString()],
    );
  }

  /** A new pending secret (replacing any unconfirmed one); null when TOTP is already confirmed. */
  async startEnrolment(userId: string, accountName: string, now: Date): Promise<TotpEnrolment | null> {
    const secret = newTotpSecret();
    const res = await this.db.query(
      `insert into mfa_totp (user_id, secret_sealed, created_at) values ($1, $2, $3)
       on conflict (user_id) do update set secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, last_step = null
       where mfa_totp.confirmed_at is null`,
      [userId, seal(this.sealKey, secret, userId), now.toISOString()],
    );
    if (res.rowCount === 0) return null;
    return { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, accountName) };
  }

  /** The step of `code` for the user's pending or confirmed secret, before any replay check. */
  private async matchStep(q: Queryable, userId: string, code: string, now: Date, pending: boolean): Promise<number | null> {
    const res = await q.query<{ secret_sealed: string }>(
      `select secret_sealed from mfa_totp where user_id = $1 and confirmed_at is ${pending ? 'null' : 'not null'}`,
      [userId],
    );
    const row = res.rows[0];
    return row ? matchTotp(open(this.sealKey, row.secret_sealed, userId), code, now) : null;
  }

  /** Records `step` as used unless it (or a later one) already was; confirming also stamps confirmed_at. */
  private async claimStep(q: Queryable, userId: string, step: number, now: Date, pending: boolean): Promise<boolean> {
    const res = await q.query(
      `update mfa_totp set last_step = $2${pending ? ', confirmed_at = $3' : ''}
        where user_id = $1 and confirmed_at is ${pending ? 'null' : 'not null'} and (last_step is null or last_step < $2)`,
      pending ? [userId, step, now.toISOString()] : [userId, step],
    );
    return res.rowCount > 0;
  }

  /** Confirms the pending enrolment with a first code; returns the recovery codes, or null. */
  async confirmEnrolment(userId: string, code: string, now: Date): Promise<string[] | null> {
    const step = await this.matchStep(this.db, userId, code, now, true);
    if (step === null) return null;
    // Hash outside the transaction: argon2 takes tens of milliseconds per code.
    const codes = await this.newRecoveryCodes();
    return this.db.transaction(async (tx) => {
      if (!(await this.claimStep(tx, userId, step, now, true))) return null;
      await this.storeRecoveryCodes(tx, userId, codes);
      return codes.map((c) => c.code);
    });
  }

  async verifyTotp(userId: string, code: string, now: Date): Promise<boolean> {
    const step = await this.matchStep(this.db, userId, code, now, false);
    return step !== null && (await this.claimStep(this.db, userId, step, now, false));
  }

  /** Uses one recovery code (each works once). */
  async useRecoveryCode(userId: string, code: string, now: Date): Promise<boolean> {
    const wanted = normalizeRecoveryCode(code);
    if (wanted.length !== 14) return false;
    const res = await this.db.query<{ id: string; code_hash: string }>('select id, code_hash from mfa_recovery_code where user_id = $1 and used_at is null', [userId]);
    for (const row of res.rows) {
      if (await verifySecret(row.code_hash, wanted)) {
        const upd = await this.db.query('update mfa_recovery_code set used_at = $2 where id = $1 and used_at is null', [row.id, now.toISOString()]);
        return upd.rowCount > 0;
      }
    }
    return false;
  }

  async recoveryCodesLeft(userId: string): Promise<number> {
    const res = await this.db.query<{ n: number | string }>('select count(*) as n from mfa_recovery_code where user_id = $1 and used_at is null', [userId]);
    return Number(res.rows[0]?.n ?? 0);
  }

  async renewRecoveryCodes(userId: string): Promise<string[]> {
    const codes = await this.newRecoveryCodes();
    await this.db.transaction((tx) => this.storeRecoveryCodes(tx, userId, codes));
    return codes.map((c) => c.code);
  }

  private async newRecoveryCodes(): Promise<{ code: string; hash: string }[]> {
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    return Promise.all(codes.map(async (code) => ({ code, hash: await hashSecret(code) })));
  }

  private async storeRecoveryCodes(q: Queryable, userId: string, codes: readonly { hash: string }[]): Promise<void> {
    await q.query('delete from mfa_recovery_code where user_id = $1', [userId]);
    for (const c of codes) await q.query('insert into mfa_recovery_code (id, user_id, code_hash) values ($1, $2, $3)', [newId(), userId, c.hash]);
  }

  async disable(userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('delete from mfa_totp where user_id = $1', [userId]);
      await tx.query('delete from mfa_recovery_code where user_id = $1', [userId]);
    });
  }
}
