import { resolve } from 'node:path';

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
  /** TCP port of the MLLP (HL7 v2) listener; 0 picks a free one. */
  mllpPort: number;
  /** `buffered`: audit entries of reads are appended every auditFlushMs; `sync`: a read is answered once its entry is committed. */
  auditReads: 'sync' | 'buffered';
  /** How often buffered audit entries of reads are appended, in milliseconds. */
  auditFlushMs: number;
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
  const mllpPort = int(env, 'MLLP_PORT', 2575, 0, 65535, problems);
  const auditFlushMs = int(env, 'AUDIT_FLUSH_MS', 200, 10, 60_000, problems);
  const auditReads = env.AUDIT_READS || 'buffered';
  if (auditReads !== 'sync' && auditReads !== 'buffered') problems.push(`AUDIT_READS must be sync or buffered (got '${auditReads}')`);
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
    auditReads: auditReads === 'sync' ? 'sync' : 'buffered',
    auditFlushMs,
  };
}
