import { describe, expect, it } from 'vitest';
import { groupCommit, type Settled } from './group-commit.ts';

/** A hand-released stand-in for a transaction: resolves when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('groupCommit', () => {
  it('applies an item alone and at once when nothing else is running', async () => {
    const groups: number[][] = [];
    const submit = groupCommit(async (items: number[]) => {
      groups.push(items);
      return items.map((i): Settled<number> => ({ ok: true, value: i * 10 }));
    }, { maxBatch: 8, maxConcurrent: 1 });
    expect(await submit(1)).toBe(10);
    expect(await submit(2)).toBe(20);
    expect(groups).toEqual([[1], [2]]);
  });

  it('groups the items that arrive while the running groups are busy, up to maxBatch', async () => {
    const groups: number[][] = [];
    const gates = [gate(), gate(), gate(), gate()];
    let n = 0;
    const submit = groupCommit(async (items: number[]) => {
      groups.push(items);
      await (gates[n++] as ReturnType<typeof gate>).promise;
      return items.map((i): Settled<number> => ({ ok: true, value: i }));
    }, { maxBatch: 3, maxConcurrent: 2 });
    const results = [1, 2, 3, 4, 5, 6, 7].map((i) => submit(i));
    // 1 and 2 start at once (two groups may run); 3–7 wait for one of them.
    expect(groups).toEqual([[1], [2]]);
    gates[0]?.open();
    await results[0];
    await new Promise((r) => setImmediate(r));
    expect(groups).toEqual([[1], [2], [3, 4, 5]]);
    gates[1]?.open();
    await results[1];
    await new Promise((r) => setImmediate(r));
    expect(groups).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
    gates[2]?.open();
    gates[3]?.open();
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('settles each item on its own: one failure rejects only its own submitter', async () => {
    const submit = groupCommit(async (items: string[]) => items.map((i): Settled<string> => (i === 'bad' ? { ok: false, error: new Error('bad item') } : { ok: true, value: i })), {
      maxBatch: 8,
      maxConcurrent: 1,
    });
    const [good, bad, other] = await Promise.allSettled([submit('good'), submit('bad'), submit('other')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'good' });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'bad item' } });
    expect(other).toEqual({ status: 'fulfilled', value: 'other' });
  });

  it('rejects every item of a group whose apply throws, and keeps serving', async () => {
    let fail = true;
    const submit = groupCommit(async (items: number[]) => {
      if (fail) throw new Error('database down');
      return items.map((i): Settled<number> => ({ ok: true, value: i }));
    }, { maxBatch: 8, maxConcurrent: 1 });
    await expect(submit(1)).rejects.toThrow('database down');
    fail = false;
    expect(await submit(2)).toBe(2);
  });
});
