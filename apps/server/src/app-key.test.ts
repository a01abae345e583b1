import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appKeyFrom, KEY_FILE, loadAppKey } from './app-key.ts';

describe('the server key', () => {
  it('derives a different key for every purpose', () => {
    const key = appKeyFrom(Buffer.alloc(32, 7));
    expect(key.derive('csrf')).toHaveLength(32);
    expect(key.derive('csrf').equals(key.derive('totp-seal'))).toBe(false);
    expect(key.derive('csrf').equals(appKeyFrom(Buffer.alloc(32, 8)).derive('csrf'))).toBe(false);
  });

  it('without KENNEBEC_SECRET_KEY, creates a key file readable by its owner only, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kennebec-key-'));
    try {
      const first = loadAppKey({ secretKey: undefined, dataDir: join(dir, 'data') });
      const file = join(dir, 'data', KEY_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toHaveLength(32);
      const second = loadAppKey({ secretKey: undefined, dataDir: join(dir, 'data') });
      expect(second.derive('x').equals(first.derive('x'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
