import type { Bundle } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { dateRange, errors, type IssueInput } from '@kennebec/fhir';
import { SUBTYPE_OF_ACTION, toAuditEvent, type ChainedRecord } from '@kennebec/audit';
import { authorizeAuditRead, type Actor, type AuditAccess } from '../access/index.ts';
import type { FhirResponse, ResourceProvider } from '../fhir-api/index.ts';
import { selectEntries } from './rows.ts';

/**
 * The audit trail seen as FHIR AuditEvents: read by id and search, never written. Who may see
 * which entries is decided by the access point (authorizeAuditRead); the answer narrows every
 * query here. Reading the trail is itself recorded, by the dispatcher, like any other read.
 *
 * Search parameters (https://hl7.org/fhir/R4/auditevent.html#search): patient, entity, agent
 * (reference), date (all prefixes), action (C|R|U|D|E), subtype (an interaction code), outcome
 * (0|4|8), _id, _count (at most 1000), _sort (date or -date, the default). Pages are keyset pages
 * on the trail's sequence number, so entries appended meanwhile neither skip nor repeat.
 */
export const AUDIT_EVENT_SEARCH_PARAMS = [
  { name: 'patient', type: 'reference', documentation: 'A patient concerned (Patient/{id})' },
  { name: 'entity', type: 'reference', documentation: 'A resource read or written, or a patient concerned' },
  { name: 'agent', type: 'reference', documentation: 'Who acted (Client/{id}, System/{origin}, …), for whom, or their organization' },
  { name: 'date', type: 'date', documentation: 'When the event was recorded' },
  { name: 'action', type: 'token', documentation: 'C | R | U | D | E' },
  { name: 'subtype', type: 'token', documentation: 'The interaction: read, vread, search-type, history, create, update, delete, operation, batch, transaction' },
  { name: 'outcome', type: 'token', documentation: '0 success, 4 refused or invalid, 8 server failure' },
  { name: '_id', type: 'token', documentation: 'The AuditEvent id' },
];

const DEFAULT_COUNT = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_COUNT = 1000;
const KNOWN = new Set(['patient', 'entity', 'agent', 'date', 'action', 'subtype', 'outcome', '_id', '_count', '_sort', '_cursor']);

export interface AuditEventDeps {
  db: Queryable;
  fhirBase: string;
  /** Names this server in AuditEvent.source.observer. */
  observer: string;
  /** Brings the chain up to date (entries waiting or staged), so a reader sees every access so far. */
  settle?: (() => Promise<void>) | undefined;
}

class Where {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  get sql(): string {
    return this.clauses.length > 0 ? `where ${this.clauses.join(' and ')}` : '';
  }
}

function restrict(where: Where, access: AuditAccess): void {
  if (access.scope === 'patients') where.clauses.push(`patients && ${where.param([...access.patients])}::text[]`);
}

function reference(value: string, fhirBase: string, defaultType?: string): string {
  const v = value.startsWith(`${fhirBase}/`) ? value.slice(fhirBase.length + 1) : value;
  return defaultType && !v.includes('/') ? `${defaultType}/${v}` : v;
}

function tokenCode(value: string): string {
  const bar = value.lastIndexOf('|');
  return bar === -1 ? value : value.slice(bar + 1);
}

const ACTIONS_OF_SUBTYPE: Record<string, string> = Object.fromEntries([
  ...Object.entries(SUBTYPE_OF_ACTION).map(([action, code]) => [code, action]),
  ['search', 'search'],
  ['history-instance', 'history'],
  ['history-type', 'history'],
  ['history-system', 'history'],
]);

function bad(param: string, message: string): Error {
  return errors.badRequest(`Invalid value for search parameter '${param}': ${message}`, [param]);
}

/** One parameter's condition; its comma-separated values are alternatives (OR). */
function condition(where: Where, name: string, values: string[], fhirBase: string): void {
  const any = (list: string[]): string => `${where.param(list)}::text[]`;
  switch (name) {
    case 'patient':
      where.clauses.push(`patients && ${any(values.map((v) => reference(v, fhirBase, 'Patient')))}`);
      return;
    case 'entity': {
      const refs = any(values.map((v) => reference(v, fhirBase)));
      where.clauses.push(`(entities && ${refs} or patients && ${refs})`);
      return;
    }
    case 'agent': {
      const refs = any(values.map((v) => reference(v, fhirBase)));
      where.clauses.push(`(actor = any(${refs}) or on_behalf_of = any(${refs}) or actor_org = any(${refs}))`);
      return;
    }
    case '_id':
      // Ids are UUIDs; anything else matches nothing.
      where.clauses.push(`id = any(${where.param(values.map((v) => v.toLowerCase()).filter((v) => UUID.test(v)))}::uuid[])`);
      return;
    case 'action': {
      const ors = values.map((v) => {
        switch (tokenCode(v)) {
          case 'C':
            return `(action = 'create' or (action = 'update' and status = 201))`;
          case 'R':
            return `action in ('read', 'vread', 'history')`;
          case 'U':
            return `(action = 'update' and status is distinct from 201)`;
          case 'D':
            return `action = 'delete'`;
          case 'E':
            return `action not in ('create', 'update', 'delete', 'read', 'vread', 'history')`;
          default:
            throw bad('action', `'${v}' is not one of C, R, U, D, E`);
        }
      });
      where.clauses.push(`(${ors.join(' or ')})`);
      return;
    }
    case 'subtype': {
      const actions = values.map((v) => {
        const action = ACTIONS_OF_SUBTYPE[tokenCode(v)];
        if (!action) throw bad('subtype', `'${v}' is not an interaction code`);
        return action;
      });
      where.clauses.push(`action = any(${any(actions)})`);
      return;
    }
    case 'outcome': {
      const ors = values.map((v) => {
        switch (tokenCode(v)) {
          case '0':
            return `outcome = 'success'`;
          case '4':
            return `(outcome = 'denied' or (outcome = 'error' and status < 500))`;
          case '8':
            return `(outcome = 'error' and (status is null or status >= 500))`;
          case '12':
            return 'false';
          default:
            throw bad('outcome', `'${v}' is not one of 0, 4, 8, 12`);
        }
      });
      where.clauses.push(`(${ors.join(' or ')})`);
      return;
    }
    case 'date': {
      const ors = values.map((v) => {
        const prefix = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)/.exec(v)?.[1] ?? 'eq';
        const range = dateRange((prefix === 'eq' && !v.startsWith('eq') ? v : v.slice(2)).replace(/ (\d{2}:\d{2})$/, '+$1'));
        if (!range) throw bad('date', `'${v}' is not a date, dateTime or instant`);
        // Parameters only for the bounds used: PostgreSQL refuses a parameter it cannot type.
        const low = (): string => `${where.param(range.low)}::timestamptz`;
        const high = (): string => `${where.param(range.high)}::timestamptz`;
        switch (prefix) {
          case 'ne':
            return `(recorded < ${low()} or recorded > ${high()})`;
          case 'gt':
          case 'sa':
            return `recorded > ${high()}`;
          case 'lt':
          case 'eb':
            return `recorded < ${low()}`;
          case 'ge':
            return `recorded >= ${low()}`;
          case 'le':
            return `recorded <= ${high()}`;
          default:
            return `recorded between ${low()} and ${high()}`;
        }
      });
      where.clauses.push(`(${ors.join(' or ')})`);
      return;
    }
  }
}

