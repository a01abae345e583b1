import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, DataDirLockedError } from './lock.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PGlite data directory lock', () => {
  it('refuses a directory held by another live process', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kennebec-lock-'));
    const path = join(dir, 'pglite.lock');
    await writeFile(path, String(process.ppid));
    await expect(acquireLock(path)).rejects.toBeInstanceOf(DataDirLockedError);
  });

  it('takes over a stale lock and releases it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kennebec-lock-'));
    const path = join(dir, 'pglite.lock');
    await writeFile(path, '999999999');
    const release = await acquireLock(path);
    expect(await readFile(path, 'utf8')).toBe(String(process.pid));
    await release();
    await expect(readFile(path, 'utf8')).rejects.toThrow();
  });
});
