import type { Rng } from './rng.ts';

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(x: number): string {
  return (
    (HEX[x >>> 24] as string) +
    (HEX[(x >>> 16) & 0xff] as string) +
    (HEX[(x >>> 8) & 0xff] as string) +
    (HEX[x & 0xff] as string)
  );
}

function hex4(x: number): string {
  return (HEX[(x >>> 8) & 0xff] as string) + (HEX[x & 0xff] as string);
}

/**
 * A version-4-shaped UUID drawn from a seeded stream, so ids are stable across runs yet look
 * like what a server would assign. 122 random bits make collisions negligible at any scale.
 */
export function uuidFrom(rng: Rng): string {
  const a = rng.u32();
  const b = rng.u32();
  const c = rng.u32();
  const d = rng.u32();
  return (
    hex8(a) +
    '-' +
    hex4(b >>> 16) +
    '-' +
    hex4(((b & 0x0fff) | 0x4000) >>> 0) +
    '-' +
    hex4(((c >>> 16) & 0x3fff) | 0x8000) +
    '-' +
    hex4(c & 0xffff) +
    hex8(d)
  );
}
