export {
  createSource,
  registerOrganizationAsSource,
  listSources,
  listSourcesWithCertificates,
  findSourceByFacility,
  findSourceByCertificate,
  addSourceCertificates,
  removeSourceCertificate,
  DataSourceError,
  DataSourceNotFoundError,
  HL7_FACILITY_SYSTEM,
  type DataSource,
  type DataSourceWithCertificates,
  type NewDataSource,
  type CertificateContext,
  type WithinTransaction,
} from './sources.ts';
export { normalizeFingerprint, type CertificateInput, type SourceCertificate } from './certificates.ts';
export { sourcesPlugin, sourceRoutes, type SourcesRoutesContext, type FeedStatus, type FeedCounts, type FeedStatusPort } from './routes.ts';
