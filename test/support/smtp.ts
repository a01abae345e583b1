import { startSmtpReceiver, type ReceivedMail } from '@kennebec/server';

/**
 * A real SMTP server on 127.0.0.1 for tests: give `url` to the server as SMTP_URL, then wait for
 * the mail it sends. `next(to)` returns each message once, in order of arrival.
 */
export interface SmtpCapture {
  url: string;
  messages(): ReceivedMail[];
  /** The next message to `to` (optionally whose subject matches) not yet returned by next(). */
  next(to: string, subject?: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  /** Nothing more arrives for `to` within `ms`. */
  none(to: string, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export type { ReceivedMail };

/** The token of the first link to `page` (e.g. '/reset-password') in a message. */
export function tokenFrom(mail: ReceivedMail, page: string): string {
  const m = new RegExp(`https?://[^\\s]+${page.replace(/[/-]/g, '\\$&')}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!m?.[1]) throw new Error(`No ${page} link in mail '${mail.subject}'`);
  return decodeURIComponent(m[1]);
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const receiver = await startSmtpReceiver({ capacity: 10_000 });
  const taken = new WeakSet<ReceivedMail>();
  const matches = (to: string, subject?: RegExp) => (m: ReceivedMail) =>
    !taken.has(m) && m.to.some((t) => t.toLowerCase() === to.toLowerCase()) && (!subject || subject.test(m.subject));
  return {
    url: receiver.url,
    messages: () => receiver.messages(),
    async next(to, subject, timeoutMs = 5_000) {
      const mail = await receiver.waitFor(matches(to, subject), timeoutMs);
      taken.add(mail);
      return mail;
    },
    async none(to, ms = 300) {
      await new Promise((r) => setTimeout(r, ms));
      const extra = receiver.messages().filter(matches(to));
      if (extra.length > 0) throw new Error(`Unexpected mail to ${to}: ${extra.map((m) => m.subject).join(', ')}`);
    },
    close: () => receiver.close(),
  };
}
