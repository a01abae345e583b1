import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiRoute, problemSchema, type ApiRegistry } from '../../http/api-routes.ts';
import { STAFF_ROLES } from '../access/index.ts';
import { accountMessages, actorOf, emailSchema, recordSecurityEvent, requestInfo, TOKEN_TTL_SECONDS, type AccountsContext } from '../accounts/index.ts';
import { createStaffUser, listStaff, mayManageStaff, StaffError, validateRoles } from './staff.ts';

const problem = (description: string) => ({ description, schema: problemSchema });
const role = z.enum(STAFF_ROLES);
const staffEntry = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  orgId: z.string().nullable(),
  roles: z.array(role),
  passwordSet: z.boolean(),
  disabled: z.boolean(),
});

/**
 * Staff administration in the staff console: an org admin adds staff to their organization, an
 * HIE admin anywhere. Each needs a fully authenticated staff session (second factor done).
 */
export async function staffPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: AccountsContext }): Promise<void> {
  const { api, ctx } = opts;
  api.add(app, [
    apiRoute({
      method: 'POST',
      url: '/api/staff',
      operationId: 'createStaffUser',
      summary: 'Add a staff user; they get a link by mail to choose a password',
      tags: ['staff'],
      security: 'session',
      who: ['org-admin', 'hie-admin'],
      csrf: true,
      body: z.object({
        email: emailSchema,
        roles: z.array(role).min(1),
        orgId: z.string().min(1).max(64).nullable().optional().describe('Organization (data source) id; none only for HIE roles'),
        name: z.string().trim().min(1).max(200).optional(),
      }),
      responses: {
        201: { description: 'Created; the set-password link went to their address', schema: staffEntry },
        400: problem('Invalid input, unknown organization, or address already in use'),
        401: problem('No session'),
        403: problem('Not an org admin of that organization nor an HIE admin, second factor due, or CSRF token missing'),
      },
      handler: async ({ body, req }) => {
        const { session } = await ctx.sessions.require(req);
        const actor = actorOf(session);
        const orgId = body.orgId ?? null;
        let roles;
        try {
          roles = validateRoles(body.roles, orgId);
        } catch (err) {
          if (err instanceof StaffError) throw errors.badRequest(err.message);
          throw err;
        }
        if (!mayManageStaff(actor, orgId, roles)) throw errors.forbidden('Only an org admin (for their organization) or an HIE admin may add staff users');
        try {
          const created = await createStaffUser({ db: ctx.db, baseUrl: ctx.baseUrl, now: ctx.clock.now() }, { ...body, orgId, roles });
          ctx.sendLater(accountMessages.staffInvitation(created.email, created.setPasswordUrl, TOKEN_TTL_SECONDS['set-password']));
          await recordSecurityEvent(ctx, requestInfo(req), { type: 'staff.created', outcome: 'success', userId: created.id, byUserId: actor.userId });
          return { status: 201, body: { id: created.id, email: created.email, name: body.name ?? null, orgId, roles: created.roles, passwordSet: false, disabled: false } };
        } catch (err) {
          if (err instanceof StaffError) throw errors.badRequest(err.message);
          throw err;
        }
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/staff',
      operationId: 'listStaffUsers',
      summary: "Staff users: an org admin's own organization, or any (orgId) for an HIE admin",
      tags: ['staff'],
      security: 'session',
      who: ['org-admin', 'hie-admin'],
      query: z.object({ orgId: z.string().min(1).max(64).optional() }),
      responses: {
        200: { description: 'Staff users', schema: z.object({ staff: z.array(staffEntry) }) },
        401: problem('No session'),
        403: problem('Not an org admin nor an HIE admin, or second factor due'),
      },
      handler: async ({ query, req }) => {
        const actor = actorOf((await ctx.sessions.require(req)).session);
        const orgId = actor.roles.includes('hie-admin') ? (query.orgId ?? null) : actor.orgId;
        if (!mayManageStaff(actor, orgId, []) || (orgId === null && !actor.roles.includes('hie-admin'))) {
          throw errors.forbidden('Only an org admin or an HIE admin may list staff users');
        }
        if (!actor.roles.includes('hie-admin') && query.orgId !== undefined && query.orgId !== actor.orgId) throw errors.forbidden('Only your own organization');
        return { status: 200, body: { staff: await listStaff(ctx.db, orgId) } };
      },
    }),
  ]);
}
