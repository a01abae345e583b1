import type { FastifyInstance } from 'fastify';
import type { Organization, Patient } from 'fhir/r4';
import { z } from 'zod';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import { isOutcomeError } from '@kennebec/fhir';
import type { AuditEntryInput } from '@kennebec/audit';
import { apiRoute, problemSchema, type ApiRegistry } from '../../http/api-routes.ts';
import { actorOrganization, actorReference, defaultPurpose, type AccessPoint, type Principal, type UserActor } from '../access/index.ts';
import type { AccountsContext } from '../accounts/index.ts';
import type { AuditSink, SearchEngine } from '../fhir-api/index.ts';
import { exportRecord, listPeople, readSection, SECTION_NAMES, type PortalDeps } from './record.ts';

const problem = (description: string) => ({ description, schema: problemSchema });

const person = z.object({
  patientId: z.string(),
  relation: z.enum(['self', 'proxy']),
  name: z.string().nullable(),
  birthDate: z.string().nullable(),
  hiddenLabels: z.array(z.string()).describe('Sensitivity labels whose information is not shown to this account'),
});

const item = z.object({
  resourceType: z.string(),
  id: z.string(),
  sourceOrg: z.string().nullable().describe('The organization (data source) that sent it'),
  resource: z.record(z.string(), z.unknown()).describe('The FHIR R4 resource'),
});

export interface PortalOptions {
  api: ApiRegistry;
  ctx: AccountsContext;
  access: AccessPoint;
  search: SearchEngine;
  store: SqlFhirStore;
  audit: AuditSink;
}

/**
 * The audit entry of a portal read: who, acting for whom (a proxy reading someone else's
 * record), why (PATRQT for a patient's own request, TREAT for staff), whose record, which
 * resources. Denied and failed reads are recorded too.
 */
function portalEntry(principal: Principal, req: { id: string; ip: string; headers: Record<string, unknown> }, patientId: string | null, status: number, entities: string[], action = 'search'): AuditEntryInput {
  const actor = principal.actor as UserActor;
  // Acting for someone: a proxy reading the record of a person they act for (not their own).
  const proxy = patientId !== null && !principal.self.includes(patientId) && principal.proxies.some((p) => p.patientIds.includes(patientId));
  const org = actorOrganization(actor);
  return {
    actor: actorReference(actor),
    actorOrg: org ? `Organization/${org}` : null,
    onBehalfOf: proxy ? `Patient/${patientId}` : null,
    purposeOfUse: defaultPurpose(actor),
    patients: patientId ? [`Patient/${patientId}`] : [],
    action,
    operation: action === 'export' ? 'portal-export' : null,
    resourceType: null,
    entities: entities.slice(0, 100),
    entitiesTotal: entities.length,
    outcome: status < 300 ? 'success' : status === 401 || status === 403 || status === 404 ? 'denied' : 'error',
    status,
    clientIp: req.ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    requestId: req.id,
  };
}

