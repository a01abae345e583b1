import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { errors, ID_PATTERN } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { actorReference, authorize, type Interaction } from '../access/index.ts';
import { patientHistory, personDetail } from './person-view.ts';
import { decideReview, listReviews } from './review.ts';
import { mergeBody, reasonBody, reviewDecisionBody, reviewStatusQuery } from './schema.ts';
import { mergePersons, undoChange, unlink } from './staff-actions.ts';

/**
 * The MPI admin API for HIE staff: the review queue, a Person's Patients and history, a
 * Patient's history, and the actions unlink, merge and undo. Until staff accounts exist it
 * takes a system client's token with Person scopes (search to read, update to act).
 */
function parse<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw errors.badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data as z.infer<T>;
}

export async function mpiPlugin(app: FastifyInstance, opts: { deps: AppDeps }): Promise<void> {
  const { deps } = opts;
  const staff = async (req: FastifyRequest, interaction: Interaction): Promise<{ author: string }> => {
    const actor = await deps.authenticate(req.headers.authorization);
    authorize(actor, { resourceType: 'Person', interaction });
    return { author: actorReference(actor) };
  };
  const param = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name] ?? '';

  app.get('/admin/mpi/reviews', async (req) => {
    await staff(req, 's');
    return { reviews: await listReviews(deps.db, parse(reviewStatusQuery, req.query).status) };
  });
  app.post('/admin/mpi/reviews/:id', async (req) => {
    const ctx = await staff(req, 'u');
    const body = parse(reviewDecisionBody, req.body);
    return decideReview(deps.store, param(req, 'id'), body.decision, body.reason, ctx);
  });

  app.get('/admin/mpi/persons/:personId', async (req) => {
    await staff(req, 's');
    const id = param(req, 'personId');
    const detail = ID_PATTERN.test(id) ? await personDetail(deps.db, id) : undefined;
    if (!detail) throw errors.notFound(`Person/${id}`);
    return detail;
  });
  app.get('/admin/mpi/patients/:patientId/history', async (req) => {
    await staff(req, 's');
    const id = param(req, 'patientId');
    const found = ID_PATTERN.test(id) ? await patientHistory(deps.db, id) : undefined;
    if (!found) throw errors.notFound(`Patient/${id} in the master patient index`);
    return found;
  });

  app.post('/admin/mpi/patients/:patientId/unlink', async (req) => {
    const ctx = await staff(req, 'u');
    return unlink(deps.store, param(req, 'patientId'), parse(reasonBody, req.body).reason, ctx);
  });
  app.post('/admin/mpi/persons/:personId/merge', async (req) => {
    const ctx = await staff(req, 'u');
    const body = parse(mergeBody, req.body);
    return mergePersons(deps.store, param(req, 'personId'), body.into, body.reason, ctx);
  });
  app.post('/admin/mpi/changes/:changeId/undo', async (req) => {
    const ctx = await staff(req, 'u');
    return undoChange(deps.store, param(req, 'changeId'), parse(reasonBody, req.body).reason, ctx);
  });
}
