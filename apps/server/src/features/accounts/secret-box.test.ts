import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from './secret-box.ts';

describe('sealed secrets', () => {
  it('opens only with the same key and for the same account', () => {
    const key = randomBytes(32);
    const sealed = seal(key, Buffer.from('seed'), 'user-1');
    expect(sealed).not.toContain('seed');
    expect(open(key, sealed, 'user-1').toString()).toBe('seed');
    expect(() => open(key, sealed, 'user-2')).toThrow();
    expect(() => open(randomBytes(32), sealed, 'user-1')).toThrow();
  });
});
