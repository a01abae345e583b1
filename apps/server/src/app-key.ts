import { hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';

/**
 * The server's secret key: 32 random bytes from KENNEBEC_SECRET_KEY, or (development only) a
 * file `secret.key` in DATA_DIR created on first start. Features never use it directly: each
 * derives its own subkey with HKDF-SHA256 (RFC 5869) under a purpose label, so a key used to
 * seal TOTP secrets is never the key that signs CSRF tokens.
 *
 * Losing the key makes sealed data (TOTP secrets) unreadable: back it up with the database.
 */
export interface AppKey {
  /** A 32-byte subkey for one purpose, e.g. 'totp-seal' or 'csrf'. */
  derive(purpose: string): Buffer;
}

export const KEY_FILE = 'secret.key';

export function appKeyFrom(key: Buffer): AppKey {
  if (key.length !== 32) throw new Error('The secret key must be 32 bytes');
  const cache = new Map<string, Buffer>();
  return {
    derive(purpose) {
      let sub = cache.get(purpose);
      if (!sub) {
        sub = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `kennebec:${purpose}`, 32));
        cache.set(purpose, sub);
      }
      return sub;
    },
  };
}

/** The configured key, else the one in DATA_DIR/secret.key (created, readable by the owner only). */
export function loadAppKey(config: Pick<Config, 'secretKey' | 'dataDir'>): AppKey {
  if (config.secretKey) return appKeyFrom(config.secretKey);
  const path = join(config.dataDir, KEY_FILE);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(config.dataDir, { recursive: true });
    raw = randomBytes(32).toString('base64');
    // 'wx' fails if another process created it meanwhile; then read theirs.
    try {
      writeFileSync(path, `${raw}\n`, { flag: 'wx', mode: 0o600 });
      chmodSync(path, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      raw = readFileSync(path, 'utf8').trim();
    }
  }
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a base64 32-byte key`);
  return appKeyFrom(key);
}
