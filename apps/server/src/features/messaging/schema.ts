import { z } from 'zod';
import { MESSAGE_CATEGORIES } from '../access/index.ts';
import { problemSchema } from '../../http/api-routes.ts';
import { BODY_MAX, LIST_MAX, SUBJECT_MAX } from './context.ts';

export const problem = (description: string) => ({ description, schema: problemSchema });

/** Plain text: any characters but control characters (C0 and DEL); a message may hold tabs and line breaks. */
function hasControl(s: string, allowed: ReadonlySet<number>): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 || c === 0x7f) && !allowed.has(c)) return true;
  }
  return false;
}
const IN_SUBJECT: ReadonlySet<number> = new Set();
const IN_BODY: ReadonlySet<number> = new Set([0x09, 0x0a]);

export const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not an id');
export const idParams = z.object({ id });
export const category = z.enum(MESSAGE_CATEGORIES);
export const subject = z
  .string()
  .trim()
  .min(1)
  .max(SUBJECT_MAX)
  .refine((s) => !hasControl(s, IN_SUBJECT), 'one line of plain text, without control characters')
  .describe(`One line, at most ${SUBJECT_MAX} characters`);
export const body = z
  .string()
  .transform((s) => s.replace(/\r\n?/g, '\n').trim())
  .pipe(z.string().min(1).max(BODY_MAX).refine((s) => !hasControl(s, IN_BODY), 'plain text, without control characters'))
  .describe(`Plain text, at most ${BODY_MAX} characters; shown as written (never as HTML)`);

export const listQuery = z.object({
  category: category.optional(),
  unread: z.enum(['true', 'false']).optional().describe('Only threads with unread messages'),
  limit: z.coerce.number().int().min(1).max(LIST_MAX).default(50),
});

export const author = z
  .object({
    kind: z.enum(['patient', 'proxy', 'staff']),
    userId: z.string(),
    displayName: z.string().describe('How to show the author, e.g. "Pat Tern acting for Sam Tern"'),
    actingFor: z.object({ patientId: z.string(), name: z.string() }).nullable().describe('The patient a proxy wrote for'),
  })
  .meta({ id: 'MessageAuthor' });

export const message = z
  .object({ id: z.string(), threadId: z.string(), author, body: z.string(), createdAt: z.string() })
  .meta({ id: 'Message' });

export const threadSummary = z
  .object({
    id: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    patientId: z.string(),
    patientName: z.string().nullable(),
    category,
    subject: z.string(),
    heldBy: z.object({ kind: z.enum(['patient', 'proxy']), displayName: z.string() }).describe('Who holds the conversation on the patient\'s side'),
    startedBy: z.enum(['patient', 'proxy', 'staff']),
    createdAt: z.string(),
    lastMessageAt: z.string().nullable(),
    messageCount: z.number().int(),
    unread: z.number().int().describe('Messages written by others since this account last marked the thread read'),
  })
  .meta({ id: 'MessageThreadSummary' });

export const thread = threadSummary
  .extend({ canReply: z.boolean(), messages: z.array(message) })
  .meta({ id: 'MessageThread' });

export const inbox = z.object({ threads: z.array(threadSummary), unread: z.number().int().describe('Unread messages over every thread') });

export const readState = z.object({ threadId: z.string(), unread: z.number().int(), totalUnread: z.number().int() });
