import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../deps.ts';
import type { ApiRegistry } from '../../http/api-routes.ts';
import type { AccountsContext } from '../accounts/index.ts';
import type { EnrollmentAudit, EnrollmentContext } from './context.ts';
import { enrollmentRoutes } from './routes.ts';

/**
 * Enrollment by invitation: staff of an organization find a patient of theirs, record the
 * in-person photo ID check and invite them by email; the person accepts with the emailed code
 * and an identity answer, which links their portal account to that Patient.
 */
export function enrollmentContext(deps: AppDeps, accounts: AccountsContext, audit: EnrollmentAudit): EnrollmentContext {
  return {
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger.child({ feature: 'enrollment' }),
    baseUrl: deps.config.baseUrl,
    invitationTtlDays: deps.config.invitationTtlDays,
    accounts,
    audit,
    sendLater: accounts.sendLater,
  };
}

export async function enrollmentPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: EnrollmentContext }): Promise<void> {
  opts.api.add(app, enrollmentRoutes(opts.ctx));
}

export { linkedPatients, acceptInvitation, type PatientLink } from './accept.ts';
export { recordIdCheck, createInvitation } from './invitations.ts';
export { enrollingStaff } from './staff-actor.ts';
export type { EnrollmentAudit, EnrollmentAuditEntry, EnrollmentContext } from './context.ts';
