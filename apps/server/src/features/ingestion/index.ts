export { ingestHl7v2, type IngestDeps, type IngestResult, type IngestOptions, type Channel } from './ingest-hl7v2.ts';
export { ingestDepsFor } from './deps.ts';
export { startMllpServer, type MllpServerOptions, type RunningMllpServer } from './mllp-server.ts';
export type { MllpTlsOptions } from './mllp-tls.ts';
export { ingestPlugin, ingestRoutes, type IngestRoutesContext } from './routes.ts';
export { ingestCcda, type CcdaIngestResult } from './ingest-ccda.ts';
export { listMessages, reprocessMessage, feedStatus, type InboundMessageSummary, type MessageQuery, type MessageStatusFilter } from './messages.ts';
