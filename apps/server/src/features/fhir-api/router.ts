import { errors } from '@kennebec/fhir';
import type { FhirService } from './service.ts';
import { searchType } from './search.ts';
import type { ResourceProvider, SearchEngine } from './ports.ts';
import type { FhirRequest, FhirResponse } from './types.ts';
import type { CapabilityStatement } from 'fhir/r4';

/**
 * Maps a FHIR REST request to its interaction. Used by the HTTP adapter and, per entry, by
 * batch Bundles, so both behave the same.
 */
export interface RouterDeps {
  service: FhirService;
  search: SearchEngine;
  capability: () => CapabilityStatement;
  processBundle: (req: FhirRequest) => Promise<FhirResponse>;
  /** FHIR operations by `Type/$name` (e.g. `Patient/$match`). */
  operations: Record<string, (req: FhirRequest) => Promise<FhirResponse>>;
  /** Read-only types served from elsewhere (AuditEvent from the audit trail). */
  providers?: Record<string, ResourceProvider> | undefined;
}

const HISTORY = '_history';

export async function dispatch(deps: RouterDeps, req: FhirRequest): Promise<FhirResponse> {
  const { service } = deps;
  const parts = req.path.split('/').filter((p) => p.length > 0);
  const [type, second, third, fourth] = parts;
  const { method, actor } = req;
  const searchDeps = { search: deps.search, fhirBase: service.fhirBase, checkType: (t: string) => service.checkType(t), access: service.access };

  if (parts.length === 0) {
    if (method === 'POST') return deps.processBundle(req);
    throw errors.methodNotAllowed(method, '/');
  }
  if (type === 'metadata' && parts.length === 1) {
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed(method, 'metadata');
    return { status: 200, body: deps.capability() };
  }
  if (type === HISTORY && parts.length === 1) {
    if (method !== 'GET') throw errors.methodNotAllowed(method, HISTORY);
    return service.history(actor, undefined, undefined, req.query);
  }
  if (!type || !/^[A-Z][A-Za-z]+$/.test(type)) throw errors.unknownType(type ?? '');
  service.checkType(type);
  const provider = deps.providers?.[type];
  if (provider) return dispatchProvided(provider, req, parts);

  if (parts.length === 1) {
    if (method === 'GET' || method === 'HEAD') return searchType(searchDeps, actor, type, req.query, req.headers.prefer);
    if (method === 'POST') return service.create(actor, type, req.body, req.headers.ifNoneExist, req.headers.prefer, req.context);
    if (method === 'PUT' && req.query.length > 0) return service.conditionalUpdate(actor, type, req.query, req.body, req.headers.prefer, req.context);
    throw errors.methodNotAllowed(method, type);
  }
  if (parts.length === 2 && second?.startsWith('$')) {
    const operation = deps.operations[`${type}/${second}`];
    if (!operation) throw errors.notFound(`${type}/${second}`);
    return operation(req);
  }
  if (parts.length === 2 && second === '_search') {
    if (method !== 'POST') throw errors.methodNotAllowed(method, `${type}/_search`);
    return searchType(searchDeps, actor, type, [...req.query, ...formParams(req.body)], req.headers.prefer);
  }
  if (parts.length === 2 && second === HISTORY) {
    if (method !== 'GET') throw errors.methodNotAllowed(method, `${type}/${HISTORY}`);
    return service.history(actor, type, undefined, req.query);
  }
  const id = second as string;
  if (parts.length === 2) {
    if (method === 'GET' || method === 'HEAD') return service.read(actor, type, id);
    if (method === 'PUT') return service.update(actor, type, id, req.body, req.headers.ifMatch, req.headers.prefer, req.context);
    if (method === 'DELETE') return service.delete(actor, type, id, req.context);
    throw errors.methodNotAllowed(method, `${type}/${id}`);
  }
  if (parts.length === 3 && third?.startsWith('$')) {
    const operation = deps.operations[`${type}/${third}`];
    if (!operation) throw errors.notFound(`${type}/${id}/${third}`);
    return operation(req);
  }
  if (third === HISTORY && parts.length === 3) {
    if (method !== 'GET') throw errors.methodNotAllowed(method, `${type}/${id}/${HISTORY}`);
    return service.history(actor, type, id, req.query);
  }
  if (third === HISTORY && parts.length === 4 && fourth) {
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed(method, `${type}/${id}/${HISTORY}/${fourth}`);
    return service.vread(actor, type, id, fourth);
  }
  throw errors.notFound(req.path);
}

/** A read-only type: search and read; anything else is 405 (nothing is written through the API). */
function dispatchProvided(provider: ResourceProvider, req: FhirRequest, parts: string[]): Promise<FhirResponse> {
  const [type = '', second] = parts;
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (parts.length === 1 && reading) return provider.search(req.actor, req.query, req.headers.prefer);
  if (parts.length === 2 && second === '_search' && req.method === 'POST') {
    return provider.search(req.actor, [...req.query, ...formParams(req.body)], req.headers.prefer);
  }
  if (parts.length === 2 && second && !second.startsWith('_') && !second.startsWith('$') && reading) return provider.read(req.actor, second);
  throw errors.methodNotAllowed(req.method, `${req.path} (${type} is read-only, written by the server itself)`);
}

/** Body of POST _search: application/x-www-form-urlencoded, parsed to pairs by the adapter. */
function formParams(body: unknown): [string, string][] {
  if (body === undefined || body === null || body === '') return [];
  if (Array.isArray(body)) return body as [string, string][];
  if (typeof body === 'string') return [...new URLSearchParams(body)];
  throw errors.badRequest('POST _search takes application/x-www-form-urlencoded parameters');
}
