import { useEffect, useState } from 'react';
import { Alert, Button } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { useI18n } from '../lib/i18n.tsx';
import { PageTitle } from '../shell.tsx';
import { Loaded } from '../console/frame.tsx';
import { PagedList } from '../console/lists.tsx';
import { useLoad } from '../console/use-load.ts';
import type { MailMessage } from './types.ts';

/**
 * Development only: the mail the server sent, as its in-process SMTP server received it
 * (GET /dev/mailbox, which exists only in development without SMTP_URL). Lets a developer or a
 * trainer follow an invitation without a real mail server.
 */
export function useDevMailbox(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let live = true;
    api.get<{ messages?: unknown } | undefined>('/dev/mailbox').then(
      (r) => live && setAvailable(Array.isArray(r?.messages)),
      () => live && setAvailable(false),
    );
    return () => {
      live = false;
    };
  }, []);
  return available;
}

export function MailboxPage() {
  const { t, date } = useI18n();
  const mail = useLoad<{ messages: MailMessage[] }>('/dev/mailbox');
  return (
    <div>
      <PageTitle title={t('staff.mailbox.title')}>{t('staff.mailbox.title')}</PageTitle>
      <Alert tone="warning" title={t('staff.mailbox.devOnly')} />
      <p>
        <Button variant="secondary" onClick={mail.reload}>
          {t('staff.mailbox.refresh')}
        </Button>
      </p>
      <Loaded state={mail}>
        {({ messages }) => (
          <PagedList
            items={messages.map((m, i) => ({ ...m, key: `${messages.length - i}` }))}
            size={10}
            label={t('staff.mailbox.title')}
            empty={t('staff.mailbox.none')}
            keyOf={(m) => m.key}
            render={(m) => (
              <article className="mail" aria-labelledby={`mail-${m.key}`}>
                <h2 id={`mail-${m.key}`} className="mail-subject">
                  {m.subject}
                </h2>
                <dl className="facts">
                  <dt>{t('staff.mailbox.to')}</dt>
                  <dd>{m.to.join(', ')}</dd>
                  <dt>{t('staff.mailbox.from')}</dt>
                  <dd>{m.from}</dd>
                  <dt>{t('staff.mailbox.received')}</dt>
                  <dd>{date(m.receivedAt, true)}</dd>
                </dl>
                <pre className="mail-text">{m.text}</pre>
              </article>
            )}
          />
        )}
      </Loaded>
    </div>
  );
}
