import type { FastifyInstance } from 'fastify';
import type { ZodType } from 'zod';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { authorize } from '../access/index.ts';
import { certificateBody, newSourceBody } from './schema.ts';
import {
  addSourceCertificates,
  createSource,
  DataSourceError,
  DataSourceNotFoundError,
  listSourcesWithCertificates,
  removeSourceCertificate,
  type CertificateContext,
} from './sources.ts';

/**
 * Admin API for data sources and their client certificates (MLLP over TLS). Until HIE staff
 * accounts exist it takes a system client's bearer token: registering a source needs the
 * Organization create scope, listing the search scope, adding or removing a certificate the
 * update scope.
 */
function parse<T>(schema: ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw errors.badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

function asOutcome(err: unknown): never {
  if (err instanceof DataSourceError) throw errors.badRequest(err.message);
  if (err instanceof DataSourceNotFoundError) throw errors.notFound(err.ref);
  throw err;
}

export async function sourcesPlugin(app: FastifyInstance, opts: { deps: AppDeps }): Promise<void> {
  const { deps } = opts;
  const certificateContext = (): CertificateContext => ({ now: deps.clock.now(), trustedCas: deps.config.mllpTls?.caCertificates });
  app.get('/admin/sources', async (req) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 's' });
    return { sources: await listSourcesWithCertificates(deps.db) };
  });
  app.post('/admin/sources', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 'c' });
    const body = parse(newSourceBody, req.body);
    const source = await createSource(deps, body, certificateContext()).catch(asOutcome);
    return reply.code(201).send(source);
  });
  app.post('/admin/sources/:id/certificates', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 'u' });
    const { id } = req.params as { id: string };
    const body = parse(certificateBody, req.body);
    const result = await addSourceCertificates(deps.db, id, [body], certificateContext()).catch(asOutcome);
    return reply.code(201).send({ ...result.certificates[0], warnings: result.warnings });
  });
  app.delete('/admin/sources/:id/certificates/:fingerprint', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 'u' });
    const { id, fingerprint } = req.params as { id: string; fingerprint: string };
    await removeSourceCertificate(deps.db, id, fingerprint).catch(asOutcome);
    return reply.code(204).send();
  });
}
