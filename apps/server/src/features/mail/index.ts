export { createMailer, type Mailer, type MailMessage, type MailerOptions, type DevMailbox } from './mailer.ts';
export { startSmtpReceiver, type SmtpReceiver, type ReceivedMail } from './smtp-receiver.ts';
export { devMailboxPlugin } from './routes.ts';
