import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * Configuration, read from the environment in this one file, validated at boot. Every problem
 * is listed at once so that an operator fixes them in one go.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** `production` demands real mail and an explicit secret key and hides development aids (the mailbox). */
export type Mode = 'development' | 'production';

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

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
  mode: Mode;
  /** Whose X-Forwarded-For to believe for the client address: nobody, everybody, or these proxy addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** smtp:// or smtps:// URL of the mail server; unset starts an in-process one (development only). */
  smtpUrl: string | undefined;
  /** The From address of mail we send. */
  mailFrom: string;
  /** The server's 32-byte secret key (KENNEBEC_SECRET_KEY); unset means a key file in DATA_DIR (development only). */
  secretKey: Buffer | undefined;
  /** Sessions end after this many seconds without a request. */
  sessionIdleTimeout: number;
  /** Sessions end this many seconds after sign-in, whatever the activity. */
  sessionAbsoluteTimeout: number;
  /** Shortest password accepted, in characters (Unicode code points). */
  passwordMinLength: number;
  /** Sign-in with an external OpenID Connect provider, when configured. */
  oidc: OidcConfig | undefined;
  /** Days until a dependent adult's proxy grant must be reviewed by staff, unless they give a date. */
  proxyReviewDays: number;
  /** `buffered`: audit entries of reads are appended every auditFlushMs; `sync`: a read is answered once its entry is committed. */
  auditReads: 'sync' | 'buffered';
  /** How often buffered audit entries of reads are appended, in milliseconds. */
  auditFlushMs: number;
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
  'NODE_ENV',
  'TRUST_PROXY',
  'SMTP_URL',
  'MAIL_FROM',
  'KENNEBEC_SECRET_KEY',
  'SESSION_IDLE_TIMEOUT',
  'SESSION_ABSOLUTE_TIMEOUT',
  'PASSWORD_MIN_LENGTH',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'PROXY_REVIEW_DAYS',
  'AUDIT_READS',
  'AUDIT_FLUSH_MS',
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
  const auditFlushMs = int(env, 'AUDIT_FLUSH_MS', 200, 10, 60_000, problems);
  const auditReads = env.AUDIT_READS || 'buffered';
  if (auditReads !== 'sync' && auditReads !== 'buffered') problems.push(`AUDIT_READS must be sync or buffered (got '${auditReads}')`);
  const seedRaw = env.SEED_DEMO ?? 'true';
  if (!['true', 'false', '1', '0'].includes(seedRaw)) problems.push(`SEED_DEMO must be true or false (got '${seedRaw}')`);
  const mode = readMode(env, problems);
  const identity = readIdentity(env, mode, problems);
  const proxyReviewDays = int(env, 'PROXY_REVIEW_DAYS', 365, 1, 3660, problems);
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
    mode,
    ...identity,
    proxyReviewDays,
    auditReads: auditReads === 'sync' ? 'sync' : 'buffered',
    auditFlushMs,
  };
}

function readMode(env: NodeJS.ProcessEnv, problems: string[]): Mode {
  const raw = env.NODE_ENV || 'development';
  if (raw === 'production') return 'production';
  if (raw !== 'development' && raw !== 'test') problems.push(`NODE_ENV must be development, test or production (got '${raw}')`);
  return 'development';
}

/** The 32-byte key as 64 hex digits or base64 (RFC 4648, standard or URL alphabet). */
function readSecretKey(raw: string, problems: string[]): Buffer | undefined {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) ? Buffer.from(raw, 'base64') : undefined;
  if (key?.length === 32) return key;
  problems.push('KENNEBEC_SECRET_KEY must be 32 random bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)');
  return undefined;
}

function readIdentity(
  env: NodeJS.ProcessEnv,
  mode: Mode,
  problems: string[],
): Pick<Config, 'trustProxy' | 'smtpUrl' | 'mailFrom' | 'secretKey' | 'sessionIdleTimeout' | 'sessionAbsoluteTimeout' | 'passwordMinLength' | 'oidc'> {
  const production = mode === 'production';
  const proxyRaw = env.TRUST_PROXY || 'false';
  let trustProxy: boolean | string[] = false;
  if (proxyRaw === 'true' || proxyRaw === 'false') trustProxy = proxyRaw === 'true';
  else {
    trustProxy = proxyRaw.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const bad = trustProxy.filter((p) => !/^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(p));
    if (bad.length > 0) problems.push(`TRUST_PROXY must be true, false or proxy addresses/CIDRs separated by commas (got '${proxyRaw}')`);
  }

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\/[^/]/.test(smtpUrl)) problems.push('SMTP_URL must be an smtp:// or smtps:// URL');
  if (smtpUrl === undefined && production) problems.push('SMTP_URL is required when NODE_ENV=production (the in-process mail server is for development)');
  const mailFrom = env.MAIL_FROM || 'Kennebec <no-reply@kennebec.invalid>';
  if (!/@/.test(mailFrom)) problems.push(`MAIL_FROM must contain an email address (got '${mailFrom}')`);

  const keyRaw = env.KENNEBEC_SECRET_KEY || undefined;
  const secretKey = keyRaw === undefined ? undefined : readSecretKey(keyRaw, problems);
  if (keyRaw === undefined && production) problems.push('KENNEBEC_SECRET_KEY is required when NODE_ENV=production');

  const sessionIdleTimeout = int(env, 'SESSION_IDLE_TIMEOUT', 15 * 60, 60, 7 * 86_400, problems);
  const sessionAbsoluteTimeout = int(env, 'SESSION_ABSOLUTE_TIMEOUT', 12 * 3600, 300, 30 * 86_400, problems);
  if (sessionAbsoluteTimeout < sessionIdleTimeout) problems.push('SESSION_ABSOLUTE_TIMEOUT must not be shorter than SESSION_IDLE_TIMEOUT');
  const passwordMinLength = int(env, 'PASSWORD_MIN_LENGTH', 15, 8, 64, problems);

  const issuer = env.OIDC_ISSUER || undefined;
  const clientId = env.OIDC_CLIENT_ID || undefined;
  const clientSecret = env.OIDC_CLIENT_SECRET || undefined;
  let oidc: OidcConfig | undefined;
  if (issuer || clientId || clientSecret) {
    if (!issuer || !clientId || !clientSecret) problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together');
    else {
      try {
        const u = new URL(issuer);
        if (u.protocol !== 'https:' && (production || u.protocol !== 'http:')) problems.push(`OIDC_ISSUER must be an https URL (got '${issuer}')`);
        oidc = { issuer, clientId, clientSecret };
      } catch {
        problems.push(`OIDC_ISSUER is not a URL (got '${issuer}')`);
      }
    }
  }
  return { trustProxy, smtpUrl, mailFrom, secretKey, sessionIdleTimeout, sessionAbsoluteTimeout, passwordMinLength, oidc };
}
