import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { apiRoute, problemSchema, type ApiRegistry, type ApiRoute } from '../../http/api-routes.ts';
import { adminCallers, authorizeSource, type AccessRequest, type AdminGate } from '../access/index.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { ingestDepsFor } from './deps.ts';
import { ingestCcda } from './ingest-ccda.ts';
import { ingestHl7v2, type IngestDeps } from './ingest-hl7v2.ts';
import { listMessages, reprocessMessage } from './messages.ts';
import * as s from './schema.ts';

/**
 * Ingest over HTTPS, for a source's system client only (bearer token; everything it sends is
 * attributed to its organization):
 * - `POST /ingest/hl7v2`: one HL7 v2 message (ER7 text); the answer is the HL7 ACK, 200 for
 *   AA and AE/AR alike (the ACK carries the outcome, as over MLLP).
 * - `POST /ingest/ccda`: one C-CDA document; the answer is an OperationOutcome summarizing
 *   what was stored and what the converter skipped.
 * And the message log for HIE admins (signed in) or a system client with the Organization
 * scopes: failed messages with their error, and reprocessing one after a fix.
 */
export interface IngestRoutesContext {
  deps: AppDeps;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  gate: AdminGate;
}

const problem = (description: string) => ({ description, schema: problemSchema });
const SOURCE_DENIED = { 401: problem('No valid bearer token'), 403: problem("Not a data source's client, or without the scope") };
const ADMIN_DENIED = {
  401: problem('No session and no bearer token'),
  403: problem('Not an HIE admin, nor a client with the Organization scope; or the CSRF token is missing'),
};

export function ingestRoutes(ctx: IngestRoutesContext): ApiRoute[] {
  const { deps, gate } = ctx;
  let ingest: IngestDeps | undefined;
  // One group commit for every message of this listener, built on first use.
  const ingestDeps = (): IngestDeps => (ingest ??= ingestDepsFor(deps, ctx.dispatch));
  /** A source's client sending what `req` names: its organization, or 401/403 before the body is read. */
  const source = (req: AccessRequest) => async (r: FastifyRequest): Promise<string> => authorizeSource(await deps.authenticate(r.headers.authorization), req);
  const hl7Source = source({ resourceType: 'Patient', interaction: 'u' });
  const ccdaSource = source({ resourceType: 'DocumentReference', interaction: 'c' });
  const list = gate.guard('messages.read', () => ({ action: 'message-list' }));
  const reprocess = gate.guard('messages.reprocess', (p) => ({ action: 'message-reprocess', entities: [`InboundMessage/${p.id}`] }));
  return [
    apiRoute({
      method: 'POST',
      url: '/ingest/hl7v2',
      operationId: 'ingestHl7v2',
      summary: 'Send one HL7 v2 message (as over MLLP); the answer is its ACK, sent after commit',
      description: 'For a data source’s client: MSH-4 must be its own facility. AE and AR are answered with 200 too: the ACK carries the outcome.',
      tags: ['ingest'],
      security: 'bearer',
      who: ['client'],
      body: s.hl7Body,
      bodyTypes: s.HL7_TYPES,
      responses: { 200: { description: 'The ACK', schema: s.ackBody, contentType: 'x-application/hl7-v2+er7; charset=utf-8' }, 400: problem('Not one HL7 v2 message'), ...SOURCE_DENIED },
      admit: async (req) => void (await hl7Source(req)),
      handler: async ({ body, req }) => {
        const orgId = await hl7Source(req);
        const result = await ingestHl7v2(ingestDeps(), body, 'http', { callerOrgId: orgId });
        return { status: 200, body: result.ack };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/ingest/ccda',
      operationId: 'ingestCcda',
      summary: 'Send one C-CDA document; its sections are stored as FHIR resources of the source',
      tags: ['ingest'],
      security: 'bearer',
      who: ['client'],
      body: s.ccdaBody,
      bodyTypes: s.XML_TYPES,
      responses: { 200: { description: 'What was stored and skipped', schema: s.ingestOutcome }, 400: problem('Not a C-CDA document, or unsafe XML'), ...SOURCE_DENIED },
      admit: async (req) => void (await ccdaSource(req)),
      handler: async ({ body, req }) => {
        const orgId = await ccdaSource(req);
        const result = await ingestCcda({ dispatch: ctx.dispatch }, body, orgId, deps.config.bodyLimit);
        const created = (result.response.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
        const existing = (result.response.entry ?? []).length - created;
        return {
          status: 200,
          body: {
            resourceType: 'OperationOutcome',
            issue: [
              { severity: 'information', code: 'informational', diagnostics: `Stored ${created} new resources; ${existing} were already known` },
              ...result.issues.map((i) => ({ severity: i.severity, code: 'informational', diagnostics: `${i.code}: ${i.message}${i.line !== undefined ? ` (line ${i.line})` : ''}` })),
            ],
          },
        };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/admin/messages',
      operationId: 'listInboundMessages',
      summary: 'The inbound message log, newest first: outcome and error of each message, never its content',
      tags: ['messages'],
      security: ['session', 'bearer'],
      who: adminCallers('messages.read'),
      query: s.messageQuery,
      responses: { 200: { description: 'A page of messages', schema: s.messageList }, ...ADMIN_DENIED },
      admit: list.admit,
      handler: async ({ query, req }) =>
        list.run(req, async () => {
          const page = await listMessages(deps.db, { status: query.status, source: query.source, limit: query.limit, before: query.cursor });
          return { status: 200, body: page };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/messages/:id/reprocess',
      operationId: 'reprocessInboundMessage',
      summary: 'Run a logged message through ingest again (after registering its source or fixing a mapping)',
      description: 'A message rejected on an authenticated channel (HTTPS, MLLP over TLS) cannot be: its source must resend it.',
      tags: ['messages'],
      security: ['session', 'bearer'],
      who: adminCallers('messages.reprocess'),
      csrf: true,
      params: s.messageParams,
      responses: {
        200: { description: 'The outcome of the new run', schema: s.reprocessResult },
        ...ADMIN_DENIED,
        404: problem('No such message'),
        422: problem('Rejected on an authenticated channel: the source must resend it'),
      },
      admit: reprocess.admit,
      handler: async ({ params, req }) =>
        reprocess.run(req, async (actor, event) => {
          const result = await reprocessMessage(ingestDeps(), params.id);
          if (!result) throw errors.notFound(`message ${params.id}`);
          await gate.record(actor, req, event);
          return { status: 200, body: { status: result.status, code: result.code, ack: result.ack } };
        }),
    }),
  ];
}

export async function ingestPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: IngestRoutesContext }): Promise<void> {
  const { bodyLimit } = opts.ctx.deps.config;
  app.addContentTypeParser([...s.HL7_TYPES], { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
  app.addContentTypeParser([...s.XML_TYPES], { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
  opts.api.add(app, ingestRoutes(opts.ctx));
}
