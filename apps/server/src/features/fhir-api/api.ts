import type { SqlFhirStore } from '@kennebec/fhir-store';
import { buildCapabilityStatement } from './capability.ts';
import { processBundle } from './bundle.ts';
import { dispatch, type RouterDeps } from './router.ts';
import { FhirService } from './service.ts';
import type { ResourceValidator, SearchEngine } from './ports.ts';
import type { FhirRequest, FhirResponse } from './types.ts';

/** Wires the FHIR interactions together; used by the HTTP app and by the CLI's import. */
export interface FhirApiDeps {
  store: SqlFhirStore;
  search: SearchEngine;
  validator: ResourceValidator;
  baseUrl: string;
  version: string;
  publishedAt: string;
  searchParamsFor: (type: string) => { name: string; type: string; definition?: string; documentation?: string }[];
}

export interface FhirApi {
  service: FhirService;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
}

export function createFhirApi(deps: FhirApiDeps): FhirApi {
  const service = new FhirService({ store: deps.store, search: deps.search, validator: deps.validator, baseUrl: deps.baseUrl });
  let capability: ReturnType<typeof buildCapabilityStatement> | undefined;
  const routerDeps: RouterDeps = {
    service,
    search: deps.search,
    capability: () =>
      (capability ??= buildCapabilityStatement({
        baseUrl: deps.baseUrl,
        version: deps.version,
        resourceTypes: deps.validator.resourceTypes,
        searchParams: deps.searchParamsFor,
        publishedAt: deps.publishedAt,
      })),
    processBundle: (req) => processBundle({ service, search: deps.search, dispatch: route, store: deps.store }, req),
  };
  const route = (req: FhirRequest): Promise<FhirResponse> => dispatch(routerDeps, req);
  return { service, dispatch: route };
}
