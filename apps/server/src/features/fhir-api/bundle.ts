import { STATUS_CODES } from 'node:http';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { errors, isOutcomeError } from '@kennebec/fhir';
import type { Actor } from '../access/index.ts';
import { processTransactions, type BundleDeps } from './transaction.ts';
import type { FhirRequest, FhirResponse, RequestContext } from './types.ts';

export type { BundleDeps } from './transaction.ts';

/**
 * Batch and transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction).
 * A transaction runs in one database transaction (transaction.ts), each entry's audit entry
 * written in it. A batch runs each entry on its own, through the same dispatcher as a plain
 * request, which audits it like a request of its own.
 */
export async function processBundle(deps: BundleDeps, req: FhirRequest): Promise<FhirResponse> {
  const bundle = transactionOrBatch(req.body);
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const prefer = req.headers.prefer;
  if (bundle.type === 'batch') return processBatch(deps, req.actor, entries, prefer, req.context);
  const [response] = await processTransactions(deps, [{ actor: req.actor, entries, prefer, context: req.context }], req.sameTransaction);
  return response as FhirResponse;
}

/** The request body as a batch or transaction Bundle; 400 otherwise. */
export function transactionOrBatch(body: unknown): Bundle {
  const bundle = body as Bundle | undefined;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    throw errors.badRequest('POST to the base URL takes a Bundle of type batch or transaction', ['Bundle']);
  }
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    throw errors.badRequest(`Bundle.type must be 'batch' or 'transaction' (got '${String(bundle.type)}')`, ['Bundle.type']);
  }
  return bundle;
}

async function processBatch(deps: BundleDeps, actor: Actor, entries: BundleEntry[], prefer: string | undefined, context: RequestContext | undefined): Promise<FhirResponse> {
  const response: Bundle = { resourceType: 'Bundle', type: 'batch-response', entry: [] };
  for (const [index, entry] of entries.entries()) {
    try {
      const request = entry.request;
      if (!request?.url || !request.method) throw errors.badRequest(`Bundle.entry[${index}] has no request.method and request.url`);
      const [path = '', qs = ''] = request.url.replace(deps.service.fhirBase, '').replace(/^\/+/, '').split('?', 2);
      if (path === '') throw errors.badRequest('A batch entry cannot contain another Bundle');
      const res = await deps.dispatch({
        method: request.method as FhirRequest['method'],
        path,
        query: [...new URLSearchParams(qs)],
        headers: { ifMatch: request.ifMatch, ifNoneExist: request.ifNoneExist, prefer },
        body: entry.resource,
        actor,
        context,
      });
      response.entry?.push({
        ...(res.body ? { resource: res.body as FhirResource } : {}),
        response: {
          status: statusLine(res.status),
          ...(res.headers?.location ? { location: res.headers.location } : {}),
          ...(res.headers?.etag ? { etag: res.headers.etag } : {}),
        },
      });
    } catch (err) {
      if (!isOutcomeError(err)) throw err;
      response.entry?.push({ response: { status: statusLine(err.status), outcome: err.outcome } });
    }
  }
  return { status: 200, body: response };
}

/** `201 Created`: the code and its reason phrase, as Bundle.entry.response.status shows them. */
function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}
