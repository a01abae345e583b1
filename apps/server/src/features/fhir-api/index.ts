export { FhirService, writeContext, type FhirServiceDeps } from './service.ts';
export { dispatch, type RouterDeps } from './router.ts';
export { processBundle } from './bundle.ts';
export { buildCapabilityStatement, type CapabilityInputs } from './capability.ts';
export { fhirHttpPlugin, type FhirHttpOptions } from './http.ts';
export type { FhirRequest, FhirResponse, RequestContext } from './types.ts';
export type { AuditSink, ResourceProvider, SearchEngine, SearchOutcome, SearchOptions, ResourceValidator, WriteFollower } from './ports.ts';
export { createFhirApi, type FhirApi, type FhirApiDeps } from './api.ts';
export { bulkWriteEntries, requestFields, type AuditedWrite } from './audit-entries.ts';
