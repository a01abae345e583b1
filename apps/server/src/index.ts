export { buildApp } from './app.ts';
export { compose, systemClock, packageVersion, fhirApiFor, shutdown, type ComposeOptions } from './compose.ts';
export { loadConfig, ConfigError, CONFIG_VARIABLES, type Config } from './config.ts';
export { startServer, stopOnSignals, type RunningServer } from './main.ts';
export type { AppDeps, Clock } from './deps.ts';
export { createLogger } from './logger.ts';
export { createClient } from './features/smart-auth/index.ts';
export { importPath, seedDemo, demoLogins, demoCode, DEMO_CLIENT, DEMO_ORGS, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_STAFF, DEMO_PATIENT, DEMO_PARENT, type ImportReport } from './features/admin/index.ts';
export {
  createSource,
  listSources,
  listSourcesWithCertificates,
  addSourceCertificates,
  removeSourceCertificate,
  DataSourceError,
  DataSourceNotFoundError,
  type CertificateInput,
} from './features/sources/index.ts';
export { ingestDepsFor } from './features/ingestion/index.ts';
export { startSmtpReceiver, type ReceivedMail, type SmtpReceiver, type Mailer } from './features/mail/index.ts';
export { CSRF_HEADER, type SecurityEvent, type SecurityEvents } from './features/accounts/index.ts';
export { createStaffUser, StaffError, type CreatedStaffUser } from './features/staff/index.ts';
export { STAFF_ROLES, type StaffRole, type UserActor } from './features/access/index.ts';
export { apiRegistryOf } from './http/api-routes.ts';
export { activeProxyDecision, type LinkedPatient, type LinkedPatients } from './features/proxies/index.ts';
export { verifyAuditChain, type VerifyResult } from './features/audit/index.ts';
export { reindexMpi, mpiIndexState, type ReindexResult } from './features/mpi/index.ts';
export { webAppBuilt, BUILD_HINT, CONTENT_SECURITY_POLICY } from './features/web/index.ts';
