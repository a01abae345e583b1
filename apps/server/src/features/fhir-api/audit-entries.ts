import type { Bundle, Resource } from 'fhir/r4';
import { MAX_REFERENCES, outcomeForStatus, patientsInJson, patientsInResource, unversioned, type AuditEntryInput } from '@kennebec/audit';
import type { StoredVersion } from '@kennebec/fhir-store';
import { actorOrganization, actorPurpose, actorReference, type Actor } from '../access/index.ts';
import { rawTextOf } from './json.ts';
import type { FhirRequest, FhirResponse, RequestContext } from './types.ts';

/**
 * What the audit trail records of each FHIR interaction: who, for whom and why (from the
 * actor), from where (the request context), and which records, as references taken from the
 * request and from what was returned or written. Never a query string, never content.
 */
export interface Interaction {
  action: 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'delete' | 'operation' | 'batch' | 'transaction';
  resourceType: string | null;
  id?: string | undefined;
  operation?: string | undefined;
}

/** The interaction a request asks for, as the router will see it; undefined for `metadata`. */
export function classify(req: Pick<FhirRequest, 'method' | 'path' | 'query' | 'body'>): Interaction | undefined {
  const parts = req.path.split('/').filter((p) => p.length > 0);
  const [type, second, third, fourth] = parts;
  const write = (): Interaction['action'] => (req.method === 'POST' ? 'create' : req.method === 'DELETE' ? 'delete' : 'update');
  const isRead = req.method === 'GET' || req.method === 'HEAD';
  if (!type) {
    const bundleType = (req.body as Bundle | undefined)?.type;
    return { action: bundleType === 'transaction' ? 'transaction' : 'batch', resourceType: null };
  }
  if (type === 'metadata' && parts.length === 1) return undefined;
  if (type === '_history') return { action: 'history', resourceType: null };
  const resourceType = /^[A-Z][A-Za-z]+$/.test(type) ? type : null;
  if (parts.length === 1) return { action: isRead ? 'search' : write(), resourceType };
  if (second?.startsWith('$')) return { action: 'operation', resourceType, operation: second };
  if (second === '_search') return { action: 'search', resourceType };
  if (second === '_history') return { action: 'history', resourceType };
  if (third?.startsWith('$')) return { action: 'operation', resourceType, id: second, operation: third };
  if (third === '_history') return { action: fourth ? 'vread' : 'history', resourceType, id: second };
  return { action: isRead ? 'read' : write(), resourceType, id: second };
}

/** Interactions whose success is recorded by the interaction itself, in its transaction. */
const RECORDED_IN_TRANSACTION = new Set<Interaction['action']>(['create', 'update', 'delete', 'transaction', 'batch']);

export function recordedInTransaction(i: Interaction): boolean {
  return RECORDED_IN_TRANSACTION.has(i.action);
}

/** The fields every entry of one request shares. Without an actor (no valid token) it is `anonymous`. */
export function requestFields(actor: Actor | undefined, context: RequestContext | undefined): AuditEntryInput {
  return {
    actor: actor ? actorReference(actor) : 'anonymous',
    actorOrg: actor && actorOrganization(actor) ? `Organization/${actorOrganization(actor) as string}` : null,
    onBehalfOf: actor?.onBehalfOf ?? null,
    purposeOfUse: actor ? actorPurpose(actor) : null,
    clientIp: context?.clientIp ?? null,
    userAgent: context?.userAgent ?? null,
    requestId: context?.requestId ?? null,
    action: 'read',
    outcome: 'success',
  };
}

/** Patients named by search parameters: `patient`, `subject=Patient/…`, a Patient's `_id`. */
export function patientsInQuery(type: string | null, query: readonly [string, string][]): string[] {
  const out: string[] = [];
  for (const [key, value] of query) {
    const name = key.split(':')[0] ?? '';
    if (key.includes('.')) continue;
    for (const v of value.split(',')) {
      const ref = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(v)?.[1];
      if (ref && (name === 'patient' || name === 'subject')) out.push(`Patient/${ref}`);
      else if (/^[A-Za-z0-9\-.]{1,64}$/.test(v) && (name === 'patient' || (name === '_id' && type === 'Patient'))) out.push(`Patient/${v}`);
    }
  }
  return out;
}

/** Patients a stored version concerns, from its object or its stored text. */
export function patientsOfVersion(v: StoredVersion): string[] {
  if (v.resource) return patientsInResource({ ...v.resource, id: v.id });
  if (v.raw !== undefined) return patientsInJson(v.raw, { resourceType: v.resourceType, id: v.id });
  return v.resourceType === 'Patient' || v.resourceType === 'Person' ? [`${v.resourceType}/${v.id}`] : [];
}

function patientsOfBody(resource: unknown, self?: { resourceType: string; id: string }): string[] {
  const raw = rawTextOf(resource);
  if (raw !== undefined) return patientsInJson(raw, self);
  if (resource && typeof resource === 'object' && 'resourceType' in resource) return patientsInResource(resource as Resource);
  return [];
}

