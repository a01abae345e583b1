import { useEffect, useState } from 'react';
import { Alert, Button, Card, Loading, RadioGroup, SelectField, TextAreaField } from '@kennebec/ui';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { useSubmit } from '../lib/forms.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import type { User } from '../lib/session.tsx';
import { PageTitle } from '../shell.tsx';
import { ExplainedError } from '../console/errors.tsx';
import { Badge, hasRole, Loaded, useEnumText } from '../console/frame.tsx';
import { CursorPager, useCursor } from '../console/lists.tsx';
import { useFocusWhen } from '../console/outcome.tsx';
import { useLoad } from '../console/use-load.ts';
import { CompareTable, EvidenceTable, recordName, useReviewCache } from './match-record.tsx';
import { ACT_ROLES } from '../console/roles.ts';
import type { ReviewItem, ReviewQueue } from './types.ts';

/**
 * The matching review queue: pairs of records the index would not link or separate on its own.
 * HIE staff compare the two side by side with the matcher's evidence and decide: the same person
 * (link them) or two people (keep them apart), always with a reason. Privacy officers can look;
 * only HIE admins decide.
 */
const PAGE = 20;
const FILTERS = ['open', 'linked', 'kept-apart', 'all'] as const;
const REASON_MIN = 3;

export function ReviewQueuePage() {
  const { t, date, number } = useI18n();
  const cache = useReviewCache();
  const filterText = useEnumText('admin.review.filter');
  const causeText = useEnumText('admin.review.cause');
  const statusText = useEnumText('admin.review.status');
  const { query } = useLocation();
  const status = (FILTERS as readonly string[]).includes(query.get('status') ?? '') ? (query.get('status') as (typeof FILTERS)[number]) : 'open';
  const pager = useCursor();
  const q = new URLSearchParams({ status, limit: String(PAGE), ...(pager.cursor ? { cursor: pager.cursor } : {}) });
  const list = useLoad<ReviewQueue>(`/admin/mpi/reviews?${q.toString()}`);
  useEffect(() => {
    if (list.data) cache.remember(list.data.reviews);
  }, [list.data, cache]);
  return (
    <div>
      <PageTitle title={t('admin.reviews.title')}>{t('admin.reviews.title')}</PageTitle>
      <p>{t('admin.reviews.intro')}</p>
      <div className="filters">
        <SelectField
          label={t('admin.reviews.show')}
          value={status}
          onChange={(e) => {
            pager.reset();
            navigate(`/admin/reviews?status=${encodeURIComponent(e.target.value)}`, { replace: true });
          }}
          options={FILTERS.map((f) => ({ value: f, label: filterText(f) }))}
        />
      </div>
      <Loaded state={list}>
        {({ reviews, next }) => (
          <>
            {reviews.length === 0 ? (
              <p className="empty">{status === 'open' ? t('admin.reviews.noneOpen') : t('admin.reviews.none')}</p>
            ) : (
              <ul className="rows" aria-label={t('admin.reviews.title')}>
                {reviews.map((r) => {
                  const pair = t('admin.review.pair', { a: recordName(r.patient) || t('admin.review.unnamed'), b: recordName(r.candidate) || t('admin.review.unnamed') });
                  return (
                    <li key={r.id}>
                      <div className="row-head">
                        <Link className="row-title" to={`/admin/reviews/${encodeURIComponent(r.id)}`}>
                          {pair}
                        </Link>
                        <Badge tone={r.status === 'open' ? 'flag' : 'ok'}>{statusText(r.status)}</Badge>
                      </div>
                      <p className="row-meta">
                        <span>{causeText(r.cause)}</span>
                        <span>{t('admin.review.score', { score: number(r.score) })}</span>
                        <span>{t('admin.review.queued', { date: date(r.createdAt, true) })}</span>
                        {r.patient?.sourceName && r.candidate?.sourceName && <span>{t('admin.review.sources', { a: r.patient.sourceName, b: r.candidate.sourceName })}</span>}
                      </p>
                    </li>
                  );
                })}
              </ul>
            )}
            <CursorPager label={t('admin.reviews.title')} page={pager.page} nextCursor={next} onNext={pager.next} onPrevious={pager.previous} />
          </>
        )}
      </Loaded>
    </div>
  );
}

/** The item from this tab's queue pages, or looked for in the queue (a reload, a shared link). */
function useReviewItem(id: string): { item: ReviewItem | undefined; error: unknown; searching: boolean; replace: (i: ReviewItem) => void } {
  const cache = useReviewCache();
  const [item, setItem] = useState<ReviewItem | undefined>(() => cache.get(id));
  const [error, setError] = useState<unknown>(null);
  const [searching, setSearching] = useState(!item);
  useEffect(() => {
    if (item) return;
    let live = true;
    (async () => {
      let cursor: string | null = null;
      // Every status, a page at a time, until the item turns up; the queue is ordered by id.
      for (let pages = 0; pages < 50; pages++) {
        const q = new URLSearchParams({ status: 'all', limit: '200', ...(cursor ? { cursor } : {}) });
        const page: ReviewQueue = await api.get<ReviewQueue>(`/admin/mpi/reviews?${q.toString()}`);
        cache.remember(page.reviews);
        const found = page.reviews.find((r) => r.id === id);
        if (found || !page.next) return found;
        cursor = page.next;
      }
      return undefined;
    })().then(
      (found) => live && (setItem(found), setSearching(false)),
      (e: unknown) => live && (setError(e), setSearching(false)),
    );
    return () => {
      live = false;
    };
  }, [id, item, cache]);
  return { item, error, searching, replace: (i) => setItem((old) => ({ ...old, ...i })) };
}

