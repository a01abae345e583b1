/** The JSON shapes of the staff API (GET /api/openapi.json has them all). */
export interface PatientSummary {
  id: string;
  mrn: string | null;
  family: string | null;
  given: string[];
  birthDate: string | null;
  enrolled: boolean;
}

export const ID_TYPES = ['driver-licence', 'passport', 'state-id', 'military-id', 'other'] as const;
export type IdType = (typeof ID_TYPES)[number];

export interface IdCheck {
  id: string;
  patientId: string;
  idType: IdType;
  checkedBy: string;
  checkedAt: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked' | 'locked';
export const INVITATION_STATUSES: InvitationStatus[] = ['pending', 'accepted', 'expired', 'revoked', 'locked'];

export interface Invitation {
  id: string;
  patientId: string;
  email: string;
  status: InvitationStatus;
  createdAt: string;
  createdBy: string;
  sentAt: string;
  sentCount: number;
  expiresAt: string;
  failedAttempts: number;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export type IdentityCheck = 'birth-date' | 'ssn-last4';

export const BASES = ['parent', 'guardian-of-minor', 'guardian-of-adult', 'power-of-attorney', 'adult-consent'] as const;
export type Basis = (typeof BASES)[number];
export const MINOR_BASES: readonly Basis[] = ['parent', 'guardian-of-minor'];
export const DOCUMENT_KIND: Partial<Record<Basis, 'guardianship' | 'power-of-attorney'>> = { 'guardian-of-adult': 'guardianship', 'power-of-attorney': 'power-of-attorney' };

export const AREAS = ['clinical', 'messaging', 'appointments', 'billing'] as const;
export type Area = (typeof AREAS)[number];
export type Level = 'none' | 'view' | 'act';
export type Permissions = Record<Area, Level>;

export interface ProxyGrant {
  id: string;
  proxyUserId: string;
  proxyEmail: string;
  patientId: string;
  orgId: string;
  name: string | null;
  basis: Basis;
  grantedBy: string;
  grantedByKind: 'staff' | 'subject';
  grantedAt: string;
  reviewBy: string | null;
  documentId: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  status: { active: boolean; reason: string | null; text: string; ageBand: 'child' | 'teen' | 'adult'; permissions: Permissions; hidesConfidential: boolean; hidesSubjectMessages: boolean };
}

export interface ProxyRequest {
  id: string;
  requesterId: string;
  requesterEmail: string;
  orgId: string;
  basis: Basis;
  subjectName: string;
  subjectBirthDate: string;
  note: string | null;
  createdAt: string;
  decision: 'approved' | 'declined' | null;
  grantId: string | null;
}

export interface ProxyDocument {
  id: string;
  patientId: string;
  orgId: string;
  kind: 'guardianship' | 'power-of-attorney';
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
}

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  receivedAt: string;
}
