import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, FhirResource, Resource } from 'fhir/r4';
import { errors, isOutcomeError, OutcomeError, type IssueInput } from '@kennebec/fhir';
import type { SqlFhirRepository, StoredVersion, TokenKey, UpdateResult, WriteContext } from '@kennebec/fhir-store';
import type { Queryable } from '@kennebec/db';
import { authorize, type Actor } from '../access/index.ts';
import { parsePrefer } from './headers.ts';
import type { FhirService } from './service.ts';
import { ifNoneExistParams, writeContext } from './service.ts';
import { criteriaKey, singleTokenCriteria } from './conditional.ts';
import type { SearchEngine } from './ports.ts';
import type { FhirRequest, FhirResponse, RequestContext } from './types.ts';
import type { AuditedWrite } from './audit-entries.ts';

/**
 * Transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction), one or several in one
 * database transaction: every entry of every Bundle succeeds or none is kept.
 *
 * Entries are processed in the order the spec sets (DELETE, POST, PUT, GET); `urn:uuid:`
 * fullUrls of created resources are replaced everywhere they are referenced by the ids assigned
 * here. The criteria of all conditional entries are locked in one statement; criteria of the form
 * `param=system|code` are looked up together in one more; all creates are written by one
 * statement and all updates by one more.
 *
 * Several Bundles at once (group commit) give the results of applying them concurrently: Bundles
 * that share criteria, and Bundles with DELETE or GET entries, are applied in turn, each seeing
 * the writes of those before it; the others are applied together.
 *
 * Each entry gets its audit entry in the same database transaction.
 */
export interface BundleDeps {
  service: FhirService;
  search: SearchEngine;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  store: { transaction: <T>(fn: (repo: SqlFhirRepository, tx: Queryable) => Promise<T>) => Promise<T> };
}

export interface TransactionRequest {
  actor: Actor;
  entries: BundleEntry[];
  prefer?: string | undefined;
  /** Where the request came from, for the audit trail. */
  context?: RequestContext | undefined;
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
  /** Criteria of a conditional create, update or delete. */
  condition?: [string, string][] | undefined;
}

export const ORDER: Record<Method, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

type EntryResult = BundleEntry['response'] & { version?: StoredVersion | undefined; body?: Resource | undefined };

/** One Bundle being applied. */
interface Unit {
  actor: Actor;
  ctx: WriteContext;
  context: RequestContext | undefined;
  prefer: string | undefined;
  planned: PlannedEntry[];
  ordered: PlannedEntry[];
  /** Lock keys of its conditional entries. */
  keys: string[];
  /** Applied on its own, after those before it (DELETE or GET entries). */
  alone: boolean;
  idMap: Map<string, string>;
  out: Map<number, EntryResult>;
  /** The audit entry of each entry, by index. */
  audited: Map<number, AuditedWrite>;
  /** Versions for the follower: those written, and unchanged ones not yet linked to a Person. */
  written: StoredVersion[];
}

export async function processTransactions(deps: BundleDeps, requests: TransactionRequest[], sameTransaction?: FhirRequest['sameTransaction']): Promise<FhirResponse[]> {
  const units = requests.map((r) => prepare(deps, r));
  await deps.store.transaction(async (repo, tx) => {
    if (sameTransaction) await sameTransaction(tx);
    await repo.lockKeys(units.flatMap((u) => u.keys));
    for (const wave of intoWaves(units)) await applyWave(deps, repo, tx, wave);
  });
  return units.map((u) => respond(deps, u));
}

