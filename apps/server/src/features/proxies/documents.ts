import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';

/**
 * Guardianship orders and powers of attorney. The bytes are kept in the database with their
 * type, size and SHA-256, and are never written to a log; only staff of the patient's
 * organization may read them back.
 */
export const DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentKind = 'guardianship' | 'power-of-attorney';
/** Largest document accepted, in bytes (5 MiB: a scanned order of several pages). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export interface DocumentInfo {
  id: string;
  patientId: string;
  orgId: string;
  kind: DocumentKind;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
}

/** Strict base64 (RFC 4648 §4): Buffer.from would silently skip anything else. */
export function decodeBase64(text: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw errors.badRequest('contentBase64 is not base64 (RFC 4648)', ['body.contentBase64']);
  return Buffer.from(text, 'base64');
}

export async function storeDocument(
  tx: Queryable,
  input: { patientId: string; orgId: string; kind: DocumentKind; contentType: DocumentType; bytes: Buffer; uploadedBy: string; now: Date },
): Promise<DocumentInfo> {
  if (input.bytes.length === 0) throw errors.badRequest('The document is empty', ['body.contentBase64']);
  if (input.bytes.length > MAX_DOCUMENT_BYTES) throw errors.badRequest(`The document is larger than ${MAX_DOCUMENT_BYTES} bytes`, ['body.contentBase64']);
  const id = randomBytes(16).toString('base64url');
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  await tx.query(
    `insert into proxy_document (id, subject_patient_id, org_id, kind, content_type, size, sha256, content, uploaded_by, uploaded_at)
     values ($1, $2, $3, $4, $5, $6, $7, decode($8, 'base64'), $9, $10)`,
    [id, input.patientId, input.orgId, input.kind, input.contentType, input.bytes.length, sha256, input.bytes.toString('base64'), input.uploadedBy, input.now.toISOString()],
  );
  return { id, patientId: input.patientId, orgId: input.orgId, kind: input.kind, contentType: input.contentType, size: input.bytes.length, sha256, uploadedBy: input.uploadedBy, uploadedAt: input.now.toISOString() };
}

interface DocumentRow {
  id: string;
  subject_patient_id: string;
  org_id: string;
  kind: DocumentKind;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_by: string;
  uploaded_at: string | Date;
  content_base64?: string;
}

const info = (r: DocumentRow): DocumentInfo => ({
  id: r.id,
  patientId: r.subject_patient_id,
  orgId: r.org_id,
  kind: r.kind,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.sha256,
  uploadedBy: r.uploaded_by,
  uploadedAt: (r.uploaded_at instanceof Date ? r.uploaded_at : new Date(r.uploaded_at)).toISOString(),
});

const COLUMNS = 'id, subject_patient_id, org_id, kind, content_type, size, sha256, uploaded_by, uploaded_at';

export async function findDocument(db: Queryable, id: string): Promise<DocumentInfo | null> {
  const res = await db.query<DocumentRow>(`select ${COLUMNS} from proxy_document where id = $1`, [id]);
  return res.rows[0] ? info(res.rows[0]) : null;
}

/** The document with its bytes (base64), for a caller already checked to be allowed. */
export async function readDocument(db: Queryable, id: string): Promise<(DocumentInfo & { contentBase64: string }) | null> {
  const res = await db.query<DocumentRow>(`select ${COLUMNS}, encode(content, 'base64') as content_base64 from proxy_document where id = $1`, [id]);
  const r = res.rows[0];
  // encode() wraps base64 at 76 characters.
  return r ? { ...info(r), contentBase64: (r.content_base64 ?? '').replace(/\s+/g, '') } : null;
}
