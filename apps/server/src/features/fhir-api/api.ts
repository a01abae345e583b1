import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { AccessPoint } from '../access/index.ts';
import { buildCapabilityStatement } from './capability.ts';
import { processBundle } from './bundle.ts';
import { dispatch, type RouterDeps } from './router.ts';
import { FhirService } from './service.ts';
import type { ResourceValidator, SearchEngine, WriteFollower } from './ports.ts';
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
  follower?: WriteFollower | undefined;
  access: AccessPoint;
  /** FHIR operations by `Type/$name`. */
  operations?: Record<string, (req: FhirRequest) => Promise<FhirResponse>> | undefined;
}

export interface FhirApi {
  service: FhirService;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
}

export function createFhirApi(deps: FhirApiDeps): FhirApi {
  const service = new FhirService({ store: deps.store, search: deps.search, validator: deps.validator, baseUrl: deps.baseUrl, follower: deps.follower, access: deps.access });
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
        operations: Object.keys(deps.operations ?? {}).map((key) => {
          const [type = '', name = ''] = key.split('/$');
          return { type, name, definition: `http://hl7.org/fhir/OperationDefinition/${type}-${name}` };
        }),
      })),
    operations: deps.operations ?? {},
    processBundle: (req) => processBundle({ service, search: deps.search, dispatch: route, store: deps.store }, req),
  };
  const route = (req: FhirRequest): Promise<FhirResponse> => dispatch(routerDeps, req);
  return { service, dispatch: route };
}
