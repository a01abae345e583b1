import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, writePemFiles, type TestCa } from '@kennebec/test-support';
import { ConfigError, loadConfig } from './config.ts';

/** MLLP over TLS settings: off unless configured, and every problem with them listed at boot. */
let ca: TestCa;
let files: Awaited<ReturnType<typeof writePemFiles<'cert' | 'key' | 'ca' | 'otherKey' | 'expired' | 'expiredKey' | 'garbage' | 'chain'>>>;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

beforeAll(async () => {
  ca = await createTestCa();
  const [server, other, expired] = await Promise.all([
    ca.issueServer(),
    ca.issueServer(),
    ca.issue({ commonName: 'old server', usage: 'serverAuth', notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) }),
  ]);
  files = await writePemFiles({
    cert: server.cert + ca.cert,
    key: server.key,
    ca: ca.cert,
    otherKey: other.key,
    expired: expired.cert,
    expiredKey: expired.key,
    garbage: 'not a certificate\n',
    chain: server.cert,
  });
});
afterAll(async () => {
  await rm(files.dir, { recursive: true, force: true });
});

describe('MLLP over TLS configuration', () => {
  it('is off by default, with the plain listener on 2575', () => {
    const c = loadConfig({});
    expect(c.mllpTls).toBeNull();
    expect(c.mllpPort).toBe(2575);
  });

  it('turns the plain listener off with MLLP_PORT=off, and says what else MLLP_PORT accepts', () => {
    expect(loadConfig({ MLLP_PORT: 'off' }).mllpPort).toBeNull();
    expect(problemsOf({ MLLP_PORT: 'none' })).toEqual(["MLLP_PORT must be a port number from 0 to 65535, or off (got 'none')"]);
  });

  it('loads the certificate, key and CA, on port 2576 by default', () => {
    const c = loadConfig({ MLLP_TLS_CERT: files.cert, MLLP_TLS_KEY: files.key, MLLP_TLS_CA: files.ca });
    expect(c.mllpTls?.port).toBe(2576);
    expect(c.mllpTls?.cert).toContain('BEGIN CERTIFICATE');
    expect(c.mllpTls?.caCertificates.map((x) => x.fingerprint256)).toEqual([ca.fingerprint]);
    // The private key never prints with the configuration.
    expect(JSON.stringify(c)).not.toContain('PRIVATE KEY');
    expect(loadConfig({ MLLP_TLS_CERT: files.cert, MLLP_TLS_KEY: files.key, MLLP_TLS_CA: files.ca, MLLP_TLS_PORT: '6661' }).mllpTls?.port).toBe(6661);
    // Several CAs in one file are all trusted.
    expect(loadConfig({ MLLP_TLS_CERT: files.cert, MLLP_TLS_KEY: files.key, MLLP_TLS_CA: files.cert }).mllpTls?.caCertificates).toHaveLength(2);
  });

  it('lists every missing or unreadable file at once, with the other problems', () => {
    const problems = problemsOf({ PORT: 'x', MLLP_TLS_CERT: join(files.dir, 'missing.pem') });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('PORT');
    expect(problems).toContain('MLLP_TLS_KEY is required for MLLP over TLS (MLLP_TLS_CERT is set)');
    expect(problems).toContain('MLLP_TLS_CA is required for MLLP over TLS (MLLP_TLS_CERT is set)');
    expect(problems.find((p) => p.startsWith('MLLP_TLS_CERT'))).toMatch(/cannot read '.*missing\.pem' \(ENOENT\)/);
  });

  it('refuses files that hold no certificate or no key, a key of another certificate, and an expired certificate', () => {
    expect(problemsOf({ MLLP_TLS_CERT: files.garbage, MLLP_TLS_KEY: files.ca, MLLP_TLS_CA: files.garbage })).toEqual([
      'MLLP_TLS_CERT: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file',
      'MLLP_TLS_KEY: not an unencrypted PEM private key',
      'MLLP_TLS_CA: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file',
    ]);
    expect(problemsOf({ MLLP_TLS_CERT: files.chain, MLLP_TLS_KEY: files.otherKey, MLLP_TLS_CA: files.ca })).toEqual([
      'MLLP_TLS_KEY is not the private key of the certificate in MLLP_TLS_CERT',
    ]);
    const expired = problemsOf({ MLLP_TLS_CERT: files.expired, MLLP_TLS_KEY: files.expiredKey, MLLP_TLS_CA: files.ca });
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatch(/^MLLP_TLS_CERT: the certificate expired on /);
  });

  it('refuses a TLS port already taken by PORT or MLLP_PORT, and MLLP_TLS_PORT without TLS', () => {
    const tls = { MLLP_TLS_CERT: files.cert, MLLP_TLS_KEY: files.key, MLLP_TLS_CA: files.ca };
    expect(problemsOf({ ...tls, MLLP_TLS_PORT: '2575' })).toEqual(['MLLP_TLS_PORT 2575 is already used by MLLP_PORT']);
    expect(problemsOf({ ...tls, MLLP_TLS_PORT: '8080' })).toEqual(['MLLP_TLS_PORT 8080 is already used by PORT']);
    expect(problemsOf({ ...tls, MLLP_PORT: 'off', MLLP_TLS_PORT: '2575' })).toEqual([]);
    expect(problemsOf({ MLLP_TLS_PORT: '2576' })).toEqual(['MLLP_TLS_PORT is set but MLLP over TLS is off: set MLLP_TLS_CERT, MLLP_TLS_KEY and MLLP_TLS_CA']);
  });
});