/** The patient portal's record API: a signed-in patient's own record and the records of those they act for. */
export async function portalPlugin(app: FastifyInstance, opts: PortalOptions): Promise<void> {
  const { api, ctx, access } = opts;
  const deps: PortalDeps = {
    access,
    search: opts.search,
    async readPatient(id) {
      const v = await opts.store.read('Patient', id);
      return v && !v.deleted ? (v.resource as Patient) : undefined;
    },
    // Organizations are directory data (any signed-in user may read them): the portal labels
    // each item with the name of the organization that sent it.
    async organizationNames(items) {
      const names: Record<string, string> = {};
      for (const id of new Set(items.map((i) => i.sourceOrg).filter((o): o is string => o !== null))) {
        const v = await opts.store.read('Organization', id);
        const name = v && !v.deleted ? (v.resource as Organization).name : undefined;
        if (name) names[id] = name;
      }
      return names;
    },
  };
  api.add(app, [
    apiRoute({
      method: 'GET',
      url: '/api/portal/people',
      operationId: 'listPortalPeople',
      summary: 'The signed-in patient and the people they act for (as parent, guardian or other proxy)',
      tags: ['portal'],
      security: 'session',
      who: ['patient'],
      responses: {
        200: { description: 'People whose record this account may see', schema: z.object({ people: z.array(person) }) },
        401: problem('No session'),
        403: problem('Second factor due'),
      },
      handler: async ({ req }) => {
        const actor = await ctx.sessions.actor(req);
        const principal = await access.principal(actor);
        return { status: 200, body: { people: await listPeople(deps, principal) } };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/portal/people/:patientId/record',
      operationId: 'readPortalRecord',
      summary: "One section of a person's record, from every source organization, as this account may see it",
      description:
        'Resources of the person (every source record linked to the same Person by the MPI) in the section, newest first, each with its source organization. Information hidden from this account (a teen\'s confidential information to a parent) is left out. A person the account may not see is answered 404, like one that does not exist.',
      tags: ['portal'],
      security: 'session',
      who: ['patient', 'front-desk', 'nurse', 'provider', 'org-admin'],
      params: z.object({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) }),
      query: z.object({ section: z.enum(SECTION_NAMES as [string, ...string[]]) }),
      responses: {
        200: {
          description: 'The section',
          schema: z.object({
            patientId: z.string(),
            section: z.string(),
            items: z.array(item),
            organizations: z.record(z.string(), z.string()).describe('Names of the source organizations, by id (each sourceOrg of the items)'),
          }),
        },
        400: problem('Unknown section or malformed id'),
        401: problem('No session'),
        403: problem('This account may not read this kind of information, or second factor due'),
        404: problem('No such person among those this account may see'),
      },
      handler: async ({ req, params, query }) => {
        const actor = await ctx.sessions.actor(req);
        const principal = await access.principal(actor);
        let items;
        try {
          items = await readSection(deps, principal, params.patientId, query.section as (typeof SECTION_NAMES)[number]);
        } catch (err) {
          const status = isOutcomeError(err) ? err.status : 500;
          await opts.audit.record([portalEntry(principal, req, params.patientId, status, [])]);
          throw err;
        }
        await opts.audit.record([portalEntry(principal, req, params.patientId, 200, items.map((i) => `${i.resourceType}/${i.id}`))]);
        return { status: 200, body: { patientId: params.patientId, section: query.section, items, organizations: await deps.organizationNames(items) } };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/portal/people/:patientId/export',
      operationId: 'downloadPortalRecord',
      summary: "Download a person's whole record as this account may see it: a FHIR R4 Bundle (collection)",
      description:
        'Every resource of every section and the person\'s Patient records, from every source organization, with each entry\'s source. The same rules as the sections: hidden information stays hidden, and a person the account may not see is a 404. The download is recorded in the audit trail.',
      tags: ['portal'],
      security: 'session',
      who: ['patient'],
      params: z.object({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) }),
      responses: {
        200: {
          description: 'The record',
          schema: z.object({ resourceType: z.literal('Bundle'), type: z.literal('collection'), timestamp: z.string(), total: z.number().int(), entry: z.array(z.object({ fullUrl: z.string(), resource: z.record(z.string(), z.unknown()) })) }),
          headers: { 'content-disposition': 'attachment; filename="kennebec-record-….json"' },
        },
        401: problem('No session'),
        403: problem('Second factor due'),
        404: problem('No such person among those this account may see'),
      },
      handler: async ({ req, params }) => {
        const actor = await ctx.sessions.actor(req);
        const principal = await access.principal(actor);
        let items;
        try {
          items = await exportRecord(deps, principal, params.patientId);
        } catch (err) {
          const status = isOutcomeError(err) ? err.status : 500;
          await opts.audit.record([portalEntry(principal, req, params.patientId, status, [], 'export')]);
          throw err;
        }
        await opts.audit.record([portalEntry(principal, req, params.patientId, 200, items.map((i) => `${i.resourceType}/${i.id}`), 'export')]);
        const timestamp = ctx.clock.now().toISOString();
        const entry = items.map((i) => ({ fullUrl: `${ctx.baseUrl}/fhir/R4/${i.resourceType}/${i.id}`, resource: i.resource as unknown as Record<string, unknown> }));
        return {
          status: 200,
          body: { resourceType: 'Bundle', type: 'collection', timestamp, total: entry.length, entry },
          headers: { 'content-disposition': `attachment; filename="kennebec-record-${timestamp.slice(0, 10)}.json"` },
        };
      },
    }),
  ]);
}
