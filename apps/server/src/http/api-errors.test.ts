import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiErrors } from './api-errors.ts';

describe('JSON API error catalogue', () => {
  it('documents every code in docs/errors.md with its status', () => {
    const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
    for (const [name, make] of Object.entries(apiErrors)) {
      const err = (make as (...args: unknown[]) => { outcome: { issue: { details?: { coding?: { code?: string }[] } }[] }; status: number })(name === 'passwordRejected' ? ['x'] : name === 'throttled' ? 30 : 'verify');
      const code = err.outcome.issue[0]?.details?.coding?.[0]?.code;
      expect(doc, `${name} (${code}) missing from docs/errors.md`).toMatch(new RegExp(`\\| \`${code}\` \\| ${err.status} \\|`));
    }
  });
});
