import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { AccessPoint } from '../access/index.ts';
import { buildCapabilityStatement } from './capability.ts';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { processBundle, transactionOrBatch } from './bundle.ts';
import { processTransactions, type BundleDeps } from './transaction.ts';
import { dispatch, type RouterDeps } from './router.ts';
import { FhirService } from './service.ts';
import type { AuditSink, ResourceProvider, ResourceValidator, SearchEngine, WriteFollower } from './ports.ts';
import type { FhirRequest, FhirResponse } from './types.ts';
import { auditedDispatch, auditRefused } from './audited-dispatch.ts';
import type { Actor } from '../access/index.ts';

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
  /** The audit trail; without it nothing is recorded (tools that need no trail). */
  audit?: AuditSink | undefined;
  /** Read-only types served from elsewhere, by type (AuditEvent). */
  providers?: Record<string, ResourceProvider> | undefined;
}

export interface FhirApi {
  service: FhirService;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  /** Records a request refused before it had an actor (401). */
  refused: (req: Omit<FhirRequest, 'actor'> & { actor?: Actor | undefined }, err: unknown) => Promise<void>;
  /**
   * Several transaction Bundles applied in one database transaction (group commit): all commit
   * or none does, with `sameTransaction` run first inside it. One response per request. Each
   * entry is audited in that transaction; a failure is not recorded here, as the caller applies
   * the Bundles again one by one through `dispatch`.
   */
  transactions: (requests: FhirRequest[], sameTransaction?: (tx: Queryable) => Promise<void>) => Promise<FhirResponse[]>;
}

export function createFhirApi(deps: FhirApiDeps): FhirApi {
  const providers = deps.providers ?? {};
  const service = new FhirService({
    store: deps.store,
    search: deps.search,
    validator: deps.validator,
    baseUrl: deps.baseUrl,
    follower: deps.follower,
    audit: deps.audit,
    access: deps.access,
    readOnlyTypes: new Set(Object.keys(providers)),
    managedTypes: new Map([['Person', 'change links through the master patient index (/admin/mpi)']]),
  });
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
        readOnly: Object.fromEntries(Object.entries(providers).map(([type, p]) => [type, { searchParams: p.searchParams }])),
        operations: Object.keys(deps.operations ?? {}).map((key) => {
          const [type = '', name = ''] = key.split('/$');
          return { type, name, definition: `http://hl7.org/fhir/OperationDefinition/${type}-${name}` };
        }),
      })),
    operations: deps.operations ?? {},
    providers,
    processBundle: (req) => processBundle(bundleDeps, req),
  };
  const plain = (req: FhirRequest): Promise<FhirResponse> => dispatch(routerDeps, req);
  const audit = deps.audit;
  const route = audit ? auditedDispatch(plain, audit, service.fhirBase) : plain;
  const bundleDeps: BundleDeps = { service, search: deps.search, dispatch: route, store: deps.store };
  const transactions = (requests: FhirRequest[], sameTransaction?: (tx: Queryable) => Promise<void>): Promise<FhirResponse[]> => {
    const bundles = requests.map((req) => {
      const bundle = transactionOrBatch(req.body);
      if (bundle.type !== 'transaction') throw errors.badRequest('Only transaction Bundles can be applied together', ['Bundle.type']);
      return { actor: req.actor, entries: bundle.entry ?? [], prefer: req.headers.prefer, context: req.context };
    });
    return processTransactions(bundleDeps, bundles, sameTransaction);
  };
  return { service, dispatch: route, refused: (req, err) => (audit ? auditRefused(audit, req, err) : Promise.resolve()), transactions };
}
