import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';

/**
 * argon2id password hashing with OWASP's baseline (m = 19 MiB, t = 2, p = 1), the parameters the
 * server uses for client secrets too. Verification of an unknown account runs against a dummy
 * hash of the same cost, so a failed sign-in takes as long whether or not the account exists.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashSecret(secret: string): Promise<string> {
  return argon2.hash(secret, OPTIONS);
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= argon2.hash(randomBytes(32).toString('base64url'), OPTIONS);
  return dummy;
}

/** Whether `secret` matches `hash`; with no hash, spends the same time and answers false. */
export async function verifySecret(hash: string | null | undefined, secret: string): Promise<boolean> {
  try {
    const ok = await argon2.verify(hash ?? (await dummyHash()), secret);
    return ok && hash !== null && hash !== undefined;
  } catch {
    return false;
  }
}

/** Computes the dummy hash ahead of the first sign-in, so that one is not slower. */
export async function prepareVerification(): Promise<void> {
  await dummyHash();
}
