import type { Bundle, BundleEntry, FhirResource, Resource } from 'fhir/r4';
import { errors, outcome, ID_PATTERN } from '@kennebec/fhir';
import type { Queryable } from '@kennebec/db';
import type { SqlFhirRepository, SqlFhirStore, StoredVersion, WriteContext } from '@kennebec/fhir-store';
import { actorOrganization, actorReference, authorize, type AccessPoint, type Actor, type PatientScope } from '../access/index.ts';
import { criteriaKey } from './conditional.ts';
import { parseIfMatch, parsePrefer, versionHeaders } from './headers.ts';
import { hasResource, resourceOf } from './json.ts';
import type { AuditSink, ResourceValidator, SearchEngine, WriteFollower } from './ports.ts';
import type { FhirResponse, RequestContext } from './types.ts';
import { bulkWriteEntries, patientsOfVersion, writeEntry, type AuditedWrite } from './audit-entries.ts';

/**
 * The FHIR RESTful interactions (https://hl7.org/fhir/R4/http.html), framework-free: each
 * takes an actor and plain values and returns status, resource and headers. Every one asks
 * `authorize` before touching the store, and every write stages its audit entry in its own
 * transaction (reads are recorded by the dispatcher, from what they return).
 */
export interface FhirServiceDeps {
  store: SqlFhirStore;
  search: SearchEngine;
  validator: ResourceValidator;
  baseUrl: string;
  follower?: WriteFollower | undefined;
  /** The decision point: reads and searches are limited to the patients a permit covers. */
  access: AccessPoint;
  audit?: AuditSink | undefined;
  /** Types served elsewhere and read-only through the API (AuditEvent). */
  readOnlyTypes?: ReadonlySet<string> | undefined;
  /**
   * Stored types that only the server writes, each with where to change them instead (Person:
   * the master patient index keeps it in step with its links; staff change links through the
   * MPI admin API). Reads and searches work as for any stored type; writes answer 405.
   */
  managedTypes?: ReadonlyMap<string, string> | undefined;
}

export class FhirService {
  readonly fhirBase: string;

  get access(): AccessPoint {
    return this.deps.access;
  }

  constructor(private readonly deps: FhirServiceDeps) {
    this.fhirBase = `${deps.baseUrl}/fhir/R4`;
  }

  checkType(type: string): void {
    if (!this.deps.validator.isKnownType(type)) throw errors.unknownType(type);
  }

  isReadOnly(type: string): boolean {
    return this.deps.readOnlyTypes?.has(type) ?? false;
  }

  /** Refuses writes of read-only types (405): the audit trail is written by the server alone. */
  checkWritable(type: string): void {
    if (this.isReadOnly(type)) throw errors.methodNotAllowed('A write', `${type}: it is read-only, written by the server itself`);
    const instead = this.deps.managedTypes?.get(type);
    if (instead !== undefined) throw errors.methodNotAllowed('A write', `${type}: it is kept by the server; ${instead}`);
  }

  checkId(id: string): void {
    if (!ID_PATTERN.test(id)) throw errors.badRequest(`'${id}' is not a valid resource id`);
  }

  /** The scope the actor may read or search `type` in; throws 403 when none. */
  async scopeOf(actor: Actor, action: 'read' | 'search', type: string): Promise<PatientScope> {
    const { access } = this.deps;
    return access.require(await access.principal(actor), action, type);
  }

  /**
   * A version outside the actor's scope is answered as absent (404), exactly as an id that
   * does not exist, so guessing ids tells nothing.
   */
  private async checkVisible(scope: PatientScope, type: string, idPath: string, v: StoredVersion | undefined): Promise<void> {
    if (scope.kind === 'all' || !v) return;
    const visible = hasResource(v) && (await this.deps.access.visible(scope, [v.resource as Resource & Record<string, unknown>]))[0] === true;
    if (!visible) throw errors.notFound(`${type}/${idPath}`);
  }

  async read(actor: Actor, type: string, id: string): Promise<FhirResponse> {
    this.checkType(type);
    const scope = await this.scopeOf(actor, 'read', type);
    const v = await this.deps.store.read(type, id);
    await this.checkVisible(scope, type, id, v);
    return this.versionResponse(type, id, v);
  }

