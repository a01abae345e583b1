import { randomUUID } from 'node:crypto';
import type { Resource } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { indexDeleteCtes, indexInsertCtes } from './index-writer.ts';
import type { HistoryOptions, HistoryPage, IndexRows, StoredVersion, WriteContext } from './types.ts';
import { sameContent, writeManyStatement, type VersionToWrite } from './write-many.ts';

/**
 * Create, read, update, delete and history of FHIR resources over one database handle.
 * It neither validates nor authorizes: callers (the FHIR interactions) do both before writing.
 * Within a transaction it is built on the transaction's handle, so every write it makes belongs
 * to that transaction.
 */
export interface RepositoryDeps {
  buildIndexRows: (resource: Resource) => IndexRows;
  now: () => Date;
  newId?: () => string;
  /**
   * Server-side additions to every stored version before it is written and indexed (the server
   * adds sensitivity labels to `meta.security` here). Must not change the resource's type or id.
   */
  prepareContent?: (resource: Resource) => Resource;
}

interface ResourceRow {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: string | Date;
  deleted: boolean;
  content: Resource | string | null;
  author: string;
  source_org: string | null;
  method?: string;
  person_id?: string | null;
}

export interface UpdateOptions {
  /** Expected current version (If-Match); a mismatch is 412. */
  ifMatch?: number;
}

export interface UpdateResult {
  version: StoredVersion;
  created: boolean;
  /** The content equalled the current version's, so no version was written (updateMany's keepUnchanged). */
  unchanged?: boolean;
}

export interface UpdateManyItem<T extends Resource = Resource> {
  resource: T & { id: string };
  /**
   * The current version as the caller read it in this transaction under a row lock
   * (findByTokens), or null when the caller knows there is none (an id it just assigned).
   * Left out, updateMany reads and locks it.
   */
  current?: StoredVersion | null;
  /** Expected current version (If-Match); a mismatch is 412. */
  ifMatch?: number;
  /** Who writes this one, when not the call's writer. */
  ctx?: WriteContext;
}

export interface UpdateManyOptions {
  /** Write no new version when the content is that of the current version (meta.versionId and meta.lastUpdated aside). */
  keepUnchanged?: boolean;
}

/** A token to look up, as `param=system|code` would search it. */
export interface TokenKey {
  resourceType: string;
  param: string;
  system: string;
  code: string;
}

/** Code-unit order: the same in every process, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareKeys(a: TokenKey, b: TokenKey): number {
  return compareText(a.resourceType, b.resourceType) || compareText(a.param, b.param) || compareText(a.system, b.system) || compareText(a.code, b.code);
}

function iso(v: string | Date): string {
  return typeof v === 'string' ? new Date(v).toISOString() : v.toISOString();
}

export function toStoredVersion(row: ResourceRow): StoredVersion {
  const version: StoredVersion = {
    resourceType: row.resource_type,
    id: row.id,
    versionId: Number(row.version_id),
    lastUpdated: iso(row.last_updated),
    deleted: row.deleted,
    author: row.author,
    sourceOrg: row.source_org,
    ...(row.method ? { method: row.method } : {}),
    ...(row.person_id !== undefined ? { personId: row.person_id } : {}),
  };
  if (row.deleted || row.content === null) return version;
  if (typeof row.content !== 'string') return { ...version, resource: row.content };
  // Selected as text: responses can send it as is, and the object is parsed only if needed.
  const raw = row.content;
  let parsed: Resource | undefined;
  version.raw = raw;
  Object.defineProperty(version, 'resource', { enumerable: true, configurable: true, get: () => (parsed ??= JSON.parse(raw) as Resource) });
  return version;
}

/** Server-managed meta: versionId and lastUpdated are ours; the rest of meta is the client's. */
function withMeta<T extends Resource>(resource: T, id: string, versionId: number, lastUpdated: string): T {
  const meta = { ...(resource.meta ?? {}), versionId: String(versionId), lastUpdated };
  return { ...resource, id, meta };
}