/** Plans a Bundle's entries, validates every resource and checks every permission, before any transaction. */
function prepare(deps: BundleDeps, req: TransactionRequest): Unit {
  const { actor } = req;
  const planned = req.entries.map((e, i) => planEntry(e, i, deps));
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
      if (p.method === 'POST' && p.condition) authorize(actor, { resourceType: p.type, interaction: 's' });
    } catch (err) {
      throw atEntry(err, p.index);
    }
  }
  const fullUrls = new Set(planned.map((p) => p.fullUrl).filter((u): u is string => !!u));
  if (fullUrls.size !== planned.filter((p) => p.fullUrl).length) throw errors.badRequest('Two entries share a fullUrl', ['Bundle.entry.fullUrl']);
  return {
    actor,
    ctx: writeContext(actor),
    context: req.context,
    prefer: req.prefer,
    planned,
    ordered: [...planned].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index),
    keys: planned.filter((p) => p.condition).map((p) => criteriaKey(p.type, p.condition as [string, string][])),
    alone: planned.some((p) => p.method === 'DELETE' || p.method === 'GET' || p.method === 'HEAD'),
    idMap: new Map(),
    out: new Map(),
    audited: new Map(),
    written: [],
  };
}

/**
 * Groups Bundles that can be applied together: a Bundle goes after every earlier one that shares
 * a criteria key with it, and one applied alone goes after all before it, and all after it.
 */
function intoWaves(units: Unit[]): Unit[][] {
  const waves: Unit[][] = [];
  const waveOfKey = new Map<string, number>();
  let floor = 0;
  for (const u of units) {
    let w = u.alone ? waves.length : floor;
    for (const k of u.keys) w = Math.max(w, (waveOfKey.get(k) ?? -1) + 1);
    (waves[w] ??= []).push(u);
    for (const k of u.keys) waveOfKey.set(k, w);
    if (u.alone) floor = w + 1;
  }
  return waves.filter((w) => w.length > 0);
}