  async vread(actor: Actor, type: string, id: string, vid: string): Promise<FhirResponse> {
    this.checkType(type);
    const scope = await this.scopeOf(actor, 'read', type);
    if (!/^\d{1,9}$/.test(vid)) throw errors.notFound(`${type}/${id}/_history/${vid}`);
    const v = await this.deps.store.vread(type, id, Number(vid));
    // The version asked for must be visible, and so must the resource as it is now.
    await this.checkVisible(scope, type, `${id}/_history/${vid}`, v);
    if (scope.kind !== 'all') await this.checkVisible(scope, type, `${id}/_history/${vid}`, await this.deps.store.read(type, id));
    return this.versionResponse(type, `${id}/_history/${vid}`, v);
  }

  private versionResponse(type: string, idPath: string, v: StoredVersion | undefined): FhirResponse {
    if (!v) throw errors.notFound(`${type}/${idPath}`);
    if (!hasResource(v)) throw errors.gone(`${type}/${idPath}`);
    const h = versionHeaders(this.fhirBase, v);
    return { status: 200, body: resourceOf(v), headers: { etag: h.etag as string, 'last-modified': h['last-modified'] as string } };
  }

  /** Validates a resource for a write; 400 with every issue when it is not valid. */
  validateForWrite(resource: unknown, type: string): Resource {
    this.checkWritable(type);
    const issues = this.deps.validator.validate(resource, type);
    if (issues.some((i) => i.severity === undefined || i.severity === 'error' || i.severity === 'fatal')) {
      throw errors.invalidResource(issues);
    }
    return resource as Resource;
  }

  async create(actor: Actor, type: string, body: unknown, ifNoneExist: string | undefined, prefer: string | undefined, context?: RequestContext): Promise<FhirResponse> {
    this.checkType(type);
    authorize(actor, { resourceType: type, interaction: 'c' });
    const resource = this.validateForWrite(body, type);
    const { id: _ignored, ...rest } = resource;
    // One statement without a transaction only when nothing else must join the write.
    if (ifNoneExist === undefined && !this.follows(type) && !this.deps.audit) {
      const [version] = await this.deps.store.createMany([{ resource: rest as Resource }], writeContext(actor));
      return this.writeResponse(version as StoredVersion, 201, prefer);
    }
    const result = await this.deps.store.transaction(async (repo, tx) => {
      const existing = ifNoneExist !== undefined ? await this.conditionalMatch(actor, type, ifNoneExist, tx) : undefined;
      if (existing) {
        await this.auditWrites(tx, actor, context, [{ action: 'create', resourceType: type, status: 200, versions: [existing] }]);
        return { version: existing, created: false };
      }
      const version = await repo.create(rest as Resource, writeContext(actor));
      await this.auditWrites(tx, actor, context, [{ action: 'create', resourceType: type, status: 201, versions: [version] }]);
      await this.followWrites(repo, tx, [version], writeContext(actor));
      return { version, created: true };
    });
    return this.writeResponse(result.version, result.created ? 201 : 200, prefer);
  }

  /**
   * Conditional create: 0 matches → create, 1 → that one, more → 412 (https://hl7.org/fhir/R4/http.html#ccreate).
   * `locked`: the caller already holds the lock on these criteria.
   */
  async conditionalMatch(actor: Actor, type: string, query: string, handle: Queryable, locked = false): Promise<StoredVersion | undefined> {
    authorize(actor, { resourceType: type, interaction: 's' });
    const params = ifNoneExistParams(query);
    if (params.length === 0) throw errors.badRequest('If-None-Exist must carry search parameters');
    if (!locked) await lockCriteria(handle, type, params);
    const found = await this.deps.search.search(type, [...params, ['_count', '2']], { lenient: false, handle });
    if (found.matches.length > 1) throw errors.multipleMatches(`If-None-Exist criteria matched more than one ${type}`);
    return found.matches[0];
  }

  async update(actor: Actor, type: string, id: string, body: unknown, ifMatch: string | undefined, prefer: string | undefined, context?: RequestContext): Promise<FhirResponse> {
    this.checkType(type);
    this.checkId(id);
    authorize(actor, { resourceType: type, interaction: 'u' });
    const resource = this.validateForWrite(body, type);
    if (resource.id !== id) {
      throw errors.badRequest(`Resource id '${resource.id ?? ''}' does not match the URL id '${id}'`, [`${type}.id`]);
    }
    const expected = parseIfMatch(ifMatch);
    const result = await this.deps.store.transaction(async (repo, tx) => {
      const res = await repo.update({ ...resource, id }, writeContext(actor), expected !== undefined ? { ifMatch: expected } : {});
      if (res.created) authorize(actor, { resourceType: type, interaction: 'c' });
      await this.auditWrites(tx, actor, context, [{ action: 'update', resourceType: type, status: res.created ? 201 : 200, versions: [res.version] }]);
      await this.followWrites(repo, tx, [res.version], writeContext(actor));
      return res;
    });
    return this.writeResponse(result.version, result.created ? 201 : 200, prefer);
  }