const COLUMNS = 'resource_type, id, version_id, last_updated, deleted, content::text as content, author, source_org';
/** Current versions read for a write: with the Person they belong to. */
const CURRENT_COLUMNS = `${COLUMNS}, person_id`;

export class SqlFhirRepository {
  constructor(
    private readonly q: Queryable,
    private readonly deps: RepositoryDeps,
  ) {}

  private prepare<T extends Resource>(resource: T): T {
    return this.deps.prepareContent ? (this.deps.prepareContent(resource) as T) : resource;
  }

  async read(resourceType: string, id: string): Promise<StoredVersion | undefined> {
    const res = await this.q.query<ResourceRow>(
      `select ${COLUMNS} from resource where resource_type = $1 and id = $2`,
      [resourceType, id],
      { prepare: true },
    );
    const row = res.rows[0];
    return row ? toStoredVersion(row) : undefined;
  }

  async vread(resourceType: string, id: string, versionId: number): Promise<StoredVersion | undefined> {
    const res = await this.q.query<ResourceRow>(
      `select ${COLUMNS}, method from resource_history where resource_type = $1 and id = $2 and version_id = $3`,
      [resourceType, id, versionId],
      { prepare: true },
    );
    const row = res.rows[0];
    return row ? toStoredVersion(row) : undefined;
  }

  /** Creates a resource with a server-assigned id (or `id` when given, for update-as-create and imports). */
  async create<T extends Resource>(resource: T, ctx: WriteContext, id?: string): Promise<StoredVersion<T>> {
    const [created] = await this.createMany([{ resource, id }], ctx);
    return created as StoredVersion<T>;
  }

  /**
   * Creates many resources in one statement (resources, history and index rows): the bulk path
   * for bundles and imports. An item's own `ctx` overrides the call's.
   */
  async createMany<T extends Resource>(items: { resource: T; id?: string | undefined; ctx?: WriteContext | undefined }[], ctx: WriteContext): Promise<StoredVersion<T>[]> {
    if (items.length === 0) return [];
    const lastUpdated = this.deps.now().toISOString();
    const newId = this.deps.newId ?? randomUUID;
    const versions = items.map(({ resource, id, ctx: own }) => {
      const rid = id ?? newId();
      const by = own ?? ctx;
      return {
        resourceType: resource.resourceType,
        id: rid,
        versionId: 1,
        lastUpdated,
        deleted: false,
        resource: withMeta(this.prepare(resource), rid, 1, lastUpdated),
        author: by.author,
        sourceOrg: by.sourceOrg ?? null,
        method: 'POST',
      } satisfies StoredVersion<T>;
    });
    const { sql, params } = writeManyStatement(
      versions.map((v) => ({ resource: v.resource as T & { id: string }, versionId: 1, insert: true, method: 'POST', author: v.author, sourceOrg: v.sourceOrg, index: { resourceType: v.resourceType, id: v.id, rows: this.deps.buildIndexRows(v.resource) } })),
      lastUpdated,
    );
    await this.q.query(sql, params, { prepare: true });
    return versions;
  }

  /**
   * Transaction-scoped advisory locks on many keys (e.g. the criteria of conditional writes),
   * taken in one statement and in one global order, so two writers never wait on each other
   * in a cycle. Held until the transaction ends.
   */
  async lockKeys(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.q.query(
      'select count(pg_advisory_xact_lock(h)) as n from (select distinct hashtext(k) as h from unnest($1::text[]) as k order by 1) as s',
      [keys],
      { prepare: true },
    );
  }

