import type { FastifyRequest } from 'fastify';
import { OutcomeError } from '@kennebec/fhir';
import { apiRoute, problemSchema, type ApiRoute } from '../../http/api-routes.ts';
import { actorOf, requestInfo } from '../accounts/index.ts';
import { acceptInvitation, linkedPatients, previewInvitation } from './accept.ts';
import { auditEntry, refusalOutcome, type EnrollmentAction } from './audit.ts';
import type { EnrollmentContext } from './context.ts';
import { createInvitation, listInvitations, recordIdCheck, resendInvitation, revokeInvitation } from './invitations.ts';
import { findPatients } from './patients.ts';
import * as s from './schema.ts';
import { identityCheckOf, setIdentityCheck } from './settings.ts';
import { enrollingStaff, requireOrgAdmin, type EnrollingStaff } from './staff-actor.ts';

/**
 * Enrollment by invitation. Staff routes need a fully signed-in staff session (second factor
 * done) of an organization; they see and invite that organization's patients only. The person
 * accepting needs a signed-in patient account. Thin: the use cases do the work.
 */
const problem = (description: string) => ({ description, schema: problemSchema });
const STAFF_403 = problem('Not staff of an organization allowed to enroll (front-desk, nurse, provider, org-admin), second factor due, or CSRF token missing');
const tags = ['enrollment'];