async function applyWave(deps: BundleDeps, repo: SqlFhirRepository, tx: Queryable, wave: Unit[]): Promise<void> {
  // Deletes go first, so that the lookups below see their effect.
  for (const u of wave) {
    for (const p of u.ordered) {
      if (p.method !== 'DELETE') continue;
      try {
        const id = p.id ?? (await matchOf(deps, p, new Map(), tx, 'delete'))?.version.id;
        const patients = id ? await deps.service.patientsBeforeDelete(repo, p.type, id) : [];
        if (id) await repo.delete(p.type, id, u.ctx);
        u.out.set(p.index, { status: '204 No Content' });
        u.audited.set(p.index, { action: 'delete', resourceType: p.type, status: 204, reference: id ? `${p.type}/${id}` : undefined, patients });
      } catch (err) {
        throw atEntry(err, p.index);
      }
    }
  }
  const matches = await findSingleTokenMatches(repo, wave);
  // Assign ids first so that every reference can be rewritten before anything is stored.
  const toCreate: { u: Unit; p: PlannedEntry; id: string }[] = [];
  const toUpdate: { u: Unit; p: PlannedEntry; current: StoredVersion | null | undefined }[] = [];
  for (const u of wave) {
    for (const p of u.ordered) {
      try {
        if (p.method === 'POST') {
          let existing: StoredVersion | undefined;
          if (p.condition) {
            const batched = matches.get(p);
            existing = batched ? onlyMatch(batched, `If-None-Exist criteria matched more than one ${p.type}`) : await deps.service.conditionalMatch(u.actor, p.type, p.ifNoneExist as string, tx, true);
          }
          if (existing) {
            if (p.fullUrl) u.idMap.set(p.fullUrl, `${p.type}/${existing.id}`);
            u.out.set(p.index, { status: '200 OK', version: existing });
            u.audited.set(p.index, { action: 'create', resourceType: p.type, status: 200, versions: [existing] });
          } else {
            const id = randomUUID();
            if (p.fullUrl) u.idMap.set(p.fullUrl, `${p.type}/${id}`);
            toCreate.push({ u, p, id });
          }
        } else if (p.method === 'PUT') {
          // The current version when known here: locked by the batched lookup, or none for a new id.
          let current: StoredVersion | null | undefined;
          if (!p.id) {
            const match = await matchOf(deps, p, matches, tx, 'update');
            if (match) {
              p.id = match.version.id;
              current = match.locked ? match.version : undefined;
            } else if (p.resource?.id) p.id = p.resource.id;
            else {
              p.id = randomUUID();
              current = null;
            }
          }
          if (p.fullUrl) u.idMap.set(p.fullUrl, `${p.type}/${p.id}`);
          toUpdate.push({ u, p, current });
        }
      } catch (err) {
        throw atEntry(err, p.index);
      }
    }
  }
  for (const u of wave) for (const p of u.planned) if (p.resource) p.resource = rewriteReferences(p.resource, u.idMap, p.index);
  const created = await repo.createMany(
    toCreate.map(({ u, p, id }) => ({ resource: p.resource as Resource, id, ctx: u.ctx })),
    (wave[0] as Unit).ctx,
  );
  created.forEach((v, i) => {
    const { u, p } = toCreate[i] as (typeof toCreate)[number];
    u.out.set(p.index, { status: '201 Created', version: v });
    u.audited.set(p.index, { action: 'create', resourceType: v.resourceType, status: 201, versions: [v] });
    u.written.push(v);
  });
  const updated = await writeUpdates(repo, toUpdate, (wave[0] as Unit).ctx);
  updated.forEach((res, i) => {
    const { u, p } = toUpdate[i] as (typeof toUpdate)[number];
    u.out.set(p.index, { status: res.created ? '201 Created' : '200 OK', version: res.version });
    u.audited.set(p.index, { action: 'update', resourceType: p.type, status: res.created ? 201 : 200, versions: [res.version] });
    // An unchanged version is followed (linked to its Person) only if it never was: stored by a
    // path that bypasses the follower, such as a bulk load.
    if (!res.unchanged || res.version.personId === null) u.written.push(res.version);
  });
  for (const u of wave) {
    for (const p of u.ordered) {
      if (p.method !== 'GET' && p.method !== 'HEAD') continue;
      try {
        if (p.id) {
          const v = await repo.read(p.type, p.id);
          if (!v || v.deleted || !v.resource) throw v ? errors.gone(`${p.type}/${p.id}`) : errors.notFound(`${p.type}/${p.id}`);
          u.out.set(p.index, { status: '200 OK', version: v });
          u.audited.set(p.index, { action: 'read', resourceType: p.type, status: 200, versions: [v] });
        } else {
          const found = await deps.search.search(p.type, p.query, { lenient: false, handle: tx });
          u.audited.set(p.index, { action: 'search', resourceType: p.type, status: 200, versions: [...found.matches, ...found.included] });
          u.out.set(p.index, { status: '200 OK', body: <Bundle>{ resourceType: 'Bundle', type: 'searchset', ...(found.total !== undefined ? { total: found.total } : {}), entry: found.matches.map((m) => ({ fullUrl: `${deps.service.fhirBase}/${m.resourceType}/${m.id}`, ...(m.resource ? { resource: m.resource } : {}), search: { mode: 'match' as const } })) } });
        }
      } catch (err) {
        throw atEntry(err, p.index);
      }
    }
    await deps.service.auditWrites(tx, u.actor, u.context, [...u.audited].sort(([a], [b]) => a - b).map(([, w]) => w));
    await deps.service.followWrites(repo, tx, u.written, u.ctx);
  }
}

