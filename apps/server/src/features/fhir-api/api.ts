import type { SqlFhirStore } from '@kennebec/fhir-store';
import { buildCapabilityStatement } from './capability.ts';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { processBundle, transactionOrBatch } from './bundle.ts';
import { processTransactions, type BundleDeps } from './transaction.ts';
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
  /** FHIR operations by `Type/$name`. */
  operations?: Record<string, (req: FhirRequest) => Promise<FhirResponse>> | undefined;
}

export interface FhirApi {
  service: FhirService;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  /**
   * Several transaction Bundles applied in one database transaction (group commit): all commit
   * or none does, with `sameTransaction` run first inside it. One response per request.
   */
  transactions: (requests: FhirRequest[], sameTransaction?: (tx: Queryable) => Promise<void>) => Promise<FhirResponse[]>;
}

export function createFhirApi(deps: FhirApiDeps): FhirApi {
  const service = new FhirService({ store: deps.store, search: deps.search, validator: deps.validator, baseUrl: deps.baseUrl, follower: deps.follower });
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
    processBundle: (req) => processBundle(bundleDeps, req),
  };
  const route = (req: FhirRequest): Promise<FhirResponse> => dispatch(routerDeps, req);
  const bundleDeps: BundleDeps = { service, search: deps.search, dispatch: route, store: deps.store };
  const transactions = (requests: FhirRequest[], sameTransaction?: (tx: Queryable) => Promise<void>): Promise<FhirResponse[]> => {
    const bundles = requests.map((req) => {
      const bundle = transactionOrBatch(req.body);
      if (bundle.type !== 'transaction') throw errors.badRequest('Only transaction Bundles can be applied together', ['Bundle.type']);
      return { actor: req.actor, entries: bundle.entry ?? [], prefer: req.headers.prefer };
    });
    return processTransactions(bundleDeps, bundles, sameTransaction);
  };
  return { service, dispatch: route, transactions };
}
