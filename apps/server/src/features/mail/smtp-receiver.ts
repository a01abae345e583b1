import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A small SMTP server (RFC 5321) on 127.0.0.1 that keeps what it receives. It backs the
 * development mailbox (no SMTP_URL: mail is still sent through a real SMTP exchange, to this)
 * and the tests' mail capture. It accepts any sender and recipient, no AUTH, no STARTTLS:
 * it only ever listens on the loopback interface.
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** When it arrived (wall clock), ISO 8601. */
  receivedAt: string;
}

export interface SmtpReceiver {
  port: number;
  /** smtp://127.0.0.1:PORT */
  url: string;
  /** Newest last; at most `capacity` kept. */
  messages(): ReceivedMail[];
  /** Resolves with the first message (already received or arriving later) that matches. */
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  clear(): void;
  close(): Promise<void>;
}

export async function startSmtpReceiver(opts: { capacity?: number; port?: number } = {}): Promise<SmtpReceiver> {
  const capacity = opts.capacity ?? 200;
  const inbox: ReceivedMail[] = [];
  const waiters = new Set<{ match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }>();
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            receivedAt: new Date().toISOString(),
          };
          inbox.push(mail);
          if (inbox.length > capacity) inbox.shift();
          for (const w of [...waiters]) {
            if (w.match(mail)) {
              waiters.delete(w);
              w.resolve(mail);
            }
          }
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages: () => [...inbox],
    waitFor(match, timeoutMs = 5_000) {
      const found = inbox.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          match,
          resolve: (m: ReceivedMail) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`No matching mail within ${timeoutMs} ms (${inbox.length} received)`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    clear: () => {
      inbox.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
