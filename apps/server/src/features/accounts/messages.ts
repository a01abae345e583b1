import type { MailMessage } from '../mail/index.ts';

/**
 * The mail accounts send. Plain text, no health information, no personal details beyond the
 * address it goes to: each says what happened and gives a single-use link that expires.
 */
const SIGNATURE = '\n\n— Kennebec\n\nIf you did not ask for this, you can ignore this message.';

function hours(seconds: number): string {
  const h = Math.round(seconds / 3600);
  return h === 1 ? '1 hour' : `${h} hours`;
}

export const messages = {
  verifyEmail: (to: string, link: string, ttl: number): MailMessage => ({
    to,
    subject: 'Confirm your email address',
    text: `Please confirm your email address for your Kennebec account by opening this link:\n\n${link}\n\nThe link works once and expires in ${hours(ttl)}.${SIGNATURE}`,
  }),
  accountExists: (to: string, link: string, ttl: number): MailMessage => ({
    to,
    subject: 'You already have an account',
    text: `Someone (probably you) tried to create a Kennebec account with this email address, but it already has one.\n\nSign in with your password, or choose a new password with this link:\n\n${link}\n\nThe link works once and expires in ${hours(ttl)}.${SIGNATURE}`,
  }),
  resetPassword: (to: string, link: string, ttl: number): MailMessage => ({
    to,
    subject: 'Reset your password',
    text: `To choose a new password for your Kennebec account, open this link:\n\n${link}\n\nThe link works once and expires in ${hours(ttl)}. Choosing a new password signs you out everywhere.${SIGNATURE}`,
  }),
  staffInvitation: (to: string, link: string, ttl: number): MailMessage => ({
    to,
    subject: 'Your Kennebec staff account',
    text: `A staff account has been created for you on Kennebec. Choose your password with this link:\n\n${link}\n\nThe link works once and expires in ${hours(ttl)}. After signing in you will set up an authenticator app.${SIGNATURE}`,
  }),
  passkeyAdded: (to: string): MailMessage => ({
    to,
    subject: 'A passkey was added to your account',
    text: `A passkey was just added to your Kennebec account: it can now be used to sign in.\n\nIf this was not you, sign in, remove it from your passkeys, and reset your password with "Forgot password" on the sign-in page.${SIGNATURE.split('\n\nIf')[0]}`,
  }),
  passwordChanged: (to: string): MailMessage => ({
    to,
    subject: 'Your password was changed',
    text: `The password of your Kennebec account was just changed, and other sessions were signed out.\n\nIf this was not you, reset your password at once with "Forgot password" on the sign-in page.${SIGNATURE.split('\n\nIf')[0]}`,
  }),
};
