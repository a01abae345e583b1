import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { apiRoute, type ApiRegistry } from '../../http/api-routes.ts';
import type { Mailer } from './mailer.ts';

const mailboxSchema = z.object({
  messages: z.array(
    z.object({ from: z.string(), to: z.array(z.string()), subject: z.string(), text: z.string(), receivedAt: z.string() }),
  ),
});

/**
 * GET /dev/mailbox: the mail the in-process SMTP server received, newest first. Registered only
 * in development mode without SMTP_URL; production never has it (config requires SMTP_URL there).
 */
export async function devMailboxPlugin(app: FastifyInstance, opts: { api: ApiRegistry; mailer: Mailer }): Promise<void> {
  const mailbox = opts.mailer.mailbox;
  if (!mailbox) return;
  opts.api.add(app, [
    apiRoute({
      method: 'GET',
      url: '/dev/mailbox',
      operationId: 'getDevMailbox',
      summary: 'Development only: mail sent by the server, as received by its in-process SMTP server',
      tags: ['development'],
      security: 'none',
      who: ['anyone'],
      responses: { 200: { description: 'Messages, newest first', schema: mailboxSchema } },
      handler: async () => ({ status: 200, body: { messages: (await mailbox.messages()).reverse() } }),
    }),
  ]);
}
