import type { FastifyInstance } from 'fastify';
import type { Database } from '@kennebec/db';

/** `GET /healthz`: 200 when the database answers, 503 otherwise. No authentication, no data. */
export async function healthPlugin(app: FastifyInstance, opts: { db: Database }): Promise<void> {
  app.get('/healthz', async (_req, reply) => {
    try {
      await opts.db.query('select 1');
      return reply.send({ status: 'ok', database: opts.db.dialect });
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: opts.db.dialect });
    }
  });
}
