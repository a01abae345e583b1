import { Card } from '@kennebec/ui';
import { useI18n } from '../lib/i18n.tsx';
import { Link } from '../lib/router.tsx';
import { PageTitle } from '../shell.tsx';
import { Badge, Loaded } from '../console/frame.tsx';
import { PagedList } from '../console/lists.tsx';
import { useLoad } from '../console/use-load.ts';
import type { DataSource, FeedStatus, SourceList } from './types.ts';

/**
 * /admin/data-sources (the page; /admin/sources is its JSON): every registered data source and the state of its feed: when its last message
 * came, and how many were accepted, rejected or failed in the last day and in all.
 */
function FeedBadge({ feed, disabled }: { feed: FeedStatus; disabled: boolean }) {
  const { t } = useI18n();
  if (disabled) return <Badge>{t('admin.source.disabled')}</Badge>;
  if (!feed.lastReceivedAt) return <Badge>{t('admin.feed.silent')}</Badge>;
  if (feed.last24h.rejected + feed.last24h.errored > 0) return <Badge tone="critical">{t('admin.feed.failing')}</Badge>;
  return <Badge tone="ok">{t('admin.feed.ok')}</Badge>;
}

function FeedFacts({ feed }: { feed: FeedStatus }) {
  const { t, date, number } = useI18n();
  return (
    <>
      <p className="row-meta">
        <span>{feed.lastReceivedAt ? t('admin.feed.last', { date: date(feed.lastReceivedAt, true) }) : t('admin.feed.none')}</span>
      </p>
      <ul className="counts" aria-label={t('admin.feed.day')}>
        <li>
          <strong>{t('admin.feed.day')}:</strong>
        </li>
        <li>{t('admin.feed.accepted', { n: number(feed.last24h.accepted) })}</li>
        <li>{t('admin.feed.rejected', { n: number(feed.last24h.rejected) })}</li>
        <li>{t('admin.feed.errored', { n: number(feed.last24h.errored) })}</li>
      </ul>
      <ul className="counts" aria-label={t('admin.feed.total')}>
        <li>
          <strong>{t('admin.feed.total')}:</strong>
        </li>
        <li>{t('admin.feed.accepted', { n: number(feed.total.accepted) })}</li>
        <li>{t('admin.feed.rejected', { n: number(feed.total.rejected) })}</li>
        <li>{t('admin.feed.errored', { n: number(feed.total.errored) })}</li>
      </ul>
    </>
  );
}

function SourceRow({ s }: { s: DataSource }) {
  const { t } = useI18n();
  const failures = s.feed.total.rejected + s.feed.total.errored;
  return (
    <>
      <div className="row-head">
        <h2 className="row-title h-inline">{s.name}</h2>
        <FeedBadge feed={s.feed} disabled={s.disabledAt !== null} />
      </div>
      <p className="row-meta">
        <span>{t('admin.source.facility', { code: s.hl7Facility })}</span>
        {s.oid && <span className="mono">{t('admin.source.oid', { oid: s.oid })}</span>}
        <span>{t('admin.source.certificates', { n: s.certificates.length })}</span>
      </p>
      <FeedFacts feed={s.feed} />
      {failures > 0 && (
        <p>
          <Link to={`/admin/message-log?status=failed&source=${encodeURIComponent(s.id)}`}>{t('admin.source.failedLink', { name: s.name })}</Link>
        </p>
      )}
    </>
  );
}

export function SourcesPage() {
  const { t } = useI18n();
  const list = useLoad<SourceList>('/admin/sources');
  return (
    <div>
      <PageTitle title={t('admin.sources.title')}>{t('admin.sources.title')}</PageTitle>
      <p>{t('admin.sources.intro')}</p>
      <Loaded state={list}>
        {({ sources, unattributed }) => (
          <>
            <PagedList items={sources} label={t('admin.sources.title')} empty={t('admin.sources.none')} keyOf={(s) => s.id} render={(s) => <SourceRow s={s} />} />
            <Card title={t('admin.sources.unattributed')} id="unattributed">
              <p>{t('admin.sources.unattributedIntro')}</p>
              <FeedFacts feed={unattributed} />
              {unattributed.total.rejected + unattributed.total.errored > 0 && (
                <p>
                  <Link to="/admin/message-log?status=failed">{t('admin.messages.failedLink')}</Link>
                </p>
              )}
            </Card>
          </>
        )}
      </Loaded>
    </div>
  );
}
