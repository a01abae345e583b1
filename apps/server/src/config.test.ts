import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults: PGlite under ./data on port 8080', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.baseUrl).toBe('http://localhost:8080');
    expect(c.logLevel).toBe('info');
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BASE_URL: 'ftp://x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'BASE_URL']) expect(problems).toContain(name);
    }
  });

  it('strips a trailing slash from BASE_URL', () => {
    expect(loadConfig({ BASE_URL: 'https://hie.example.org/' }).baseUrl).toBe('https://hie.example.org');
  });

  it('documents every variable in the README', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const name of CONFIG_VARIABLES) expect(readme, name).toContain(`| \`${name}\` |`);
  });

  it('has development defaults for accounts: 15-minute idle and 12-hour sessions, 15-character passwords, no OIDC', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('development');
    expect(c.sessionIdleTimeout).toBe(900);
    expect(c.sessionAbsoluteTimeout).toBe(43_200);
    expect(c.passwordMinLength).toBe(15);
    expect(c.smtpUrl).toBeUndefined();
    expect(c.secretKey).toBeUndefined();
    expect(c.oidc).toBeUndefined();
    expect(c.trustProxy).toBe(false);
  });

  it('in production requires a mail server and a secret key, and an https OIDC issuer', () => {
    try {
      loadConfig({ NODE_ENV: 'production', OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['SMTP_URL', 'KENNEBEC_SECRET_KEY', 'OIDC_ISSUER']) expect(problems).toContain(name);
    }
    const ok = loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://u:p@mail.example:465', KENNEBEC_SECRET_KEY: 'ab'.repeat(32) });
    expect(ok.mode).toBe('production');
    expect(ok.secretKey).toHaveLength(32);
  });

  it('checks the accounts settings', () => {
    const bad = { SMTP_URL: 'http://mail', KENNEBEC_SECRET_KEY: 'short', SESSION_IDLE_TIMEOUT: '5', PASSWORD_MIN_LENGTH: '6', OIDC_CLIENT_ID: 'only-this', TRUST_PROXY: 'maybe', NODE_ENV: 'staging' };
    try {
      loadConfig(bad);
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of Object.keys(bad)) expect(problems).toContain(name === 'OIDC_CLIENT_ID' ? 'OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET' : name);
    }
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT: '7200', SESSION_ABSOLUTE_TIMEOUT: '3600' })).toThrow(/must not be shorter/);
    expect(loadConfig({ KENNEBEC_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') }).secretKey).toEqual(Buffer.alloc(32, 1));
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
  });
});
