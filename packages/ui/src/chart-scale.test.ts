import { describe, expect, it } from 'vitest';
import { chartScale, niceTicks } from './chart-scale.ts';

describe('chart scales', () => {
  it('picks round ticks that cover the values', () => {
    expect(niceTicks(5.4, 8.1, 5)).toEqual([5, 6, 7, 8, 9]);
    expect(niceTicks(0, 100, 5)).toEqual([0, 25, 50, 75, 100]);
  });

  it('widens a single value into a range', () => {
    const t = niceTicks(7, 7);
    expect(t[0]).toBeLessThan(7);
    expect(t[t.length - 1]).toBeGreaterThan(7);
  });

  it('maps a domain onto a range, and a zero-width domain to the middle', () => {
    expect(chartScale(0, 10, 100, 0)(5)).toBe(50);
    expect(chartScale(3, 3, 0, 10)(3)).toBe(5);
  });
});
