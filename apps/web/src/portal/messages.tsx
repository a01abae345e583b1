import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { Alert, Button, Loading, SelectField, TextField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { ErrorAlert, useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link, navigate } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { usePeople } from './people.tsx';

/**
 * Secure messages with the care team (the server's /api/portal/messages): the list of
 * conversations with unread counts, one conversation with a reply box, and a new message to
 * one of the organizations that hold the record. Whose conversations they are follows the
 * person on screen: the session acts for them (people.tsx). What a proxy may see is the
 * server's decision: a teen's own conversations never reach a parent.
 */
type Category = 'clinical' | 'billing';

interface Author {
  kind: 'patient' | 'proxy' | 'staff';
  userId: string;
  displayName: string;
  actingFor: { patientId: string; name: string } | null;
}

interface ThreadSummary {
  id: string;
  orgId: string;
  orgName: string;
  patientId: string;
  patientName: string | null;
  category: Category;
  subject: string;
  heldBy: { kind: 'patient' | 'proxy'; displayName: string };
  startedBy: 'patient' | 'proxy' | 'staff';
  createdAt: string;
  lastMessageAt: string | null;
  messageCount: number;
  unread: number;
}

interface Thread extends ThreadSummary {
  canReply: boolean;
  messages: { id: string; threadId: string; author: Author; body: string; createdAt: string }[];
}

// Unread messages of the person on screen, for the main navigation ("Messages (2 unread)").
let unread = 0;
const unreadListeners = new Set<() => void>();
function setUnread(n: number): void {
  if (n === unread) return;
  unread = n;
  unreadListeners.forEach((l) => l());
}

export function useUnreadMessages(): number {
  return useSyncExternalStore(
    (l) => {
      unreadListeners.add(l);
      return () => unreadListeners.delete(l);
    },
    () => unread,
  );
}

/** Keeps the unread count of the person on screen (read again when the person changes). */
export function UnreadMessages() {
  const { current } = usePeople();
  const patientId = current?.patientId;
  useEffect(() => {
    if (!patientId) return;
    let live = true;
    api.get<{ unread: number }>('/api/portal/messages?limit=1').then(
      (r) => live && setUnread(r.unread),
      () => live && setUnread(0),
    );
    return () => {
      live = false;
    };
  }, [patientId]);
  return null;
}

/** Loads when the person on screen is known (and again when they change, or on reload()). */
function usePersonLoad<T>(path: string | null): { data: T | undefined; error: unknown; reload: () => void } {
  const { current, error: peopleError } = usePeople();
  const patientId = current?.patientId;
  const [n, setN] = useState(0);
  const key = `${patientId ?? ''}|${path ?? ''}|${n}`;
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown }>({ key: '' });
  useEffect(() => {
    if (!patientId || !path) return;
    let live = true;
    api.get<T>(path).then(
      (data) => live && setState({ key, data }),
      (error: unknown) => live && setState({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [patientId, path, key]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  // Keep showing the last answer while the same page reloads.
  const fresh = state.key.startsWith(`${patientId ?? ''}|${path ?? ''}|`);
  return { data: fresh ? state.data : undefined, error: peopleError ?? (fresh ? state.error : undefined), reload };
}

function MessageText({ text }: { text: string }) {
  // Plain text as written (the server never sends markup): line breaks kept by CSS.
  return <p className="message-body">{text}</p>;
}

export function MessagesPage() {
  const { t, date } = useI18n();
  const { current } = usePeople();
  const state = usePersonLoad<{ threads: ThreadSummary[]; unread: number }>('/api/portal/messages');
  useEffect(() => {
    if (state.data) setUnread(state.data.unread);
  }, [state.data]);
  return (
    <>
      <PageTitle title={t('messages.title')}>{t('messages.title')}</PageTitle>
      <p>{current?.relation === 'proxy' ? t('messages.introProxy', { name: current.name ?? t('person.unnamed') }) : t('messages.intro')}</p>
      <p>
        <Link className="ui-button ui-button-primary" to="/messages/new">
          {t('messages.new')}
        </Link>
      </p>
      {state.error ? (
        <Alert tone="error" title={errorMessage(state.error, t)} />
      ) : !state.data ? (
        <Loading label={t('common.loading')} />
      ) : state.data.threads.length === 0 ? (
        <p className="empty">{t('messages.none')}</p>
      ) : (
        <ul className="rows" aria-label={t('messages.list')}>
          {state.data.threads.map((th) => (
            <li key={th.id} className={th.unread > 0 ? 'thread-unread' : undefined}>
              <div className="row-head">
                <span className="row-title">
                  <Link to={`/messages/${encodeURIComponent(th.id)}`}>{th.subject}</Link>
                </span>
                {th.unread > 0 && <span className="badge badge-flag">{t('messages.unreadBadge', { n: th.unread })}</span>}
                {th.category === 'billing' && <span className="badge">{t('messages.billing')}</span>}
              </div>
              <p className="row-meta">
                <span>{th.orgName}</span>
                <span>{t('messages.heldBy', { name: th.heldBy.displayName })}</span>
                <span>{t('messages.last', { date: date(th.lastMessageAt ?? th.createdAt, true) })}</span>
                <span>{t('messages.count', { n: th.messageCount })}</span>
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function ThreadPage({ id }: { id: string }) {
  const { t, date } = useI18n();
  const state = usePersonLoad<Thread>(`/api/portal/messages/${encodeURIComponent(id)}`);
  // Kept in memory only: a message may hold health information (drafts.ts keeps harmless text).
  const [body, setBody] = useState('');
  const [sent, setSent] = useState(false);
  const form = useSubmit();
  const thread = state.data;
  const lastId = thread?.messages[thread.messages.length - 1]?.id;
  // Opening a conversation marks it read up to the last message shown.
  useEffect(() => {
    if (!thread || !lastId || thread.unread === 0) return;
    api.post<{ totalUnread: number }>(`/api/portal/messages/${encodeURIComponent(thread.id)}/read`, { lastMessageId: lastId }).then(
      (r) => setUnread(r.totalUnread),
      () => undefined,
    );
  }, [thread, lastId]);
  const back = (
    <p>
      <Link to="/messages">{t('messages.back')}</Link>
    </p>
  );
  if (state.error || !thread) {
    return (
      <>
        <PageTitle title={t('messages.thread')}>{t('messages.thread')}</PageTitle>
        {state.error ? <Alert tone="error" title={errorMessage(state.error, t)} /> : <Loading label={t('common.loading')} />}
        {back}
      </>
    );
  }
  return (
    <>
      <PageTitle title={thread.subject}>{thread.subject}</PageTitle>
      <p className="lead">
        {t('messages.with', { org: thread.orgName })} · {t('messages.heldBy', { name: thread.heldBy.displayName })}
      </p>
      <ol className="messages" aria-label={t('messages.conversation')}>
        {thread.messages.map((m) => (
          <li key={m.id} className={`message message-${m.author.kind}`}>
            <p className="message-head">
              <strong>{m.author.displayName}</strong> <span className="row-meta-inline">{date(m.createdAt, true)}</span>
            </p>
            <MessageText text={m.body} />
          </li>
        ))}
      </ol>
      {sent && <Alert tone="success" title={t('messages.sent')} />}
      {thread.canReply ? (
        <form
          noValidate
          className="reply"
          onSubmit={form.onSubmit(async () => {
            setSent(false);
            await api.post(`/api/portal/messages/${encodeURIComponent(thread.id)}/replies`, { body });
            setBody('');
            setSent(true);
            state.reload();
          })}
        >
          <ErrorAlert error={form.error} alertRef={form.alertRef} />
          <MessageField label={t('messages.reply')} value={body} onChange={setBody} />
          <Button type="submit" busy={form.busy}>
            {t('messages.send')}
          </Button>
        </form>
      ) : (
        <Alert tone="info" title={t('messages.noReply', { name: thread.heldBy.displayName })} />
      )}
      {back}
    </>
  );
}

/** A message box: plain text, at most 5,000 characters. */
function MessageField({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="ui-field">
      <label htmlFor="message-body">{label}</label>
      <p className="ui-hint" id="message-body-hint">
        {t('messages.bodyHint')}
      </p>
      <textarea id="message-body" aria-describedby="message-body-hint" rows={6} maxLength={5000} value={value} onChange={(e) => onChange(e.target.value)} required />
    </div>
  );
}

interface OrgLink {
  patientId: string;
  orgId: string;
  organization: string;
}

export function NewMessagePage() {
  const { t } = useI18n();
  const { current } = usePeople();
  const proxy = current?.relation === 'proxy';
  const links = usePersonLoad<{ links: OrgLink[] }>(proxy ? null : '/api/enrollment/links');
  const [orgId, setOrgId] = useState('');
  const [category, setCategory] = useState<Category>('clinical');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const form = useSubmit();
  const orgs = [...new Map((links.data?.links ?? []).map((l) => [l.orgId, l.organization])).entries()];
  const chosenOrg = orgId || orgs[0]?.[0] || '';
  return (
    <div className="narrow-wide">
      <PageTitle title={t('messages.new')}>{t('messages.new')}</PageTitle>
      {!current ? (
        <Loading label={t('common.loading')} />
      ) : (
        <form
          noValidate
          onSubmit={form.onSubmit(async () => {
            const thread = await api.post<{ id: string }>('/api/portal/messages', {
              ...(!proxy && chosenOrg ? { orgId: chosenOrg } : {}),
              category,
              subject: subject.trim(),
              body,
            });
            navigate(`/messages/${encodeURIComponent(thread.id)}`);
          })}
        >
          <ErrorAlert error={form.error ?? links.error} alertRef={form.alertRef} />
          {proxy ? (
            <p>{t('messages.toGrantOrg', { name: current.name ?? t('person.unnamed') })}</p>
          ) : orgs.length > 1 ? (
            <SelectField label={t('messages.to')} options={orgs.map(([value, label]) => ({ value, label }))} value={chosenOrg} onChange={(e) => setOrgId(e.target.value)} />
          ) : orgs.length === 1 ? (
            <p>{t('messages.toOne', { org: orgs[0]?.[1] ?? '' })}</p>
          ) : links.data ? (
            <Alert tone="info" title={t('messages.noOrg')} />
          ) : (
            <Loading label={t('common.loading')} />
          )}
          <SelectField
            label={t('messages.category')}
            options={[
              { value: 'clinical', label: t('messages.clinical') },
              { value: 'billing', label: t('messages.billingQuestion') },
            ]}
            value={category}
            onChange={(e) => setCategory(e.target.value as Category)}
          />
          <TextField label={t('messages.subject')} value={subject} maxLength={200} onChange={(e) => setSubject(e.target.value)} required />
          <MessageField label={t('messages.message')} value={body} onChange={setBody} />
          <div className="actions">
            <Button type="submit" busy={form.busy}>
              {t('messages.send')}
            </Button>
            <Link to="/messages">{t('messages.cancel')}</Link>
          </div>
        </form>
      )}
    </div>
  );
}
