import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiErrors } from '../../http/api-errors.ts';
import { apiRoute, type ApiRoute } from '../../http/api-routes.ts';
import { actorOf, emailSchema, requestInfo } from '../accounts/index.ts';
import type { ProxiesContext } from './context.ts';
import { decodeBase64, DOCUMENT_TYPES, findDocument, readDocument, storeDocument } from './documents.ts';
import { findGrant, findGrants, revokeGrant } from './grants.ts';
import * as s from './schema.ts';
import { decideRequest, findRequest, grantByStaff, mayManageProxies, openRequests, proxyAccount, subjectForStaff } from './staff-grants.ts';

const grantOptions = {
  documentId: s.id.optional().describe('Guardianship order or power of attorney (guardian-of-adult, power-of-attorney)'),
  inPersonConsent: z.boolean().optional().describe('adult-consent: the adult confirmed it in person'),
  permissions: s.partialPermissions.optional().describe('Dependent adults: per-area levels (missing areas: none)'),
  reviewBy: z.iso.datetime({ offset: true }).optional().describe(`Dependent adults: review date (default: PROXY_REVIEW_DAYS from now)`),
};

/** Staff console: documents, grants, revocations and the queue of proxy requests. */
export function staffProxyRoutes(ctx: ProxiesContext): ApiRoute[] {
  const staff = async (req: Parameters<typeof requestInfo>[0]) => actorOf((await ctx.sessions.require(req)).session);
  return [
    apiRoute({
      method: 'POST',
      url: '/api/proxy-documents',
      operationId: 'uploadProxyDocument',
      summary: 'Upload a guardianship order or power of attorney for a patient (staff)',
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      csrf: true,
      body: z.object({
        patientId: s.id,
        kind: z.enum(['guardianship', 'power-of-attorney']),
        contentType: z.enum(DOCUMENT_TYPES),
        contentBase64: z.string().min(1).describe('The file, base64 (at most 5 MiB decoded)'),
      }),
      responses: { 201: { description: 'Stored', schema: s.documentInfo }, 401: s.problem('No session'), 403: s.problem('Not staff of the patient\'s organization, second factor due, or CSRF'), 404: s.problem('No such Patient') },
      handler: async ({ body, req }) => {
        const actor = await staff(req);
        const subject = await subjectForStaff(ctx.db, actor, body.patientId);
        const bytes = decodeBase64(body.contentBase64);
        const info = await ctx.db.transaction(async (tx) => {
          const stored = await storeDocument(tx, { patientId: subject.patientId, orgId: subject.orgId, kind: body.kind, contentType: body.contentType, bytes, uploadedBy: actor.userId, now: ctx.clock.now() });
          await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-document-upload', patients: [`Patient/${subject.patientId}`], entities: [`ProxyDocument/${stored.id}`], outcome: 'success', status: 201 });
          return stored;
        });
        return { status: 201, body: info };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/proxy-documents/:id',
      operationId: 'readProxyDocument',
      summary: "Download a proxy document (staff of the patient's organization only)",
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      params: s.idParams,
      responses: { 200: { description: 'The document, base64', schema: s.documentInfo.extend({ contentBase64: z.string() }) }, 401: s.problem('No session'), 403: s.problem('Not staff of that organization'), 404: s.problem('Unknown document') },
      handler: async ({ params, req }) => {
        const actor = await staff(req);
        const info = await findDocument(ctx.db, params.id);
        if (!info) throw errors.notFound(`ProxyDocument/${params.id}`);
        if (!mayManageProxies(actor, info.orgId)) throw errors.forbidden("Only front desk staff or an org admin of the patient's organization may read proxy documents");
        const doc = await ctx.db.transaction(async (tx) => {
          await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-document-read', patients: [`Patient/${info.patientId}`], entities: [`ProxyDocument/${info.id}`], outcome: 'success', status: 200 });
          return readDocument(tx, params.id);
        });
        return { status: 200, body: doc };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/proxy-grants',
      operationId: 'grantProxyAccess',
      summary: 'Grant a person (by their portal account) proxy access to a patient (staff)',
      description: 'parent and guardian-of-minor for a patient under 18; guardian-of-adult and power-of-attorney need the uploaded document; adult-consent needs the adult in person.',
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      csrf: true,
      body: z.object({ proxyEmail: emailSchema, patientId: s.id, basis: s.basis, ...grantOptions }),
      responses: {
        201: { description: 'Granted', schema: s.grantView },
        400: s.problem('Invalid input, no such account, document missing or not for this patient'),
        401: s.problem('No session'),
        403: s.problem("Not front desk or org admin of the patient's organization, second factor due, or CSRF"),
        404: s.problem('No such Patient'),
        409: s.problem('Already a proxy of this patient (KB-PROXY-CONFLICT)'),
        422: s.problem('The grant would not be in force (a parent of an adult, a dependent-adult basis for a minor, no birth date)'),
      },
      handler: async ({ body, req }) => {
        const actor = await staff(req);
        const grant = await ctx.db.transaction(async (tx) => grantByStaff(ctx, tx, actor, requestInfo(req), { ...body, proxyUserId: await proxyAccount(tx, body.proxyEmail) }));
        return { status: 201, body: s.grantBody(grant, ctx.clock.now()) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/proxy-grants',
      operationId: 'listProxyGrantsOfPatient',
      summary: "A patient's proxies, in force or not (staff)",
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      query: z.object({ patientId: s.id }),
      responses: { 200: { description: 'Grants', schema: z.object({ grants: z.array(s.grantView) }) }, 401: s.problem('No session'), 403: s.problem('Not staff of that organization'), 404: s.problem('No such Patient') },
      handler: async ({ query, req }) => {
        const subject = await subjectForStaff(ctx.db, await staff(req), query.patientId);
        const grants = await findGrants(ctx.db, 'g.org_id = $1 and g.subject_patient_id = $2', [subject.orgId, subject.patientId]);
        return { status: 200, body: { grants: grants.map((g) => s.grantBody(g, ctx.clock.now())) } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/proxy-grants/:id/revoke',
      operationId: 'revokeProxyGrantByStaff',
      summary: 'Revoke a proxy grant (staff)',
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      csrf: true,
      params: s.idParams,
      body: z.object({ reason: z.string().trim().min(1).max(500) }),
      responses: { 200: { description: 'Revoked', schema: s.grantView }, 401: s.problem('No session'), 403: s.problem('Not staff of that organization'), 404: s.problem('No such grant'), 409: s.problem('Already revoked') },
      handler: async ({ params, body, req }) => {
        const actor = await staff(req);
        const grant = await findGrant(ctx.db, params.id);
        if (!grant) throw errors.notFound(`ProxyGrant/${params.id}`);
        if (!mayManageProxies(actor, grant.orgId)) throw errors.forbidden("Only front desk staff or an org admin of the patient's organization may revoke proxy access");
        const now = ctx.clock.now();
        await ctx.db.transaction(async (tx) => {
          if (!(await revokeGrant(tx, grant.id, actor.userId, body.reason, now))) throw apiErrors.proxyConflict('This grant is already revoked');
          await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-revoke', patients: [`Patient/${grant.patientId}`], entities: [`ProxyGrant/${grant.id}`], outcome: 'success', status: 200 });
        });
        return { status: 200, body: s.grantBody((await findGrant(ctx.db, grant.id))!, now) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/proxy-requests',
      operationId: 'listProxyRequests',
      summary: "Open proxy requests of the staff user's organization",
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      responses: { 200: { description: 'Open requests, oldest first', schema: z.object({ requests: z.array(s.requestView) }) }, 401: s.problem('No session'), 403: s.problem('Not front desk or org admin') },
      handler: async ({ req }) => {
        const actor = await staff(req);
        if (!mayManageProxies(actor, actor.orgId)) throw errors.forbidden('Only front desk staff or an org admin may see proxy requests');
        return { status: 200, body: { requests: await openRequests(ctx.db, actor.orgId as string) } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/proxy-requests/:id/approve',
      operationId: 'approveProxyRequest',
      summary: 'Approve a proxy request: name the patient record, and for adults the document, consent or levels',
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      csrf: true,
      params: s.idParams,
      body: z.object({ patientId: s.id, ...grantOptions }),
      responses: {
        201: { description: 'Granted', schema: s.grantView },
        400: s.problem('Document missing or not for this patient'),
        401: s.problem('No session'),
        403: s.problem('Not staff of that organization'),
        404: s.problem('No such request or Patient'),
        409: s.problem('Already decided, or already a proxy'),
        422: s.problem('The grant would not be in force'),
      },
      handler: async ({ params, body, req }) => {
        const actor = await staff(req);
        const request = await findRequest(ctx.db, params.id);
        if (!request || !mayManageProxies(actor, request.orgId)) throw errors.notFound(`ProxyRequest/${params.id}`);
        const subject = await subjectForStaff(ctx.db, actor, body.patientId);
        if (subject.orgId !== request.orgId) throw errors.badRequest('The patient record belongs to another organization', ['body.patientId']);
        const grant = await ctx.db.transaction(async (tx) => {
          const g = await grantByStaff(ctx, tx, actor, requestInfo(req), { ...body, basis: request.basis, proxyUserId: request.requesterId });
          if (!(await decideRequest(tx, request.id, actor.userId, 'approved', g.id, ctx.clock.now()))) throw apiErrors.proxyConflict('This request was already decided');
          return g;
        });
        return { status: 201, body: s.grantBody(grant, ctx.clock.now()) };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/proxy-requests/:id/decline',
      operationId: 'declineProxyRequest',
      summary: 'Decline a proxy request',
      tags: ['proxies'],
      security: 'session',
      who: ['front-desk', 'org-admin'],
      csrf: true,
      params: s.idParams,
      responses: { 204: { description: 'Declined' }, 401: s.problem('No session'), 404: s.problem('No such request'), 409: s.problem('Already decided') },
      handler: async ({ params, req }) => {
        const actor = await staff(req);
        const request = await findRequest(ctx.db, params.id);
        if (!request || !mayManageProxies(actor, request.orgId)) throw errors.notFound(`ProxyRequest/${params.id}`);
        await ctx.db.transaction(async (tx) => {
          if (!(await decideRequest(tx, request.id, actor.userId, 'declined', null, ctx.clock.now()))) throw apiErrors.proxyConflict('This request was already decided');
          await ctx.audit(tx, actor, requestInfo(req), { action: 'proxy-request-decide', patients: [], entities: [`ProxyRequest/${request.id}`], outcome: 'success', status: 204 });
        });
        return { status: 204 };
      },
    }),
  ];
}
