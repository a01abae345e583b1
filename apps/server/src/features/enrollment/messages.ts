import type { MailMessage } from '../mail/index.ts';

/**
 * The invitation email. It names the organization and carries the link and the code, and nothing
 * else: no patient name, no birth date, no record number, nothing about health. Whoever reads
 * someone else's mail learns only that the organization invited this address.
 */
export function invitationMail(input: { to: string; orgName: string; link: string; code: string; expiresAt: Date }): MailMessage {
  const until = input.expiresAt.toISOString().slice(0, 10);
  return {
    to: input.to,
    subject: `Your invitation from ${input.orgName}`,
    text:
      `${input.orgName} has invited you to see your health record online with Kennebec.\n\n` +
      `Open this link to accept the invitation:\n\n${input.link}\n\n` +
      `When asked, enter this code:\n\n${input.code}\n\n` +
      `The invitation works once and expires on ${until} (UTC). If it has expired, ask ${input.orgName} to send a new one.\n\n` +
      `— Kennebec\n\nIf you were not expecting this, you can ignore this message.`,
  };
}