export function enrollmentRoutes(ctx: EnrollmentContext): ApiRoute[] {
  const sessions = ctx.accounts.sessions;
  const staffOf = async (req: FastifyRequest) => enrollingStaff(actorOf((await sessions.require(req)).session));
  /** Runs a staff step; a refusal (bad reference, conflict, wrong organization) is audited too. */
  const audited = async <T>(staff: EnrollingStaff, req: FastifyRequest, action: EnrollmentAction, refs: { patientId?: string; invitationId?: string }, step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      if (err instanceof OutcomeError) {
        const entry = auditEntry({ ...staff, req: requestInfo(req) }, action, {
          outcome: refusalOutcome(err.status),
          status: err.status,
          ...(refs.patientId ? { patients: [refs.patientId] } : {}),
          ...(refs.invitationId ? { invitationId: refs.invitationId } : {}),
        });
        await ctx.audit.record([entry]).catch((e: unknown) => ctx.logger.error({ err: e }, 'audit entry not recorded'));
      }
      throw err;
    }
  };
  return [
    apiRoute({
      method: 'GET',
      url: '/api/enrollment/patients',
      operationId: 'findPatientsToEnroll',
      summary: "Find a patient of my organization by MRN, or by family name and birth date",
      description: 'Minimal demographics only, at most 20 records; only Patients your organization sent.',
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      query: s.patientQuery,
      responses: { 200: { description: 'Matching patients', schema: s.patientList }, 400: problem('Neither an MRN nor a name with a birth date'), 401: problem('No session'), 403: STAFF_403 },
      handler: async ({ query, req }) => {
        const staff = await staffOf(req);
        const patients = await findPatients(ctx.db, staff.orgId, query.mrn !== undefined ? { mrn: query.mrn } : { family: query.family ?? '', given: query.given, birthDate: query.birthDate ?? '' });
        await ctx.audit.record([auditEntry({ ...staff, req: requestInfo(req) }, 'enrollment-patient-search', { patients: patients.map((p) => p.id) })]);
        return { status: 200, body: { patients } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/enrollment/patients/:patientId/id-checks',
      operationId: 'recordIdCheck',
      summary: 'Record that I checked the patient’s photo ID in person (the kind of document only, never its number or a copy)',
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      csrf: true,
      params: s.patientIdParams,
      body: s.idCheckBody,
      responses: { 201: { description: 'Recorded', schema: s.idCheckView }, 400: problem('Unknown ID type, or fields other than idType'), 401: problem('No session'), 403: STAFF_403, 404: problem('No such patient of my organization') },
      handler: async ({ params, body, req }) => {
        const staff = await staffOf(req);
        const check = await audited(staff, req, 'enrollment-id-check', { patientId: params.patientId }, () => recordIdCheck(ctx, staff, params.patientId, body.idType, requestInfo(req)));
        return { status: 201, body: check };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/enrollment/invitations',
      operationId: 'invitePatient',
      summary: 'Invite a patient by email to link a portal account to their record',
      description: 'The email carries a link and a separate code, nothing about health. The invitation expires after INVITATION_TTL_DAYS.',
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      csrf: true,
      body: s.invitationBody,
      responses: {
        201: { description: 'Invitation sent', schema: s.invitationView },
        400: problem('Invalid input, or idCheckId is not an ID check of this patient'),
        401: problem('No session'),
        403: STAFF_403,
        404: problem('No such patient of my organization'),
        409: problem('The patient is already linked to an account (KB-PATIENT-LINKED) or has a pending invitation (KB-INVITATION-PENDING)'),
      },
      handler: async ({ body, req }) => {
        const staff = await staffOf(req);
        return { status: 201, body: await audited(staff, req, 'enrollment-invite', { patientId: body.patientId }, () => createInvitation(ctx, staff, body, requestInfo(req))) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/enrollment/invitations',
      operationId: 'listInvitations',
      summary: "My organization's invitations, newest first, with their status",
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      query: s.invitationListQuery,
      responses: { 200: { description: 'Invitations', schema: s.invitationList }, 401: problem('No session'), 403: STAFF_403 },
      handler: async ({ query, req }) => {
        const staff = await staffOf(req);
        return { status: 200, body: { invitations: await listInvitations(ctx.db, staff.orgId, ctx.clock.now(), query) } };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/enrollment/invitations/:id/resend',
      operationId: 'resendInvitation',
      summary: 'Send a new link and code (the old ones stop working), with a new expiry; unlocks a locked invitation',
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      csrf: true,
      params: s.invitationIdParams,
      responses: {
        200: { description: 'Sent again', schema: s.invitationView },
        401: problem('No session'),
        403: STAFF_403,
        404: problem('No such invitation of my organization'),
        409: problem('The patient has meanwhile been linked to an account (KB-PATIENT-LINKED)'),
        422: problem('The invitation was accepted or revoked'),
      },
      handler: async ({ params, req }) => {
        const staff = await staffOf(req);
        return { status: 200, body: await audited(staff, req, 'enrollment-resend', { invitationId: params.id }, () => resendInvitation(ctx, staff, params.id, requestInfo(req))) };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/enrollment/invitations/:id/revoke',
      operationId: 'revokeInvitation',
      summary: 'Withdraw an invitation: its link and code stop working',
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      csrf: true,
      params: s.invitationIdParams,
      responses: { 200: { description: 'Revoked', schema: s.invitationView }, 401: problem('No session'), 403: STAFF_403, 404: problem('No such invitation of my organization'), 422: problem('Already accepted') },
      handler: async ({ params, req }) => {
        const staff = await staffOf(req);
        return { status: 200, body: await audited(staff, req, 'enrollment-revoke', { invitationId: params.id }, () => revokeInvitation(ctx, staff, params.id, requestInfo(req))) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/enrollment/settings',
      operationId: 'getEnrollmentSettings',
      summary: "My organization's enrollment settings",
      tags,
      security: 'session',
      who: ['front-desk', 'nurse', 'provider', 'org-admin'],
      responses: { 200: { description: 'Settings', schema: s.settingsView }, 401: problem('No session'), 403: STAFF_403 },
      handler: async ({ req }) => {
        const staff = await staffOf(req);
        return { status: 200, body: { identityCheck: await identityCheckOf(ctx.db, staff.orgId) } };
      },
    }),
    apiRoute({
      method: 'PUT',
      url: '/api/enrollment/settings',
      operationId: 'setEnrollmentSettings',
      summary: 'Choose what people answer when accepting: date of birth or the last four digits of their SSN (org admin)',
      tags,
      security: 'session',
      who: ['org-admin'],
      csrf: true,
      body: s.settingsBody,
      responses: { 200: { description: 'Saved', schema: s.settingsView }, 400: problem('Invalid input'), 401: problem('No session'), 403: problem('Not an org admin, second factor due, or CSRF token missing') },
      handler: async ({ body, req }) => {
        const staff = await staffOf(req);
        requireOrgAdmin(staff);
        await setIdentityCheck(ctx, staff, body.identityCheck, requestInfo(req));
        return { status: 200, body: { identityCheck: body.identityCheck } };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/enrollment/invitation',
      operationId: 'previewInvitation',
      summary: 'What an invitation link is for: the organization’s name and the identity question it asks',
      tags,
      security: 'none',
      who: ['anyone'],
      query: s.tokenQuery,
      responses: {
        200: { description: 'The invitation can be accepted', schema: s.invitationPreview },
        400: problem('Unknown, replaced, expired, used or revoked invitation (KB-INVITATION-INVALID)'),
        403: problem('Locked after too many wrong answers (KB-INVITATION-LOCKED)'),
      },
      handler: async ({ query, req }) => {
        const cur = await sessions.current(req);
        const preview = await previewInvitation(ctx, query.token, { userId: cur?.session.user.id ?? null, orgId: null, req: requestInfo(req) });
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: preview };
      },
    }),
    apiRoute({
      method: 'POST',
      url: '/api/enrollment/accept',
      operationId: 'acceptInvitation',
      summary: 'Accept an invitation with its code and the identity answer; links my account to my record there',
      description: 'Needs a signed-in patient account (sign up or sign in first). Five wrong answers lock the invitation.',
      tags,
      security: 'session',
      who: ['patient'],
      csrf: true,
      body: s.acceptBody,
      responses: {
        200: { description: 'Linked', schema: s.accepted },
        400: problem('Wrong code or identity answer (KB-ENROLLMENT-ANSWER, counted), or an invitation that cannot be used (KB-INVITATION-INVALID)'),
        401: problem('No session'),
        403: problem('Locked invitation (KB-INVITATION-LOCKED), a staff account, second factor due, or CSRF token missing'),
        409: problem('The record, or the same person’s record elsewhere, is linked to another account (KB-PATIENT-LINKED)'),
        422: problem('The organization has no birth date or SSN on record to check against'),
      },
      handler: async ({ body, req }) => {
        const actor = actorOf((await sessions.require(req)).session);
        return { status: 200, body: await acceptInvitation(ctx, actor, body, requestInfo(req)) };
      },
    }),
    apiRoute({
      method: 'GET',
      url: '/api/enrollment/links',
      operationId: 'listMyPatientLinks',
      summary: 'The records (one per organization) my account is linked to',
      tags,
      security: 'session',
      who: ['patient'],
      responses: { 200: { description: 'Links', schema: s.linkList }, 401: problem('No session'), 403: problem('Second factor due') },
      handler: async ({ req }) => {
        const { session } = await sessions.require(req);
        const links = await linkedPatients(ctx.db, session.user.id);
        const names = await ctx.db.query<{ org_id: string; name: string }>('select org_id, name from data_source where org_id = any($1::text[])', [links.map((l) => l.orgId)]);
        const nameOf = new Map(names.rows.map((r) => [r.org_id, r.name]));
        return { status: 200, body: { links: links.map((l) => ({ ...l, organization: nameOf.get(l.orgId) ?? '' })) } };
      },
    }),
  ];
}
