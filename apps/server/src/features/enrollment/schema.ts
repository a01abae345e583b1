import { z } from 'zod';
import { emailSchema } from '../accounts/index.ts';
import { ID_TYPES } from './invitations.ts';
import { IDENTITY_CHECKS } from './settings.ts';

/** Request and response bodies of the enrollment API (JSON shapes of our own, not FHIR). */
const isoTime = z.string().describe('ISO 8601 time');
const isoDate = z.iso.date().describe('YYYY-MM-DD');
const id = z.string().min(1).max(64);

export const patientQuery = z
  .object({
    mrn: z.string().trim().min(1).max(64).optional().describe('Medical record number at your organization'),
    family: z.string().trim().min(1).max(100).optional().describe('Family name (matches its beginning, without regard to case or accents)'),
    given: z.string().trim().min(1).max(100).optional().describe('Given name (matches its beginning)'),
    birthDate: isoDate.optional(),
  })
  .strict()
  .refine((q) => (q.mrn !== undefined) !== (q.family !== undefined || q.birthDate !== undefined || q.given !== undefined), { message: 'Give either mrn, or family and birthDate (and optionally given)' })
  .refine((q) => q.mrn !== undefined || (q.family !== undefined && q.birthDate !== undefined), { message: 'A search by name needs family and birthDate' });

export const patientSummary = z.object({
  id: z.string().describe('The Patient resource id'),
  mrn: z.string().nullable(),
  family: z.string().nullable(),
  given: z.array(z.string()),
  birthDate: z.string().nullable(),
  enrolled: z.boolean().describe('A portal account is already linked to this record'),
});
export const patientList = z.object({ patients: z.array(patientSummary) });

export const patientIdParams = z.object({ patientId: id });
export const invitationIdParams = z.object({ id });

// Strict: the check is recorded, never the document: a number or image sent along is refused.
export const idCheckBody = z.object({ idType: z.enum(ID_TYPES).describe('The kind of photo ID seen in person') }).strict();
export const idCheckView = z.object({ id: z.string(), patientId: z.string(), idType: z.enum(ID_TYPES), checkedBy: z.string().describe('Staff user id'), checkedAt: isoTime });

export const invitationBody = z.object({ patientId: id, email: emailSchema, idCheckId: id.describe('The photo ID check recorded for this patient') }).strict();
export const invitationStatus = z.enum(['pending', 'accepted', 'expired', 'revoked', 'locked']);
export const invitationView = z.object({
  id: z.string(),
  patientId: z.string(),
  email: z.string(),
  status: invitationStatus.describe('locked: too many wrong answers, resend to revive'),
  createdAt: isoTime,
  createdBy: z.string(),
  sentAt: isoTime,
  sentCount: z.number().int(),
  expiresAt: isoTime,
  failedAttempts: z.number().int(),
  acceptedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export const invitationListQuery = z.object({ status: invitationStatus.optional(), patientId: id.optional() }).strict();
export const invitationList = z.object({ invitations: z.array(invitationView) });

export const settingsView = z.object({ identityCheck: z.enum(IDENTITY_CHECKS).describe('What a person answers besides the code when accepting') });
export const settingsBody = settingsView.strict();

export const tokenQuery = z.object({ token: z.string().min(1).max(128).describe('The token from the invitation link') });
export const invitationPreview = z.object({
  organization: z.object({ name: z.string() }),
  identityCheck: z.enum(IDENTITY_CHECKS).describe('birth-date: send birthDate; ssn-last4: send ssnLast4'),
  expiresAt: isoTime,
});
export const acceptBody = z
  .object({
    token: z.string().min(1).max(128),
    code: z.string().trim().min(1).max(16).describe('The code printed in the invitation email (XXXX-XXXX)'),
    birthDate: isoDate.optional(),
    ssnLast4: z.string().regex(/^\d{4}$/, 'must be 4 digits').optional(),
  })
  .strict();
export const accepted = z.object({ organization: z.object({ id: z.string(), name: z.string() }), patientId: z.string(), linkedAt: isoTime });
export const linkList = z.object({ links: z.array(z.object({ patientId: z.string(), orgId: z.string(), organization: z.string(), linkedAt: isoTime })) });
