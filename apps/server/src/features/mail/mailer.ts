import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from './smtp-receiver.ts';

/**
 * Sends mail over SMTP (nodemailer). With SMTP_URL unset (development only; config refuses it
 * in production) an in-process SMTP server is started on first use and mail goes to it through
 * a real SMTP exchange; what it receives is the development mailbox (GET /dev/mailbox).
 *
 * Messages are plain text and never carry health information: they say that something
 * happened and link to the portal, where the reader signs in to see it.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** The development mailbox, when mail goes to the in-process server. */
  readonly mailbox: DevMailbox | undefined;
  close(): Promise<void>;
}

export interface DevMailbox {
  messages(): Promise<ReceivedMail[]>;
}

export interface MailerOptions {
  smtpUrl: string | undefined;
  from: string;
  logger: Logger;
}

export function createMailer(opts: MailerOptions): Mailer {
  let receiver: Promise<SmtpReceiver> | undefined;
  let transport: Promise<Transporter> | undefined;

  function transporter(): Promise<Transporter> {
    transport ??= (async () => {
      if (opts.smtpUrl) return nodemailer.createTransport(opts.smtpUrl);
      receiver ??= startSmtpReceiver();
      const r = await receiver;
      opts.logger.info({ port: r.port }, 'development mail server started (no SMTP_URL): mail is kept in the mailbox at /dev/mailbox');
      return nodemailer.createTransport({ host: '127.0.0.1', port: r.port, secure: false, ignoreTLS: true });
    })();
    transport.catch(() => {
      transport = undefined;
    });
    return transport;
  }

  return {
    async send(message) {
      const t = await transporter();
      await t.sendMail({ from: opts.from, to: message.to, subject: message.subject, text: message.text });
    },
    mailbox: opts.smtpUrl
      ? undefined
      : {
          async messages() {
            if (!receiver) return [];
            return (await receiver).messages();
          },
        },
    async close() {
      const t = transport;
      transport = undefined;
      if (t) (await t.catch(() => undefined))?.close();
      const r = receiver;
      receiver = undefined;
      if (r) await (await r).close();
    },
  };
}
