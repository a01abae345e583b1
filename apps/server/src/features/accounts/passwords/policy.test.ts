import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildCommonPasswordList } from './common-passwords-build.ts';
import { checkPassword, MAX_PASSWORD_LENGTH, normalizePassword } from './policy.ts';

const ok = (p: string, min = 15, ctx = {}) => expect(checkPassword(p, min, ctx), p).toEqual([]);
const refused = (p: string, pattern: RegExp, min = 15, ctx = {}) => {
  const reasons = checkPassword(p, min, ctx);
  expect(reasons.join(' | '), p).toMatch(pattern);
};

describe('password policy (NIST SP 800-63B-4)', () => {
  it('accepts long passphrases of any characters, with no composition rules', () => {
    ok('correct horse battery staple');
    ok('all lower case words here');
    ok('Ünïcödé päßwörd wörks tøø');
    ok('日本語のパスワードも使えますよね');
    ok('tr0ub4dor&3 is not enough', 15);
    ok('emoji 🐴🔋📎 are characters too');
  });

  it('counts code points, not UTF-16 units, and normalizes to NFKC first', () => {
    // 8 astral characters are 16 UTF-16 units but 8 characters.
    refused('🐴🔋📎🐴🔋📎🐴🔋', /at least 15/);
    // Full-width letters normalize to ASCII: the same password typed on another keyboard.
    expect(normalizePassword('ｐａｓｓ')).toBe('pass');
    refused('ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ', /repeat/);
  });

  it('enforces the configured minimum (15 by default, 8 allowed) and the maximum', () => {
    refused('short but fine', /at least 15/);
    ok('gulls over Kenn8', 8);
    refused('x'.repeat(MAX_PASSWORD_LENGTH + 1), /at most/);
  });

  it('refuses passwords from the breached-password list, in any case, and with digits or symbols tacked on', () => {
    refused('password1234567', /too common/);
    refused('Baseball', /too common/, 8);
    refused('FOOTBALL2024!!!', /too common/, 8);
    refused('iloveyou12345678', /too common/, 8);
  });

  it('refuses the email address, its name part, the display name and the service name', () => {
    refused('ann.smith@example.org', /email address, your name/, 8, { email: 'ann.smith@example.org' });
    refused('ann.smith likes tea', /email address, your name/, 8, { email: 'Ann.Smith@example.org' });
    refused('Ann Smith Is Here', /email address, your name/, 8, { name: 'ann smith' });
    refused('my kennebec password', /name of this service/, 8);
  });

  it('refuses repetition, sequences, keyboard runs and too few different characters', () => {
    refused('aaaaaaaaaaaaaaaa', /repeat/);
    refused('abcabcabcabcabcabc', /repeat/);
    refused('abcdefghijklmnop', /sequences/);
    refused('987654321098765', /sequences/, 8);
    refused('zxcvbnm,./zxcvbnm', /sequences/, 8);
    refused("lkjhgfdsa';lkjhgf", /sequences/, 8);
    refused('1qaz2wsx3edc4rfv', /sequences|common/, 8);
    refused('aabbaabbabababba', /different characters/);
  });

  it('refuses control characters', () => {
    refused('line one\nline two here', /control/);
  });
});

describe('common password list', () => {
  it('is up to date with scripts/build-common-passwords.ts', () => {
    const require = createRequire(import.meta.url);
    const source = JSON.parse(readFileSync(require.resolve('@zxcvbn-ts/language-common/src/passwords.json'), 'utf8')) as string[];
    const committed = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
    expect(committed === buildCommonPasswordList(source), 'common-passwords.txt is stale: run apps/server/scripts/build-common-passwords.ts').toBe(true);
  });
});