  /** Conditional update (https://hl7.org/fhir/R4/http.html#cond-update). */
  async conditionalUpdate(actor: Actor, type: string, query: [string, string][], body: unknown, prefer: string | undefined, context?: RequestContext): Promise<FhirResponse> {
    this.checkType(type);
    authorize(actor, { resourceType: type, interaction: 'u' });
    authorize(actor, { resourceType: type, interaction: 's' });
    const resource = this.validateForWrite(body, type);
    const result = await this.deps.store.transaction(async (repo, tx) => {
      await lockCriteria(tx, type, query);
      const found = await this.deps.search.search(type, [...query, ['_count', '2']], { lenient: false, handle: tx });
      if (found.matches.length > 1) throw errors.multipleMatches(`Conditional update criteria matched more than one ${type}`);
      const match = found.matches[0];
      const ctx = writeContext(actor);
      let res: { version: StoredVersion; created: boolean };
      if (match) {
        if (resource.id !== undefined && resource.id !== match.id) {
          throw errors.badRequest(`Resource id '${resource.id}' differs from the matched ${type}/${match.id}`, [`${type}.id`]);
        }
        res = await repo.update({ ...resource, id: match.id }, ctx);
      } else {
        authorize(actor, { resourceType: type, interaction: 'c' });
        if (resource.id !== undefined) {
          this.checkId(resource.id);
          res = await repo.update({ ...resource, id: resource.id }, ctx);
        } else res = { version: await repo.create(resource, ctx), created: true };
      }
      await this.auditWrites(tx, actor, context, [{ action: 'update', resourceType: type, status: res.created ? 201 : 200, versions: [res.version] }]);
      await this.followWrites(repo, tx, [res.version], ctx);
      return res;
    });
    return this.writeResponse(result.version, result.created ? 201 : 200, prefer);
  }

  private follows(type: string): boolean {
    return this.deps.follower?.types.has(type) ?? false;
  }

  /** Runs the follower (the MPI) on the versions of the types it follows, in the writing transaction. */
  async followWrites(repo: SqlFhirRepository, tx: Queryable, versions: StoredVersion[], ctx: WriteContext): Promise<void> {
    const follower = this.deps.follower;
    if (!follower) return;
    const followed = versions.filter((v) => follower.types.has(v.resourceType) && !v.deleted);
    if (followed.length > 0) await follower.after(repo, tx, followed, ctx);
  }

  /**
   * Stages the audit entries of writes (and of reads inside a transaction) in their transaction.
   * Called before followWrites: the MPI serializes new links, and nothing of the audit needs to
   * wait inside that.
   */
  async auditWrites(tx: Queryable, actor: Actor, context: RequestContext | undefined, writes: readonly AuditedWrite[]): Promise<void> {
    if (!this.deps.audit || writes.length === 0) return;
    await this.deps.audit.appendInTransaction(tx, writes.map((w) => writeEntry(actor, context, w)));
  }

  /** Bulk writes (imports): one audit entry per resource type and action, in their transaction. */
  async appendBulkWrites(tx: Queryable, actor: Actor, versions: readonly StoredVersion[], context?: RequestContext): Promise<void> {
    if (!this.deps.audit || versions.length === 0) return;
    await this.deps.audit.appendInTransaction(tx, bulkWriteEntries(actor, context, versions));
  }

  /** The patients a resource about to be deleted concerns (its content is gone afterwards). */
  async patientsBeforeDelete(repo: SqlFhirRepository, type: string, id: string): Promise<string[]> {
    if (!this.deps.audit) return [];
    const before = await repo.read(type, id);
    return before && !before.deleted ? patientsOfVersion(before) : [];
  }

  async delete(actor: Actor, type: string, id: string, context?: RequestContext): Promise<FhirResponse> {
    this.checkType(type);
    this.checkWritable(type);
    authorize(actor, { resourceType: type, interaction: 'd' });
    const deleted = await this.deps.store.transaction(async (repo, tx) => {
      const patients = await this.patientsBeforeDelete(repo, type, id);
      const version = await repo.delete(type, id, writeContext(actor));
      await this.auditWrites(tx, actor, context, [{ action: 'delete', resourceType: type, status: 204, reference: `${type}/${id}`, patients }]);
      return version;
    });
    // Deleting what is absent or already deleted succeeds (https://hl7.org/fhir/R4/http.html#delete).
    return { status: 204, headers: deleted ? { etag: `W/"${deleted.versionId}"` } : {} };
  }

