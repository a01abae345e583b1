import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { migrate, openDatabase, type Database } from '@kennebec/db';
import { buildIndexRows, SqlFhirStore } from '@kennebec/fhir-store';
import { loadAppKey } from './app-key.ts';
import { withSensitivityLabels } from '@kennebec/consent';
import type { Config } from './config.ts';
import type { AppDeps, Clock } from './deps.ts';
import { createLogger } from './logger.ts';
import { createAuthenticator } from './features/smart-auth/index.ts';
import { createSearchEngine, searchParamsFor } from './features/fhir-api/search-engine.ts';
import { createValidator } from './features/fhir-api/validator.ts';
import { createFhirApi, type FhirApi } from './features/fhir-api/index.ts';
import { createPatientLinker, everythingOperation, matchOperation, prepareMpiIndex } from './features/mpi/index.ts';
import { createMailer, type Mailer } from './features/mail/index.ts';
import { loggingSecurityEvents, type SecurityEvents } from './features/accounts/index.ts';
import { AccessPoint, sqlRecordIndex, type PatientLinks, type ProxyGrants } from './features/access/index.ts';
import { proxySubjects, type LinkedPatients } from './features/proxies/index.ts';
import { AuditTrail, auditEventProvider } from './features/audit/index.ts';
import { linkedPatients } from './features/enrollment/index.ts';

/**
 * The composition root: the one place that builds config-dependent values and wires them
 * together. Nothing else opens databases or reads the environment.
 */
export const systemClock: Clock = { now: () => new Date() };

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export interface ComposeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this database instead of opening the configured one (tests). */
  db?: Database;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Use this mailer instead of one built from SMTP_URL. */
  mailer?: Mailer;
  /** Where security events go instead of the log. */
  securityEvents?: SecurityEvents;
  /**
   * Relationships for the access decision: which Patients an account is, and for whom it acts.
   * Without them no portal user is linked to any record (every request is denied).
   */
  patientLinks?: PatientLinks;
  proxyGrants?: ProxyGrants;
  /** Which Patient records an account is linked to as that person (proxies ask it). */
  linkedPatients?: LinkedPatients;
}

export async function compose(config: Config, opts: ComposeOptions = {}): Promise<AppDeps> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const db = opts.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  if (opts.migrate !== false) {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  await prepareMpiIndex(db, logger);
  const appKey = loadAppKey(config);
  const mailer = opts.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  // Every stored version carries the sensitivity labels its codes call for (meta.security), so
  // that access decisions and `_security` searches see them whichever path wrote it.
  const store = new SqlFhirStore(db, { buildIndexRows, now: () => clock.now(), prepareContent: (r) => withSensitivityLabels(r) });
  const search = createSearchEngine({ db, baseUrl: `${config.baseUrl}/fhir/R4` });
  const audit = new AuditTrail({ db, now: () => clock.now(), logger, readMode: config.auditReads, flushMs: config.auditFlushMs, sweepMs: 5000 });
  // The records each account is linked to as that person, from enrollment (tests may supply their own).
  const linkedOf: LinkedPatients = opts.linkedPatients ?? ((userId: string) => linkedPatients(db, userId));
  const deps: Omit<AppDeps, 'authenticate'> = {
    config,
    db,
    store,
    clock,
    logger,
    validator: createValidator(),
    search,
    searchParamsFor,
    version: packageVersion(),
    follower: createPatientLinker(),
    operations: {
      'Patient/$match': matchOperation({ db, fhirBase: () => `${config.baseUrl}/fhir/R4` }),
      'Patient/$everything': everythingOperation({ db, fhirBase: () => `${config.baseUrl}/fhir/R4` }),
    },
    mailer,
    appKey,
    securityEvents: opts.securityEvents ?? auditedSecurityEvents(audit, loggingSecurityEvents(logger)),
    access: new AccessPoint({ records: sqlRecordIndex(db), patientLinks: patientLinksOf(opts, linkedOf), proxyGrants: opts.proxyGrants ?? { subjectsOf: (userId, now) => proxySubjects(db, userId, now) }, now: () => clock.now() }),
    linkedPatients: linkedOf,
    audit,
    providers: { AuditEvent: auditEventProvider({ db, fhirBase: `${config.baseUrl}/fhir/R4`, observer: `Kennebec ${config.baseUrl}`, settle: () => audit.flush().catch(() => undefined) }) },
  };
  return { ...deps, authenticate: createAuthenticator({ db, config, clock }) };
}

/** Which Patients an account is: the given port, else the account links the proxies feature is given. */
function patientLinksOf(opts: ComposeOptions, linked: LinkedPatients): PatientLinks {
  if (opts.patientLinks) return opts.patientLinks;
  return { patientsOf: async (userId) => (await linked(userId)).map((l) => l.patientId) };
}

/**
 * Clean shutdown of what compose() built: the audit entries still buffered are appended, then
 * the database is closed. Every process that composed its dependencies ends with this.
 */
export async function shutdown(deps: Pick<AppDeps, 'audit' | 'db' | 'logger'> & Partial<Pick<AppDeps, 'mailer'>>): Promise<void> {
  try {
    await deps.audit.close();
  } catch (err) {
    deps.logger.error({ err: { message: (err as Error).message }, pending: deps.audit.pending }, 'audit entries could not be appended at shutdown');
  }
  await deps.mailer?.close();
  await deps.db.close();
}

/**
 * Security events of accounts and sessions go to the log (without the client address) and to
 * the audit trail (with it): sign-ins that succeed and fail, sign-outs, password and MFA changes.
 */
function auditedSecurityEvents(audit: AuditTrail, log: SecurityEvents): SecurityEvents {
  return {
    async record(e) {
      await log.record(e);
      const action = e.type === 'sign-in' && e.outcome !== 'success' ? 'sign-in-failed' : e.type;
      await audit.record([
        {
          recorded: e.at.toISOString(),
          actor: e.byUserId ? `User/${e.byUserId}` : e.userId ? `User/${e.userId}` : 'anonymous',
          action,
          entities: e.userId ? [`User/${e.userId}`] : [],
          outcome: e.outcome === 'success' ? 'success' : 'denied',
          clientIp: e.clientIp ?? null,
          userAgent: e.userAgent ?? null,
          requestId: e.requestId ?? null,
        },
      ]);
    },
  };
}

/** The FHIR API over composed dependencies, for callers outside HTTP (the CLI's import). */
export function fhirApiFor(deps: AppDeps): FhirApi {
  return createFhirApi({ ...deps, baseUrl: deps.config.baseUrl, publishedAt: deps.clock.now().toISOString() });
}