  /**
   * The current, not deleted resources whose token index holds each key, as the searches
   * `Type?param=system|code` would find them, all in one statement. The rows found are locked
   * (FOR UPDATE) until the transaction ends. Result i lists the matches of key i.
   *
   * Each key is looked up by a LATERAL index scan, so that the prepared statement's generic plan
   * stays an index lookup per key even when it was made before the tables had statistics.
   * Keys are looked up, and their rows locked, in one canonical order.
   */
  async findByTokens(keys: readonly TokenKey[]): Promise<StoredVersion[][]> {
    const out = keys.map((): StoredVersion[] => []);
    if (keys.length === 0) return out;
    const order = keys.map((k, i) => ({ k, i })).sort((a, b) => compareKeys(a.k, b.k));
    const sorted = order.map((o) => o.k);
    const res = await this.q.query<ResourceRow & { n: string | number }>(
      `select k.n, r.*
       from unnest($1::text[], $2::text[], $3::text[], $4::text[]) with ordinality as k(t, p, s, c, n)
       cross join lateral (select i.resource_id from sp_token i
         where i.resource_type = k.t and i.param = k.p and i.code = k.c and i.system = k.s offset 0) as m
       cross join lateral (select ${CURRENT_COLUMNS} from resource r
         where r.resource_type = k.t and r.id = m.resource_id and not r.deleted offset 0 for update) as r
       order by k.n`,
      [sorted.map((k) => k.resourceType), sorted.map((k) => k.param), sorted.map((k) => k.system), sorted.map((k) => k.code)],
      { prepare: true },
    );
    for (const row of res.rows) {
      const list = out[(order[Number(row.n) - 1] as (typeof order)[number]).i] as StoredVersion[];
      if (!list.some((v) => v.id === row.id)) list.push(toStoredVersion(row));
    }
    return out;
  }

  /**
   * Updates (PUT) many resources, with the results of updating them one after another in the
   * given order: a missing resource is created with its id, a deleted one recreated. The writes
   * take one statement (plus one to read and lock the current versions the caller did not pass).
   */
  async updateMany<T extends Resource>(items: readonly UpdateManyItem<T>[], ctx: WriteContext, opts: UpdateManyOptions = {}): Promise<UpdateResult[]> {
    const results: UpdateResult[] = [];
    // A resource written twice gets two versions in order: each run writes every id once.
    let run: UpdateManyItem<T>[] = [];
    const inRun = new Set<string>();
    const done = new Set<string>();
    for (const item of items) {
      const key = `${item.resource.resourceType}/${item.resource.id}`;
      if (inRun.has(key)) {
        results.push(...(await this.updateRun(run, ctx, opts)));
        for (const k of inRun) done.add(k);
        run = [];
        inRun.clear();
      }
      inRun.add(key);
      // An id written earlier in this call is read again: its current version is the one just written.
      run.push(done.has(key) ? { resource: item.resource, ...(item.ifMatch !== undefined ? { ifMatch: item.ifMatch } : {}), ...(item.ctx ? { ctx: item.ctx } : {}) } : item);
    }
    results.push(...(await this.updateRun(run, ctx, opts)));
    return results;
  }

