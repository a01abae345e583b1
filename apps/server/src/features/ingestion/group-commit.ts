/**
 * Group commit: work items that become ready while others are being applied are applied
 * together, in one database transaction, so that they share its round trips and its commit.
 *
 * Nothing waits for company: an item submitted while fewer than `maxConcurrent` groups are
 * running starts a group at once, alone. Items submitted while that many groups run queue up,
 * and the next group to start takes all of them (up to `maxBatch`). Under light load every
 * item is applied alone, as soon as it arrives; under load the groups grow by themselves.
 *
 * `apply` settles every item of a group on its own, so that one item's failure never fails the
 * others (the caller retries a failed group item by item).
 */
export interface GroupCommitOptions {
  /** Most items in one group. */
  maxBatch: number;
  /** Most groups applied at the same time. */
  maxConcurrent: number;
}

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export function groupCommit<T, R>(apply: (items: T[]) => Promise<Settled<R>[]>, opts: GroupCommitOptions): (item: T) => Promise<R> {
  const queue: Waiting<T, R>[] = [];
  let running = 0;

  const drain = async (): Promise<void> => {
    running++;
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, opts.maxBatch);
        let settled: Settled<R>[];
        try {
          settled = await apply(group.map((w) => w.item));
        } catch (error) {
          settled = group.map(() => ({ ok: false, error }));
        }
        group.forEach((w, i) => {
          const s = settled[i] ?? { ok: false, error: new Error('group commit: no outcome for an item') };
          if (s.ok) w.resolve(s.value);
          else w.reject(s.error);
        });
      }
    } finally {
      running--;
    }
  };

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (running < opts.maxConcurrent) void drain();
    });
}
