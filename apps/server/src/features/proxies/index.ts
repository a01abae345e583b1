import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../deps.ts';
import type { ApiRegistry } from '../../http/api-routes.ts';
import { requestFields } from '../fhir-api/index.ts';
import type { AccountsContext } from '../accounts/index.ts';
import type { ProxiesContext, ProxyAudit } from './context.ts';
import { noLinkedPatients } from './linked-patients.ts';
import { portalProxyRoutes } from './portal-routes.ts';
import { staffProxyRoutes } from './staff-routes.ts';

/**
 * Proxy access: people acting for a patient (a parent for a child, a guardian or an attorney for
 * a dependent adult, someone an adult invited). Grants are facts; the rules of
 * @kennebec/consent decide at each request what they allow. The access point asks
 * `activeProxyDecision` before serving a proxy anything.
 */
function auditOf(deps: AppDeps): ProxyAudit {
  return async (tx, actor, req, entry) => {
    const who = requestFields(actor, { clientIp: req.ip, userAgent: req.userAgent, requestId: req.requestId });
    await deps.audit.appendInTransaction(tx, [{ ...who, ...entry }]);
  };
}

export function proxiesContext(deps: AppDeps, accounts: AccountsContext): ProxiesContext {
  return {
    db: deps.db,
    clock: deps.clock,
    baseUrl: deps.config.baseUrl,
    reviewDays: deps.config.proxyReviewDays,
    sessions: accounts.sessions,
    linkedPatients: deps.linkedPatients ?? noLinkedPatients,
    sendLater: (m) => accounts.sendLater(m),
    audit: auditOf(deps),
  };
}

export async function proxiesPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: ProxiesContext }): Promise<void> {
  opts.api.add(app, staffProxyRoutes(opts.ctx));
  opts.api.add(app, portalProxyRoutes(opts.ctx));
}

export { activeProxyDecision, proxySubjects, INACTIVE_TEXT } from './grants.ts';
export { grantByStaff } from './staff-grants.ts';
export type { LinkedPatient, LinkedPatients } from './linked-patients.ts';
export type { ProxiesContext, ProxyAudit, ProxyAuditEntry } from './context.ts';