function positiveInt(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > max) throw bad(name, `must be a whole number from 0 to ${max}`);
  return n;
}

export function auditEventProvider(deps: AuditEventDeps): ResourceProvider {
  const toResource = (r: ChainedRecord) => toAuditEvent(r, { observer: deps.observer });
  return {
    searchParams: AUDIT_EVENT_SEARCH_PARAMS,

    async read(actor: Actor, id: string): Promise<FhirResponse> {
      const access = authorizeAuditRead(actor, 'r');
      if (!UUID.test(id)) throw errors.notFound(`AuditEvent/${id}`);
      await deps.settle?.();
      const where = new Where();
      where.clauses.push(`id = ${where.param(id)}`);
      restrict(where, access);
      const [found] = await selectEntries(deps.db, where.sql, where.params);
      if (!found) throw errors.notFound(`AuditEvent/${id}`);
      return { status: 200, body: toResource(found), headers: { etag: 'W/"1"', 'last-modified': new Date(found.recorded).toUTCString() } };
    },

    async search(actor: Actor, params: [string, string][], prefer: string | undefined): Promise<FhirResponse> {
      const access = authorizeAuditRead(actor, 's');
      await deps.settle?.();
      const lenient = /handling\s*=\s*lenient/.test(prefer ?? '');
      const where = new Where();
      restrict(where, access);
      const warnings: IssueInput[] = [];
      let count = DEFAULT_COUNT;
      let ascending = false;
      let cursor: number | undefined;
      const kept: [string, string][] = [];
      for (const [key, value] of params) {
        if (!KNOWN.has(key)) {
          if (!lenient) throw errors.unsupportedSearch(key, 'AuditEvent');
          warnings.push({ severity: 'warning', code: 'not-supported', diagnostics: `Unknown search parameter '${key}' for AuditEvent was ignored` });
          continue;
        }
        if (key === '_cursor') {
          cursor = positiveInt('_cursor', value, Number.MAX_SAFE_INTEGER);
          continue;
        }
        kept.push([key, value]);
        if (key === '_count') count = positiveInt('_count', value, MAX_COUNT);
        else if (key === '_sort') {
          if (value !== 'date' && value !== '-date') throw bad('_sort', 'only date and -date are supported');
          ascending = value === 'date';
        } else condition(where, key, value.split(',').filter((v) => v !== ''), deps.fhirBase);
      }
      if (cursor !== undefined) where.clauses.push(`seq ${ascending ? '>' : '<'} ${where.param(cursor)}`);
      const rows = count === 0 ? [] : await selectEntries(deps.db, where.sql, where.params, `order by seq ${ascending ? 'asc' : 'desc'} limit ${count + 1}`);
      const page = rows.slice(0, count);
      const last = page[page.length - 1];
      const link = (extra: [string, string][]): string => {
        const qs = new URLSearchParams([...kept, ...extra]).toString();
        return `${deps.fhirBase}/AuditEvent${qs ? `?${qs}` : ''}`;
      };
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        link: [
          { relation: 'self', url: link(cursor !== undefined ? [['_cursor', String(cursor)]] : []) },
          ...(rows.length > count && last ? [{ relation: 'next', url: link([['_cursor', String(last.seq)]]) }] : []),
        ],
        entry: [
          ...page.map((r) => ({ fullUrl: `${deps.fhirBase}/AuditEvent/${r.id}`, resource: toResource(r), search: { mode: 'match' as const } })),
          ...(warnings.length > 0 ? [{ resource: { resourceType: 'OperationOutcome' as const, issue: warnings.map((w) => ({ severity: 'warning' as const, code: w.code, diagnostics: w.diagnostics })) }, search: { mode: 'outcome' as const } }] : []),
        ],
      };
      if (bundle.entry?.length === 0) delete bundle.entry;
      return { status: 200, body: bundle };
    },
  };
}
