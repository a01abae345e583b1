import type { FastifyInstance } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { actorOrganization, authorize } from '../access/index.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { ingestHl7v2 } from './ingest-hl7v2.ts';

/**
 * `POST /ingest/hl7v2`: one HL7 v2 message (ER7 text) from a source's system client; the answer
 * is the HL7 ACK, 200 for AA and AE/AR alike (the ACK carries the outcome, as over MLLP).
 */
export async function ingestPlugin(app: FastifyInstance, opts: { deps: AppDeps; dispatch: (req: FhirRequest) => Promise<FhirResponse> }): Promise<void> {
  const { deps } = opts;
  app.addContentTypeParser(['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain'], { parseAs: 'string', bodyLimit: deps.config.bodyLimit }, (_req, body, done) => done(null, body));
  app.post('/ingest/hl7v2', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    const orgId = actorOrganization(actor);
    if (!orgId) throw errors.forbidden('Only a data source\'s client may send HL7 v2 messages');
    authorize(actor, { resourceType: 'Patient', interaction: 'u' });
    if (typeof req.body !== 'string' || req.body.length === 0) throw errors.badRequest('The body must be one HL7 v2 message (x-application/hl7-v2+er7)');
    const result = await ingestHl7v2({ db: deps.db, dispatch: opts.dispatch, now: () => deps.clock.now() }, req.body, 'http', orgId);
    return reply.type('x-application/hl7-v2+er7; charset=utf-8').send(result.ack);
  });
}