  private async updateRun<T extends Resource>(items: readonly UpdateManyItem<T>[], ctx: WriteContext, opts: UpdateManyOptions): Promise<UpdateResult[]> {
    if (items.length === 0) return [];
    // Read and locked in one canonical order, like findByTokens.
    const unknown = items.filter((i) => i.current === undefined).sort((a, b) => compareText(a.resource.resourceType, b.resource.resourceType) || compareText(a.resource.id, b.resource.id));
    const read = new Map<string, StoredVersion>();
    if (unknown.length > 0) {
      const res = await this.q.query<ResourceRow>(
        `select r.* from unnest($1::text[], $2::text[]) as u(t, i)
         cross join lateral (select ${CURRENT_COLUMNS} from resource x where x.resource_type = u.t and x.id = u.i offset 0 for update) as r`,
        [unknown.map((i) => i.resource.resourceType), unknown.map((i) => i.resource.id)],
        { prepare: true },
      );
      for (const row of res.rows) read.set(`${row.resource_type}/${row.id}`, toStoredVersion(row));
    }
    const lastUpdated = this.deps.now().toISOString();
    const results: UpdateResult[] = [];
    const toWrite: VersionToWrite[] = [];
    for (const item of items) {
      const { resourceType, id } = item.resource;
      const current = item.current === undefined ? read.get(`${resourceType}/${id}`) : (item.current ?? undefined);
      if (item.ifMatch !== undefined && current?.versionId !== item.ifMatch) {
        throw errors.versionConflict(`${resourceType}/${id}`, String(item.ifMatch), current ? String(current.versionId) : 'none');
      }
      // Compared as it would be stored: the server's additions (labels) are part of the content.
      const prepared = this.prepare(item.resource);
      if (opts.keepUnchanged && current && !current.deleted && current.resource && sameContent(current.resource, prepared)) {
        results.push({ version: current, created: false, unchanged: true });
        continue;
      }
      const versionId = current ? current.versionId + 1 : 1;
      const stored = withMeta(prepared, id, versionId, lastUpdated);
      const by = item.ctx ?? ctx;
      const author = by.author;
      const sourceOrg = by.sourceOrg ?? null;
      // A new row is recorded as update() records it: its history row says POST, as createMany's do.
      toWrite.push({ resource: stored, versionId, insert: !current, method: current ? 'PUT' : 'POST', author, sourceOrg, index: { resourceType, id, rows: this.deps.buildIndexRows(stored) } });
      results.push({
        version: { resourceType, id, versionId, lastUpdated, deleted: false, resource: stored, author, sourceOrg, method: 'PUT' },
        created: !current || current.deleted,
      });
    }
    if (toWrite.length > 0) {
      const { sql, params } = writeManyStatement(toWrite, lastUpdated);
      await this.q.query(sql, params, { prepare: true });
    }
    return results;
  }

  /** Update (PUT). A missing or deleted resource is (re)created with the client's id. */
  async update<T extends Resource>(resource: T & { id: string }, ctx: WriteContext, opts: UpdateOptions = {}): Promise<UpdateResult> {
    const { resourceType, id } = resource;
    const current = await this.q.query<{ version_id: number; deleted: boolean }>(
      'select version_id, deleted from resource where resource_type = $1 and id = $2 for update',
      [resourceType, id],
    );
    const row = current.rows[0];
    if (opts.ifMatch !== undefined && (!row || Number(row.version_id) !== opts.ifMatch)) {
      throw errors.versionConflict(`${resourceType}/${id}`, String(opts.ifMatch), row ? String(row.version_id) : 'none');
    }
    if (!row) {
      const version = await this.create(resource, ctx, id);
      return { version: { ...version, method: 'PUT' }, created: true };
    }
    const versionId = Number(row.version_id) + 1;
    const lastUpdated = this.deps.now().toISOString();
    const stored = withMeta(this.prepare(resource), id, versionId, lastUpdated);
    await this.writeVersion(stored, versionId, lastUpdated, 'PUT', ctx, this.deps.buildIndexRows(stored));
    return {
      version: { resourceType, id, versionId, lastUpdated, deleted: false, resource: stored, author: ctx.author, sourceOrg: ctx.sourceOrg ?? null, method: 'PUT' },
      created: row.deleted,
    };
  }

  /** Deletes a resource: a new, deleted version. Returns undefined when there was nothing to delete. */
  async delete(resourceType: string, id: string, ctx: WriteContext): Promise<StoredVersion | undefined> {
    const current = await this.q.query<{ version_id: number; deleted: boolean }>(
      'select version_id, deleted from resource where resource_type = $1 and id = $2 for update',
      [resourceType, id],
    );
    const row = current.rows[0];
    if (!row || row.deleted) return undefined;
    const versionId = Number(row.version_id) + 1;
    const lastUpdated = this.deps.now().toISOString();
    await this.writeVersion({ resourceType, id } as Resource, versionId, lastUpdated, 'DELETE', ctx, undefined);
    return { resourceType, id, versionId, lastUpdated, deleted: true, author: ctx.author, sourceOrg: ctx.sourceOrg ?? null, method: 'DELETE' };
  }

