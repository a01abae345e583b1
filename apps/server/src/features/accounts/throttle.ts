import type { Queryable } from '@kennebec/db';
import { hmac, toDate } from './random.ts';

/**
 * Failed sign-ins are counted per account name (the email typed, whether or not an account
 * has it) and per client address (IPv6 by /64, since one host gets a whole /64), in the
 * database so that every server process sees the same counts. After `free` failures a key is
 * locked for base × 2^(failures − free) seconds, up to `max`; a success clears the name's
 * count (never the address's, so that one good account cannot launder a scanner), and counts
 * are forgotten after `forgetAfter` seconds without failure. While locked, attempts are refused
 * without checking the password, with one answer whether or not the account exists.
 *
 * NIST SP 800-63B-4 §3.2.2 asks for at most 100 consecutive failures per account; with these
 * defaults an attacker gets about 5 + 15 per hour on one name. The price is that anyone can hold
 * off an account for up to 15 minutes by failing on purpose; the cap keeps that short.
 */
export interface LockPolicy {
  free: number;
  baseSeconds: number;
  maxSeconds: number;
  forgetAfterSeconds: number;
}

export const POLICIES = {
  account: { free: 5, baseSeconds: 30, maxSeconds: 15 * 60, forgetAfterSeconds: 24 * 3600 },
  address: { free: 20, baseSeconds: 60, maxSeconds: 3600, forgetAfterSeconds: 3600 },
  /** Second-factor codes, per account. */
  code: { free: 5, baseSeconds: 30, maxSeconds: 15 * 60, forgetAfterSeconds: 24 * 3600 },
  /** Account mail asked for anonymously (sign-up, confirmation, reset), per recipient: 5, then one an hour, then fewer. */
  mailTo: { free: 5, baseSeconds: 3600, maxSeconds: 24 * 3600, forgetAfterSeconds: 24 * 3600 },
  /** The same, per client address: a script cannot use the server to mail many strangers. */
  mailFrom: { free: 50, baseSeconds: 600, maxSeconds: 3600, forgetAfterSeconds: 3600 },
} as const satisfies Record<string, LockPolicy>;

export type ThrottleKind = keyof typeof POLICIES;

export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}

/** The /64 of an IPv6 address, the address itself for IPv4. */
export function addressBucket(ip: string): string {
  const v4 = /^(::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[2] ?? ip;
  const parts = ip.split('::');
  const head = (parts[0] ?? '').split(':').filter((p) => p !== '');
  const tail = parts.length > 1 ? (parts[1] ?? '').split(':').filter((p) => p !== '') : [];
  const full = [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `${full.slice(0, 4).map((h) => h.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const PURGE_EVERY = 1000;

export class SignInThrottle {
  private failuresSincePurge = 0;

  constructor(
    private readonly db: Queryable,
    private readonly key: Buffer,
  ) {}

  accountKey(email: string): ThrottleKey {
    return { kind: 'account', key: `account:${hmac(this.key, email.trim().normalize('NFC').toLowerCase())}` };
  }

  addressKey(ip: string): ThrottleKey {
    return { kind: 'address', key: `address:${hmac(this.key, addressBucket(ip))}` };
  }

  mailToKey(email: string): ThrottleKey {
    return { kind: 'mailTo', key: `mail-to:${hmac(this.key, email.trim().normalize('NFC').toLowerCase())}` };
  }

  mailFromKey(ip: string): ThrottleKey {
    return { kind: 'mailFrom', key: `mail-from:${hmac(this.key, addressBucket(ip))}` };
  }

  codeKey(userId: string): ThrottleKey {
    return { kind: 'code', key: `code:${hmac(this.key, userId)}` };
  }

  /** Seconds until every key is unlocked; 0 when none is locked. */
  async retryAfter(keys: readonly ThrottleKey[], now: Date): Promise<number> {
    const res = await this.db.query<{ locked_until: string | Date | null }>(
      `select locked_until from sign_in_throttle where key = any($1::text[]) and locked_until > $2`,
      [keys.map((k) => k.key), now.toISOString()],
    );
    const until = Math.max(0, ...res.rows.map((r) => (r.locked_until === null ? 0 : toDate(r.locked_until).getTime())));
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  }

  async recordFailure(keys: readonly ThrottleKey[], now: Date): Promise<void> {
    // Now and then, forget counters that have expired (a scanner leaves one per name tried).
    if (++this.failuresSincePurge >= PURGE_EVERY) {
      this.failuresSincePurge = 0;
      const oldest = Math.max(...Object.values(POLICIES).map((p) => p.forgetAfterSeconds));
      await this.db.query('delete from sign_in_throttle where last_failure_at < $1 and (locked_until is null or locked_until < $2)', [
        new Date(now.getTime() - oldest * 1000).toISOString(),
        now.toISOString(),
      ]);
    }
    for (const k of keys) {
      const p = POLICIES[k.kind];
      const forgotten = new Date(now.getTime() - p.forgetAfterSeconds * 1000).toISOString();
      const res = await this.db.query<{ failures: number }>(
        `insert into sign_in_throttle (key, failures, last_failure_at) values ($1, 1, $2)
         on conflict (key) do update set
           failures = case when sign_in_throttle.last_failure_at < $3 then 1 else sign_in_throttle.failures + 1 end,
           last_failure_at = $2
         returning failures`,
        [k.key, now.toISOString(), forgotten],
      );
      const failures = res.rows[0]?.failures ?? 1;
      if (failures >= p.free) {
        const seconds = Math.min(p.maxSeconds, p.baseSeconds * 2 ** Math.min(20, failures - p.free));
        await this.db.query('update sign_in_throttle set locked_until = $2 where key = $1', [k.key, new Date(now.getTime() + seconds * 1000).toISOString()]);
      }
    }
  }

  async clear(key: ThrottleKey): Promise<void> {
    await this.db.query('delete from sign_in_throttle where key = $1', [key.key]);
  }
}
