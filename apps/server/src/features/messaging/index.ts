import type { FastifyInstance } from 'fastify';
import type { Patient } from 'fhir/r4';
import type { AppDeps } from '../../deps.ts';
import type { ApiRegistry } from '../../http/api-routes.ts';
import type { AccountsContext } from '../accounts/index.ts';
import { linkedAccount } from '../enrollment/index.ts';
import type { MessagingContext } from './context.ts';
import { portalMessageRoutes, staffMessageRoutes } from './routes.ts';

/**
 * Secure messaging between a patient (or a proxy acting for them) and an organization's care
 * team. Threads and messages are plain tables; who may read or write them is decided by the
 * access point (area `messaging`), every read and write is audited by reference, and the
 * notification emails carry no health information.
 */
export function messagingContext(deps: AppDeps, accounts: AccountsContext): MessagingContext {
  return {
    db: deps.db,
    clock: deps.clock,
    baseUrl: deps.config.baseUrl,
    access: deps.access,
    sessions: accounts.sessions,
    linkedPatients: deps.linkedPatients ?? (async () => []),
    accountOf: async (patientId) => linkedAccount(deps.db, await deps.access.samePerson([patientId])),
    async readPatient(id) {
      const v = await deps.store.read('Patient', id);
      return v && !v.deleted && v.resource ? { patient: v.resource as Patient, sourceOrg: v.sourceOrg } : undefined;
    },
    audit: deps.audit,
    sendLater: (m) => accounts.sendLater(m),
  };
}

export async function messagingPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: MessagingContext }): Promise<void> {
  opts.api.add(app, portalMessageRoutes(opts.ctx));
  opts.api.add(app, staffMessageRoutes(opts.ctx));
}

export type { MessagingContext, MessagingAudit } from './context.ts';
export { newMessageMail } from './notify.ts';
