import { randomInt } from 'node:crypto';

/**
 * The short code printed in the invitation email, typed by the person when accepting: 8
 * characters from an alphabet without look-alikes (no I, O, 0, 1), 40 random bits, shown as
 * XXXX-XXXX. Typed codes are compared without regard to case, spaces or dashes.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 8;

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The code as typed, in the form that was hashed. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}
