import { readFileSync } from 'node:fs';

/**
 * Password rules after NIST SP 800-63B-4 §3.1.1.2 (https://pages.nist.gov/800-63-4/sp800-63b.html):
 * length over composition. Any printable character, Unicode included, counts; passwords are
 * normalized to NFKC before checking and hashing (so the same password typed on two keyboards
 * is the same), each code point counts as one character, and there are no rules about digits,
 * capitals or symbols. Refused: passwords shorter than the minimum (15 by default: the
 * single-factor minimum of 800-63B-4, since a patient's password may be their only factor;
 * PASSWORD_MIN_LENGTH may lower it to 8 where every account uses a second factor), longer than
 * 256, containing control characters, found in a list of common passwords from breach corpora
 * (also with trailing digits and symbols removed: "sunshine2024!" is "sunshine"), equal to or
 * containing the account's email name or display name, a single character or short unit repeated,
 * alphabetic, numeric or keyboard sequences, or fewer than 5 different characters.
 */
export const MAX_PASSWORD_LENGTH = 256;

export interface PasswordContext {
  email?: string | undefined;
  name?: string | undefined;
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8').split('\n').filter((l) => l !== ''));
  return common;
}

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

const KEYBOARD_RUNS = ['`1234567890-=', 'qwertyuiop[]\\', "asdfghjkl;'", 'zxcvbnm,./', 'qwertzuiop', 'azertyuiop', 'qsdfghjklm', 'wxcvbn', '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/', 'abcdefghijklmnopqrstuvwxyz', '0123456789'];

/** The whole password walks one of these runs (forwards or backwards, wrapping round). */
function isKeyboardOrSequence(p: string): boolean {
  const chars = [...p];
  // Code-point sequences: abcdef, 98765, αβγδ…
  const step = (chars[1]?.codePointAt(0) ?? 0) - (chars[0]?.codePointAt(0) ?? 0);
  if (Math.abs(step) === 1 && chars.every((c, i) => i === 0 || (c.codePointAt(0) ?? 0) - (chars[i - 1]?.codePointAt(0) ?? 0) === step)) return true;
  for (const run of KEYBOARD_RUNS) {
    const forward = run.repeat(Math.ceil(p.length / run.length) + 1);
    const backward = [...forward].reverse().join('');
    if (forward.includes(p) || backward.includes(p)) return true;
  }
  return false;
}

/** The reasons `password` is refused (empty when it is acceptable). Input is normalized first. */
export function checkPassword(password: string, minLength: number, context: PasswordContext = {}): string[] {
  const p = normalizePassword(password);
  const length = [...p].length;
  if (length < minLength) return [`Use at least ${minLength} characters (a few words make a good password)`];
  if (length > MAX_PASSWORD_LENGTH) return [`Use at most ${MAX_PASSWORD_LENGTH} characters`];
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(p)) return ['Passwords cannot contain control characters'];
  const reasons: string[] = [];
  const lower = p.toLowerCase();
  const stripped = lower.replace(/[\d\p{P}\p{S}\s]+$/u, '');
  const list = commonPasswords();
  if (list.has(lower) || list.has(stripped)) reasons.push('This password is too common: it appears in lists of breached passwords');
  const emailName = context.email?.split('@')[0]?.toLowerCase() ?? '';
  const name = context.name?.normalize('NFKC').toLowerCase().trim() ?? '';
  const words = [context.email?.toLowerCase() ?? '', emailName, name, name.replace(/\s+/g, ''), 'kennebec'].filter((w) => [...w].length >= 4);
  if (words.some((w) => lower.includes(w))) reasons.push('Do not use your email address, your name or the name of this service in your password');
  if (/^(.+?)\1+$/su.test(lower)) reasons.push('Do not repeat the same characters');
  else if (new Set(lower).size < 5) reasons.push('Use more different characters');
  if (isKeyboardOrSequence(lower)) reasons.push('Do not use sequences such as abcdef, 123456 or qwerty');
  return reasons;
}
