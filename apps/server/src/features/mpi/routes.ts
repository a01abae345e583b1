import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { actorReference, authorize } from '../access/index.ts';
import { decideReview, listReviews, ReviewError } from './review.ts';

const decisionBody = z.object({ decision: z.enum(['link', 'keep-apart']), reason: z.string().trim().min(3).max(1000) });

/**
 * The MPI review queue for HIE staff. Until staff accounts exist it takes a system client's
 * token with Person scopes (search to list, update to decide).
 */
export async function mpiPlugin(app: FastifyInstance, opts: { deps: AppDeps }): Promise<void> {
  const { deps } = opts;
  app.get('/admin/mpi/reviews', async (req) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Person', interaction: 's' });
    const status = (req.query as { status?: string }).status;
    const wanted = status === 'linked' || status === 'kept-apart' || status === 'all' ? status : 'open';
    return { reviews: await listReviews(deps.db, wanted) };
  });
  app.post('/admin/mpi/reviews/:id', async (req) => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Person', interaction: 'u' });
    const body = decisionBody.safeParse(req.body);
    if (!body.success) throw errors.badRequest(body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    try {
      return await decideReview(deps.store, (req.params as { id: string }).id, body.data.decision, body.data.reason, { author: actorReference(actor) });
    } catch (err) {
      if (!(err instanceof ReviewError)) throw err;
      throw err.notFound ? errors.notFound(`review ${(req.params as { id: string }).id}`) : errors.unprocessable(err.message);
    }
  });
}