  /** Writes a new version, its history row, and replaces its index rows (none for a delete): one statement. */
  private async writeVersion(resource: Resource, versionId: number, lastUpdated: string, method: string, ctx: WriteContext, rows: IndexRows | undefined): Promise<void> {
    const deleted = method === 'DELETE';
    const content = deleted ? null : JSON.stringify(resource);
    const index = rows ? indexInsertCtes([{ resourceType: resource.resourceType, id: resource.id as string, rows }], 10) : { ctes: [], params: [] };
    // The deletes see the rows as they were before this statement, so they never remove the new ones.
    const ctes = [...indexDeleteCtes(1, 2), ...index.ctes];
    await this.q.query(
      `with r as (
         update resource set version_id = $3, last_updated = $4::timestamptz, deleted = $5, content = $6::jsonb,
           author = $7, source_org = $8
         where resource_type = $1 and id = $2
       ),
       h as (
         insert into resource_history (resource_type, id, version_id, last_updated, deleted, method, content, author, source_org)
         values ($1, $2, $3, $4::timestamptz, $5, $9, $6::jsonb, $7, $8)
       )${ctes.map((c) => `,
       ${c}`).join('')}
       select 1`,
      [resource.resourceType, resource.id, versionId, lastUpdated, deleted, content, ctx.author, ctx.sourceOrg ?? null, method, ...index.params],
      { prepare: true },
    );
  }

  /**
   * History of one resource, one type, or the whole server, newest first.
   * Paging uses a (last_updated, type, id, version) cursor so pages stay correct while others write.
   */
  async history(resourceType: string | undefined, id: string | undefined, opts: HistoryOptions = {}): Promise<HistoryPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (resourceType) add('resource_type = ?', resourceType);
    if (id) add('id = ?', id);
    if (opts.since) add('last_updated >= ?::timestamptz', opts.since);
    if (opts.at) add('last_updated <= ?::timestamptz', opts.at);
    const filter = where.length > 0 ? `where ${where.join(' and ')}` : '';
    const totalRes = await this.q.query<{ n: string | number }>(`select count(*) as n from resource_history ${filter}`, params);
    const total = Number(totalRes.rows[0]?.n ?? 0);
    const count = Math.min(Math.max(opts.count ?? 50, 0), 1000);
    const pageWhere = [...where];
    const pageParams = [...params];
    if (opts.cursor) {
      const c = decodeHistoryCursor(opts.cursor);
      pageParams.push(c.t, c.type, c.id, c.v);
      const n = pageParams.length;
      pageWhere.push(`(last_updated, resource_type, id, version_id) < ($${n - 3}::timestamptz, $${n - 2}, $${n - 1}, $${n}::integer)`);
    }
    pageParams.push(count + 1);
    const rows = await this.q.query<ResourceRow>(
      `select ${COLUMNS}, method from resource_history
       ${pageWhere.length > 0 ? `where ${pageWhere.join(' and ')}` : ''}
       order by last_updated desc, resource_type desc, id desc, version_id desc
       limit $${pageParams.length}`,
      pageParams,
    );
    const versions = rows.rows.slice(0, count).map(toStoredVersion);
    const last = versions[versions.length - 1];
    const hasMore = rows.rows.length > count && last !== undefined;
    return {
      versions,
      total,
      ...(hasMore ? { nextCursor: encodeHistoryCursor({ t: last.lastUpdated, type: last.resourceType, id: last.id, v: last.versionId }) } : {}),
    };
  }
}

interface HistoryCursor {
  t: string;
  type: string;
  id: string;
  v: number;
}

function encodeHistoryCursor(c: HistoryCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeHistoryCursor(s: string): HistoryCursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as HistoryCursor;
    if (typeof c.t !== 'string' || typeof c.type !== 'string' || typeof c.id !== 'string' || typeof c.v !== 'number') throw new Error('shape');
    return c;
  } catch {
    throw errors.badRequest('Invalid history page cursor');
  }
}