function DecisionForm({ item, onDecided }: { item: ReviewItem; onDecided: (i: ReviewItem) => void }) {
  const { t } = useI18n();
  const [decision, setDecision] = useState<'' | 'link' | 'keep-apart'>('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<{ decision?: string; reason?: string }>({});
  const form = useSubmit();
  return (
    <form
      noValidate
      onSubmit={form.onSubmit(async () => {
        const p = { ...(decision ? {} : { decision: t('admin.review.decisionMissing') }), ...(reason.trim().length >= REASON_MIN ? {} : { reason: t('admin.reason.missing', { n: REASON_MIN }) }) };
        setProblems(p);
        if (p.decision || p.reason || !decision) return;
        onDecided(await api.post<ReviewItem>(`/admin/mpi/reviews/${encodeURIComponent(item.id)}`, { decision, reason: reason.trim() }));
      })}
    >
      <ExplainedError error={form.error} alertRef={form.alertRef} explain={(e) => (e.code === 'KB-MPI-CONFLICT' ? t('admin.review.conflict') : null)} />
      <RadioGroup
        legend={t('admin.review.decision')}
        name="decision"
        value={decision}
        onChange={(v) => setDecision(v === 'link' ? 'link' : 'keep-apart')}
        required
        error={problems.decision}
        options={[
          { value: 'link', label: t('admin.review.link'), hint: t('admin.review.linkHint') },
          { value: 'keep-apart', label: t('admin.review.keepApart'), hint: t('admin.review.keepApartHint') },
        ]}
      />
      <TextAreaField label={t('admin.reason.label')} hint={t('admin.reason.hint')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} required error={problems.reason} />
      <Button type="submit" busy={form.busy}>
        {t('admin.review.submit')}
      </Button>
    </form>
  );
}

/** /admin/reviews/:id */
export function ReviewPage({ id, user }: { id: string; user: User }) {
  const { t, date, number } = useI18n();
  const causeText = useEnumText('admin.review.cause');
  const statusText = useEnumText('admin.review.status');
  const { item, error, searching, replace } = useReviewItem(id);
  const [decided, setDecided] = useState<ReviewItem | null>(null);
  const doneRef = useFocusWhen<HTMLDivElement>(decided);
  const mayAct = hasRole(user, ACT_ROLES);
  return (
    <div>
      <p>
        <Link to="/admin/reviews">{t('admin.review.back')}</Link>
      </p>
      <PageTitle title={t('admin.review.title')}>{t('admin.review.title')}</PageTitle>
      {error ? (
        <Alert tone="error" title={errorMessage(error, t)} />
      ) : searching ? (
        <Loading label={t('common.loading')} />
      ) : !item ? (
        <Alert tone="info" title={t('admin.review.notFound')} />
      ) : (
        <>
          <dl className="facts">
            <dt>{t('admin.review.statusLabel')}</dt>
            <dd>{statusText(item.status)}</dd>
            <dt>{t('admin.review.causeLabel')}</dt>
            <dd>{causeText(item.cause)}</dd>
            <dt>{t('admin.review.queuedLabel')}</dt>
            <dd>{date(item.createdAt, true)}</dd>
            {item.decidedAt && (
              <>
                <dt>{t('admin.review.decidedLabel')}</dt>
                <dd>{date(item.decidedAt, true)}</dd>
                <dt>{t('admin.reason.label')}</dt>
                <dd className="break">{item.reason}</dd>
              </>
            )}
          </dl>
          <CompareTable a={item.patient} b={item.candidate} captionId="compare-caption" />
          <p>{t('admin.review.scoreLong', { score: number(item.score) })}</p>
          <EvidenceTable evidence={item.evidence} score={item.score} captionId="evidence-caption" />
          {decided && (
            <div ref={doneRef} tabIndex={-1} className="error-summary">
              <Alert tone="success" title={decided.status === 'linked' ? t('admin.review.linked') : t('admin.review.keptApart')}>
                <p>{t('admin.review.undoHint')}</p>
                <p>
                  <Link to={`/admin/patients/${encodeURIComponent(item.patientId)}`}>{t('admin.review.historyA')}</Link>
                </p>
              </Alert>
            </div>
          )}
          {item.status === 'open' && !decided && (
            <Card title={t('admin.review.decideTitle')} id="decide">
              {mayAct ? (
                <DecisionForm
                  item={item}
                  onDecided={(d) => {
                    setDecided(d);
                    replace(d);
                  }}
                />
              ) : (
                <p>{t('admin.review.readOnly')}</p>
              )}
            </Card>
          )}
          {item.status !== 'open' && !decided && (
            <p>
              <Link to={`/admin/patients/${encodeURIComponent(item.patientId)}`}>{t('admin.review.historyA')}</Link>
            </p>
          )}
        </>
      )}
    </div>
  );
}