  writeResponse(v: StoredVersion, status: number, prefer: string | undefined): FhirResponse {
    const headers = versionHeaders(this.fhirBase, v);
    const pref = parsePrefer(prefer).return;
    if (pref === 'minimal') return { status, headers };
    if (pref === 'OperationOutcome') {
      return { status, headers, body: outcome([{ severity: 'information', code: 'informational', diagnostics: `${v.resourceType}/${v.id} version ${v.versionId} stored` }]) };
    }
    return { status, headers, ...(v.resource ? { body: v.resource } : {}) };
  }

  async history(actor: Actor, type: string | undefined, id: string | undefined, query: [string, string][]): Promise<FhirResponse> {
    if (type) this.checkType(type);
    // History across resources is for unrestricted actors; a restricted one may see the
    // history of one resource that is visible to them, version by version.
    const scope = type && id ? await this.scopeOf(actor, 'read', type) : undefined;
    if (!scope) authorize(actor, { resourceType: type ?? '*', interaction: 's' });
    const q = new Map(query);
    const count = q.has('_count') ? Number(q.get('_count')) : 50;
    if (!Number.isInteger(count) || count < 0) throw errors.badRequest('_count must be a non-negative whole number');
    const since = q.get('_since');
    const at = q.get('_at');
    for (const [name, value] of [['_since', since], ['_at', at]] as const) {
      if (value !== undefined && Number.isNaN(Date.parse(value))) throw errors.badRequest(`${name} must be an instant`);
    }
    const cursor = q.get('_cursor');
    const page = await this.deps.store.history(type, id, {
      count,
      ...(since ? { since } : {}),
      ...(at ? { at } : {}),
      ...(cursor ? { cursor } : {}),
    });
    if (id && page.total === 0) throw errors.notFound(`${type}/${id}`);
    if (scope && scope.kind !== 'all') {
      await this.checkVisible(scope, type as string, id as string, await this.deps.store.read(type as string, id as string));
      const withContent = page.versions.filter(hasResource);
      const visible = await this.deps.access.visible(scope, withContent.map((v) => v.resource as Resource & Record<string, unknown>));
      const hidden = new Set(withContent.filter((_, i) => !visible[i]));
      page.versions = page.versions.filter((v) => !hidden.has(v));
    }
    const self = `${this.fhirBase}/${[type, id, '_history'].filter(Boolean).join('/')}`;
    const params = (extra: Record<string, string>): string => {
      const p = new URLSearchParams({ _count: String(count), ...(since ? { _since: since } : {}), ...(at ? { _at: at } : {}), ...extra });
      return `${self}?${p.toString()}`;
    };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      total: page.total,
      link: [
        { relation: 'self', url: params(cursor ? { _cursor: cursor } : {}) },
        ...(page.nextCursor ? [{ relation: 'next', url: params({ _cursor: page.nextCursor }) }] : []),
      ],
      entry: page.versions.map((v) => this.historyEntry(v)),
    };
    return { status: 200, body: bundle };
  }

  private historyEntry(v: StoredVersion): BundleEntry {
    const url = `${v.resourceType}/${v.id}`;
    const method = (v.method ?? 'PUT') as 'POST' | 'PUT' | 'DELETE';
    return {
      fullUrl: `${this.fhirBase}/${url}`,
      ...(hasResource(v) ? { resource: resourceOf(v) as FhirResource } : {}),
      request: { method, url: method === 'POST' ? v.resourceType : url },
      response: {
        status: method === 'POST' ? '201 Created' : method === 'DELETE' ? '204 No Content' : '200 OK',
        etag: `W/"${v.versionId}"`,
        lastModified: v.lastUpdated,
      },
    };
  }
}

/** Locks the criteria of a conditional write for the rest of the transaction (see conditional.ts). */
async function lockCriteria(handle: Queryable, type: string, params: [string, string][]): Promise<void> {
  await handle.query('select pg_advisory_xact_lock(hashtext($1))', [criteriaKey(type, params)]);
}

/** The search parameters of an If-None-Exist value (`identifier=…`, or a URL ending in one). */
export function ifNoneExistParams(query: string): [string, string][] {
  return [...new URLSearchParams(query.replace(/^.*\?/, ''))];
}

export function writeContext(actor: Actor): { author: string; sourceOrg: string | null } {
  return { author: actorReference(actor), sourceOrg: actorOrganization(actor) };
}
