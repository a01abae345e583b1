import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: session cookies and emailed links. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A random id for rows shown to users (session handles, account ids). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * SHA-256 of a token, as stored. The tokens are 256 random bits, so a fast hash is enough: a
 * stolen table cannot be turned back into working tokens, and lookups stay one index probe.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function hmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** PGlite returns Date for timestamptz, node-postgres (as configured) a string. */
export function toDate(v: string | Date): Date {
  return v instanceof Date ? v : new Date(v);
}

export function iso(v: string | Date | null): string | null {
  return v === null ? null : toDate(v).toISOString();
}
