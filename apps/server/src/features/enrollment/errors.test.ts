import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { enrollmentErrors } from './errors.ts';

describe('enrollment error catalogue', () => {
  it('documents every code in docs/errors.md with its status', () => {
    const doc = readFileSync(new URL('../../../../../docs/errors.md', import.meta.url), 'utf8');
    const made = [
      enrollmentErrors.invitationInvalid('expired'),
      enrollmentErrors.invitationLocked(),
      enrollmentErrors.answerWrong('code', 3),
      enrollmentErrors.patientLinked(),
      enrollmentErrors.invitationPending(),
    ];
    expect(made).toHaveLength(Object.keys(enrollmentErrors).length);
    for (const err of made) {
      const code = err.outcome.issue[0]?.details?.coding?.[0]?.code;
      expect(doc, `${code} missing from docs/errors.md`).toMatch(new RegExp(`\\| \`${code}\` \\| ${err.status} \\|`));
    }
  });

  it('says which answer was wrong and how many attempts are left', () => {
    expect(enrollmentErrors.answerWrong('birthDate', 1).outcome.issue[0]).toMatchObject({ expression: ['birthDate'], diagnostics: expect.stringContaining('1 attempt left') });
    expect(enrollmentErrors.answerWrong('ssnLast4', 0).outcome.issue[0]?.diagnostics).toContain('Social Security');
  });
});
