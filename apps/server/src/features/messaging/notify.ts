import type { UserActor } from '../access/index.ts';
import { findUserById } from '../accounts/index.ts';
import type { MailMessage } from '../mail/index.ts';
import type { MessagingContext } from './context.ts';
import { mayRead } from './policy.ts';
import type { ThreadRow } from './store.ts';

/**
 * The email that tells someone a message is waiting. It says only that there is one and where
 * to sign in: no organization (its name can say what kind of care it is), no subject, no text.
 */
export function newMessageMail(to: string, baseUrl: string): MailMessage {
  return {
    to,
    subject: 'You have a new message in Kennebec',
    text:
      'You have a new message in Kennebec.\n\n' +
      `Sign in to read it:\n\n${baseUrl}/messages\n\n` +
      '— Kennebec\n\nYou get this email because you have a patient portal account. It never contains the message itself.',
  };
}

/**
 * After a staff member writes, the person who holds the conversation on the patient's side (the
 * patient's linked account, or the proxy) is told, if they may read it now. Staff read their
 * organization's inbox and get no mail.
 */
export async function notifyPatientSide(ctx: MessagingContext, thread: Pick<ThreadRow, 'id' | 'patientId' | 'partyProxyUserId'>): Promise<void> {
  const userId = thread.partyProxyUserId ?? (await ctx.accountOf(thread.patientId));
  if (!userId) return;
  const user = await findUserById(ctx.db, userId);
  if (!user || user.kind !== 'patient' || user.disabledAt !== null || user.emailVerifiedAt === null) return;
  const actor: UserActor = { kind: 'user', userId, accountKind: 'patient', orgId: null, roles: [] };
  if (!(await mayRead(ctx, actor, thread.id))) return;
  ctx.sendLater(newMessageMail(user.email, ctx.baseUrl));
}