function respond(deps: BundleDeps, u: Unit): FhirResponse {
  const withResource = parsePrefer(u.prefer).return === 'representation' && u.prefer !== undefined;
  const response: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: u.planned.map((p) => {
      const r = u.out.get(p.index);
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
  const query = [...new URLSearchParams(qs)];
  const condition = method === 'POST' ? (request.ifNoneExist !== undefined ? ifNoneExistParams(request.ifNoneExist) : undefined) : (method === 'PUT' || method === 'DELETE') && !id ? query : undefined;
  return {
    index,
    method,
    type,
    id,
    query,
    condition,
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

/**
 * Criteria of the form `param=system|code` (as HL7 v2 and C-CDA ingest key every resource)
 * resolved together: one index lookup for all of them, the rows found locked.
 */
async function findSingleTokenMatches(repo: SqlFhirRepository, wave: Unit[]): Promise<Map<PlannedEntry, StoredVersion[]>> {
  const keyed: { p: PlannedEntry; key: TokenKey }[] = [];
  for (const u of wave) {
    for (const p of u.ordered) {
      if (!p.condition || p.method === 'DELETE') continue;
      const key = singleTokenCriteria(p.type, p.condition);
      if (key) keyed.push({ p, key });
    }
  }
  const found = await repo.findByTokens(keyed.map((k) => k.key));
  return new Map(keyed.map((k, i) => [k.p, found[i] ?? []]));
}

function onlyMatch(found: StoredVersion[], message: string): StoredVersion | undefined {
  if (found.length > 1) throw errors.multipleMatches(message);
  return found[0];
}

/** The one resource a conditional entry's criteria match: from the batched lookup (locked) or a search. */
async function matchOf(deps: BundleDeps, p: PlannedEntry, matches: Map<PlannedEntry, StoredVersion[]>, tx: Queryable, what: string): Promise<{ version: StoredVersion; locked: boolean } | undefined> {
  const batched = matches.get(p);
  if (batched) {
    const v = onlyMatch(batched, `Conditional ${what} criteria matched more than one ${p.type}`);
    return v ? { version: v, locked: true } : undefined;
  }
  const v = await uniqueMatch(deps, p, tx, what);
  return v ? { version: v, locked: false } : undefined;
}

/**
 * The PUT entries, written together (https://hl7.org/fhir/R4/http.html#update). An entry whose
 * content equals the current version's stores no new version and answers 200 with that version,
 * so a message that repeats what is known (a patient's unchanged demographics) adds no history.
 */
function writeUpdates(repo: SqlFhirRepository, entries: { u: Unit; p: PlannedEntry; current: StoredVersion | null | undefined }[], ctx: WriteContext): Promise<UpdateResult[]> {
  return repo.updateMany(
    entries.map(({ u, p, current }) => {
      const ifMatch = p.ifMatch ? Number(/\d+/.exec(p.ifMatch)?.[0]) : undefined;
      return {
        resource: { ...(p.resource as Resource), id: p.id as string },
        ctx: u.ctx,
        ...(current !== undefined ? { current } : {}),
        ...(ifMatch !== undefined ? { ifMatch } : {}),
      };
    }),
    ctx,
    { keepUnchanged: true },
  );
}

async function uniqueMatch(deps: BundleDeps, p: PlannedEntry, tx: Queryable, what: string): Promise<StoredVersion | undefined> {
  if (p.query.length === 0) throw errors.badRequest(`Conditional ${what} needs search parameters`);
  const found = await deps.search.search(p.type, [...p.query, ['_count', '2']], { lenient: false, handle: tx });
  if (found.matches.length > 1) throw errors.multipleMatches(`Conditional ${what} criteria matched more than one ${p.type}`);
  return found.matches[0];
}

/** Replaces `urn:uuid:` (and other fullUrl) references with the ids assigned in this transaction. */
export function rewriteReferences<T>(value: T, idMap: Map<string, string>, index: number): T {
  // Copies only the objects on the way to a rewritten reference and shares the rest: the input
  // is left as it was (a group commit that fails applies the same Bundles again).
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      v.forEach((item, i) => {
        const next = walk(item);
        if (next !== item) (copy ??= [...v])[i] = next;
      });
      return copy ?? v;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [k, child] of Object.entries(v)) {
      let next = child;
      if (k === 'reference' && typeof child === 'string') {
        const mapped = idMap.get(child);
        if (mapped) next = mapped;
        else if (child.startsWith('urn:uuid:') || child.startsWith('urn:oid:')) {
          throw errors.badRequest(`Bundle.entry[${index}]: reference ${child} does not resolve to an entry of this transaction`);
        }
      } else next = walk(child);
      if (next !== child) (copy ??= { ...(v as Record<string, unknown>) })[k] = next;
    }
    return copy ?? v;
  };
  return walk(value) as T;
}

