import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Bundle, BundleEntry, FhirResource, Resource } from 'fhir/r4';
import { errors, isOutcomeError, OutcomeError, type IssueInput } from '@kennebec/fhir';
import type { SqlFhirRepository, StoredVersion } from '@kennebec/fhir-store';
import type { Queryable } from '@kennebec/db';
import { authorize, type Actor } from '../access/index.ts';
import { parsePrefer } from './headers.ts';
import type { FhirService } from './service.ts';
import { writeContext } from './service.ts';
import type { SearchEngine } from './ports.ts';
import type { FhirRequest, FhirResponse, RequestContext } from './types.ts';
import type { AuditedWrite } from './audit-entries.ts';

/**
 * Batch and transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction).
 *
 * A transaction runs in one database transaction: every entry succeeds or none is kept. Entries
 * are processed in the order the spec sets (DELETE, POST, PUT, GET); `urn:uuid:` fullUrls of
 * created resources are replaced everywhere they are referenced by the ids assigned here.
 * A batch runs each entry on its own, through the same dispatcher as a plain request.
 * Each entry of a transaction gets its audit entry in the transaction itself; each entry of a
 * batch is audited by the dispatcher like a request of its own.
 */
export interface BundleDeps {
  service: FhirService;
  search: SearchEngine;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  store: { transaction: <T>(fn: (repo: SqlFhirRepository, tx: Queryable) => Promise<T>) => Promise<T> };
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

interface PlannedEntry {
  index: number;
  method: Method;
  type: string;
  id?: string | undefined;
  query: [string, string][];
  url: string;
  fullUrl?: string | undefined;
  resource?: Resource | undefined;
  ifMatch?: string | undefined;
  ifNoneExist?: string | undefined;
}

const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

export async function processBundle(deps: BundleDeps, req: FhirRequest): Promise<FhirResponse> {
  const bundle = req.body as Bundle | undefined;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    throw errors.badRequest('POST to the base URL takes a Bundle of type batch or transaction', ['Bundle']);
  }
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    throw errors.badRequest(`Bundle.type must be 'batch' or 'transaction' (got '${String(bundle.type)}')`, ['Bundle.type']);
  }
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const prefer = req.headers.prefer;
  if (bundle.type === 'batch') return processBatch(deps, req.actor, entries, prefer, req.context);
  return processTransaction(deps, req.actor, entries, prefer, req.context);
}

function planEntry(entry: BundleEntry, index: number, deps: BundleDeps): PlannedEntry {
  const where = `Bundle.entry[${index}]`;
  const request = entry.request;
  if (!request || typeof request.url !== 'string' || typeof request.method !== 'string') {
    throw errors.badRequest(`${where} has no request.method and request.url`, [`${where}.request`]);
  }
  const method = request.method as Method;
  if (!(method in ORDER)) throw errors.badRequest(`${where}.request.method '${method}' is not supported`, [`${where}.request.method`]);
  let url = request.url.startsWith(deps.service.fhirBase) ? request.url.slice(deps.service.fhirBase.length) : request.url;
  url = url.replace(/^\/+/, '');
  const [path = '', qs = ''] = url.split('?', 2);
  const [type = '', id] = path.split('/');
  deps.service.checkType(type);
  return {
    index,
    method,
    type,
    id,
    query: [...new URLSearchParams(qs)],
    url,
    fullUrl: entry.fullUrl,
    resource: entry.resource,
    ifMatch: request.ifMatch,
    ifNoneExist: request.ifNoneExist,
  };
}

/** Prefixes every issue's expression with the entry's location. */
function atEntry(err: unknown, index: number): unknown {
  if (!isOutcomeError(err)) return err;
  const issues: IssueInput[] = (err.outcome.issue ?? []).map((i) => ({
    severity: i.severity,
    code: i.code,
    diagnostics: `Bundle.entry[${index}]: ${i.diagnostics ?? ''}`,
    expression: (i.expression ?? [`Bundle.entry[${index}]`]).map((e) => (e.startsWith('Bundle.') ? e : `Bundle.entry[${index}].resource.${e.split('.').slice(1).join('.')}`.replace(/\.$/, ''))),
    ...(i.details?.coding?.[0]?.code ? { errorCode: i.details.coding[0].code } : {}),
  }));
  return new OutcomeError(issues, err.status, err.headers);
}

