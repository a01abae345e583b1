import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * Configuration, read from the environment in this one file, validated at boot. Every problem
 * is listed at once so that an operator fixes them in one go.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  baseUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: LogLevel;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Lifetime of access tokens issued by /oauth2/token, in seconds. */
  accessTokenTtl: number;
  /** Seeds demo data into an empty database at start. */
  seedDemo: boolean;
  /** Demo patients per organization. */
  seedPatients: number;
  /** TCP port of the plain MLLP (HL7 v2) listener; 0 picks a free one; null when turned off (`MLLP_PORT=off`). */
  mllpPort: number | null;
  /** The MLLP over TLS listener; null (off) unless MLLP_TLS_CERT, MLLP_TLS_KEY and MLLP_TLS_CA are set. */
  mllpTls: MllpTlsConfig | null;
}

export interface MllpTlsConfig {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** The server's certificate, followed by any intermediate certificates (PEM). */
  cert: string;
  /** The server's private key; a KeyObject, so that it never prints with the configuration. */
  key: KeyObject;
  /** The CA certificates that issue sources' client certificates (PEM). */
  ca: string;
  caCertificates: X509Certificate[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The variables documented in the README; keep the two in step. */
export const CONFIG_VARIABLES = [
  'PORT',
  'HOST',
  'BASE_URL',
  'DATABASE_URL',
  'DATA_DIR',
  'LOG_LEVEL',
  'BODY_LIMIT',
  'ACCESS_TOKEN_TTL',
  'SEED_DEMO',
  'SEED_PATIENTS',
  'MLLP_PORT',
  'MLLP_TLS_PORT',
  'MLLP_TLS_CERT',
  'MLLP_TLS_KEY',
  'MLLP_TLS_CA',
] as const;

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
    return fallback;
  }
  return n;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM text, in order; throws when one cannot be read. */
export function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

function readPem(env: NodeJS.ProcessEnv, name: string, problems: string[]): string | undefined {
  const path = resolve(env[name] as string);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${name}: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}

/** Certificates of a PEM file, or a problem saying why there are none usable. */
function certificatesOf(name: string, pem: string | undefined, problems: string[]): X509Certificate[] {
  if (pem === undefined) return [];
  try {
    const certs = pemCertificates(pem);
    if (certs.length === 0) problems.push(`${name}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file`);
    return certs;
  } catch {
    problems.push(`${name}: a certificate in the file cannot be read`);
    return [];
  }
}

const TLS_FILES = ['MLLP_TLS_CERT', 'MLLP_TLS_KEY', 'MLLP_TLS_CA'] as const;

/**
 * MLLP over TLS: on when its three files are named, then each is read and checked here so that
 * a wrong path, an expired certificate or a key of another certificate stops the start with a
 * clear message instead of failing every handshake later.
 */
function loadMllpTls(env: NodeJS.ProcessEnv, ports: { http: number; mllp: number | null }, problems: string[]): MllpTlsConfig | null {
  const named = TLS_FILES.filter((n) => env[n]);
  if (named.length === 0) {
    if (env.MLLP_TLS_PORT) problems.push('MLLP_TLS_PORT is set but MLLP over TLS is off: set MLLP_TLS_CERT, MLLP_TLS_KEY and MLLP_TLS_CA');
    return null;
  }
  for (const n of TLS_FILES) if (!env[n]) problems.push(`${n} is required for MLLP over TLS (${named.join(' and ')} ${named.length > 1 ? 'are' : 'is'} set)`);
  const port = int(env, 'MLLP_TLS_PORT', 2576, 0, 65535, problems);
  if (port !== 0 && (port === ports.http || port === ports.mllp)) problems.push(`MLLP_TLS_PORT ${port} is already used by ${port === ports.http ? 'PORT' : 'MLLP_PORT'}`);
  const [certPem, keyPem, caPem] = TLS_FILES.map((n) => (env[n] ? readPem(env, n, problems) : undefined));
  const serverCert = certificatesOf('MLLP_TLS_CERT', certPem, problems)[0];
  if (serverCert && new Date(serverCert.validTo).getTime() < Date.now()) problems.push(`MLLP_TLS_CERT: the certificate expired on ${new Date(serverCert.validTo).toISOString()}`);
  let key: KeyObject | undefined;
  if (keyPem !== undefined) {
    try {
      key = createPrivateKey(keyPem);
    } catch {
      problems.push('MLLP_TLS_KEY: not an unencrypted PEM private key');
    }
  }
  if (key && serverCert && !serverCert.checkPrivateKey(key)) problems.push('MLLP_TLS_KEY is not the private key of the certificate in MLLP_TLS_CERT');
  const caCertificates = certificatesOf('MLLP_TLS_CA', caPem, problems);
  if (!certPem || !key || !caPem || !serverCert || caCertificates.length === 0) return null;
  return { port, cert: certPem, key, ca: caPem, caCertificates };
}

function mllpPortOf(env: NodeJS.ProcessEnv, problems: string[]): number | null {
  if (env.MLLP_PORT === 'off') return null;
  const own: string[] = [];
  const port = int(env, 'MLLP_PORT', 2575, 0, 65535, own);
  if (own.length > 0) problems.push(`MLLP_PORT must be a port number from 0 to 65535, or off (got '${env.MLLP_PORT}')`);
  return port;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const port = int(env, 'PORT', 8080, 0, 65535, problems);
  const host = env.HOST || '0.0.0.0';
  const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  let baseUrl = env.BASE_URL || `http://${publicHost}:${port}`;
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`BASE_URL must be http(s) (got '${baseUrl}')`);
    baseUrl = baseUrl.replace(/\/+$/, '');
  } catch {
    problems.push(`BASE_URL is not a URL (got '${baseUrl}')`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LEVELS.join(', ')} (got '${env.LOG_LEVEL}')`);
  const bodyLimit = int(env, 'BODY_LIMIT', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems);
  const accessTokenTtl = int(env, 'ACCESS_TOKEN_TTL', 3600, 60, 86_400, problems);
  const seedPatients = int(env, 'SEED_PATIENTS', 40, 0, 1_000_000, problems);
  const mllpPort = mllpPortOf(env, problems);
  const mllpTls = loadMllpTls(env, { http: port, mllp: mllpPort }, problems);
  const seedRaw = env.SEED_DEMO ?? 'true';
  if (!['true', 'false', '1', '0'].includes(seedRaw)) problems.push(`SEED_DEMO must be true or false (got '${seedRaw}')`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    baseUrl,
    databaseUrl,
    dataDir: resolve(env.DATA_DIR || './data'),
    logLevel,
    bodyLimit,
    accessTokenTtl,
    seedDemo: seedRaw === 'true' || seedRaw === '1',
    seedPatients,
    mllpPort,
    mllpTls,
  };
}
