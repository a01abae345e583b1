import { readdir, readFile } from 'node:fs/promises';

/**
 * Linux /proc readings: resident memory and CPU time of a process, and the CPU time of all
 * PostgreSQL processes (to show how the two cores were shared between server, database and
 * load client). Every reader returns undefined where /proc is not available.
 */

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every mainstream Linux. */
const CLOCK_TICKS = 100;

export async function rssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m?.[1] ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** utime+stime of a process, in seconds. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** CPU seconds of every process named `postgres` on this machine (local server only), by pid. */
export async function postgresCpu(): Promise<Map<number, number> | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
      if (comm !== 'postgres') continue;
      const s = await cpuSeconds(Number(pid));
      if (s !== undefined) out.set(Number(pid), s);
    } catch {
      // the process ended while we looked
    }
  }
  return out.size > 0 ? out : undefined;
}

/**
 * CPU the PostgreSQL processes used between two readings. A backend that started in between
 * counts from zero; one that exited in between is missed (so this is a lower bound).
 */
export function postgresCpuDelta(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, s] of after) total += Math.max(0, s - (before.get(pid) ?? 0));
  return total;
}

/** Busy CPU seconds of the whole machine so far (all cores; idle and iowait excluded), from /proc/stat. */
export async function machineBusySeconds(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    if (f.length < 5 || f.some((n) => !Number.isFinite(n))) return undefined;
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return (total - idle) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped. */
export class RssSampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    const tick = (): void => {
      void rssBytes(this.pid).then((b) => {
        if (b !== undefined) this.samples.push(b);
      });
    };
    tick();
    this.timer = setInterval(tick, this.everyMs);
  }

  stop(): { maxBytes: number | undefined; meanBytes: number | undefined; samples: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.samples.length === 0) return { maxBytes: undefined, meanBytes: undefined, samples: 0 };
    const max = this.samples.reduce((a, b) => Math.max(a, b), 0);
    const mean = this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
    return { maxBytes: max, meanBytes: Math.round(mean), samples: this.samples.length };
  }
}