async function processTransaction(deps: BundleDeps, actor: Actor, entries: BundleEntry[], prefer: string | undefined, context: RequestContext | undefined): Promise<FhirResponse> {
  const planned = entries.map((e, i) => planEntry(e, i, deps));
  // Validate every resource and check every permission before opening the transaction.
  for (const p of planned) {
    try {
      const interaction = p.method === 'POST' ? 'c' : p.method === 'PUT' || p.method === 'PATCH' ? 'u' : p.method === 'DELETE' ? 'd' : p.id ? 'r' : 's';
      if (p.method === 'PATCH') throw errors.badRequest('PATCH is not supported');
      if (deps.service.isReadOnly(p.type)) {
        if (interaction === 'r' || interaction === 's') throw errors.badRequest(`${p.type} cannot be read inside a transaction; use a batch`);
        deps.service.checkWritable(p.type);
      }
      authorize(actor, { resourceType: p.type, interaction });
      if (p.method === 'POST' || p.method === 'PUT') {
        if (!p.resource) throw errors.badRequest(`${p.method} entry has no resource`);
        p.resource = deps.service.validateForWrite(p.resource, p.type);
        if (p.method === 'PUT' && p.id && p.resource.id !== p.id) {
          throw errors.badRequest(`Resource id '${p.resource.id ?? ''}' does not match request.url id '${p.id}'`);
        }
      }
    } catch (err) {
      throw atEntry(err, p.index);
    }
  }
  const fullUrls = new Set(planned.map((p) => p.fullUrl).filter((u): u is string => !!u));
  if (fullUrls.size !== planned.filter((p) => p.fullUrl).length) throw errors.badRequest('Two entries share a fullUrl', ['Bundle.entry.fullUrl']);
  const ctx = writeContext(actor);
  const results = await deps.store.transaction(async (repo, tx) => {
    const out = new Map<number, BundleEntry['response'] & { version?: StoredVersion | undefined; body?: Resource | undefined }>();
    const audited = new Map<number, AuditedWrite>();
    const idMap = new Map<string, string>();
    const ordered = [...planned].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index);
    // Assign ids first so that every reference can be rewritten before anything is stored.
    const toCreate: PlannedEntry[] = [];
    const newIds = new Map<number, string>();
    for (const p of ordered) {
      try {
        if (p.method === 'DELETE') {
          const id = p.id ?? (await uniqueMatch(deps, p, tx, 'delete'))?.id;
          const patients = id ? await deps.service.patientsBeforeDelete(repo, p.type, id) : [];
          if (id) await repo.delete(p.type, id, ctx);
          out.set(p.index, { status: '204 No Content' });
          audited.set(p.index, { action: 'delete', resourceType: p.type, status: 204, reference: id ? `${p.type}/${id}` : undefined, patients });
        } else if (p.method === 'POST') {
          const existing = p.ifNoneExist ? await deps.service.conditionalMatch(actor, p.type, p.ifNoneExist, tx) : undefined;
          if (existing) {
            if (p.fullUrl) idMap.set(p.fullUrl, `${p.type}/${existing.id}`);
            out.set(p.index, { status: '200 OK', version: existing });
            audited.set(p.index, { action: 'create', resourceType: p.type, status: 200, versions: [existing] });
          } else {
            const id = randomUUID();
            newIds.set(p.index, id);
            if (p.fullUrl) idMap.set(p.fullUrl, `${p.type}/${id}`);
            toCreate.push(p);
          }
        } else if (p.method === 'PUT') {
          if (!p.id) {
            const match = await uniqueMatch(deps, p, tx, 'update');
            p.id = match?.id ?? p.resource?.id ?? randomUUID();
          }
          if (p.fullUrl) idMap.set(p.fullUrl, `${p.type}/${p.id}`);
        }
      } catch (err) {
        throw atEntry(err, p.index);
      }
    }
    for (const p of planned) if (p.resource) p.resource = rewriteReferences(p.resource, idMap, p.index);
    const created = await repo.createMany(
      toCreate.map((p) => ({ resource: p.resource as Resource, id: newIds.get(p.index) })),
      ctx,
    );
    created.forEach((v, i) => {
      const index = (toCreate[i] as PlannedEntry).index;
      out.set(index, { status: '201 Created', version: v });
      audited.set(index, { action: 'create', resourceType: v.resourceType, status: 201, versions: [v] });
    });
    const written: StoredVersion[] = [...created];
    for (const p of ordered) {
      try {
        if (p.method === 'PUT' && p.resource && p.id) {
          const ifMatch = p.ifMatch ? Number(/\d+/.exec(p.ifMatch)?.[0]) : undefined;
          const res = await repo.update({ ...p.resource, id: p.id }, ctx, ifMatch !== undefined ? { ifMatch } : {});
          out.set(p.index, { status: res.created ? '201 Created' : '200 OK', version: res.version });
          audited.set(p.index, { action: 'update', resourceType: p.type, status: res.created ? 201 : 200, versions: [res.version] });
          written.push(res.version);
        } else if (p.method === 'GET' || p.method === 'HEAD') {
          if (p.id) {
            const v = await repo.read(p.type, p.id);
            if (!v || v.deleted || !v.resource) throw v ? errors.gone(`${p.type}/${p.id}`) : errors.notFound(`${p.type}/${p.id}`);
            out.set(p.index, { status: '200 OK', version: v });
            audited.set(p.index, { action: 'read', resourceType: p.type, status: 200, versions: [v] });
          } else {
            const found = await deps.search.search(p.type, p.query, { lenient: false, handle: tx });
            audited.set(p.index, { action: 'search', resourceType: p.type, status: 200, versions: [...found.matches, ...found.included] });
            out.set(p.index, { status: '200 OK', body: <Bundle>{ resourceType: 'Bundle', type: 'searchset', ...(found.total !== undefined ? { total: found.total } : {}), entry: found.matches.map((m) => ({ fullUrl: `${deps.service.fhirBase}/${m.resourceType}/${m.id}`, ...(m.resource ? { resource: m.resource } : {}), search: { mode: 'match' as const } })) } });
          }
        }
      } catch (err) {
        throw atEntry(err, p.index);
      }
    }
    await deps.service.auditWrites(tx, actor, context, [...audited].sort(([a], [b]) => a - b).map(([, w]) => w));
    await deps.service.followWrites(repo, tx, written, ctx);
    return out;
  });
  const withResource = parsePrefer(prefer).return === 'representation' && prefer !== undefined;
  const response: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: planned.map((p) => {
      const r = results.get(p.index);
      const v = r?.version;
      const body = r?.body ?? (withResource || p.method === 'GET' ? v?.resource : undefined);
      return {
        ...(v ? { fullUrl: `${deps.service.fhirBase}/${v.resourceType}/${v.id}` } : {}),
        ...(body ? { resource: body as FhirResource } : {}),
        response: {
          status: r?.status ?? '200 OK',
          ...(v ? { location: `${v.resourceType}/${v.id}/_history/${v.versionId}`, etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated } : {}),
        },
      };
    }),
  };
  return { status: 200, body: response };
}

async function uniqueMatch(deps: BundleDeps, p: PlannedEntry, tx: Queryable, what: string): Promise<StoredVersion | undefined> {
  if (p.query.length === 0) throw errors.badRequest(`Conditional ${what} needs search parameters`);
  const found = await deps.search.search(p.type, [...p.query, ['_count', '2']], { lenient: false, handle: tx });
  if (found.matches.length > 1) throw errors.multipleMatches(`Conditional ${what} criteria matched more than one ${p.type}`);
  return found.matches[0];
}

/** Replaces `urn:uuid:` (and other fullUrl) references with the ids assigned in this transaction. */
export function rewriteReferences<T>(value: T, idMap: Map<string, string>, index: number): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      if (k === 'reference' && typeof child === 'string') {
        const mapped = idMap.get(child);
        if (mapped) out[k] = mapped;
        else if (child.startsWith('urn:uuid:') || child.startsWith('urn:oid:')) {
          throw errors.badRequest(`Bundle.entry[${index}]: reference ${child} does not resolve to an entry of this transaction`);
        } else out[k] = child;
      } else out[k] = walk(child);
    }
    return out;
  };
  return walk(value) as T;
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
