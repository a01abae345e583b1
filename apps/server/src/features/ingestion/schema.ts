import { z } from 'zod';

/** Request and response shapes of the ingest and message-log routes (routes.ts). */
export const HL7_TYPES = ['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain'] as const;
export const XML_TYPES = ['application/xml', 'text/xml', 'application/hl7-cda+xml'] as const;

export const hl7Body = z
  .string({ error: 'The body must be one HL7 v2 message (x-application/hl7-v2+er7)' })
  .min(1, 'The body must be one HL7 v2 message (x-application/hl7-v2+er7)')
  .describe('One HL7 v2 message in ER7 (pipe-delimited) encoding');

export const ackBody = z.string().describe('The HL7 v2 ACK: MSA-1 AA (accepted), AE (error) or AR (rejected)');

const CCDA_MESSAGE = 'The body must be one C-CDA document (application/xml)';
export const ccdaBody = z
  .custom<Buffer>((v) => Buffer.isBuffer(v) && v.length > 0, CCDA_MESSAGE)
  .meta({ type: 'string', contentMediaType: 'application/xml', description: 'One C-CDA R2.1 document' });

export const ingestOutcome = z
  .object({
    resourceType: z.literal('OperationOutcome'),
    issue: z.array(z.object({ severity: z.string(), code: z.string(), diagnostics: z.string() })),
  })
  .describe('What was stored, then each section or entry the converter skipped');

export const messageQuery = z.object({
  status: z.enum(['processed', 'failed', 'error', 'rejected']).optional().describe('failed: error or rejected'),
  source: z.string().min(1).max(64).optional().describe('Only messages of this source (its Organization id)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'cursor must be the next value of a previous page')
    .optional()
    .describe('The next value of the previous page'),
});

export const messageView = z
  .object({
    id: z.string(),
    sourceOrg: z.string().nullable().describe('The source it came from; null when no registered source was found'),
    channel: z.enum(['mllp', 'mllp-tls', 'http', 'file']),
    controlId: z.string().nullable().describe('MSH-10'),
    messageType: z.string().nullable().describe('MSH-9, e.g. ADT^A08'),
    receivedAt: z.string(),
    status: z.enum(['processed', 'error', 'rejected']),
    error: z.string().nullable().describe('Why it was rejected or failed; never message content'),
    reprocessed: z.boolean().describe('A later run of the same message succeeded'),
  })
  .meta({ id: 'InboundMessage' });

export const messageList = z.object({
  messages: z.array(messageView),
  next: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
});

export const messageParams = z.object({ id: z.string().min(1).max(20) });

export const reprocessResult = z.object({
  status: z.enum(['processed', 'error', 'rejected']),
  code: z.enum(['AA', 'AE', 'AR']),
  ack: z.string().describe('The HL7 ACK of the new run'),
});
