import { useState } from 'react';
import { Alert, Button, SelectField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useI18n } from '../lib/i18n.tsx';
import { navigate, useLocation } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { Badge, Loaded, useEnumText } from '../console/frame.tsx';
import { CursorPager, useCursor } from '../console/lists.tsx';
import { useLoad } from '../console/use-load.ts';
import type { InboundMessage, MessageList, ReprocessResult, SourceList } from './types.ts';

/**
 * /admin/message-log (the page; /admin/messages is its JSON): the inbound message log, failed messages first: each with its error (never
 * its content) and, where the channel allows it, a button that runs it again after a fix (a
 * message refused on an authenticated channel must be resent by its source). The filters live
 * in the address, so a link can open the failed messages of one source.
 */
const PAGE = 25;
const STATUSES = ['failed', 'error', 'rejected', 'processed', 'all'] as const;
/** Channels that authenticate the sender: their refusals cannot be run again here. */
const AUTHENTICATED = new Set(['http', 'mllp-tls']);

function Outcome({ result }: { result: ReprocessResult | { error: unknown } }) {
  const { t } = useI18n();
  if ('error' in result) return <Alert tone="error" title={errorMessage(result.error, t)} />;
  if (result.code === 'AA') return <Alert tone="success" title={t('admin.message.reprocessedOk')} />;
  // The ACK's MSA/ERR text says why; it carries no patient data (our own diagnostics).
  const why = /ERR\|[^\r\n]*/.exec(result.ack)?.[0] ?? /MSA\|[^\r\n]*/.exec(result.ack)?.[0] ?? '';
  return (
    <Alert tone="error" title={t('admin.message.reprocessedFailed', { code: result.code })}>
      {why && <p className="mono">{why}</p>}
    </Alert>
  );
}

function MessageRow({ m, sourceName }: { m: InboundMessage; sourceName: string }) {
  const { t, date } = useI18n();
  const statusText = useEnumText('admin.message.status');
  const channelText = useEnumText('admin.message.channel');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReprocessResult | { error: unknown } | null>(null);
  const failed = m.status !== 'processed';
  const what = [m.messageType ?? t('admin.message.unknownType'), m.controlId ? t('admin.message.control', { id: m.controlId }) : null].filter(Boolean).join(' · ');
  return (
    <>
      <div className="row-head">
        <span className="row-title">{what}</span>
        <Badge tone={m.status === 'processed' ? 'ok' : 'critical'}>{statusText(m.status)}</Badge>
        {m.reprocessed && <Badge tone="ok">{t('admin.message.reprocessed')}</Badge>}
      </div>
      <p className="row-meta">
        <span>{t('admin.message.received', { date: date(m.receivedAt, true) })}</span>
        <span>{sourceName}</span>
        <span>{channelText(m.channel)}</span>
      </p>
      {m.error && (
        <p>
          <strong>{t('admin.message.error')}:</strong> <span className="break">{m.error}</span>
        </p>
      )}
      {result && <Outcome result={result} />}
      {failed && !m.reprocessed && !result && (
        AUTHENTICATED.has(m.channel) && m.status === 'rejected' ? (
          <p className="ui-hint">{t('admin.message.mustResend')}</p>
        ) : (
          <div className="actions">
            <Button
              variant="secondary"
              busy={busy}
              aria-label={t('admin.message.reprocessNamed', { what })}
              onClick={async () => {
                setBusy(true);
                try {
                  setResult(await api.post<ReprocessResult>(`/admin/messages/${encodeURIComponent(m.id)}/reprocess`));
                } catch (error) {
                  setResult({ error });
                } finally {
                  setBusy(false);
                }
              }}
            >
              {t('admin.message.reprocess')}
            </Button>
          </div>
        )
      )}
    </>
  );
}

export function MessagesPage() {
  const { t } = useI18n();
  const statusText = useEnumText('admin.message.filter');
  const { query } = useLocation();
  const status = (STATUSES as readonly string[]).includes(query.get('status') ?? '') ? (query.get('status') as (typeof STATUSES)[number]) : 'failed';
  const source = query.get('source') ?? '';
  const pager = useCursor();
  const sources = useLoad<SourceList>('/admin/sources');
  const q = new URLSearchParams({ limit: String(PAGE), ...(status !== 'all' ? { status } : {}), ...(source ? { source } : {}), ...(pager.cursor ? { cursor: pager.cursor } : {}) });
  const list = useLoad<MessageList>(`/admin/messages?${q.toString()}`);
  const names = new Map((sources.data?.sources ?? []).map((s) => [s.id, s.name]));
  const setFilter = (next: { status?: string; source?: string }) => {
    const p = new URLSearchParams({ status: next.status ?? status, ...((next.source ?? source) ? { source: next.source ?? source } : {}) });
    pager.reset();
    navigate(`/admin/message-log?${p.toString()}`, { replace: true });
  };
  return (
    <div>
      <PageTitle title={t('admin.messages.title')}>{t('admin.messages.title')}</PageTitle>
      <p>{t('admin.messages.intro')}</p>
      <div className="filters">
        <SelectField label={t('admin.messages.show')} value={status} onChange={(e) => setFilter({ status: e.target.value })} options={STATUSES.map((s) => ({ value: s, label: statusText(s) }))} />
        <SelectField
          label={t('admin.messages.source')}
          value={source}
          onChange={(e) => setFilter({ source: e.target.value })}
          options={[{ value: '', label: t('admin.messages.allSources') }, ...(sources.data?.sources ?? []).map((s) => ({ value: s.id, label: s.name }))]}
        />
      </div>
      <Loaded state={list}>
        {({ messages, next }) => (
          <>
            {messages.length === 0 ? (
              <p className="empty">{t('admin.messages.none')}</p>
            ) : (
              <ul className="rows" aria-label={t('admin.messages.title')}>
                {messages.map((m) => (
                  <li key={m.id}>
                    <MessageRow m={m} sourceName={m.sourceOrg ? (names.get(m.sourceOrg) ?? m.sourceOrg) : t('admin.message.noSource')} />
                  </li>
                ))}
              </ul>
            )}
            <CursorPager label={t('admin.messages.title')} page={pager.page} nextCursor={next} onNext={pager.next} onPrevious={pager.previous} />
          </>
        )}
      </Loaded>
    </div>
  );
}
