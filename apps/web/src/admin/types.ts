/** The JSON shapes of the HIE admin API (GET /api/openapi.json has them all). */
export interface FeedCounts {
  accepted: number;
  rejected: number;
  errored: number;
}

export interface FeedStatus {
  lastReceivedAt: string | null;
  last24h: FeedCounts;
  total: FeedCounts;
}

export interface SourceCertificate {
  fingerprint: string;
  orgId: string;
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string | null;
  addedAt: string;
}

export interface DataSource {
  id: string;
  name: string;
  hl7Facility: string;
  oid: string | null;
  identifierSystem: string;
  createdAt: string;
  disabledAt: string | null;
  certificates: SourceCertificate[];
  feed: FeedStatus;
}

export interface SourceList {
  sources: DataSource[];
  unattributed: FeedStatus;
}

export type MessageStatus = 'processed' | 'error' | 'rejected';

export interface InboundMessage {
  id: string;
  sourceOrg: string | null;
  channel: 'mllp' | 'mllp-tls' | 'http' | 'file';
  controlId: string | null;
  messageType: string | null;
  receivedAt: string;
  status: MessageStatus;
  error: string | null;
  reprocessed: boolean;
}

export interface MessageList {
  messages: InboundMessage[];
  next: string | null;
}

export interface ReprocessResult {
  status: MessageStatus;
  code: 'AA' | 'AE' | 'AR';
  ack: string;
}

export interface Evidence {
  field: string;
  level: string;
  weight: number;
  detail?: string;
}

export interface MatchRecord {
  patientId: string;
  personId: string | null;
  sourceOrg: string | null;
  sourceName: string | null;
  deleted: boolean;
  names: { family: string | null; given: string[]; suffix: string[] }[];
  birthDate: string | null;
  gender: string | null;
  addresses: { line: string[]; city: string | null; state: string | null; postalCode: string | null }[];
  phones: string[];
  identifiers: { system: string | null; value: string }[];
}

export type ReviewStatus = 'open' | 'linked' | 'kept-apart';

export interface ReviewItem {
  id: string;
  patientId: string;
  candidatePatientId: string;
  cause: 'new-record' | 'demographics-changed' | 'matches-another-person';
  score: number;
  evidence: Evidence[];
  status: ReviewStatus;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  patient?: MatchRecord | null;
  candidate?: MatchRecord | null;
}

export interface ReviewQueue {
  reviews: ReviewItem[];
  next: string | null;
}

export type HistoryAction = 'new' | 'auto-link' | 'review-link' | 'a40' | 'unlink' | 'merge' | 'undo' | 're-evaluation';

export interface HistoryEntry {
  id: string;
  changeId: string;
  action: HistoryAction;
  patientId: string;
  fromPersonId: string | null;
  toPersonId: string;
  score: number | null;
  matchedPatientId: string | null;
  evidence: Evidence[] | null;
  reason: string | null;
  actor: string;
  reviewId: string | null;
  undoes: string | null;
  undoneBy: string | null;
  at: string;
}

export interface PersonDetail {
  person: { id: string; active: boolean; replacedBy: string | null };
  patients: { patientId: string; sourceOrg: string | null; decision: string; score: number | null; matchedPatientId: string | null; evidence: Evidence[] | null }[];
  history: HistoryEntry[];
}

export interface PatientHistory {
  patientId: string;
  personId: string | null;
  history: HistoryEntry[];
}

export interface MpiChange {
  changeId: string;
  action: HistoryAction;
  reason: string;
  actor: string;
  moves: { patientId: string; fromPersonId: string | null; toPersonId: string }[];
}
