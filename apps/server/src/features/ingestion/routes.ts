import type { FastifyInstance } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { authorize, authorizeSource } from '../access/index.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { ingestHl7v2 } from './ingest-hl7v2.ts';
import { ingestDepsFor } from './deps.ts';
import { ingestCcda } from './ingest-ccda.ts';
import { listMessages, reprocessMessage } from './messages.ts';

/**
 * Ingest over HTTPS, for a source's system client (everything it sends is attributed to its
 * organization):
 * - `POST /ingest/hl7v2`: one HL7 v2 message (ER7 text); the answer is the HL7 ACK, 200 for
 *   AA and AE/AR alike (the ACK carries the outcome, as over MLLP).
 * - `POST /ingest/ccda`: one C-CDA document; the answer is an OperationOutcome summarizing
 *   what was stored and what the converter skipped.
 */
export async function ingestPlugin(app: FastifyInstance, opts: { deps: AppDeps; dispatch: (req: FhirRequest) => Promise<FhirResponse> }): Promise<void> {
  const { deps } = opts;
  app.addContentTypeParser(['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain'], { parseAs: 'string', bodyLimit: deps.config.bodyLimit }, (_req, body, done) => done(null, body));
  app.addContentTypeParser(['application/xml', 'text/xml', 'application/hl7-cda+xml'], { parseAs: 'buffer', bodyLimit: deps.config.bodyLimit }, (_req, body, done) => done(null, body));
  app.post('/ingest/ccda', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    const orgId = authorizeSource(actor, { resourceType: 'DocumentReference', interaction: 'c' });
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw errors.badRequest('The body must be one C-CDA document (application/xml)');
    const result = await ingestCcda({ dispatch: opts.dispatch }, req.body, orgId, deps.config.bodyLimit);
    const created = (result.response.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
    const existing = (result.response.entry ?? []).length - created;
    return reply.code(200).send({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'information', code: 'informational', diagnostics: `Stored ${created} new resources; ${existing} were already known` },
        ...result.issues.map((i) => ({ severity: i.severity, code: 'informational', diagnostics: `${i.code}: ${i.message}${i.line !== undefined ? ` (line ${i.line})` : ''}` })),
      ],
    });
  });
  // Admin: the message log. Until HIE staff accounts exist, a system client with the
  // Organization scopes (the same that registers sources) may look and reprocess.
  app.get('/admin/messages', async (req) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 's' });
    const q = req.query as { status?: string; limit?: string };
    const status = q.status === 'failed' || q.status === 'processed' ? q.status : undefined;
    return { messages: await listMessages(deps.db, { ...(status ? { status } : {}), ...(q.limit ? { limit: Number(q.limit) || 100 } : {}) }) };
  });
  app.post('/admin/messages/:id/reprocess', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 'u' });
    const { id } = req.params as { id: string };
    const result = await reprocessMessage(ingestDepsFor(deps, opts.dispatch), id);
    if (!result) throw errors.notFound(`message ${id}`);
    return reply.send({ status: result.status, code: result.code, ack: result.ack });
  });
  app.post('/ingest/hl7v2', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    const orgId = authorizeSource(actor, { resourceType: 'Patient', interaction: 'u' });
    if (typeof req.body !== 'string' || req.body.length === 0) throw errors.badRequest('The body must be one HL7 v2 message (x-application/hl7-v2+er7)');
    const result = await ingestHl7v2(ingestDepsFor(deps, opts.dispatch), req.body, 'http', { callerOrgId: orgId });
    return reply.type('x-application/hl7-v2+er7; charset=utf-8').send(result.ack);
  });
}
