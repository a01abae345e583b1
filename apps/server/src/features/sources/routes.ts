import type { FastifyInstance } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { authorize } from '../access/index.ts';
import { newSourceBody } from './schema.ts';
import { createSource, DataSourceError, listSources } from './sources.ts';

/**
 * Admin API for data sources. Until HIE staff accounts exist it takes a system client's bearer
 * token; registering a source needs the Organization create scope, listing the search scope.
 */
export async function sourcesPlugin(app: FastifyInstance, opts: { deps: AppDeps }): Promise<void> {
  const { deps } = opts;
  app.get('/admin/sources', async (req) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 's' });
    return { sources: await listSources(deps.db) };
  });
  app.post('/admin/sources', async (req, reply) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Organization', interaction: 'c' });
    const parsed = newSourceBody.safeParse(req.body);
    if (!parsed.success) {
      throw errors.badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    try {
      const source = await createSource(deps, parsed.data);
      return reply.code(201).send(source);
    } catch (err) {
      if (err instanceof DataSourceError) throw errors.badRequest(err.message);
      throw err;
    }
  });
}
