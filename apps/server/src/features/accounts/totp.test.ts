import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, otpauthUri, totpAt } from './totp.ts';

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890", 8 digits, T0 = 0, X = 30.
  const seed = Buffer.from('12345678901234567890');
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  it('matches the RFC 6238 test vectors', () => {
    for (const [time, code] of vectors) expect(hotp(seed, Math.floor(time / 30), 8)).toBe(code);
  });

  it('matches the RFC 4226 HOTP test vectors', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => expect(hotp(seed, counter)).toBe(code));
  });

  it('accepts the current step and one step either side, nothing further', () => {
    const at = new Date('2030-01-01T00:00:15Z');
    const step = Math.floor(at.getTime() / 30_000);
    expect(matchTotp(seed, totpAt(seed, at), at)).toBe(step);
    expect(matchTotp(seed, totpAt(seed, new Date(at.getTime() - 30_000)), at)).toBe(step - 1);
    expect(matchTotp(seed, totpAt(seed, new Date(at.getTime() + 30_000)), at)).toBe(step + 1);
    expect(matchTotp(seed, totpAt(seed, new Date(at.getTime() - 60_000)), at)).toBeNull();
    expect(matchTotp(seed, totpAt(seed, new Date(at.getTime() + 60_000)), at)).toBeNull();
    expect(matchTotp(seed, 'abcdef', at)).toBeNull();
  });

  it('round-trips base32 (RFC 4648) and builds an otpauth URI', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('mzxw 6ytb oi').toString()).toBe('foobar');
    expect(otpauthUri(seed, 'ann@example.org')).toBe(`otpauth://totp/Kennebec:ann%40example.org?secret=${base32Encode(seed)}&issuer=Kennebec&algorithm=SHA1&digits=6&period=30`);
  });
});