/** References with their count, kept to MAX_REFERENCES. */
class References {
  readonly list: string[] = [];
  private readonly seen = new Set<string>();
  add(ref: string): void {
    if (this.seen.has(ref)) return;
    this.seen.add(ref);
    if (this.list.length < MAX_REFERENCES) this.list.push(ref);
  }
  get total(): number {
    return this.seen.size;
  }
}

/** The entry of a successful read, vread, search, history or operation, from what it returned. */
export function readEntry(req: FhirRequest, i: Interaction, res: FhirResponse, fhirBase: string): AuditEntryInput {
  const entities = new References();
  const patients = new References();
  for (const p of patientsInQuery(i.resourceType, req.query)) patients.add(p);
  if (i.resourceType && i.id) {
    entities.add(`${i.resourceType}/${i.id}`);
    if (i.resourceType === 'Patient' || i.resourceType === 'Person') patients.add(`${i.resourceType}/${i.id}`);
  }
  const body = res.body;
  const single = i.action === 'read' || i.action === 'vread';
  if (!single && body && (body as Bundle).resourceType === 'Bundle' && rawTextOf(body) === undefined) {
    for (const e of (body as Bundle).entry ?? []) {
      if (e.search?.mode === 'outcome' || !e.fullUrl) continue;
      const ref = unversioned(e.fullUrl.startsWith(`${fhirBase}/`) ? e.fullUrl.slice(fhirBase.length + 1) : e.fullUrl);
      entities.add(ref);
      const [type = '', id = ''] = ref.split('/');
      for (const p of patientsOfBody(e.resource, { resourceType: type, id })) patients.add(p);
    }
  } else if (body && i.resourceType && i.id) {
    for (const p of patientsOfBody(body, { resourceType: i.resourceType, id: i.id })) patients.add(p);
  }
  return {
    ...requestFields(req.actor, req.context),
    action: i.action,
    operation: i.operation ?? null,
    resourceType: i.resourceType,
    entities: entities.list,
    entitiesTotal: entities.total,
    patients: patients.list,
    outcome: 'success',
    status: res.status,
  };
}

/** The entry of a request that was refused or failed. */
export function failureEntry(req: Omit<FhirRequest, 'actor'> & { actor?: Actor | undefined }, i: Interaction, status: number): AuditEntryInput {
  const patients = patientsInQuery(i.resourceType, req.query);
  if (i.resourceType && i.id && (i.resourceType === 'Patient' || i.resourceType === 'Person')) patients.push(`${i.resourceType}/${i.id}`);
  if ((i.action === 'create' || i.action === 'update') && req.body && typeof req.body === 'object' && !Array.isArray(req.body)) {
    patients.push(...patientsOfBody(req.body));
  }
  return {
    ...requestFields(req.actor, req.context),
    action: i.action,
    operation: i.operation ?? null,
    resourceType: i.resourceType,
    entities: i.resourceType && i.id ? [`${i.resourceType}/${i.id}`] : [],
    patients,
    outcome: outcomeForStatus(status),
    status,
  };
}

/** A write (or a read inside a transaction) recorded in its transaction. */
export interface AuditedWrite {
  action: 'create' | 'update' | 'delete' | 'read' | 'search';
  resourceType: string;
  status: number;
  /** The versions written or read (for a search: its matches). */
  versions?: readonly StoredVersion[] | undefined;
  /** A reference when no version is at hand (deleting what is already gone). */
  reference?: string | undefined;
  /** Patients concerned when the versions do not tell (a delete: from the version before). */
  patients?: readonly string[] | undefined;
}

export function writeEntry(actor: Actor, context: RequestContext | undefined, w: AuditedWrite): AuditEntryInput {
  const entities = new References();
  const patients = new References();
  if (w.reference) entities.add(w.reference);
  for (const p of w.patients ?? []) patients.add(p);
  for (const v of w.versions ?? []) {
    entities.add(`${v.resourceType}/${v.id}`);
    for (const p of patientsOfVersion(v)) patients.add(p);
  }
  return {
    ...requestFields(actor, context),
    action: w.action,
    resourceType: w.resourceType,
    entities: entities.list,
    entitiesTotal: entities.total,
    patients: patients.list,
    outcome: 'success',
    status: w.status,
  };
}

/** Bulk writes (imports, seeding): one entry per resource type and action instead of one per resource. */
export function bulkWriteEntries(actor: Actor, context: RequestContext | undefined, versions: readonly StoredVersion[]): AuditEntryInput[] {
  const groups = new Map<string, { action: 'create' | 'update'; resourceType: string; versions: StoredVersion[] }>();
  for (const v of versions) {
    const action = v.method === 'PUT' ? 'update' : 'create';
    const key = `${action} ${v.resourceType}`;
    const group = groups.get(key) ?? { action, resourceType: v.resourceType, versions: [] };
    group.versions.push(v);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => writeEntry(actor, context, { ...g, status: g.action === 'create' ? 201 : 200 }));
}
