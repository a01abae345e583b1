import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errors } from './errors.ts';
import { statusForCode } from './outcome.ts';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const samples = Object.entries(errors).map(([name, make]) => {
    const fn = make as (...args: unknown[]) => { outcome: { issue: { details?: { coding?: { code?: string }[] } }[] }; status: number };
    const args = name === 'invalidResource' ? [[{ code: 'structure', diagnostics: 'd' }]] : ['x', 'y', 'z'];
    return { name, err: fn(...args) };
  });

  it('documents every error code in docs/errors.md with its status', () => {
    for (const { name, err } of samples) {
      const code = err.outcome.issue[0]?.details?.coding?.[0]?.code;
      expect(code, name).toBeDefined();
      expect(doc, `${name} (${code}) missing from docs/errors.md`).toMatch(new RegExp(`\\| \`${code}\` \\| ${err.status} \\|`));
    }
  });

  it('maps issue codes to HTTP statuses through one table', () => {
    expect(statusForCode('not-found')).toBe(404);
    expect(statusForCode('deleted')).toBe(410);
    expect(statusForCode('forbidden')).toBe(403);
    expect(statusForCode('login')).toBe(401);
    expect(statusForCode('invariant')).toBe(400);
  });
});
