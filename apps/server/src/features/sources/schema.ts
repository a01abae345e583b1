import { z } from 'zod';

/** One client certificate: its PEM text, or its SHA-256 fingerprint alone. */
export const certificateBody = z.union([
  z.object({ pem: z.string().min(1).max(64 * 1024) }).strict(),
  z.object({ fingerprint: z.string().min(1).max(200) }).strict(),
]);

/** Body of POST /admin/sources. */
export const newSourceBody = z.object({
  name: z.string().trim().min(1).max(200),
  hl7Facility: z.string().min(1).max(64),
  oid: z.string().max(128).optional(),
  certificates: z.array(certificateBody).max(20).optional(),
});
export type NewSourceBody = z.infer<typeof newSourceBody>;

export const sourceParams = z.object({ id: z.string().min(1).max(64).describe('The Organization id of the source') });
export const certificateParams = sourceParams.extend({
  fingerprint: z.string().min(1).max(200).describe('SHA-256 fingerprint, 64 hex digits, colons optional'),
});

export const certificateView = z
  .object({
    fingerprint: z.string().describe('SHA-256 of the DER encoding, AB:CD:…'),
    orgId: z.string(),
    subject: z.string().nullable().describe('Null when registered by fingerprint alone'),
    issuer: z.string().nullable(),
    serialNumber: z.string().nullable(),
    notBefore: z.string().nullable(),
    notAfter: z.string().nullable(),
    addedAt: z.string(),
  })
  .meta({ id: 'SourceCertificate' });

const warnings = z.array(z.string()).describe('Problems that do not stop registration (a certificate no trusted CA issued)');

export const sourceView = z
  .object({
    id: z.string().describe('The Organization id'),
    name: z.string(),
    hl7Facility: z.string().describe('The sending facility (MSH-4) of its HL7 v2 messages'),
    oid: z.string().nullable(),
    identifierSystem: z.string().describe('The system of its MRNs'),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
    certificates: z.array(certificateView),
  })
  .meta({ id: 'DataSource' });

export const createdSourceView = sourceView.extend({ warnings });
export const certificateAddedView = certificateView.extend({ warnings });

const feedCounts = z
  .object({
    accepted: z.number().int().describe('Messages processed (ACK AA)'),
    rejected: z.number().int().describe('Messages refused before processing (ACK AR): unknown facility, wrong sender, malformed'),
    errored: z.number().int().describe('Messages that failed while processing (ACK AE)'),
  })
  .meta({ id: 'FeedCounts' });

export const feedStatusView = z
  .object({
    lastReceivedAt: z.string().nullable().describe('When the last message arrived, null when none has'),
    last24h: feedCounts,
    total: feedCounts,
  })
  .meta({ id: 'FeedStatus' });

export const sourceListView = z.object({
  sources: z.array(sourceView.extend({ feed: feedStatusView })),
  unattributed: feedStatusView.describe('Messages no registered source could be found for (an unknown sending facility)'),
});
