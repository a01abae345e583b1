import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '@kennebec/db';
import { apiRoute, type ApiRegistry } from '../../http/api-routes.ts';

/** `GET /healthz`: 200 when the database answers, 503 otherwise. No authentication, no data. */
const health = z.object({ status: z.enum(['ok', 'unavailable']), database: z.string().describe('pglite or postgres') }).meta({ id: 'Health' });

export async function healthPlugin(app: FastifyInstance, opts: { db: Database; api: ApiRegistry }): Promise<void> {
  opts.api.add(app, [
    apiRoute({
      method: 'GET',
      url: '/healthz',
      operationId: 'getHealth',
      summary: 'Liveness and readiness: whether the database answers',
      tags: ['meta'],
      security: 'none',
      who: ['anyone'],
      responses: { 200: { description: 'Up', schema: health }, 503: { description: 'The database does not answer', schema: health, contentType: 'application/json' } },
      handler: async () => {
        try {
          await opts.db.query('select 1');
          return { status: 200, body: { status: 'ok', database: opts.db.dialect } };
        } catch {
          return { status: 503, body: { status: 'unavailable', database: opts.db.dialect } };
        }
      },
    }),
  ]);
}
