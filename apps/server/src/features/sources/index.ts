export { createSource, registerOrganizationAsSource, listSources, findSourceByFacility, DataSourceError, HL7_FACILITY_SYSTEM, type DataSource, type NewDataSource } from './sources.ts';
export { sourcesPlugin } from './routes.ts';
