import { open, readFile, rm } from 'node:fs/promises';

/**
 * PGlite's data directory may be opened by one process at a time. The lock file holds the pid
 * of the owner; a lock whose process is gone is taken over.
 */
export class DataDirLockedError extends Error {
  constructor(readonly pid: number) {
    super(`The embedded database is in use by process ${pid} (is the server running?). Stop it first, or use DATABASE_URL with PostgreSQL.`);
    this.name = 'DataDirLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && alive(pid)) throw new DataDirLockedError(pid);
      await rm(path, { force: true });
    }
  }
  throw new Error(`Could not lock ${path}`);
}
