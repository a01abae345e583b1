import { z } from 'zod';
import { PROXY_BASES, type ProxyDecision } from '@kennebec/consent';
import { problemSchema } from '../../http/api-routes.ts';
import { decide, INACTIVE_TEXT, type GrantRecord } from './grants.ts';

export const problem = (description: string) => ({ description, schema: problemSchema });
export const level = z.enum(['none', 'view', 'act']);
export const basis = z.enum(PROXY_BASES as [string, ...string[]]).transform((b) => b as GrantRecord['basis']);
export const permissions = z.object({ clinical: level, messaging: level, appointments: level, billing: level });
export const partialPermissions = permissions.partial();
export const id = z.string().min(1).max(64);
export const idParams = z.object({ id });

export const statusView = z.object({
  active: z.boolean(),
  reason: z.string().nullable().describe('Why not in force: subject-is-adult, review-due, revoked, …'),
  text: z.string().describe('What the portal shows, e.g. "access ended (now an adult)"'),
  ageBand: z.enum(['child', 'teen', 'adult']),
  permissions,
  hidesConfidential: z.boolean().describe('Teen-confidential information (by sensitivity label) is hidden'),
  hidesSubjectMessages: z.boolean(),
});

export const grantView = z
  .object({
    id: z.string(),
    proxyUserId: z.string(),
    proxyEmail: z.string(),
    patientId: z.string(),
    orgId: z.string(),
    name: z.string().nullable(),
    basis: z.string(),
    grantedBy: z.string(),
    grantedByKind: z.enum(['staff', 'subject']),
    grantedAt: z.string(),
    reviewBy: z.string().nullable(),
    documentId: z.string().nullable(),
    revokedAt: z.string().nullable(),
    revokeReason: z.string().nullable(),
    status: statusView,
  })
  .meta({ id: 'ProxyGrant' });

export function statusOf(d: ProxyDecision): z.output<typeof statusView> {
  return {
    active: d.active,
    reason: d.reason ?? null,
    text: d.active ? (d.ageBand === 'teen' ? 'active (teen: confidential care hidden)' : 'active') : INACTIVE_TEXT[d.reason ?? 'revoked'],
    ageBand: d.ageBand,
    permissions: d.permissions,
    hidesConfidential: d.hiddenLabels.size > 0,
    hidesSubjectMessages: d.hideSubjectMessages,
  };
}

export function grantBody(g: GrantRecord, now: Date): z.output<typeof grantView> {
  return {
    id: g.id,
    proxyUserId: g.proxyUserId,
    proxyEmail: g.proxyEmail,
    patientId: g.patientId,
    orgId: g.orgId,
    name: g.subjectName,
    basis: g.basis,
    grantedBy: g.grantedBy,
    grantedByKind: g.grantedByKind,
    grantedAt: g.grantedAt.toISOString(),
    reviewBy: g.reviewBy?.toISOString() ?? null,
    documentId: g.documentId,
    revokedAt: g.revokedAt?.toISOString() ?? null,
    revokeReason: g.revokeReason,
    status: statusOf(decide(g, now)),
  };
}

export const requestView = z
  .object({
    id: z.string(),
    requesterId: z.string(),
    requesterEmail: z.string(),
    orgId: z.string(),
    basis: z.string(),
    subjectName: z.string(),
    subjectBirthDate: z.string(),
    note: z.string().nullable(),
    createdAt: z.string(),
    decision: z.enum(['approved', 'declined']).nullable(),
    grantId: z.string().nullable(),
  })
  .meta({ id: 'ProxyRequest' });

export const documentInfo = z.object({
  id: z.string(),
  patientId: z.string(),
  orgId: z.string(),
  kind: z.enum(['guardianship', 'power-of-attorney']),
  contentType: z.string(),
  size: z.number(),
  sha256: z.string(),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
});
